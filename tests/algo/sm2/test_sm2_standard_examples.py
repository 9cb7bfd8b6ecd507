"""Every SM2 example of GB/T 32918.2/.3/.4/.5 in vectors/algo/gm/gm_standard_examples.json."""

from __future__ import annotations

import pytest
from sm2_testdata import gm_examples, h

from mptool.algo import sm2

SIGN = gm_examples()["sm2_sign"]
ENCRYPT = gm_examples()["sm2_encrypt"]
KDF = gm_examples()["sm2_kdf"]
KEX = gm_examples()["sm2_key_exchange"]


def test_curve_parameters_match_the_standard() -> None:
    for name, c in gm_examples()["curves"].items():
        curve = sm2.CURVES[name]
        assert (curve.p, curve.a, curve.b, curve.n, curve.gx, curve.gy, curve.h) == (
            h(c["p"]), h(c["a"]), h(c["b"]), h(c["n"]), h(c["gx"]), h(c["gy"]), c["h"]
        )
        assert curve.contains(curve.g)


@pytest.mark.parametrize("v", SIGN, ids=[v["id"] for v in SIGN])
def test_signature_example(v: dict) -> None:
    curve = sm2.CURVES[v["curve"]]
    d, uid, msg = h(v["d"]), bytes.fromhex(v["uid"]), bytes.fromhex(v["msg"])
    assert uid == v["uid_ascii"].encode()
    pub = sm2.public_key_from_private(d, curve)
    assert pub == (h(v["px"]), h(v["py"]))
    assert sm2.compute_za(pub, uid, curve).hex() == v["za"]
    assert sm2.message_digest(pub, msg, uid, curve).hex() == v["e"]
    sig = sm2.sign(d, msg, uid, k=h(v["k"]), curve=curve)
    assert sig == (h(v["r"]), h(v["s"]))
    assert sm2.sign_digest(d, bytes.fromhex(v["e"]), k=h(v["k"]), curve=curve) == sig
    assert sm2.verify(pub, msg, sig, uid, curve=curve)
    assert sm2.verify_digest(pub, bytes.fromhex(v["e"]), sig, curve=curve)
    # encodings of GB/T 35276
    assert sm2.encode_signature_der(*sig).hex() == v["sig_der_gbt35276"]
    assert sm2.encode_signature_raw(*sig, curve=curve).hex() == v["sig_raw_rs"]
    assert sm2.detect_signature(bytes.fromhex(v["sig_der_gbt35276"]), curve) == sm2.DecodedSignature(*sig, "der")
    assert sm2.detect_signature(bytes.fromhex(v["sig_raw_rs"]), curve) == sm2.DecodedSignature(*sig, "raw")
    # wrong ID, wrong message, wrong curve's default ID: rejected
    assert not sm2.verify(pub, msg, sig, sm2.DEFAULT_USER_ID if uid != sm2.DEFAULT_USER_ID else b"ALICE", curve=curve)
    assert not sm2.verify(pub, msg + b".", sig, uid, curve=curve)
    assert not sm2.verify(pub, msg, (sig[0], sig[1] ^ 1), uid, curve=curve)


def test_za_example() -> None:
    (z,) = gm_examples()["sm3_z_examples"]
    v = SIGN[0]
    pub = (h(v["px"]), h(v["py"]))
    assert sm2.compute_za(pub, b"ALICE123@YAHOO.COM", sm2.SM2_TEST_CURVE).hex() == z["za"]


