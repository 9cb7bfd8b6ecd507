"""Standard IKE cryptography over ``cryptography``: Diffie-Hellman (MODP 2048, ECP 256), the
HMAC PRFs, AES-CBC/GCM, the IKEv1 SKEYID family (RFC 2409 §5, Appendix B) and IKEv2 prf+ /
SKEYSEED (RFC 7296 §2.13, §2.14), RSA and ECDSA signatures over a HASH (RFC 2409 §5.1, RFC 4754).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Any

from mptool.proto.ipsec import rfc2409

#: RFC 3526 §3: the 2048-bit MODP group (group 14), generator 2.
MODP2048_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)
GROUPS = {14: "MODP-2048", 19: "ECP-256"}
HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}


class DiffieHellman:
    """One ephemeral key of group 14 (RFC 3526) or 19 (RFC 5903: public value x || y, secret x)."""

    def __init__(self, group: int) -> None:
        if group not in GROUPS:
            raise ValueError(f"DH group {group} is not supported (14, 19)")
        self.group = group
        if group == 14:
            self._x = int.from_bytes(os.urandom(32), "big") | (1 << 255)
            self.public = pow(2, self._x, MODP2048_P).to_bytes(256, "big")
        else:
            from cryptography.hazmat.primitives.asymmetric import ec
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

            self._key = ec.generate_private_key(ec.SECP256R1())
            self.public = self._key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)[1:]

    def shared(self, peer: bytes) -> bytes:
        """g^xy (MODP: 256 bytes big endian; ECP: the x coordinate); ValueError on a bad public value."""
        return shared_secret(self.group, self._x if self.group == 14 else self._key, peer)


def shared_secret(group: int, private: object, peer: bytes) -> bytes:
    """The DH result of ``private`` (an int for MODP, an EC key for ECP) with ``peer``'s public value."""
    if group == 14:
        y = int.from_bytes(peer, "big")
        if len(peer) != 256 or not 1 < y < MODP2048_P - 1:
            raise ValueError(f"MODP-2048 public value of {len(peer)} bytes is out of range")
        assert isinstance(private, int)
        return pow(y, private, MODP2048_P).to_bytes(256, "big")
    from cryptography.hazmat.primitives.asymmetric import ec

    if len(peer) != 64:
        raise ValueError(f"ECP-256 public value of {len(peer)} bytes, expected 64 (x || y)")
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + peer)  # ValueError off the curve
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return private.exchange(ec.ECDH(), point)


def prf(name: str, key: bytes, data: bytes) -> bytes:
    """HMAC with ``name`` (sha1, sha256): the PRF of the negotiated hash (RFC 2409 §4, RFC 7296 §3.3.2)."""
    return hmac.new(key, data, HASHES[name]).digest()


def digest(name: str, data: bytes) -> bytes:
    """The negotiated hash (IKEv1 phase-1 IV, RFC 2409 Appendix B)."""
    return HASHES[name](data).digest()


def prf_plus(name: str, key: bytes, seed: bytes, length: int) -> bytes:
    """RFC 7296 §2.13: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n)."""
    out, block, n = b"", b"", 1
    while len(out) < length:
        block = prf(name, key, block + seed + bytes([n]))
        out += block
        n += 1
    return out[:length]


# ------------------------------------------------------------------ IKEv1


@dataclass(frozen=True)
class V1Keys:
    """SKEYID and its children (RFC 2409 §5), the expanded encryption key and the phase-1 IV."""

    skeyid: bytes
    d: bytes
    a: bytes
    e: bytes
    enc_key: bytes
    iv: bytes


def skeyid_psk(prf_name: str, psk: bytes, ni: bytes, nr: bytes) -> bytes:
    """SKEYID = prf(pre-shared-key, Ni_b | Nr_b) (RFC 2409 §5)."""
    return prf(prf_name, psk, ni + nr)


def skeyid_sig(prf_name: str, ni: bytes, nr: bytes, gxy: bytes) -> bytes:
    """SKEYID = prf(Ni_b | Nr_b, g^xy) for signature authentication (RFC 2409 §5)."""
    return prf(prf_name, ni + nr, gxy)


def derive_v1(prf_name: str, skeyid: bytes, gxy: bytes, cky_i: bytes, cky_r: bytes, key_len: int, gxi: bytes, gxr: bytes) -> V1Keys:
    """SKEYID_d/a/e (RFC 2409 §5), Ka expanded per Appendix B, IV = hash(g^xi | g^xr)[:16]."""
    cookies = cky_i + cky_r
    d = prf(prf_name, skeyid, gxy + cookies + b"\x00")
    a = prf(prf_name, skeyid, d + gxy + cookies + b"\x01")
    e = prf(prf_name, skeyid, a + gxy + cookies + b"\x02")
    return V1Keys(skeyid, d, a, e, expand_ka(prf_name, e, key_len), digest(prf_name, gxi + gxr)[:16])


