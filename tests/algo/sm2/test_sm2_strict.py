"""Strict checks: malformed points, scalars, signatures and ciphertexts are rejected clearly."""

from __future__ import annotations

import pytest
from sm2_testdata import gm_examples, h

from mptool.algo import sm2
from mptool.algo.sm2 import ec

C = sm2.SM2P256V1
SIG = gm_examples()["sm2_sign"][1]
ENC = gm_examples()["sm2_encrypt"][1]
D = h(SIG["d"])
PUB = (h(SIG["px"]), h(SIG["py"]))
MSG = bytes.fromhex(SIG["msg"])
RS = (h(SIG["r"]), h(SIG["s"]))
DER = bytes.fromhex(SIG["sig_der_gbt35276"])
CT = bytes.fromhex(ENC["ct_c1c3c2_raw"])
CT_ASN1 = bytes.fromhex(ENC["ct_asn1_gbt35276"])


# ----------------------------------------------------------------------------- public keys


def test_public_key_forms_round_trip() -> None:
    full = sm2.encode_public_key(PUB)
    comp = sm2.encode_public_key(PUB, compressed=True)
    assert full == bytes.fromhex("04" + SIG["px"] + SIG["py"])
    assert comp[0] in (2, 3) and len(comp) == 33
    hybrid = bytes([6 | (PUB[1] & 1)]) + full[1:]
    for blob in (full, comp, full[1:], hybrid):
        assert sm2.decode_public_key(blob) == PUB
    # the other parity decompresses to -P
    flipped = bytes([comp[0] ^ 1]) + comp[1:]
    assert sm2.decode_public_key(flipped) == (PUB[0], C.p - PUB[1])


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "expected 65 bytes 04||X||Y, 33 bytes 02/03||X or 64 bytes X||Y, got 0 bytes"),
        (b"\x00", "point at infinity"),
        (b"\x05" + bytes(64), "got 65 bytes starting with 05"),
        (b"\x04" + bytes.fromhex(SIG["px"]) + (h(SIG["py"]) ^ 1).to_bytes(32, "big"), "not on curve sm2p256v1"),
        (b"\x04" + C.p.to_bytes(32, "big") + bytes.fromhex(SIG["py"]), r"coordinates must be in \[0, p-1\]"),
        (b"\x02" + C.p.to_bytes(32, "big"), "X must be < p"),
        (bytes.fromhex(SIG["px"] + SIG["py"])[:-1], "got 63 bytes"),
    ],
    ids=["empty", "infinity", "bad-prefix", "off-curve", "x-ge-p", "compressed-x-ge-p", "short"],
)
def test_bad_public_keys(blob: bytes, message: str) -> None:
    with pytest.raises(sm2.SM2Error, match=message):
        sm2.decode_public_key(blob)


def test_compressed_x_without_point_and_hybrid_parity() -> None:
    x = next(x for x in range(1, 100) if C.sqrt(x**3 + C.a * x + C.b) is None)
    with pytest.raises(sm2.SM2Error, match="not the x-coordinate of a point"):
        sm2.decode_public_key(b"\x02" + x.to_bytes(32, "big"))
    wrong = bytes([7 - (PUB[1] & 1)]) + sm2.encode_public_key(PUB)[1:]
    with pytest.raises(sm2.SM2Error, match="hybrid prefix 06/07 does not match"):
        sm2.decode_public_key(wrong)


def test_points_are_checked_everywhere() -> None:
    off = (PUB[0], PUB[1] ^ 1)
    for call in (
        lambda: sm2.verify(off, MSG, RS),
        lambda: sm2.encrypt(off, b"x"),
        lambda: sm2.compute_za(off),
        lambda: sm2.encode_public_key(off),
        lambda: sm2.key_exchange("initiator", D, 5, off, PUB, 16),
        lambda: sm2.key_exchange("initiator", D, 5, PUB, off, 16),
    ):
        with pytest.raises(sm2.SM2Error, match="not on curve"):
            call()
    with pytest.raises(sm2.SM2Error, match="point at infinity"):
        sm2.verify(None, MSG, RS)  # type: ignore[arg-type]
    with pytest.raises(sm2.SM2Error, match="pair of integers"):
        sm2.verify((1, 2, 3), MSG, RS)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- signatures


