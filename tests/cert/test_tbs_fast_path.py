"""Issue 20: the tbsCertificate re-encode is skipped when the strict DER decode succeeded.

The shortcut is only right if pyasn1-fasder accepts exactly what re-encodes to the same bytes.
Every certificate bundled in vectors/certs, and crafted non-DER variants (explicit DEFAULT
values, a SET OF out of order, non-zero BIT STRING padding), must give the same
``tbs_reencoded_equal`` as the re-encode itself.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

from pyasn1.codec.der import encoder as der_encoder

from mptool.cert.x509 import parse
from tests.conftest import DATA

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


def _bundled() -> Iterator[bytes]:
    for path in sorted(DATA.certs.rglob("*")):
        if not path.is_file() or path.suffix not in (".pem", ".der", ".crt", ".cer"):
            continue
        raw = path.read_bytes()
        if b"-----BEGIN CERTIFICATE-----" in raw:
            yield from (base64.b64decode(m.group(1)) for m in _PEM.finditer(raw))
        elif raw[:1] == b"\x30":
            yield raw


def _crafted(der: bytes) -> Iterator[bytes]:
    """Non-DER variants of one certificate of the same length."""
    version = der.find(bytes.fromhex("a003020102"))
    yield der[:version] + bytes.fromhex("a003020100") + der[version + 5 :]  # explicit v1 (DEFAULT)
    boolean = der.find(bytes.fromhex("0101ff"))
    yield der[:boolean] + bytes.fromhex("010100") + der[boolean + 3 :]  # BOOLEAN FALSE (DEFAULT)
    key = der.find(bytes.fromhex("034200"))
    yield der[: key + 2] + b"\x01" + der[key + 3 : key + 67] + bytes([der[key + 67] | 1]) + der[key + 68 :]  # padding bit set


def _reencoded_equal(der: bytes) -> bool | None:
    """What the re-encode says, or None when the bytes are not a certificate at all."""
    try:
        cert = parse.parse_certificate(der, "test")
    except parse.CertParseError:
        return None
    return bool(der_encoder.encode(cert.asn1["tbsCertificate"]) == cert.slices.tbs)


def test_fast_path_agrees_with_the_reencode_on_bundled_and_crafted_certificates() -> None:
    root = DATA.path("certs", "sm2", "tlcp", "gmssl", "rootca.pem").read_bytes()
    cases = [*_bundled(), *_crafted(base64.b64decode(_PEM.search(root).group(1)))]  # type: ignore[union-attr]
    assert len(cases) > 400
    checked = strict = 0
    for der in cases:
        expected = _reencoded_equal(der)
        if expected is None:
            continue
        checked += 1
        strict += parse._decode_strict(der)[0] is not None
        assert parse.parse_certificate(der, "test").tbs_reencoded_equal is expected
    assert checked > 400 and 0 < strict < checked  # both paths were exercised
