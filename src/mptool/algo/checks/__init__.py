"""Every check of the algo domain, in one table.

``algo.kat.*`` (known-answer vectors, :mod:`mptool.algo.verify`), ``algo.evidence.*`` (values from a
system, :mod:`mptool.algo.evidence`), ``algo.crosscheck.*`` (independent implementations),
``algo.identify.match`` and ``algo.digest.file``. Each spec declares its finding codes.
"""

from __future__ import annotations

from mptool.algo import crosscheck, crosscheck_pycryptodome, crosscheck_pyx, digest, evidence, identify, verify
from mptool.core.registry import CheckSpec

CHECKS: tuple[CheckSpec, ...] = (
    *verify.KAT_SPECS.values(),
    verify.FILE_SPEC,
    evidence.judge_sm3.spec,  # type: ignore[attr-defined]
    evidence.judge_hmac_sm3.spec,  # type: ignore[attr-defined]
    evidence.judge_cipher.spec,  # type: ignore[attr-defined]
    evidence.judge_sm2_verify.spec,  # type: ignore[attr-defined]
    evidence.judge_sm2_decrypt.spec,  # type: ignore[attr-defined]
    evidence.judge_rsa_verify.spec,  # type: ignore[attr-defined]
    crosscheck.SPEC,
    crosscheck_pycryptodome.SPEC,
    crosscheck_pyx.SPEC,
    identify.SPEC,
    digest.digest_files.spec,  # type: ignore[attr-defined]
)
