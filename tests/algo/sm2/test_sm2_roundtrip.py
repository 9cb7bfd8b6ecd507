"""Hypothesis round trips: sign/verify, encrypt/decrypt in every encoding, key exchange, encodings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mptool.algo import sm2

CURVES = st.sampled_from([sm2.SM2P256V1, sm2.SM2_TEST_CURVE])
IDS = st.one_of(st.just(sm2.DEFAULT_USER_ID), st.binary(max_size=40))


@st.composite
def keys(draw: st.DrawFn) -> tuple[sm2.Curve, int]:
    curve = draw(CURVES)
    return curve, draw(st.integers(1, curve.n - 2))


@settings(max_examples=40, deadline=None)
@given(keys(), st.binary(max_size=200), IDS)
def test_sign_verify(key: tuple, message: bytes, uid: bytes) -> None:
    curve, d = key
    pub = sm2.public_key_from_private(d, curve)
    sig = sm2.sign(d, message, uid, curve=curve)
    assert sm2.verify(pub, message, sig, uid, curve=curve)
    assert not sm2.verify(pub, message + b"\x00", sig, uid, curve=curve)
    assert not sm2.verify(pub, message, sig, uid + b"x", curve=curve)
    for blob in (sm2.encode_signature_der(*sig), sm2.encode_signature_raw(*sig, curve=curve)):
        assert sm2.decode_signature(blob, curve) == sig


@settings(max_examples=30, deadline=None)
@given(keys(), st.binary(min_size=1, max_size=300), st.sampled_from(sm2.ORDERS), st.booleans())
def test_encrypt_decrypt(key: tuple, message: bytes, order: str, prefix: bool) -> None:
    curve, d = key
    pub = sm2.public_key_from_private(d, curve)
    blob = sm2.encrypt(pub, message, order=order, point_prefix=prefix, curve=curve)
    got = sm2.decrypt(d, blob, curve=curve)
    assert got.plaintext == message
    assert got.order == order
    assert got.point_prefix == (None if order == "asn1" else prefix)
    assert sm2.decrypt(d, blob, order=order, curve=curve).plaintext == message


@settings(max_examples=25, deadline=None)
@given(keys(), keys(), IDS, IDS, st.integers(1, 100))
def test_key_exchange_agrees(a: tuple, b: tuple, ida: bytes, idb: bytes, klen: int) -> None:
    curve = a[0]
    da, db = a[1], b[1] % (curve.n - 2) + 1
    pa, pb = sm2.public_key_from_private(da, curve), sm2.public_key_from_private(db, curve)
    ra, big_ra = sm2.ephemeral_key(curve=curve)
    rb, big_rb = sm2.ephemeral_key(curve=curve)
    kb = sm2.key_exchange("responder", db, rb, pa, big_ra, klen, own_id=idb, peer_id=ida, curve=curve)
    ka = sm2.key_exchange("initiator", da, ra, pb, big_rb, klen, own_id=ida, peer_id=idb, curve=curve)
    assert ka == kb
    assert len(ka.key) == klen


@settings(max_examples=40, deadline=None)
@given(keys(), st.booleans())
def test_public_key_encodings(key: tuple, compressed: bool) -> None:
    curve, d = key
    pub = sm2.public_key_from_private(d, curve)
    blob = sm2.encode_public_key(pub, curve, compressed=compressed)
    assert len(blob) == (33 if compressed else 65)
    assert sm2.decode_public_key(blob, curve) == pub


DER_LIKE = st.builds(lambda body: b"\x30" + bytes([len(body)]) + body, st.binary(max_size=120))


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=80), DER_LIKE))
def test_random_bytes_never_crash_decoders(blob: bytes) -> None:
    """Arbitrary input gives a value or an SM2Error, never another exception."""
    for call in (
        lambda: sm2.decode_signature(blob),
        lambda: sm2.decode_public_key(blob),
        lambda: sm2.decrypt(1, blob),
    ):
        try:
            call()
        except sm2.SM2Error:
            pass


def test_random_signature_nonces_differ() -> None:
    d = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
    assert sm2.sign(d, b"m") != sm2.sign(d, b"m")


@pytest.mark.parametrize("curve", [sm2.SM2P256V1, sm2.SM2_TEST_CURVE], ids=lambda c: c.name)
def test_generated_keys_are_in_range(curve: sm2.Curve) -> None:
    for _ in range(20):
        assert 1 <= sm2.generate_private_key(curve) <= curve.n - 2


_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
_PUB = sm2.public_key_from_private(_D)
_SIG = sm2.sign(_D, b"signed", k=12345)
_BLOBS = {order: sm2.encrypt(_PUB, b"secret message", k=6789, order=order) for order in sm2.ORDERS}


@st.composite
def mutations(draw: st.DrawFn, blob: bytes) -> bytes:
    """A copy of ``blob`` with one byte changed, inserted or deleted."""
    data = bytearray(blob)
    i = draw(st.integers(0, len(data) - 1))
    kind = draw(st.sampled_from(["change", "insert", "delete"]))
    if kind == "change":
        data[i] ^= draw(st.integers(1, 255))
    elif kind == "insert":
        data.insert(i, draw(st.integers(0, 255)))
    else:
        del data[i]
    return bytes(data)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_mutated_ciphertexts_never_decrypt_to_something_else(data: st.DataObject) -> None:
    """Any one-byte edit of a ciphertext fails with SM2DecryptError (C3, C1 or the encoding).

    The one exception is deleting the leading 04 point prefix of a raw ciphertext: that is
    the same ciphertext in the prefix-less encoding GB/T 35276 tools also emit, so it must
    decrypt to the same plaintext, recognised as the prefix-less form.
    """
    order = data.draw(st.sampled_from(sm2.ORDERS))
    blob = _BLOBS[order]
    mutated = data.draw(mutations(blob))
    if order != "asn1" and mutated == blob[1:]:
        result = sm2.decrypt(_D, mutated)
        assert result.plaintext == b"secret message"
        assert result.point_prefix is False
        return
    with pytest.raises(sm2.SM2DecryptError):
        sm2.decrypt(_D, mutated)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_mutated_signatures_never_verify(data: st.DataObject) -> None:
    """Any one-byte edit of a DER or raw signature is refused or does not verify."""
    blob = data.draw(st.sampled_from([sm2.encode_signature_der(*_SIG), sm2.encode_signature_raw(*_SIG)]))
    mutated = data.draw(mutations(blob))
    try:
        sig = sm2.decode_signature(mutated)
    except sm2.SM2Error:
        return
    assert sig != _SIG
    assert not sm2.verify(_PUB, b"signed", sig)