def test_verify_range_checks() -> None:
    n = C.n
    e = bytes.fromhex(SIG["e"])
    assert sm2.verify_digest(PUB, e, RS)
    for r, s in [(0, RS[1]), (RS[0], 0), (RS[0] + n, RS[1]), (RS[0], RS[1] + n), (n, 1), (-1, 1)]:
        assert not sm2.verify_digest(PUB, e, (r, s))
    # r + s = n (t = 0) must fail even though both are in range
    assert not sm2.verify_digest(PUB, e, (RS[0], n - RS[0]))


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        # long-form length where the short form is required (BER, not DER)
        (b"\x30\x81\x46" + DER[2:], "not DER"),
        # r with a superfluous leading zero byte
        (bytes.fromhex("3047022200") + DER[4:], "BER but not DER"),
        # trailing garbage after the SEQUENCE
        (DER + b"\x00", "trailing bytes"),
        # negative r
        (bytes.fromhex("3006020180020101"), "INTEGER r is negative"),
        # r = 0
        (bytes.fromhex("3006020100020101"), r"r must be in \[1, n-1\]"),
        # s = n
        (b"\x30\x26\x02\x01\x01\x02\x21\x00" + C.n.to_bytes(32, "big"), r"s must be in \[1, n-1\]"),
        # a SEQUENCE with three integers
        (bytes.fromhex("3009020101020101020101"), "signature"),
        # an OCTET STRING, 10 bytes
        (bytes.fromhex("04080102030405060708"), "expected DER SEQUENCE{r, s} or 64 bytes r||s, got 10 bytes"),
        # raw r||s with r >= n
        (C.n.to_bytes(32, "big") + RS[1].to_bytes(32, "big"), r"r must be in \[1, n-1\]"),
        (DER[:-1], "got 71 bytes"),
    ],
    ids=["ber-length", "nonminimal-int", "trailing", "negative-r", "zero-r", "s-equals-n", "three-ints", "octet-string", "raw-r-ge-n", "truncated"],
)
def test_bad_signatures(blob: bytes, message: str) -> None:
    with pytest.raises(sm2.SM2Error, match=message):
        sm2.decode_signature(blob)


def test_encode_signature_rejects_non_positive() -> None:
    with pytest.raises(sm2.SM2Error):
        sm2.encode_signature_der(0, 1)
    with pytest.raises(sm2.SM2Error):
        sm2.encode_signature_raw(1, 1 << 256)


def test_injected_k_degenerate_cases_are_refused() -> None:
    """sign_digest with an injected k refuses r = 0 and r + k = n (GB/T 32918.2 §6.1 A5)."""
    n = C.n
    k = 0x1234567
    x1 = ec.mul_base(C, k)[0]
    for r_target in (0, n - k):
        e = ((r_target - x1) % n).to_bytes(32, "big")
        with pytest.raises(sm2.SM2Error, match="r = 0, r \\+ k = n or s = 0"):
            sm2.sign_digest(D, e, k=k)
    for bad_k in (0, n, -5):
        with pytest.raises(sm2.SM2Error, match=r"k: must be in \[1, n-1\]"):
            sm2.sign(D, MSG, k=bad_k)


def test_user_id_length_limit() -> None:
    assert sm2.compute_za(PUB, b"x" * 8191)
    with pytest.raises(sm2.SM2Error, match="at most 8191 bytes"):
        sm2.compute_za(PUB, b"x" * 8192)


# ----------------------------------------------------------------------------- ciphertexts


@pytest.mark.parametrize("index", [1, 40, 65, 80, 96, len(CT) - 1])
def test_tampering_detected(index: int) -> None:
    """A flipped bit in C1, C3 or C2 never yields a plaintext (C3 is always checked)."""
    bad = bytearray(CT)
    bad[index] ^= 0x01
    with pytest.raises(sm2.SM2DecryptError) as info:
        sm2.decrypt(D, bytes(bad))
    reasons = dict(info.value.attempts)
    assert set(reasons) == {"asn1", "c1c3c2", "c1c3c2-no04", "c1c2c3", "c1c2c3-no04"}
    if index >= 65:  # C1 intact: C3 compared and found different
        assert reasons["c1c3c2"] == "C3 mismatch"
        assert "C3 does not match" in str(info.value)
    else:
        assert "not a point of curve" in reasons["c1c3c2"]