def expand_ka(prf_name: str, skeyid_e: bytes, key_len: int) -> bytes:
    """RFC 2409 Appendix B: SKEYID_e truncated, or Ka = K1 | K2 | …, K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1)."""
    if len(skeyid_e) >= key_len:
        return skeyid_e[:key_len]
    out, block = b"", b"\x00"
    while len(out) < key_len:
        block = prf(prf_name, skeyid_e, block)
        out += block
    return out[:key_len]


def v1_hash(prf_name: str, skeyid: bytes, g_own: bytes, g_peer: bytes, cky_own: bytes, cky_peer: bytes, sa_i: bytes, id_body: bytes) -> bytes:
    """HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b); HASH_R with the roles swapped (RFC 2409 §5)."""
    return prf(prf_name, skeyid, g_own + g_peer + cky_own + cky_peer + sa_i + id_body)


def qm_iv(prf_name: str, last_phase1_block: bytes, msgid: int) -> bytes:
    """First IV of a phase-2 exchange with the negotiated hash and AES's block (RFC 2409 Appendix B)."""
    return rfc2409.phase2_iv(functools.partial(digest, prf_name), last_phase1_block, msgid, 16)


def aes_cbc(key: bytes, iv: bytes, data: bytes, decrypt: bool = False) -> bytes:
    """AES-CBC without padding (the caller pads to 16 bytes)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(data) + op.finalize()


# ------------------------------------------------------------------ IKEv2

KEY_PAD = b"Key Pad for IKEv2"


def skeyseed(prf_name: str, ni: bytes, nr: bytes, gir: bytes) -> bytes:
    """SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14)."""
    return prf(prf_name, ni + nr, gir)


@dataclass(frozen=True)
class V2Keys:
    """SK_d, SK_ai/ar, SK_ei/er, SK_pi/pr (RFC 7296 §2.14)."""

    d: bytes
    ai: bytes
    ar: bytes
    ei: bytes
    er: bytes
    pi: bytes
    pr: bytes


def derive_v2(prf_name: str, seed_key: bytes, ni: bytes, nr: bytes, spi_i: bytes, spi_r: bytes, integ_len: int, enc_len: int) -> V2Keys:
    """{SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)."""
    size = len(prf(prf_name, b"", b""))
    lengths = (size, integ_len, integ_len, enc_len, enc_len, size, size)
    stream = prf_plus(prf_name, seed_key, ni + nr + spi_i + spi_r, sum(lengths))
    parts, at = [], 0
    for n in lengths:
        parts.append(stream[at : at + n])
        at += n
    return V2Keys(*parts)


def signed_octets(prf_name: str, message: bytes, nonce: bytes, sk_p: bytes, id_body: bytes) -> bytes:
    """What an IKEv2 AUTH covers: <message> | <peer nonce> | prf(SK_p, ID body) (RFC 7296 §2.15)."""
    return message + nonce + prf(prf_name, sk_p, id_body)


def psk_auth(prf_name: str, psk: bytes, message: bytes, nonce: bytes, sk_p: bytes, id_body: bytes) -> bytes:
    """AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), signed octets) (RFC 7296 §2.15)."""
    return prf(prf_name, prf(prf_name, psk, KEY_PAD), signed_octets(prf_name, message, nonce, sk_p, id_body))


# ------------------------------------------------------------------ IKEv2 signature AUTH

AUTH_RSA_SIGNATURE, AUTH_ECDSA_SHA256_P256, AUTH_DIGITAL_SIGNATURE = 1, 9, 14
#: RFC 7427 Appendix A: the AlgorithmIdentifier DER of the signatures an AUTH method 14 names
ALGORITHM_IDS = {
    bytes.fromhex("300d06092a864886f70d01010b0500"): ("rsa", "sha256"),  # sha256WithRSAEncryption
    bytes.fromhex("300d06092a864886f70d01010c0500"): ("rsa", "sha384"),
    bytes.fromhex("300d06092a864886f70d01010d0500"): ("rsa", "sha512"),
    bytes.fromhex("300a06082a8648ce3d040302"): ("ecdsa", "sha256"),  # ecdsa-with-SHA256
    bytes.fromhex("300a06082a8648ce3d040303"): ("ecdsa", "sha384"),
    bytes.fromhex("300a06082a8648ce3d040304"): ("ecdsa", "sha512"),
}
#: what we sign with under method 14: SHA-256 with the key's kind
_OUR_ALGORITHM = {kind: algorithm for algorithm, (kind, hash_name) in ALGORITHM_IDS.items() if hash_name == "sha256"}


def _hash(name: str) -> Any:
    from cryptography.hazmat.primitives import hashes

    return {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}[name]()


def sign_auth(kind: str, key: Any, octets: bytes, digital_signature: bool) -> tuple[int, bytes]:
    """(AUTH method, AUTH data) over ``octets``: RFC 7427 Digital Signature (14) with SHA-256 when the
    responder announced SIGNATURE_HASH_ALGORITHMS, else RSA PKCS#1 v1.5 SHA-1 (1) or ECDSA P-256 (9, RFC 4754)."""
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    if digital_signature:
        signature = key.sign(octets, padding.PKCS1v15(), _hash("sha256")) if kind == "rsa" else key.sign(octets, ec.ECDSA(_hash("sha256")))
        algorithm = _OUR_ALGORITHM[kind]
        return AUTH_DIGITAL_SIGNATURE, bytes([len(algorithm)]) + algorithm + signature
    if kind == "rsa":
        return AUTH_RSA_SIGNATURE, key.sign(octets, padding.PKCS1v15(), _hash("sha1"))
    return AUTH_ECDSA_SHA256_P256, ecdsa_sign_hash(key, hashlib.sha256(octets).digest())  # r || s over SHA-256 (RFC 4754)


