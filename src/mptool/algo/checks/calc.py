"""The calculator verbs: ``algo encrypt|decrypt|sign|hash|mac`` compute a value and record it.

Each verb computes with the same implementations as ``algo verify`` (OpenSSL via
``cryptography``; the project's SM2) and records the result as an ``info`` result (``decrypt``
warns on bad padding and fails when an authenticated ciphertext does not decrypt). The output
is given as hex, Base64 and, where printable, text.

Secrets: a plaintext that ``decrypt`` recovers is what the person asked to see. It is shown in
the text report (:attr:`Computed.shown`) but the evidence records it by SM3 fingerprint and
length only, unless ``--record-secrets`` is given.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from mptool.algo.primitives.values import printable_text as printable
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import check

CALC_REFERENCE = "GB/T 32905-2016 (SM3); GB/T 32907-2016 (SM4); GB/T 32918-2016 (SM2); GM/T 0042-2015 / RFC 2104 (HMAC); FIPS 197, SP 800-67r2, SP 800-38A-E; RFC 8017 (RSA)"


def describe(data: bytes) -> dict[str, Any]:
    """The forms of a computed value: hex, Base64 and (when printable) text."""
    out: dict[str, Any] = {"bytes": len(data), "hex": data.hex(), "base64": base64.b64encode(data).decode("ascii")}
    text = printable(data)
    if text is not None:
        out["text"] = text
    return out


def describe_secret(data: bytes, record_secrets: bool) -> dict[str, Any]:
    """A recovered plaintext as the evidence records it: fingerprint, length and printability
    (verbatim forms only under ``--record-secrets``)."""
    from mptool.algo.checks.evidence import describe_secret as described

    return {**describe(data), "printable": printable(data) is not None} if record_secrets else described(data)


@dataclass
class Computed:
    """The outcome of one calculator verb."""

    subject: str
    measurements: dict[str, Any]
    #: (label, value) lines the text report shows the person; never part of the evidence
    shown: list[tuple[str, str]] = field(default_factory=list)
    status: Status = Status.INFO
    findings: list[tuple[str, Severity, str]] = field(default_factory=list)

    def result(self, spec: Any) -> CheckResult:
        """The check result of ``spec`` with the declared findings."""
        findings = [Finding(code=spec.code(suffix), severity=severity, message=message) for suffix, severity, message in self.findings]
        return spec.result(self.status, subject=self.subject, measurements=self.measurements, findings=findings)


def show_value(label: str, data: bytes) -> list[tuple[str, str]]:
    """Lines showing ``data`` as hex and, when printable, as text."""
    lines = [(f"{label} (hex)", data.hex())]
    text = printable(data)
    if text is not None:
        lines.append((f"{label} (text)", repr(text)[1:-1] if any(c in text for c in "\n\r\t") else text))
    return lines


@check("algo.calc.encrypt", "Encryption computed by mptool", CALC_REFERENCE, {})
def encrypt_spec() -> None:
    """``algo encrypt``: encrypts the given plaintext (SM4/AES/DES/3DES in a mode, SM2, RSA) and
    records the ciphertext (hex, Base64) with the parameters used. Always ``info``: a computed value."""


@check(
    "algo.calc.decrypt",
    "Decryption computed by mptool",
    CALC_REFERENCE,
    {
        "algo.calc.decrypt.padding_invalid": "the decrypted blocks do not end in valid PKCS#7 padding: wrong key, IV, mode or padding, or not encrypted this way (the raw decryption is recorded)",
        "algo.calc.decrypt.not_decryptable": "the ciphertext does not decrypt under this key: a GCM/CCM tag, an SM2 C3 or an RSA padding check fails",
    },
)
def decrypt_spec() -> None:
    """``algo decrypt``: decrypts a ciphertext and records what came out: its length, whether the
    padding (PKCS#7, RSA) or the integrity check (GCM/CCM tag, SM2 C3) held, and whether it is
    printable. Valid padding or a verified tag/C3 shows that the field is encrypted under this key
    without knowing its plaintext first. The plaintext is shown in the text report; the evidence
    records its SM3 fingerprint and length (verbatim only with ``--record-secrets``).
    ``info`` when it decrypts, ``warn`` on invalid padding, ``fail`` when it does not decrypt."""


@check("algo.calc.sign", "Signature computed by mptool", "GB/T 32918.2-2016 §6.1 (SM2); GB/T 35276-2017 §7.3 (encodings); RFC 8017 §8 (RSA)", {})
def sign_spec() -> None:
    """``algo sign``: signs the message (SM2 with a user ID, RSA PKCS#1 v1.5 or PSS) and records the
    signature (SM2: DER and raw r||s) and the signer's public key; the signature is verified with
    the public key before it is reported (``self_verified``). Always ``info``."""


@check("algo.calc.hash", "Digest computed by mptool", "GB/T 32905-2016 §5 (SM3); FIPS 180-4; FIPS 202", {})
def hash_spec() -> None:
    """``algo hash``: the SM3, SHA-1, SHA-2 or SHA-3 digest of the data. Always ``info``."""


@check("algo.calc.mac", "MAC computed by mptool", "GM/T 0042-2015 §7 / RFC 2104 (HMAC); GB/T 15852.2-2012", {})
def mac_spec() -> None:
    """``algo mac``: the HMAC (HMAC-SM3, HMAC-SHA-1/SHA-2) of the data under the key. Always ``info``."""


SPECS = {
    "encrypt": encrypt_spec.spec,  # type: ignore[attr-defined]
    "decrypt": decrypt_spec.spec,  # type: ignore[attr-defined]
    "sign": sign_spec.spec,  # type: ignore[attr-defined]
    "hash": hash_spec.spec,  # type: ignore[attr-defined]
    "mac": mac_spec.spec,  # type: ignore[attr-defined]
}


# --- the computations -------------------------------------------------------------------------

CIPHER_NAMES = ("sm4", "aes", "des", "3des")
#: verb -> the algorithms it takes
ALGORITHMS: dict[str, tuple[str, ...]] = {
    "encrypt": (*CIPHER_NAMES, "sm2", "rsa"),
    "decrypt": (*CIPHER_NAMES, "sm2", "rsa"),
    "sign": ("sm2", "rsa"),
    "hash": ("sm3", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512-224", "sha512-256", "sha3-256"),
    "mac": ("hmac-sm3", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"),
}


@dataclass
class CipherRequest:
    """A symmetric encryption or decryption: cipher, mode, key, IV (or ``prefix``), AAD, tag, padding."""

    cipher: str
    mode: str
    key: bytes
    data: bytes
    iv: bytes | None = None
    iv_prefixed: bool = False
    aad: bytes = b""
    tag: bytes | None = None
    tag_length: int = 16
    padding: str = "pkcs7"
    xts_standard: str = "gb"
    key_text: str | None = None  #: --key as typed, for the "looks like a text key" hint


def _cipher_checks(req: CipherRequest) -> None:
    from mptool.algo.checks.evidence import check_key_and_mode
    from mptool.algo.primitives import ciphers
    from mptool.core.errors import InputError

    check_key_and_mode(req.cipher, req.mode, req.key, bool(req.iv) or req.iv_prefixed, req.key_text)
    if req.mode != "ecb" and req.iv is None and not req.iv_prefixed:
        raise InputError("--iv", f"{req.cipher.upper()}-{req.mode.upper()} needs an IV{' (nonce)' if req.mode in ciphers.AEAD_MODES else ''}: give --iv HEX{' or --iv prefix' if req.iv is None else ''}")
    if req.tag is not None and req.mode not in ciphers.AEAD_MODES:
        raise InputError("--tag", f"{req.mode.upper()} has no authentication tag")


def iv_size(req: CipherRequest) -> int:
    """The size of a prefixed IV: the block (the tweak for XTS), 12 bytes for a GCM/CCM nonce."""
    from mptool.algo.primitives import ciphers

    if req.mode in ciphers.AEAD_MODES:
        return 12
    return 16 if req.mode == "xts" else ciphers.CIPHERS[req.cipher].block_size


def encrypt_cipher(req: CipherRequest) -> Computed:
    """Pad (ECB/CBC) and encrypt; the output is the ciphertext with the tag appended for GCM/CCM."""
    from mptool.algo.primitives import ciphers
    from mptool.core.errors import InputError

    if req.iv_prefixed:
        raise InputError("--iv", "'prefix' applies to decrypt; give the IV to encrypt with")
    _cipher_checks(req)
    block = ciphers.CIPHERS[req.cipher].block_size
    padded = req.mode in ("ecb", "cbc")
    if padded and req.padding == "none" and len(req.data) % block:
        raise InputError("--plaintext", f"{len(req.data)} bytes is not a multiple of the {block}-byte block and --padding is none (use --padding pkcs7)")
    data = ciphers.pad(req.data, block, req.padding) if padded else req.data
    try:
        body, tag = ciphers.encrypt(req.cipher, req.mode, req.key, data, iv=req.iv or b"", aad=req.aad, tag_len=req.tag_length, xts_convention=req.xts_standard)
    except ValueError as exc:
        raise InputError("--plaintext" if "data" in str(exc) or "block" in str(exc) else "--iv", str(exc)) from None
    subject = f"{req.cipher.upper()}-{req.mode.upper()}"
    m: dict[str, Any] = {"algorithm": subject, "key_bits": 8 * len(req.key), "plaintext_bytes": len(req.data)}
    if padded:
        m["padding"] = req.padding
    if req.mode == "xts":
        m["xts_standard"] = req.xts_standard
    if req.iv:
        m["iv"] = req.iv.hex()
    m["ciphertext"] = describe(body)
    lines = show_value("ciphertext", body)
    if req.mode in ciphers.AEAD_MODES:
        m.update(aad_bytes=len(req.aad), tag=tag.hex(), ciphertext_with_tag=(body + tag).hex())
        lines += [("tag (hex)", tag.hex()), ("ciphertext||tag (hex)", (body + tag).hex())]
    return Computed(subject, m, lines)


def decrypt_cipher(req: CipherRequest, record_secrets: bool) -> Computed:
    """Decrypt; PKCS#7 padding is checked (``padding_valid``), a GCM/CCM tag verified."""
    from mptool.algo.primitives import ciphers
    from mptool.core.errors import InputError

    _cipher_checks(req)
    data, iv = req.data, req.iv or b""
    if req.iv_prefixed:
        size = iv_size(req)
        if len(data) <= size:
            raise InputError("--ciphertext", f"shorter than the {size}-byte IV prefix")
        iv, data = data[:size], data[size:]
    subject = f"{req.cipher.upper()}-{req.mode.upper()}"
    m: dict[str, Any] = {"algorithm": subject, "key_bits": 8 * len(req.key), "ciphertext_bytes": len(req.data), "iv": iv.hex(), "iv_source": "prefix of --ciphertext" if req.iv_prefixed else ("--iv" if req.mode != "ecb" else "n/a")}
    out = Computed(subject, m)
    block = ciphers.CIPHERS[req.cipher].block_size
    if req.mode in ciphers.AEAD_MODES:
        body, tag = (data, req.tag) if req.tag is not None else (data[:-req.tag_length], data[-req.tag_length:])
        if len(tag) < 4 or (req.tag is None and len(data) < req.tag_length):
            raise InputError("--ciphertext", f"no --tag given and the ciphertext is shorter than a {req.tag_length}-byte tag")
        m.update(aad_bytes=len(req.aad), tag_bytes=len(tag), tag_source="--tag" if req.tag is not None else f"last {req.tag_length} bytes of --ciphertext")
        try:
            plain = ciphers.decrypt(req.cipher, req.mode, req.key, body, iv=iv, aad=req.aad, tag=tag)
        except ciphers.AuthenticationError:
            m["tag_verifies"] = False
            out.status = Status.FAIL
            out.findings.append(("not_decryptable", Severity.ERROR, f"the {req.mode.upper()} tag does not verify: wrong key, nonce or AAD, or an altered ciphertext"))
            out.shown.append(("result", "the tag does not verify: nothing to show"))
            return out
        except ValueError as exc:
            raise InputError("--iv", str(exc)) from None
        m["tag_verifies"] = True
        return _plaintext(out, plain, record_secrets)
    if req.mode in ("ecb", "cbc") and len(data) % block:
        raise InputError("--ciphertext", f"{len(data)} bytes is not a multiple of the {block}-byte {req.cipher.upper()} block ({req.mode.upper()} ciphertexts are whole blocks)")
    try:
        raw = ciphers.decrypt(req.cipher, req.mode, req.key, data, iv=iv, xts_convention=req.xts_standard)
    except ValueError as exc:
        raise InputError("--ciphertext" if "data" in str(exc) or "block" in str(exc) else "--iv", str(exc)) from None
    if req.mode in ("ecb", "cbc") and req.padding == "pkcs7":
        m["padding"] = "pkcs7"
        try:
            plain = ciphers.unpad(raw, block, "pkcs7")
            m["padding_valid"] = True
        except ValueError:
            m["padding_valid"] = False
            out.status = Status.WARN
            out.findings.append(("padding_invalid", Severity.WARN, "the last block does not end in valid PKCS#7 padding: wrong key, IV or mode, or another padding (the raw decryption is recorded; --padding none to take it as is)"))
            m["raw_decryption"] = describe_secret(raw, record_secrets)
            out.shown += [("padding", "INVALID PKCS#7 padding")] + show_value("raw decryption", raw)
            return out
    elif req.mode in ("ecb", "cbc"):
        m["padding"], plain = "none", raw
    else:
        plain = raw
    if req.mode == "xts":
        m["xts_standard"] = req.xts_standard
    return _plaintext(out, plain, record_secrets)


def _plaintext(out: Computed, plain: bytes, record_secrets: bool) -> Computed:
    out.measurements["plaintext"] = describe_secret(plain, record_secrets)
    if "padding_valid" in out.measurements:
        out.shown.append(("padding", "valid PKCS#7"))
    out.shown += show_value("plaintext", plain)
    if not plain:
        out.shown.append(("plaintext", "(empty)"))
    return out


def encrypt_sm2(public_key: Any, plaintext: bytes, order: str, curve: Any) -> Computed:
    """SM2 encryption (GB/T 32918.4) to a public key, in the requested encoding."""
    from mptool.algo import sm2
    from mptool.core.errors import InputError

    try:
        ct = sm2.encrypt(public_key, plaintext, order=order, curve=curve)
    except sm2.SM2Error as exc:
        raise InputError("--plaintext" if "plaintext" in str(exc) else "--public-key", str(exc)) from None
    m = {"algorithm": "SM2", "curve": curve.name, "encoding": order, "plaintext_bytes": len(plaintext), "ciphertext": describe(ct)}
    return Computed("SM2", m, show_value("ciphertext", ct))


def decrypt_sm2(d: int, ciphertext: bytes, order: str, curve: Any, record_secrets: bool) -> Computed:
    """SM2 decryption with C3 checked in every encoding ``order`` allows."""
    from mptool.algo.checks.evidence import sm2_decrypt_or_c3_failure

    m: dict[str, Any] = {"algorithm": "SM2", "curve": curve.name, "order_requested": order, "ciphertext_bytes": len(ciphertext)}
    out = Computed("SM2", m)
    result, attempts = sm2_decrypt_or_c3_failure(d, ciphertext, order, curve)
    if result is None:
        m["attempts"] = attempts
        m["c3_verified"] = False
        out.status = Status.FAIL
        out.findings.append(("not_decryptable", Severity.ERROR, "C3 does not match in any encoding: wrong key or altered ciphertext"))
        out.shown.append(("result", "C3 does not match: nothing to show"))
        return out
    m.update(encoding=result.encoding, c3_verified=True)
    return _plaintext(out, result.plaintext, record_secrets)


def rsa_padding(scheme: str, hash_name: str, *, signing: bool) -> tuple[Any, Any]:
    """(padding, hash algorithm) of an RSA scheme: pkcs1v15, oaep (encryption) or pss (signing)."""
    from cryptography.hazmat.primitives.asymmetric import padding

    from mptool.algo.vectors.handlers import Unsupported, hash_algorithm
    from mptool.core.errors import InputError

    try:
        algorithm = hash_algorithm(hash_name)
    except Unsupported as exc:
        raise InputError("--hash", str(exc)) from None
    allowed = ("pkcs1v15", "pss") if signing else ("pkcs1v15", "oaep")
    if scheme not in allowed:
        raise InputError("--scheme", f"expected one of {', '.join(allowed)} here, got {scheme!r}")
    if scheme == "pkcs1v15":
        return (padding.PKCS1v15(), algorithm)
    if scheme == "pss":
        return (padding.PSS(mgf=padding.MGF1(algorithm), salt_length=padding.PSS.DIGEST_LENGTH), algorithm)
    return (padding.OAEP(mgf=padding.MGF1(algorithm), algorithm=algorithm, label=None), algorithm)


def load_rsa_private_key(data: bytes, password: bytes | None) -> Any:
    """An RSA private key through the one key loader (:func:`mptool.algo.keys.load_rsa_private_key`):
    PEM or DER, PKCS#8 or PKCS#1, encrypted PKCS#8 (PBES2, including SM3/SM4) with the password."""
    from mptool.algo.keys import load_rsa_private_key as load

    return load(data, "--private-key", password)


def encrypt_rsa(public_key: Any, plaintext: bytes, scheme: str, hash_name: str) -> Computed:
    """RSAES-OAEP (MGF1 with the same hash, empty label) or RSAES-PKCS1-v1_5 encryption."""
    from mptool.core.errors import InputError

    pad, _ = rsa_padding(scheme, hash_name, signing=False)
    try:
        ct = public_key.encrypt(plaintext, pad)
    except ValueError as exc:
        raise InputError("--plaintext", f"too long for this {public_key.key_size}-bit key and scheme ({exc})") from None
    m = {"algorithm": "RSA", "scheme": scheme, "hash": hash_name.lower() if scheme == "oaep" else "n/a", "key_bits": public_key.key_size, "plaintext_bytes": len(plaintext), "ciphertext": describe(ct)}
    return Computed("RSA", m, show_value("ciphertext", ct))


def decrypt_rsa(key: Any, ciphertext: bytes, scheme: str, hash_name: str, record_secrets: bool) -> Computed:
    """RSA decryption; a padding check that fails is a ``not_decryptable`` finding."""
    from mptool.core.errors import InputError

    pad, _ = rsa_padding(scheme, hash_name, signing=False)
    size = (key.key_size + 7) // 8
    if len(ciphertext) != size:
        raise InputError("--ciphertext", f"must be {size} bytes for this {key.key_size}-bit key, got {len(ciphertext)}")
    m: dict[str, Any] = {"algorithm": "RSA", "scheme": scheme, "hash": hash_name.lower() if scheme == "oaep" else "n/a", "key_bits": key.key_size, "ciphertext_bytes": len(ciphertext)}
    out = Computed("RSA", m)
    try:
        plain = _pkcs1v15_decrypt(key, ciphertext) if scheme == "pkcs1v15" else key.decrypt(ciphertext, pad)
    except ValueError:
        m["padding_valid"] = False
        out.status = Status.FAIL
        out.findings.append(("not_decryptable", Severity.ERROR, f"the {scheme.upper()} padding check fails: wrong key, scheme or hash"))
        out.shown.append(("result", "the padding check fails: nothing to show"))
        return out
    m["padding_valid"] = True
    return _plaintext(out, plain, record_secrets)


def _pkcs1v15_decrypt(key: Any, ciphertext: bytes) -> bytes:
    """RSAES-PKCS1-v1_5 decryption with the padding checked here (RFC 8017 §7.2.2 step 3).

    OpenSSL's implicit rejection returns a pseudo-random message for a bad padding instead of an
    error, so it cannot say whether the padding held; an evaluator's tool has no timing oracle to fear.
    """
    numbers = key.private_numbers()
    n, size = numbers.public_numbers.n, (key.key_size + 7) // 8
    c = int.from_bytes(ciphertext, "big")
    if c >= n:
        raise ValueError("ciphertext representative out of range")
    em = pow(c, numbers.d, n).to_bytes(size, "big")
    separator = em.find(b"\x00", 2)
    if em[:2] != b"\x00\x02" or separator < 10:
        raise ValueError("decryption error")
    return em[separator + 1:]


def sign_sm2(d: int, message: bytes, user_id: bytes, curve: Any) -> Computed:
    """An SM2 signature (random k), verified with the public key before it is reported."""
    from mptool.algo import sm2

    public = sm2.public_key_from_private(d, curve)
    r, s = sm2.sign(d, message, user_id, curve=curve)
    der, raw = sm2.encode_signature_der(r, s), sm2.encode_signature_raw(r, s, curve)
    ok = sm2.verify(public, message, (r, s), user_id, curve=curve)
    m = {
        "algorithm": "SM2", "curve": curve.name, "user_id": user_id.decode("latin-1") if user_id.isascii() else user_id.hex(),
        "default_user_id": user_id == sm2.DEFAULT_USER_ID, "message_bytes": len(message),
        "public_key": sm2.encode_public_key(public, curve).hex(), "za": sm2.compute_za(public, user_id, curve).hex(),
        "signature_der": der.hex(), "signature_raw": raw.hex(), "self_verified": ok,
    }
    lines = [("signature DER (hex)", der.hex()), ("signature r||s (hex)", raw.hex()), ("public key (hex)", m["public_key"])]
    return Computed("SM2", m, lines)


def sign_rsa(key: Any, message: bytes, scheme: str, hash_name: str) -> Computed:
    """An RSA PKCS#1 v1.5 or PSS (salt = hash length) signature, verified before it is reported."""
    from cryptography.exceptions import InvalidSignature

    pad, algorithm = rsa_padding(scheme, hash_name, signing=True)
    signature = key.sign(message, pad, algorithm)
    try:
        key.public_key().verify(signature, message, pad, algorithm)
        ok = True
    except InvalidSignature:
        ok = False
    m = {"algorithm": "RSA", "scheme": scheme, "hash": hash_name.lower(), "key_bits": key.key_size, "message_bytes": len(message), "signature": signature.hex(), "self_verified": ok}
    return Computed("RSA", m, [("signature (hex)", signature.hex())])


def digest(name: str, data: bytes) -> Computed:
    """The digest of ``data`` with ``name`` (sm3, sha1, sha2, sha3-256)."""
    from cryptography.hazmat.primitives import hashes

    from mptool.algo.vectors.handlers import hash_algorithm

    h = hashes.Hash(hash_algorithm(name))
    h.update(data)
    value = h.finalize()
    return Computed(name.upper(), {"algorithm": name.upper(), "data_bytes": len(data), "digest": value.hex()}, [("digest (hex)", value.hex())])


def mac(name: str, key: bytes, data: bytes) -> Computed:
    """HMAC of ``data`` under ``key`` (``hmac-sm3``, ``hmac-sha256``…)."""
    from cryptography.hazmat.primitives import hmac

    from mptool.algo.vectors.handlers import hash_algorithm

    h = hmac.HMAC(key, hash_algorithm(name.removeprefix("hmac-")))
    h.update(data)
    value = h.finalize()
    label = name.upper()
    return Computed(label, {"algorithm": label, "key_bytes": len(key), "data_bytes": len(data), "mac": value.hex()}, [("mac (hex)", value.hex())])