@pytest.mark.parametrize("v", ENCRYPT, ids=[v["id"] for v in ENCRYPT])
def test_encryption_example(v: dict) -> None:
    curve = sm2.CURVES[v["curve"]]
    d, msg, k = h(v["d"]), bytes.fromhex(v["msg"]), h(v["k"])
    pub = sm2.public_key_from_private(d, curve)
    assert pub == (h(v["px"]), h(v["py"]))
    # intermediate values: C1 = kG, (x2, y2) = kP, t = KDF(x2||y2, klen)
    assert sm2.ec.mul_base(curve, k) == (h(v["c1x"]), h(v["c1y"]))
    assert sm2.ec.mul(curve, k, pub) == (h(v["x2"]), h(v["y2"]))
    assert sm2.kdf(bytes.fromhex(v["x2"] + v["y2"]), len(msg)).hex() == v["t_kdf"]
    c1c3c2 = bytes.fromhex(v["ct_c1c3c2_raw"])
    c1c2c3 = bytes.fromhex(v["ct_c1c2c3_raw"])
    asn1 = bytes.fromhex(v["ct_asn1_gbt35276"])
    assert c1c3c2 == bytes.fromhex("04" + v["c1x"] + v["c1y"] + v["c3"] + v["c2"])
    assert sm2.encrypt(pub, msg, k=k, curve=curve) == c1c3c2
    assert sm2.encrypt(pub, msg, k=k, order="c1c2c3", curve=curve) == c1c2c3
    assert sm2.encrypt(pub, msg, k=k, order="asn1", curve=curve) == asn1
    assert sm2.encrypt(pub, msg, k=k, point_prefix=False, curve=curve) == c1c3c2[1:]
    assert sm2.encrypt(pub, msg, k=k, order="c1c2c3", point_prefix=False, curve=curve) == c1c2c3[1:]
    expected = {
        c1c3c2: ("c1c3c2", True),
        c1c3c2[1:]: ("c1c3c2", False),
        c1c2c3: ("c1c2c3", True),
        c1c2c3[1:]: ("c1c2c3", False),
        asn1: ("asn1", None),
    }
    for blob, (order, prefix) in expected.items():
        got = sm2.decrypt(d, blob, curve=curve)
        assert got == sm2.Decrypted(msg, order, prefix)
        assert sm2.decrypt(d, blob, order=order, curve=curve).plaintext == msg


@pytest.mark.parametrize("v", KDF, ids=[v["id"] for v in KDF])
def test_kdf_example(v: dict) -> None:
    assert v["klen_bits"] % 8 == 0
    assert sm2.kdf(bytes.fromhex(v["z"]), v["klen_bits"] // 8).hex() == v["k"]


def test_kdf_prefix_property() -> None:
    z = bytes.fromhex(KDF[0]["z"])
    long = sm2.kdf(z, 100)
    assert [sm2.kdf(z, n) for n in (0, 1, 32, 33, 64, 65)] == [long[:n] for n in (0, 1, 32, 33, 64, 65)]


@pytest.mark.parametrize("v", KEX, ids=[v["id"] for v in KEX])
def test_key_exchange_example(v: dict) -> None:
    curve = sm2.CURVES[v["curve"]]
    ida, idb = v["ida_ascii"].encode(), v["idb_ascii"].encode()
    pa, pb = (h(v["pax"]), h(v["pay"])), (h(v["pbx"]), h(v["pby"]))
    assert sm2.public_key_from_private(h(v["da"]), curve) == pa
    assert sm2.public_key_from_private(h(v["db"]), curve) == pb
    ra, big_ra = sm2.ephemeral_key(h(v["ra"]), curve)
    rb, big_rb = sm2.ephemeral_key(h(v["rb"]), curve)
    assert big_ra == (h(v["rax"]), h(v["ray"]))
    assert big_rb == (h(v["rbx"]), h(v["rby"]))
    klen = v["klen_bits"] // 8
    # B (responder) first: computes V, K_B and S_B from R_A
    kb = sm2.key_exchange("responder", h(v["db"]), rb, pa, big_ra, klen, own_id=idb, peer_id=ida, curve=curve)
    # A (initiator): computes U, K_A, S_1 (checks it against S_B) and S_A
    ka = sm2.key_exchange("initiator", h(v["da"]), ra, pb, big_rb, klen, own_id=ida, peer_id=idb, curve=curve)
    for res in (ka, kb):
        assert res.za.hex() == v["za"]
        assert res.zb.hex() == v["zb"]
        assert res.shared_point == (h(v["ux_vx"]), h(v["uy_vy"]))
        assert res.key.hex() == v["k"]
        assert res.s_b.hex() == v["s1_sb"]
        assert res.s_a.hex() == v["sa_s2"]
    sm2.check_confirmation(ka.s_b, kb.s_b, "S_B")  # A: S_1 == S_B
    sm2.check_confirmation(kb.s_a, ka.s_a, "S_A")  # B: S_2 == S_A
    with pytest.raises(sm2.SM2Error, match="S_B: key confirmation failed"):
        sm2.check_confirmation(ka.s_b, bytes(32), "S_B")
    # a different ID on one side gives a different key and confirmations
    other = sm2.key_exchange("initiator", h(v["da"]), ra, pb, big_rb, klen, own_id=ida, peer_id=b"BILL", curve=curve)
    assert other.key != ka.key and other.s_b != ka.s_b
