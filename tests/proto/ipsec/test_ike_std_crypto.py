"""The standard IKE initiators' cryptography against public values: the HMAC PRFs (RFC 4231 test
cases, which RFC 4868 §2.7.1 reuses for PRF-HMAC-SHA-256; RFC 2202), MODP-2048 / ECP-256 results
computed with pyca/cryptography (vectors/ipsec/ike_std.json), prf+ and the RFC 2409 Appendix B
key expansion by their definitions, and RSA/ECDSA signatures over a HASH checked by cryptography."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from mptool.proto.ipsec.std import crypto

VECTORS = json.loads((Path(__file__).parents[3] / "vectors" / "ipsec" / "ike_std.json").read_text())


@pytest.mark.parametrize("case", VECTORS["hmac"], ids=lambda c: f"{c['hash']}-{c['key'][:8]}")
def test_prf_is_hmac_as_the_rfcs_give_it(case: dict) -> None:
    assert crypto.prf(case["hash"], bytes.fromhex(case["key"]), bytes.fromhex(case["data"])).hex() == case["mac"]


def test_modp2048_and_ecp256_shared_secrets() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    modp, ecp = VECTORS["dh"]
    assert crypto.shared_secret(14, int(modp["private"], 16), bytes.fromhex(modp["peer_public"])).hex() == modp["shared"]
    key = ec.derive_private_key(int(ecp["private"], 16), ec.SECP256R1())
    assert crypto.shared_secret(19, key, bytes.fromhex(ecp["peer_public"])).hex() == ecp["shared"]
    # a fresh pair agrees with itself, the public values have the RFC 3526 / RFC 5903 sizes
    for group, size in ((14, 256), (19, 64)):
        a, b = crypto.DiffieHellman(group), crypto.DiffieHellman(group)
        assert len(a.public) == size and a.shared(b.public) == b.shared(a.public)


@pytest.mark.parametrize("bad", [b"", bytes(256), b"\x01" * 64, b"\x00" * 63])
def test_bad_public_values_are_value_errors(bad: bytes) -> None:
    group = 14 if len(bad) in (0, 256) else 19
    with pytest.raises(ValueError):
        crypto.DiffieHellman(group).shared(bad)


def test_prf_plus_and_the_appendix_b_expansion_follow_their_definitions() -> None:
    key, seed = b"K" * 32, b"S" * 40
    t1 = hmac.new(key, seed + b"\x01", hashlib.sha256).digest()
    t2 = hmac.new(key, t1 + seed + b"\x02", hashlib.sha256).digest()
    assert crypto.prf_plus("sha256", key, seed, 50) == (t1 + t2)[:50]
    e = b"e" * 20  # SKEYID_e of HMAC-SHA-1 is shorter than an AES-256 key: Ka = K1 | K2
    k1 = hmac.new(e, b"\x00", hashlib.sha1).digest()
    k2 = hmac.new(e, k1, hashlib.sha1).digest()
    assert crypto.expand_ka("sha1", e, 32) == (k1 + k2)[:32]
    assert crypto.expand_ka("sha256", b"x" * 32, 16) == b"x" * 16


def test_v2_keys_split_prf_plus_in_rfc_7296_order() -> None:
    keys = crypto.derive_v2("sha256", b"seed", b"n" * 32, b"m" * 32, b"i" * 8, b"r" * 8, 32, 20)
    stream = crypto.prf_plus("sha256", b"seed", b"n" * 32 + b"m" * 32 + b"i" * 8 + b"r" * 8, 32 * 3 + 32 * 2 + 20 * 2)
    assert keys.d + keys.ai + keys.ar + keys.ei + keys.er + keys.pi + keys.pr == stream
    assert (len(keys.ai), len(keys.ei), len(keys.pr)) == (32, 20, 32)


def test_rsa_signature_without_digestinfo_is_what_cryptography_recovers() -> None:
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    digest = hashlib.sha256(b"HASH_I input").digest()
    signature = crypto.rsa_sign_raw(key, digest)
    assert key.public_key().recover_data_from_signature(signature, padding.PKCS1v15(), None) == digest
    assert crypto.rsa_verify_raw(key.public_key(), digest, signature)
    assert not crypto.rsa_verify_raw(key.public_key(), digest[::-1], signature)
    assert not crypto.rsa_verify_raw(key.public_key(), digest, signature[:-1])


def test_ecdsa_over_the_hash_is_r_s_and_verifies_with_cryptography() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    key = ec.generate_private_key(ec.SECP256R1())
    digest = hashlib.sha256(b"HASH_R input").digest()
    signature = crypto.ecdsa_sign_hash(key, digest)
    assert len(signature) == 64
    der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    key.public_key().verify(der, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))  # raises if wrong
    assert crypto.ecdsa_verify_hash(key.public_key(), digest, signature)
    assert not crypto.ecdsa_verify_hash(key.public_key(), digest, signature[:32] + bytes(32))


# ------------------------------------------------------------------ IKEv2 signature AUTH


def _keys():
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    return {"rsa": rsa.generate_private_key(65537, 2048), "ecdsa": ec.generate_private_key(ec.SECP256R1())}


@pytest.mark.parametrize("digital_signature", [True, False])
@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
def test_signature_auth_verifies_with_cryptography_and_breaks_on_one_bit(kind: str, digital_signature: bool) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

    key = _keys()[kind]
    octets = b"RealMessage1" + b"Nr" * 16 + bytes(32)
    method, data = crypto.sign_auth(kind, key, octets, digital_signature)
    public = key.public_key()
    if digital_signature:  # RFC 7427 §3: length, AlgorithmIdentifier (Appendix A), signature value
        assert method == 14
        algorithm = data[1 : 1 + data[0]]
        assert crypto.ALGORITHM_IDS[algorithm] == (kind, "sha256")
        signature = data[1 + data[0] :]
        if kind == "rsa":
            public.verify(signature, octets, padding.PKCS1v15(), hashes.SHA256())
        else:
            public.verify(signature, octets, ec.ECDSA(hashes.SHA256()))
    elif kind == "rsa":  # RFC 7296 §3.8 method 1: PKCS#1 v1.5 with SHA-1
        assert method == 1
        public.verify(data, octets, padding.PKCS1v15(), hashes.SHA1())
    else:  # RFC 4754 method 9: r || s, 32 bytes each
        assert method == 9 and len(data) == 64
        public.verify(utils.encode_dss_signature(int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big")), octets, ec.ECDSA(hashes.SHA256()))
    assert crypto.verify_auth(method, data, public, octets)[0]
    flipped = bytearray(data)
    flipped[-1] ^= 1
    assert not crypto.verify_auth(method, bytes(flipped), public, octets)[0]
    assert not crypto.verify_auth(method, data, public, octets + b"x")[0]
    other = _keys()["ecdsa" if kind == "rsa" else "rsa"].public_key()
    assert not crypto.verify_auth(method, data, other, octets)[0]  # a key of the other kind never verifies


def test_unknown_auth_methods_and_algorithms_are_value_errors() -> None:
    public = _keys()["rsa"].public_key()
    with pytest.raises(ValueError, match="method 2"):
        crypto.verify_auth(2, b"x" * 32, public, b"octets")
    with pytest.raises(ValueError, match="not supported"):
        crypto.verify_auth(14, bytes([3]) + b"\x30\x01\x00" + b"sig", public, b"octets")
    with pytest.raises(ValueError, match="none"):  # an empty AUTH body names no algorithm
        crypto.verify_auth(14, b"", public, b"octets")
