"""GM/T 0022 IKE cryptography: PRF, SKEYID derivation, CBC message protection, the digital
envelope, signatures, quick-mode hashes and KEYMAT, over the algo domain's SM2/SM3/SM4.

Derivation as reported for GM/T 0022 §6.1.5/6.1.6 (no Diffie-Hellman), with PRF = HMAC-SM3:
SKEYID = PRF(SM3(Ni || Nr), CKY-I || CKY-R); SKEYID_d = PRF(SKEYID, CKY-I || CKY-R || 0);
SKEYID_a = PRF(SKEYID, SKEYID_d || CKY-I || CKY-R || 1); SKEYID_e = PRF(SKEYID, SKEYID_a || CKY-I || CKY-R || 2).
The other forms are mptool's reading (codec.CHOICES).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from mptool.algo.api import AuthenticationError, SM2DecryptError, SM2Error, decrypt, encrypt, hmac_sm3, pad, sm2, sm3, unpad
from mptool.proto.ipsec import rfc2409
from mptool.proto.ipsec.gm.codec import GmDecodeError, N_INVALID_KEY_INFORMATION, N_PAYLOAD_MALFORMED

BLOCK = 16
SK_LENGTH = 16

__all__ = ["AuthenticationError", "Phase1Keys", "derive_phase1", "prf"]


def prf(key: bytes, data: bytes) -> bytes:
    """PRF of the SM3 hash attribute: HMAC-SM3."""
    return hmac_sm3(key, data)


@dataclass(frozen=True)
class Phase1Keys:
    """SKEYID and its three children, and the phase-1 IV."""

    skeyid: bytes
    d: bytes
    a: bytes
    e: bytes
    iv: bytes

    @property
    def enc_key(self) -> bytes:
        """The SM4 key of messages 5/6 and quick mode: SKEYID_e[:16]."""
        return self.e[:SK_LENGTH]


def derive_phase1(ni: bytes, nr: bytes, icookie: bytes, rcookie: bytes, sk_i: bytes, sk_r: bytes) -> Phase1Keys:
    """The phase-1 keys from both nonces, both cookies and both envelope keys."""
    cookies = icookie + rcookie
    skeyid = prf(sm3(ni + nr), cookies)
    d = prf(skeyid, cookies + b"\x00")
    a = prf(skeyid, d + cookies + b"\x01")
    e = prf(skeyid, a + cookies + b"\x02")
    return Phase1Keys(skeyid, d, a, e, sm3(sk_i + sk_r)[:BLOCK])


def cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """SM4-CBC of a message body, zero-padded to the block (RFC 2409 Appendix B style)."""
    ciphertext, _ = encrypt("sm4", "cbc", key, pad(plaintext, BLOCK, "zero") or bytes(BLOCK), iv=iv)
    return ciphertext


def cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """Inverse of :func:`cbc_encrypt` (padding left in place: the payload chain ends itself)."""
    if not ciphertext or len(ciphertext) % BLOCK:
        raise GmDecodeError(f"encrypted body of {len(ciphertext)} bytes is not a whole number of SM4 blocks")
    return decrypt("sm4", "cbc", key, ciphertext, iv=iv)


def quick_mode_iv(last_phase1_block: bytes, msgid: int) -> bytes:
    """The first IV of a quick mode (RFC 2409 Appendix B with SM3)."""
    return rfc2409.phase2_iv(sm3, last_phase1_block, msgid, BLOCK)


# ------------------------------------------------------------------ the digital envelope


def envelope_key(peer_enc_public: tuple[int, int], sk: bytes) -> bytes:
    """Sk SM2-encrypted to the peer's encryption public key (GB/T 35276 ASN.1)."""
    return sm2.encrypt(peer_enc_public, sk, order="asn1")


def open_envelope_key(enc_d: int, body: bytes) -> bytes:
    """Sk from a symmetric-key payload; a wrong key or a bad ciphertext is INVALID-KEY-INFORMATION."""
    try:
        sk = sm2.decrypt(enc_d, body, order="asn1").plaintext
    except (SM2DecryptError, SM2Error, ValueError) as exc:
        raise GmDecodeError(f"symmetric-key payload does not decrypt with our encryption key: {exc}", N_INVALID_KEY_INFORMATION) from None
    if len(sk) != SK_LENGTH:
        raise GmDecodeError(f"symmetric key of {len(sk)} bytes, expected {SK_LENGTH}", N_INVALID_KEY_INFORMATION)
    return sk


