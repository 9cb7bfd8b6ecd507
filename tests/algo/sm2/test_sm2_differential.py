"""Differential tests against the independent gmssl package (through mptool.algo.sm2.crosscheck)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sm2_testdata import gm_examples, h

from mptool.algo import sm2
from mptool.algo.sm2 import crosscheck as cc

CURVES = st.sampled_from([sm2.SM2P256V1, sm2.SM2_TEST_CURVE])
IDS = st.one_of(st.just(sm2.DEFAULT_USER_ID), st.binary(max_size=32))
FEW = settings(max_examples=30, deadline=None)


@st.composite
def keys(draw: st.DrawFn) -> tuple[sm2.Curve, int]:
    curve = draw(CURVES)
    return curve, draw(st.integers(1, curve.n - 2))


def test_backend_version() -> None:
    assert cc.backend_version().startswith("gmssl 3.")


@pytest.mark.parametrize("v", gm_examples()["sm2_sign"], ids=lambda v: v["id"])
def test_crosscheck_signature_examples(v: dict) -> None:
    curve = sm2.CURVES[v["curve"]]
    pub = cc.public_key_from_private(h(v["d"]), curve)
    assert pub == (h(v["px"]), h(v["py"]))
    uid, msg = bytes.fromhex(v["uid"]), bytes.fromhex(v["msg"])
    assert cc.compute_za(pub, uid, curve).hex() == v["za"]
    assert cc.sign(h(v["d"]), msg, uid, k=h(v["k"]), curve=curve) == (h(v["r"]), h(v["s"]))
    assert cc.verify(pub, msg, (h(v["r"]), h(v["s"])), uid, curve=curve)


@pytest.mark.parametrize("v", gm_examples()["sm2_encrypt"], ids=lambda v: v["id"])
def test_crosscheck_encryption_examples(v: dict) -> None:
    curve = sm2.CURVES[v["curve"]]
    pub, msg, k = (h(v["px"]), h(v["py"])), bytes.fromhex(v["msg"]), h(v["k"])
    assert cc.encrypt(pub, msg, k=k, curve=curve).hex() == v["ct_c1c3c2_raw"]
    assert cc.encrypt(pub, msg, k=k, order="c1c2c3", curve=curve).hex() == v["ct_c1c2c3_raw"]
    assert cc.encrypt(pub, msg, k=k, order="asn1", curve=curve).hex() == v["ct_asn1_gbt35276"]
    for key in ("ct_c1c3c2_raw", "ct_c1c2c3_raw", "ct_asn1_gbt35276"):
        assert cc.decrypt(h(v["d"]), bytes.fromhex(v[key]), curve=curve).plaintext == msg


@pytest.mark.parametrize("v", gm_examples()["sm2_kdf"], ids=lambda v: v["id"])
def test_crosscheck_kdf_examples(v: dict) -> None:
    assert cc.kdf(bytes.fromhex(v["z"]), v["klen_bits"] // 8).hex() == v["k"]


def test_gmssl_decrypt_itself_does_not_check_c3_but_crosscheck_does() -> None:
    """The known gmssl bug (no C3 check) is real, and the wrapper compensates for it."""
    from gmssl import sm2 as gsm2

    v = gm_examples()["sm2_encrypt"][1]
    bad = bytearray(bytes.fromhex(v["ct_c1c3c2_raw"]))
    bad[70] ^= 0xFF  # inside C3
    raw = gsm2.CryptSM2(private_key=v["d"], public_key=v["px"] + v["py"], mode=1)
    assert raw.decrypt(bytes(bad[1:])) == bytes.fromhex(v["msg"])
    with pytest.raises(sm2.SM2DecryptError, match="C3"):
        cc.decrypt(h(v["d"]), bytes(bad))


@FEW
@given(keys(), st.binary(max_size=100), IDS)
def test_ours_sign_gmssl_verify(key: tuple, message: bytes, uid: bytes) -> None:
    curve, d = key
    pub = sm2.public_key_from_private(d, curve)
    assert cc.public_key_from_private(d, curve) == pub
    assert cc.compute_za(pub, uid, curve) == sm2.compute_za(pub, uid, curve)
    sig = sm2.sign(d, message, uid, curve=curve)
    assert cc.verify(pub, message, sig, uid, curve=curve)
    assert not cc.verify(pub, message + b"!", sig, uid, curve=curve)


@FEW
@given(keys(), st.binary(max_size=100), IDS, st.integers(1, 2**256))
def test_gmssl_sign_ours_verify_same_k(key: tuple, message: bytes, uid: bytes, k: int) -> None:
    curve, d = key
    k = k % (curve.n - 1) + 1
    pub = sm2.public_key_from_private(d, curve)
    try:
        theirs = cc.sign(d, message, uid, k=k, curve=curve)
    except cc.CrossCheckError:  # degenerate k: ours must refuse the same k
        with pytest.raises(sm2.SM2Error):
            sm2.sign(d, message, uid, k=k, curve=curve)
        return
    assert sm2.sign(d, message, uid, k=k, curve=curve) == theirs
    assert sm2.verify(pub, message, theirs, uid, curve=curve)


@FEW
@given(keys(), st.binary(min_size=1, max_size=100), st.sampled_from(sm2.ORDERS), st.booleans(), st.integers(1, 2**256))
def test_encrypt_both_ways(key: tuple, message: bytes, order: str, prefix: bool, k: int) -> None:
    curve, d = key
    k = k % (curve.n - 1) + 1
    pub = sm2.public_key_from_private(d, curve)
    try:
        ours = sm2.encrypt(pub, message, k=k, order=order, point_prefix=prefix, curve=curve)
    except sm2.SM2Error:  # a k whose KDF output is all zero (small curves): gmssl must refuse it too
        with pytest.raises(cc.CrossCheckError):
            cc.encrypt(pub, message, k=k, order=order, point_prefix=prefix, curve=curve)
    else:
        assert cc.encrypt(pub, message, k=k, order=order, point_prefix=prefix, curve=curve) == ours
        assert cc.decrypt(d, ours, curve=curve) == sm2.decrypt(d, ours, curve=curve)
    random_theirs = cc.encrypt(pub, message, order=order, point_prefix=prefix, curve=curve)
    assert sm2.decrypt(d, random_theirs, curve=curve).plaintext == message


def test_gmssl_encrypt_draws_another_k_when_the_kdf_output_is_all_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """GB/T 32918.4 §6.1 A5: with a random k, an all-zero t means another k, not an error."""
    real_kdf, calls = cc.kdf, []

    def zero_first(z: bytes, length: int) -> bytes:
        calls.append(z)
        return bytes(length) if len(calls) == 1 else real_kdf(z, length)

    monkeypatch.setattr(cc, "kdf", zero_first)
    pub = sm2.public_key_from_private(12345)
    ciphertext = cc.encrypt(pub, b"abc")
    assert len(calls) == 2 and calls[0] != calls[1]
    assert sm2.decrypt(12345, ciphertext).plaintext == b"abc"
    monkeypatch.setattr(cc, "kdf", lambda z, length: bytes(length))
    with pytest.raises(cc.CrossCheckError):  # an injected k is refused, as ours refuses it
        cc.encrypt(pub, b"abc", k=7)


@FEW
@given(st.binary(max_size=130), st.integers(0, 200))
def test_kdf_agrees(z: bytes, length: int) -> None:
    assert cc.kdf(z, length) == sm2.kdf(z, length)


def test_public_key_whose_x_starts_with_04() -> None:
    """gmssl's lstrip("04") would eat the first byte of such an X; the wrapper must not."""
    curve = sm2.SM2P256V1
    d = next(d for d in range(2, 5000) if sm2.public_key_from_private(d, curve)[0] >> 248 == 0x04)
    pub = sm2.public_key_from_private(d, curve)
    sig = sm2.sign(d, b"abc")
    assert cc.verify(pub, b"abc", sig)
    assert cc.encrypt(pub, b"abc", k=12345) == sm2.encrypt(pub, b"abc", k=12345)


