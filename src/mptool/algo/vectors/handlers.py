"""Running one known-answer vector: the operation, the comparison, and the verdict.

A handler computes the operation and returns ``None`` when the output matches the vector, or a
dict with the expected and computed values when it does not. It raises :class:`Rejected` when
the backend rejects the input (a tag or signature that does not verify, a padding error) and
:class:`Unsupported` when the backend cannot run the parameters at all. The verdict then
follows the vector's expectation (Wycheproof rules, also used for CAVP ``FAIL``/``Result = F``):

* valid: pass when the output matches; rejected or different output is a failure;
* invalid: pass when rejected or different; *accepting* an invalid case is a failure;
* acceptable: either outcome passes;
* unsupported parameters: skipped with the reason for a valid case, passed for an invalid one.
"""

from __future__ import annotations

import hmac as _hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher
from cryptography.hazmat.primitives.ciphers import modes as cmodes
from cryptography.hazmat.primitives.serialization import load_der_private_key, load_der_public_key

from mptool.algo.primitives import ciphers
from mptool.algo.vectors.model import ACCEPTABLE, INVALID, VALID, Vector

PASS, FAIL, SKIP = "pass", "fail", "skip"
#: ANSI X9.52 modes (mptool.algo.primitives.tdes_interleaved)
INTERLEAVED_MODES = frozenset({"cbc-i", "ofb-i", "cfb1-p", "cfb8-p", "cfb-p"})


class Rejected(Exception):
    """The implementation rejected the input (bad tag, bad signature, bad padding)."""


class Unsupported(Exception):
    """The backend cannot run these parameters; the message says which."""


@dataclass
class Outcome:
    """The verdict on one vector."""

    status: str
    detail: dict[str, Any] = field(default_factory=dict)


Detail = dict[str, Any] | None

HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha512_224": hashes.SHA512_224,
    "sha512224": hashes.SHA512_224,
    "sha512_256": hashes.SHA512_256,
    "sha512256": hashes.SHA512_256,
    "sha3_256": hashes.SHA3_256,
    "sha3256": hashes.SHA3_256,
    "sm3": hashes.SM3,
}


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    """A ``cryptography`` hash object from a name such as ``sha256``, ``SHA-256`` or ``sm3``."""
    key = name.lower().replace("-", "").replace("/", "_")
    if key not in HASHES:
        raise Unsupported(f"hash {name!r} is not supported")
    return HASHES[key]()


def _mismatch(what: str, expected: bytes | str | int, got: bytes | str | int) -> Detail:
    def show(v: bytes | str | int) -> str | int:
        return v.hex() if isinstance(v, bytes) else v

    return None if expected == got else {"field": what, "expected": show(expected), "got": show(got)}