def seal_field(sk: bytes, value: bytes) -> bytes:
    """A NONCE/ID body of messages 3/4: random IV || SM4-CBC(Sk, PKCS#7(value))."""
    iv = os.urandom(BLOCK)
    ciphertext, _ = encrypt("sm4", "cbc", sk, pad(value, BLOCK, "pkcs7"), iv=iv)
    return iv + ciphertext


def open_field(sk: bytes, body: bytes, what: str) -> bytes:
    """Inverse of :func:`seal_field`."""
    if len(body) < 2 * BLOCK or len(body) % BLOCK:
        raise GmDecodeError(f"encrypted {what} of {len(body)} bytes is not IV + whole SM4 blocks", N_PAYLOAD_MALFORMED)
    try:
        return unpad(decrypt("sm4", "cbc", sk, body[BLOCK:], iv=body[:BLOCK]), BLOCK, "pkcs7")
    except ValueError as exc:
        raise GmDecodeError(f"encrypted {what} does not decrypt under Sk: {exc}", N_INVALID_KEY_INFORMATION) from None


def signed_data(sk: bytes, nonce: bytes, id_body: bytes, enc_cert: bytes) -> bytes:
    """What SIG covers: Sk || N || ID || the signer's encryption certificate."""
    return sk + nonce + id_body + enc_cert


def sign(sign_d: int, data: bytes) -> bytes:
    """SM2 signature (default user ID), DER."""
    r, s = sm2.sign(sign_d, data)
    return sm2.encode_signature_der(r, s)


def verify(public: tuple[int, int], data: bytes, signature: bytes) -> bool:
    """SM2 verification of a DER or raw r||s signature; an undecodable signature is False."""
    try:
        return sm2.verify(public, data, sm2.decode_signature(signature))
    except (SM2Error, ValueError):
        return False


# ------------------------------------------------------------------ hashes and KEYMAT


def hash_i(keys: Phase1Keys, icookie: bytes, rcookie: bytes, sa_i: bytes, id_i: bytes) -> bytes:
    """HASH_I of message 5."""
    return prf(keys.skeyid, icookie + rcookie + sa_i + id_i)


def hash_r(keys: Phase1Keys, icookie: bytes, rcookie: bytes, sa_i: bytes, id_r: bytes) -> bytes:
    """HASH_R of message 6."""
    return prf(keys.skeyid, rcookie + icookie + sa_i + id_r)


def qm_hash1(keys: Phase1Keys, msgid: int, ni: bytes, sa: bytes, ids: bytes = b"") -> bytes:
    """HASH(1) = PRF(SKEYID_a, MsgID || Ni || SA [|| IDci || IDcr]) (Ni before SA, as reported for GM/T 0022)."""
    return prf(keys.a, msgid.to_bytes(4, "big") + ni + sa + ids)


def qm_hash2(keys: Phase1Keys, msgid: int, ni: bytes, sa: bytes, nr: bytes, ids: bytes = b"") -> bytes:
    """HASH(2) = PRF(SKEYID_a, MsgID || Ni || SA || Nr [|| IDci || IDcr])."""
    return prf(keys.a, msgid.to_bytes(4, "big") + ni + sa + nr + ids)


def qm_hash3(keys: Phase1Keys, msgid: int, ni: bytes, nr: bytes) -> bytes:
    """HASH(3) = PRF(SKEYID_a, 0 || MsgID || Ni || Nr)."""
    return prf(keys.a, b"\x00" + msgid.to_bytes(4, "big") + ni + nr)


def info_hash(keys: Phase1Keys, msgid: int, body: bytes) -> bytes:
    """HASH(1) of an informational exchange = PRF(SKEYID_a, MsgID || N/D body) (RFC 2409 §5.7)."""
    return prf(keys.a, msgid.to_bytes(4, "big") + body)


def keymat(keys: Phase1Keys, protocol: int, spi: bytes, ni: bytes, nr: bytes, length: int) -> bytes:
    """KEYMAT for the SA whose receiver chose ``spi`` (RFC 2409 §5.5 expansion with HMAC-SM3)."""
    return rfc2409.keymat(prf, keys.d, protocol, spi, ni, nr, length)
