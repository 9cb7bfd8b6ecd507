"""Every check of the algo domain, in one table.

``algo.kat.*`` (known-answer vectors, :mod:`.kat` over the engines of :mod:`mptool.algo.vectors`), ``algo.evidence.*`` (values from a
system, :mod:`mptool.algo.checks.evidence`), ``algo.crosscheck.*`` (independent implementations),
``algo.identify.match``, ``algo.digest.file`` and ``algo.calc.*`` (the calculator verbs, :mod:`.calc`). Each spec declares its finding codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mptool.core.registry import CheckSpec


def _checks() -> tuple[CheckSpec, ...]:
    from mptool.algo.checks import calc, crosscheck, crosscheck_pycryptodome, crosscheck_pyx, digest, evidence, identify, kat

    return (
        *kat.KAT_SPECS.values(),
        kat.FILE_SPEC,
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
        *calc.SPECS.values(),
    )


def __getattr__(name: str) -> Any:
    """``CHECKS`` is built on first use: importing one check module (``evidence`` for ``algo
    verify sm3``) then does not import the known-answer engines and the cross-check backends."""
    if name == "CHECKS":
        value = _checks()
        globals()["CHECKS"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