def verify_auth(method: int, data: bytes, public: Any, octets: bytes) -> tuple[bool, str]:
    """Whether an AUTH by signature verifies with ``public``, and how it was signed (for the evidence).
    Raises ValueError for a method or algorithm this initiator does not know."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    if method == AUTH_ECDSA_SHA256_P256:
        good = isinstance(public, ec.EllipticCurvePublicKey) and ecdsa_verify_hash(public, hashlib.sha256(octets).digest(), bytes(data))
        return good, "ecdsa-sha256"
    if method == AUTH_DIGITAL_SIGNATURE:
        size = data[0] if data else 0
        algorithm = ALGORITHM_IDS.get(bytes(data[1 : 1 + size]))
        if algorithm is None:
            raise ValueError(f"RFC 7427 signature algorithm {bytes(data[1:1 + size]).hex() or '(none)'} not supported")
        kind, hash_name = algorithm
        signature = bytes(data[1 + size :])
    elif method == AUTH_RSA_SIGNATURE:
        kind, hash_name, signature = "rsa", "sha1", bytes(data)
    else:
        raise ValueError(f"AUTH method {method} is not a signature method this initiator verifies (1, 9, 14)")
    how = f"{kind}-{hash_name}"
    try:
        if kind == "rsa" and isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, octets, padding.PKCS1v15(), _hash(hash_name))
        elif kind == "ecdsa" and isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, octets, ec.ECDSA(_hash(hash_name)))
        else:
            return False, how
    except (InvalidSignature, ValueError):
        return False, how
    return True, how


# ------------------------------------------------------------------ signatures over a HASH


def rsa_sign_raw(key: object, data: bytes) -> bytes:
    """PKCS#1 v1.5 type-1 signature of ``data`` without DigestInfo (RFC 2409 §5.1: the HASH is signed as is)."""
    numbers = key.private_numbers()  # type: ignore[attr-defined]
    n, d = numbers.public_numbers.n, numbers.d
    size = (n.bit_length() + 7) // 8
    block = b"\x00\x01" + b"\xff" * (size - len(data) - 3) + b"\x00" + data
    return pow(int.from_bytes(block, "big"), d, n).to_bytes(size, "big")


def rsa_verify_raw(public: object, data: bytes, signature: bytes) -> bool:
    """Inverse of :func:`rsa_sign_raw`; False on any mismatch."""
    numbers = public.public_numbers()  # type: ignore[attr-defined]
    size = (numbers.n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    block = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n).to_bytes(size, "big")
    expected = b"\x00\x01" + b"\xff" * (size - len(data) - 3) + b"\x00" + data
    return hmac.compare_digest(block, expected)


def ecdsa_sign_hash(key: object, data: bytes) -> bytes:
    """ECDSA P-256 over a HASH that is signed as is (RFC 4754 §7 for IKEv1), r || s (32 bytes each)."""
    from cryptography.hazmat.primitives.asymmetric import ec, utils
    from cryptography.hazmat.primitives import hashes

    der = key.sign(data, ec.ECDSA(utils.Prehashed(hashes.SHA256())))  # type: ignore[attr-defined]
    r, s = utils.decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def ecdsa_verify_hash(public: object, data: bytes, signature: bytes) -> bool:
    """Inverse of :func:`ecdsa_sign_hash`; False on any mismatch."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    if len(signature) != 64 or len(data) != 32:
        return False
    der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, data, ec.ECDSA(utils.Prehashed(hashes.SHA256())))  # type: ignore[attr-defined]
    except InvalidSignature:
        return False
    return True
