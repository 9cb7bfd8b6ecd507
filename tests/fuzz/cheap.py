"""What makes the protocol harnesses cheaper per execution in a long fuzz run (issue 21).

A profile of one execution (docs/reliability.md "Cost of one execution") showed where the time
of the protocol harnesses went: atheris's instrumentation of pyasn1 (about half of the time of
``tls-stream`` and ``capture``), decoding the same certificates again for every input (the
certificate roles of a handshake), and SM2 signature verification in pure Python. None of these
is what the protocol harnesses are there to fuzz: the certificate harnesses (``certificate``,
``certificate-chain``) cover the DER and X.509 code instrumented, the ``sm2-codecs`` harness the
SM2 code.

So the protocol harnesses instrument ``mptool`` only, without ``mptool.algo`` (:data:`PROTO_INSTRUMENT`,
:data:`PROTO_EXCLUDE`), and a long run installs :func:`memoize_pure` before fuzzing: two pure
functions of their arguments are memoized in that process, so an input whose certificates or
signature are those of an earlier input does not decode or verify them again. An input with new
certificate or signature bytes still runs the real code (the first time is never cached); nothing
the harness checks changes. The test suite's replays (tests/fuzz/test_fuzz.py) never install it.

The ``certificate-chain`` harness puts a mutated leaf above the same Tongsuo sub-CA and root for
every input, and parsed those two again each time (four of its five or six certificate parses,
through pyasn1 instrumented): it too instruments ``mptool`` without ``mptool.algo`` (pyasn1's own
branches are the ``certificate`` harness's job) and installs :func:`memoize_certificates`, so the
same (DER, source) pair is parsed once per process. A mutated leaf is new bytes and is parsed for
real; the memo returns the very object an earlier identical call built, whose lazily computed
fields are functions of its DER alone.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

#: the packages atheris instruments for the protocol harnesses
PROTO_INSTRUMENT = ("mptool",)
#: modules left uninstrumented in those harnesses (SM2/SM3/SM4 arithmetic: covered by sm2-codecs)
PROTO_EXCLUDE = ("mptool.algo",)
#: entries kept per memo (a long run sees millions of distinct inputs: the memo stays bounded)
MEMO_SIZE = 4096

_installed = False


def memoize_pure() -> None:
    """Memoize ``mptool.cert.api.certificate_roles`` (by the DER list) and
    ``mptool.algo.sm2.ec.mul_add`` (s·G + t·P, by its integers and point) in this process."""
    global _installed
    if _installed:
        return
    from mptool.algo.sm2 import ec
    from mptool.cert import api

    roles = functools.lru_cache(maxsize=MEMO_SIZE)(lambda ders, tlcp: tuple(_original_roles(list(ders), tlcp=tlcp)))
    _original_roles = api.certificate_roles

    def certificate_roles(der_list: Sequence[bytes], *, tlcp: bool) -> list[str]:
        return list(roles(tuple(bytes(d) for d in der_list), tlcp))

    certificate_roles.__doc__ = _original_roles.__doc__
    api.certificate_roles = certificate_roles  # type: ignore[assignment]
    ec.mul_add = functools.lru_cache(maxsize=MEMO_SIZE)(ec.mul_add)  # type: ignore[assignment]
    _installed = True


_certificates_installed = False


def memoize_certificates() -> None:
    """:func:`memoize_pure`, and ``mptool.cert.x509.parse.parse_certificate`` memoized by
    (DER, source) in this process (also where ``mptool.cert.commands`` imported it by name)."""
    global _certificates_installed
    memoize_pure()
    if _certificates_installed:
        return
    from mptool.cert import commands
    from mptool.cert.x509 import parse

    original = parse.parse_certificate
    memo = functools.lru_cache(maxsize=MEMO_SIZE)(lambda der, source: original(der, source))

    def parse_certificate(der: bytes, source: str) -> parse.Cert:
        return memo(bytes(der), source)

    parse_certificate.__doc__ = original.__doc__
    parse.parse_certificate = parse_certificate  # type: ignore[assignment]
    commands.parse_certificate = parse_certificate  # type: ignore[attr-defined]
    _certificates_installed = True