def _cipher_name(algorithm: str) -> str:
    return "3des" if algorithm == "tdes" else algorithm


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a cipher call, turning authentication failures into Rejected, bad parameters into Unsupported."""
    try:
        return fn(*args, **kwargs)
    except ciphers.AuthenticationError:
        raise Rejected("tag does not verify") from None
    except ValueError as exc:
        raise Unsupported(str(exc)) from None


# --------------------------------------------------------------------------- symmetric


def _interleaved(v: Vector, decrypt: bool) -> Detail:
    """ANSI X9.52 TCBC-I / TOFB-I / TCFB-P over the 3DES block function."""
    from mptool.algo.primitives import tdes_interleaved as ti

    f = v.fields
    try:
        enc, dec = ciphers.ecb_functions("3des", f["key"])
    except ValueError as exc:
        raise Unsupported(str(exc)) from None
    source, target = (f["ct"], f["pt"]) if decrypt else (f["pt"], f["ct"])
    try:
        if v.mode == "cbc-i":
            got: bytes | str = ti.cbc_i(enc, dec, f["iv"], source, decrypting=decrypt)
        elif v.mode == "ofb-i":
            got = ti.ofb_i(enc, f["iv"], source)
        elif v.mode == "cfb1-p":
            got = "".join(str(b) for b in ti.cfb_p(enc, f["iv"], [int(c) for c in source], 1, decrypting=decrypt))
        else:
            k = 8 if v.mode == "cfb8-p" else 64
            size = k // 8
            segments = [int.from_bytes(source[i : i + size], "big") for i in range(0, len(source), size)]
            got = b"".join(s.to_bytes(size, "big") for s in ti.cfb_p(enc, f["iv"], segments, k, decrypting=decrypt))
    except ValueError as exc:
        raise Unsupported(str(exc)) from None
    return _mismatch("plaintext" if decrypt else "ciphertext", target, got)


def _crypt(v: Vector, decrypt: bool) -> Detail:
    f = v.fields
    name = _cipher_name(v.algorithm)
    if v.mode in INTERLEAVED_MODES:
        return _interleaved(v, decrypt)
    if v.mode == "cfb1":
        source, target = (f["ct"], f["pt"]) if decrypt else (f["pt"], f["ct"])
        got = _call(ciphers.cfb1_bits, name, f["key"], f["iv"], source, decrypt=decrypt)
        return _mismatch("plaintext" if decrypt else "ciphertext", target, got)
    extra = {"xts_convention": f.get("xts_convention") or ciphers.XTS_IEEE, "bit_length": f.get("bit_length")}
    if decrypt:
        got = _call(ciphers.decrypt, name, v.mode, f["key"], f["ct"], iv=f["iv"], **extra)
        return _mismatch("plaintext", f["pt"], got)
    got, _ = _call(ciphers.encrypt, name, v.mode, f["key"], f["pt"], iv=f["iv"], **extra)
    return _mismatch("ciphertext", f["ct"], got)


def _encrypt(v: Vector) -> Detail:
    return _crypt(v, decrypt=False)


def _decrypt(v: Vector) -> Detail:
    return _crypt(v, decrypt=True)


def _both(v: Vector) -> Detail:
    return _crypt(v, decrypt=False) or _crypt(v, decrypt=True)


def _padded_both(v: Vector) -> Detail:
    """Wycheproof IndCpaTest (AES-CBC-PKCS5): a valid case must encrypt, PKCS#7-padded, to ``ct`` and
    decrypt back; decryption of an invalid case must refuse its padding (or give another message)."""
    f = v.fields
    name = _cipher_name(v.algorithm)
    size = ciphers.CIPHERS[name].block_size
    if v.expect == VALID:
        got, _ = _call(ciphers.encrypt, name, v.mode, f["key"], ciphers.pad(f["pt"], size, "pkcs7"), iv=f["iv"])
        if mismatch := _mismatch("ciphertext", f["ct"], got):
            return mismatch
    padded = _call(ciphers.decrypt, name, v.mode, f["key"], f["ct"], iv=f["iv"])
    try:
        message = ciphers.unpad(padded, size, "pkcs7")
    except ValueError as exc:
        raise Rejected(str(exc)) from None
    return _mismatch("plaintext", f["pt"], message)


def _backend(name: str, key: bytes) -> Any:
    """The backend cipher object for ``key``, or Unsupported when the key length is wrong."""
    try:
        ciphers.check_key(name, key)
    except ValueError as exc:
        raise Unsupported(str(exc)) from None
    return ciphers.backend_algorithm(name, key)


def _iterate(v: Vector) -> Detail:
    """ECB encryption applied ``iterations`` times, each output the next input (GB/T 32907 A.2)."""
    f = v.fields
    ctx = Cipher(_backend(_cipher_name(v.algorithm), f["key"]), cmodes.ECB()).encryptor()
    block = f["plaintext"]
    for _ in range(int(f.get("iterations", 1))):
        block = ctx.update(block)
    return _mismatch("ciphertext", f["ciphertext"], block)


def _aead_encrypt(v: Vector) -> Detail:
    f = v.fields
    tag_len = len(f["tag"]) or int(f.get("tag_size", 16))
    ct, tag = _call(ciphers.encrypt, _cipher_name(v.algorithm), v.mode, f["key"], f["pt"], iv=f["iv"], aad=f["aad"], tag_len=tag_len)
    return _mismatch("ciphertext||tag", f["ct"] + f["tag"], ct + tag)


def _aead_decrypt(v: Vector) -> Detail:
    f = v.fields
    pt = _call(ciphers.decrypt, _cipher_name(v.algorithm), v.mode, f["key"], f["ct"], iv=f["iv"], aad=f.get("aad", b""), tag=f["tag"])
    return _mismatch("plaintext", f["pt"], pt)


def _aead_both(v: Vector) -> Detail:
    """Wycheproof/GM AEAD case: a valid case must encrypt to ct||tag and decrypt back."""
    if v.expect == VALID:
        tag_size = int(v.fields.get("tag_size", 16))
        if len(v.fields["tag"]) != tag_size:
            raise Unsupported(f"tag of {len(v.fields['tag'])} bytes in a group of {tag_size}-byte tags")
        return _aead_encrypt(v) or _aead_decrypt(v)
    return _aead_decrypt(v)


def _mct(v: Vector) -> Detail:
    """AESAVS Monte Carlo inner loop (§6.4): 1000 chained operations from KEY/IV/input of one record."""
    f = v.fields
    decrypt = v.op == "mct-decrypt"
    name = _cipher_name(v.algorithm)
    source, target = (f["ct"], f["pt"]) if decrypt else (f["pt"], f["ct"])
    algo = _backend(name, f["key"])
    if v.mode == "ecb":
        ctx = Cipher(algo, cmodes.ECB())
        c = ctx.decryptor() if decrypt else ctx.encryptor()
        block = source
        for _ in range(1000):
            block = c.update(block)
        return _mismatch("output", target, block)
    if v.mode == "cfb8":
        return _mct_cfb8(algo, f["iv"], source, target, decrypt)
    mode = ciphers.stream_mode(v.mode, f["iv"])
    ctx = Cipher(algo, mode)
    c = ctx.decryptor() if decrypt else ctx.encryptor()
    block, previous, iv = source, f["iv"], f["iv"]
    out = b""
    for j in range(1000):
        out = c.update(block)
        next_input = iv if j == 0 else previous
        previous = out
        block = next_input
    return _mismatch("output", target, out)


def _mct_cfb8(algo: Any, iv: bytes, source: bytes, target: bytes, decrypt: bool) -> Detail:
    ctx = Cipher(algo, ciphers.stream_mode("cfb8", iv))
    c = ctx.decryptor() if decrypt else ctx.encryptor()
    outputs: list[bytes] = []
    block = source
    for j in range(1000):
        out = c.update(block)
        outputs.append(out)
        block = iv[j : j + 1] if j < 16 else outputs[j - 16]
    return _mismatch("output", target, outputs[-1])


# --------------------------------------------------------------------------- hashes and MACs


def _hash(v: Vector) -> Detail:
    h = hashes.Hash(hash_algorithm(v.algorithm if v.algorithm != "sha" else v.mode))
    h.update(v.fields["msg"])
    return _mismatch("digest", v.fields["digest"], h.finalize())


def _sha_monte(v: Vector) -> Detail:
    """SHAVS Monte Carlo checkpoint (§6.4): 1000 digests of MD(i-3)||MD(i-2)||MD(i-1) from the seed."""
    algorithm = hash_algorithm(v.mode)
    a = b = c = v.fields["seed"]
    for _ in range(1000):
        h = hashes.Hash(algorithm)
        h.update(a + b + c)
        a, b, c = b, c, h.finalize()
    return _mismatch("digest", v.fields["digest"], c)


def _mac(v: Vector) -> Detail:
    f = v.fields
    h = crypto_hmac.HMAC(f["key"], hash_algorithm(f.get("hash", v.mode)))
    h.update(f["msg"])
    full = h.finalize()
    size = int(f.get("tag_size", len(f["mac"])))
    if size > len(full):
        raise Unsupported(f"tag size {size} bytes exceeds the {len(full)}-byte MAC")
    if len(f["mac"]) != size:
        raise Rejected("MAC length differs from the tag size")
    return None if _hmac.compare_digest(full[:size], f["mac"]) else {"field": "mac", "expected": f["mac"].hex(), "got": full[:size].hex()}


# --------------------------------------------------------------------------- RSA


@lru_cache(maxsize=64)
def _private_key(n: int, e: int, d: int, p: int, q: int) -> rsa.RSAPrivateKey:
    if not (p and q):
        p, q = rsa.rsa_recover_prime_factors(n, e, d)
    numbers = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), rsa.RSAPublicNumbers(e, n))
    return numbers.private_key(unsafe_skip_rsa_key_validation=True)


@lru_cache(maxsize=256)
def _public_key(n: int, e: int) -> rsa.RSAPublicKey:
    return rsa.RSAPublicNumbers(e, n).public_key()


def _rsa_public(f: dict[str, Any]) -> rsa.RSAPublicKey:
    try:
        if "public_der" in f:
            key = load_der_public_key(f["public_der"])
            if not isinstance(key, rsa.RSAPublicKey):
                raise Unsupported("not an RSA public key")
            return key
        return _public_key(f["n"], f["e"])
    except (ValueError, TypeError, OverflowError, UnsupportedAlgorithm) as exc:  # fuzz vector-run: a negative n or e; a DER key of an unknown algorithm
        raise Unsupported(f"RSA public key refused by the backend: {exc}") from None


def _rsa_private(f: dict[str, Any]) -> rsa.RSAPrivateKey:
    try:
        if "private_der" in f:
            key = load_der_private_key(f["private_der"], password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise Unsupported("not an RSA private key")
            return key
        return _private_key(f["n"], f["e"], f["d"], f.get("p", 0), f.get("q", 0))
    except (ValueError, TypeError, OverflowError, UnsupportedAlgorithm) as exc:
        raise Unsupported(f"RSA private key refused by the backend: {exc}") from None


def _pss(f: dict[str, Any]) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hash_algorithm(f.get("mgf_hash", f["hash"]))), salt_length=int(f["salt_len"]))


def _rsa_verify(v: Vector) -> Detail:
    f = v.fields
    key = _rsa_public(f)
    pad = _pss(f) if v.mode == "pss" else padding.PKCS1v15()
    try:
        key.verify(f["sig"], f["msg"], pad, hash_algorithm(f["hash"]))
    except InvalidSignature:
        raise Rejected("signature does not verify") from None
    except (ValueError, OverflowError) as exc:  # OverflowError: a salt length beyond the backend's range
        raise Rejected(f"signature rejected: {exc}") from None
    return None


def _rsa_sign(v: Vector) -> Detail:
    f = v.fields
    sig = _rsa_private(f).sign(f["msg"], padding.PKCS1v15(), hash_algorithm(f["hash"]))
    return _mismatch("signature", f["sig"], sig)


def _rsa_decrypt(v: Vector) -> Detail:
    f = v.fields
    key = _rsa_private(f)
    if v.mode == "oaep":
        pad: padding.AsymmetricPadding = padding.OAEP(mgf=padding.MGF1(hash_algorithm(f["mgf_hash"])), algorithm=hash_algorithm(f["hash"]), label=f.get("label") or None)
    else:
        pad = padding.PKCS1v15()
    try:
        msg = key.decrypt(f["ct"], pad)
    except ValueError:
        raise Rejected("decryption failed") from None
    return _mismatch("message", f["msg"], msg)


# --------------------------------------------------------------------------- SM2


def _sm2() -> Any:
    from mptool.algo import sm2  # lazily: most vector runs never need SM2

    return sm2


def _curve(sm2: Any, name: str) -> Any:
    if name not in sm2.CURVES:
        raise Unsupported(f"unknown SM2 curve {name!r} (expected one of {', '.join(sorted(sm2.CURVES))})")
    return sm2.CURVES[name]


def _int(b: bytes) -> int:
    return int.from_bytes(b, "big")


def _sm2_sign(v: Vector) -> Detail:
    sm2 = _sm2()
    f = v.fields
    curve = _curve(sm2, f["curve"])
    pub = (_int(f["px"]), _int(f["py"]))
    d = _int(f["d"])
    if sm2.public_key_from_private(d, curve) != pub:
        return {"field": "public key", "expected": f["px"].hex() + f["py"].hex(), "got": "differs"}
    if "za" in f and (mis := _mismatch("ZA", f["za"], sm2.compute_za(pub, f["uid"], curve))):
        return mis
    if "e" in f and (mis := _mismatch("e", f["e"], sm2.message_digest(pub, f["msg"], f["uid"], curve))):
        return mis
    r, s = sm2.sign(d, f["msg"], f["uid"], k=_int(f["k"]), curve=curve)
    if mis := _mismatch("r||s", f["r"] + f["s"], sm2.encode_signature_raw(r, s, curve)):
        return mis
    if not sm2.verify(pub, f["msg"], (r, s), f["uid"], curve=curve):
        return {"field": "verify", "expected": True, "got": False}
    if "sig_der_gbt35276" in f:
        if mis := _mismatch("DER signature", f["sig_der_gbt35276"], sm2.encode_signature_der(r, s)):
            return mis
        if sm2.decode_signature(f["sig_der_gbt35276"], curve) != (r, s):
            return {"field": "DER decoding", "expected": "r, s", "got": "differs"}
    return None


def _sm2_encrypt(v: Vector) -> Detail:
    sm2 = _sm2()
    f = v.fields
    curve = _curve(sm2, f["curve"])
    pub = (_int(f["px"]), _int(f["py"]))
    for field_name, order in (("ct_c1c3c2_raw", "c1c3c2"), ("ct_c1c2c3_raw", "c1c2c3"), ("ct_asn1_gbt35276", "asn1")):
        if field_name not in f:
            continue
        got = sm2.encrypt(pub, f["msg"], k=_int(f["k"]), order=order, curve=curve)
        if mis := _mismatch(field_name, f[field_name], got):
            return mis
        decrypted = sm2.decrypt(_int(f["d"]), f[field_name], order="auto", curve=curve)
        if mis := _mismatch(f"plaintext from {order}", f["msg"], decrypted.plaintext):
            return mis
    return None


def _sm2_kdf(v: Vector) -> Detail:
    f = v.fields
    return _mismatch("K", f["k"], _sm2().kdf(f["z"], int(f["klen_bits"]) // 8))


def _sm2_kex(v: Vector) -> Detail:
    sm2 = _sm2()
    f = v.fields
    curve = _curve(sm2, f["curve"])
    pa, pb = (_int(f["pax"]), _int(f["pay"])), (_int(f["pbx"]), _int(f["pby"]))
    ra_point = sm2.ephemeral_key(_int(f["ra"]), curve)[1]
    rb_point = sm2.ephemeral_key(_int(f["rb"]), curve)[1]
    ida, idb = f["ida_ascii"].encode(), f["idb_ascii"].encode()
    klen = int(f["klen_bits"]) // 8
    a = sm2.key_exchange("initiator", _int(f["da"]), _int(f["ra"]), pb, rb_point, klen, own_id=ida, peer_id=idb, curve=curve)
    b = sm2.key_exchange("responder", _int(f["db"]), _int(f["rb"]), pa, ra_point, klen, own_id=idb, peer_id=ida, curve=curve)
    for what, expected, got in (("K (initiator)", f["k"], a.key), ("K (responder)", f["k"], b.key), ("S1/SB", f.get("s1_sb", a.s_b), b.s_b), ("SA/S2", f.get("sa_s2", b.s_a), a.s_a)):
        if mis := _mismatch(what, expected, got):
            return mis
    return None


HANDLERS: dict[str, Callable[[Vector], Detail]] = {
    "encrypt": _encrypt,
    "decrypt": _decrypt,
    "both": _both,
    "iterate": _iterate,
    "mct-encrypt": _mct,
    "mct-decrypt": _mct,
    "aead-encrypt": _aead_encrypt,
    "aead-decrypt": _aead_decrypt,
    "aead-both": _aead_both,
    "padded-both": _padded_both,
    "hash": _hash,
    "sha-monte": _sha_monte,
    "mac": _mac,
    "verify": _rsa_verify,
    "sign": _rsa_sign,
    "sm2-sign": _sm2_sign,
    "sm2-encrypt": _sm2_encrypt,
    "sm2-kdf": _sm2_kdf,
    "sm2-kex": _sm2_kex,
}


def _dispatch(v: Vector) -> Detail:
    if v.algorithm == "rsa" and v.op == "decrypt":
        return _rsa_decrypt(v)
    if v.algorithm == "sm2":
        sm2 = _sm2()
        try:
            return HANDLERS[v.op](v)
        except sm2.SM2Error as exc:  # the implementation rejected the vector's values
            raise Rejected(str(exc)) from None
    return HANDLERS[v.op](v)


def run_vector(v: Vector) -> Outcome:
    """Run one vector and judge the result against its expectation."""
    try:
        try:
            detail = _dispatch(v)
        except ValueError as exc:  # the backend refused a parameter (key/IV size) no handler anticipated
            raise Unsupported(f"the backend refused the parameters: {exc}") from None
        rejected = False
    except Rejected as exc:
        detail, rejected = {"rejected": str(exc)}, True
    except Unsupported as exc:
        if v.expect == VALID:
            return Outcome(SKIP, {"reason": str(exc)})
        return Outcome(PASS, {"refused": str(exc)})
    if v.expect == ACCEPTABLE:
        return Outcome(PASS, {"acceptable": True, "accepted": detail is None})
    if v.expect == INVALID:
        if detail is None:
            return Outcome(FAIL, {"problem": "an invalid case was accepted", "reason": v.reason})
        return Outcome(PASS)
    if detail is None and not rejected:
        return Outcome(PASS)
    return Outcome(FAIL, detail or {})