def test_wrong_key_and_wrong_order() -> None:
    with pytest.raises(sm2.SM2DecryptError, match="C3 does not match"):
        sm2.decrypt(D + 1, CT)
    with pytest.raises(sm2.SM2DecryptError, match="C3 mismatch"):
        sm2.decrypt(D, CT, order="c1c2c3")
    with pytest.raises(sm2.SM2DecryptError, match="asn1"):
        sm2.decrypt(D, CT, order="asn1")
    with pytest.raises(sm2.SM2Error, match="order: expected one of auto, c1c3c2, c1c2c3, asn1"):
        sm2.decrypt(D, CT, order="c3c1c2")


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (CT[:97], "97 bytes, expected at least 98"),
        (b"", "does not start with 04"),
        (CT_ASN1 + b"\x00", "trailing bytes"),
        (b"\x30\x81" + bytes([CT_ASN1[1]]) + CT_ASN1[2:], "BER but not DER"),
        # C3 of 31 bytes in an otherwise well-formed SEQUENCE
        (
            sm2.encode_ciphertext((h(ENC["c1x"]), h(ENC["c1y"])), bytes.fromhex(ENC["c3"])[:31], bytes.fromhex(ENC["c2"]), order="asn1"),
            "HASH (C3) has 31 bytes",
        ),
        (sm2.encode_ciphertext((1, 2), bytes.fromhex(ENC["c3"]), bytes.fromhex(ENC["c2"]), order="asn1"), "C1 is not a point"),
        (sm2.encode_ciphertext((h(ENC["c1x"]), h(ENC["c1y"])), bytes.fromhex(ENC["c3"]), b"", order="asn1"), "C2) is empty"),
    ],
    ids=["truncated", "empty", "trailing", "ber-length", "short-c3", "c1-off-curve", "empty-c2"],
)
def test_malformed_ciphertexts(blob: bytes, reason: str) -> None:
    with pytest.raises(sm2.SM2DecryptError) as info:
        sm2.decrypt(D, blob)
    assert any(reason in r for _, r in info.value.attempts), info.value.attempts


def test_encrypt_argument_checks() -> None:
    with pytest.raises(sm2.SM2Error, match="plaintext: must not be empty"):
        sm2.encrypt(PUB, b"")
    with pytest.raises(sm2.SM2Error, match="order: expected one of c1c3c2, c1c2c3, asn1"):
        sm2.encrypt(PUB, b"x", order="auto")
    with pytest.raises(sm2.SM2Error, match=r"k: must be in \[1, n-1\]"):
        sm2.encrypt(PUB, b"x", k=C.n)


def test_key_exchange_argument_checks() -> None:
    with pytest.raises(sm2.SM2Error, match="role: expected initiator or responder"):
        sm2.key_exchange("server", D, 5, PUB, PUB, 16)
    with pytest.raises(sm2.SM2Error, match="key length"):
        sm2.key_exchange("initiator", D, 5, PUB, PUB, 0)
    with pytest.raises(sm2.SM2Error, match=r"ephemeral key: must be in \[1, n-1\]"):
        sm2.key_exchange("initiator", D, C.n, PUB, PUB, 16)


def test_prefix_ambiguity_resolved_by_c3() -> None:
    """Without the 04 prefix, a C1 whose X starts with byte 04 still decrypts as no-prefix."""
    k = next(k for k in range(1, 5000) if ec.mul_base(C, k)[0] >> 248 == 0x04)
    blob = sm2.encrypt(PUB, b"ambiguous", k=k, point_prefix=False)
    assert blob[0] == 0x04
    got = sm2.decrypt(D, blob)
    assert (got.plaintext, got.order, got.point_prefix, got.encoding) == (b"ambiguous", "c1c3c2", False, "c1c3c2-no04")