@pytest.mark.parametrize("v", gm_examples()["sm2_key_exchange"], ids=lambda v: v["id"])
def test_crosscheck_key_exchange_example(v: dict) -> None:
    curve = sm2.CURVES[v["curve"]]
    ida, idb = v["ida_ascii"].encode(), v["idb_ascii"].encode()
    pa, pb = (h(v["pax"]), h(v["pay"])), (h(v["pbx"]), h(v["pby"]))
    big_ra, big_rb = (h(v["rax"]), h(v["ray"])), (h(v["rbx"]), h(v["rby"]))
    ka = cc.key_exchange("initiator", h(v["da"]), h(v["ra"]), pb, big_rb, 16, own_id=ida, peer_id=idb, curve=curve)
    kb = cc.key_exchange("responder", h(v["db"]), h(v["rb"]), pa, big_ra, 16, own_id=idb, peer_id=ida, curve=curve)
    assert ka == kb
    assert (ka.key.hex(), ka.s_b.hex(), ka.s_a.hex()) == (v["k"], v["s1_sb"], v["sa_s2"])


@FEW
@given(keys(), st.integers(1, 2**256), st.integers(1, 2**256), IDS, IDS)
def test_key_exchange_agrees_with_gmssl(key: tuple, r1: int, r2: int, ida: bytes, idb: bytes) -> None:
    curve, da = key
    db = (da * 7919) % (curve.n - 2) + 1
    ra, rb = r1 % (curve.n - 1) + 1, r2 % (curve.n - 1) + 1
    pa, pb = sm2.public_key_from_private(da, curve), sm2.public_key_from_private(db, curve)
    big_ra, big_rb = sm2.ephemeral_key(ra, curve)[1], sm2.ephemeral_key(rb, curve)[1]
    ours = sm2.key_exchange("initiator", da, ra, pb, big_rb, 24, own_id=ida, peer_id=idb, curve=curve)
    theirs = cc.key_exchange("responder", db, rb, pa, big_ra, 24, own_id=idb, peer_id=ida, curve=curve)
    assert ours == theirs


def test_infinity_in_verification_is_no_answer_from_gmssl() -> None:
    """s*G + t*P = O: ours rejects the signature; gmssl cannot represent O and gives no answer."""
    curve = sm2.SM2P256V1
    d, t = 0x1234, 0x5678
    pub = sm2.public_key_from_private(d, curve)
    s = (-t * d) % curve.n
    r = (t - s) % curve.n
    assert sm2.ec.mul_add(curve, s, t, pub) is None
    assert not sm2.verify(pub, b"m", (r, s), curve=curve)
    with pytest.raises(cc.CrossCheckError, match="gmssl"):
        cc.verify(pub, b"m", (r, s), curve=curve)
