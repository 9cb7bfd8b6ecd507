"""Every check of the cert domain, in one table.

``cert.format.*``, ``cert.ext.*`` and ``cert.sig.*`` are the lint rules (:mod:`mptool.cert.lint`,
in rule-id order), ``cert.path.*`` the path validation (:mod:`mptool.cert.checks.path`), ``cert.pair.tlcp``
the TLCP certificate pair and ``cert.limbo.case`` the x509-limbo harness. mptool's own rule ids
(``CERT-FMT-001``…, ``CERT-EXT-*``, ``CERT-SIG-*``, ``CERT-PATH-*``) are defined by the check that
names them in its ``rule_ids``: its title and description are the rule.
"""

from __future__ import annotations

from mptool.cert import lint
from mptool.cert.checks import limbo, pair, path
from mptool.core.registry import CheckSpec

CHECKS: tuple[CheckSpec, ...] = (
    *(rule.spec for rule in lint.RULES),
    path.BUILD,
    *path.SPECS.values(),
    pair.check_pair.spec,  # type: ignore[attr-defined]
    limbo.CASE,
)
