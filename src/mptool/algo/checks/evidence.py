"""Judging values captured from a system: does this digest/MAC/ciphertext/signature match?

Each form recomputes the value from the inputs with the primary implementation (OpenSSL via
``cryptography``; the project's SM2) and passes when it equals the captured value, fails when
it does not. Malformed inputs raise :class:`InputError` naming the option (exit 3).
"""

from __future__ import annotations

import hmac as _hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mptool.algo.primitives.values import expect_length, printable_text
from mptool.core.errors import InputError
from mptool.core.inputs import new_sm3
from mptool.core.model import CheckResult, Finding, Severity, Status
from mptool.core.registry import check
from mptool.core.secrets import fingerprint

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cryptography.hazmat.primitives.asymmetric import rsa

# The cipher, RSA and SM2 code is imported by the forms that use it, so that a short command
# (``algo verify sm3 …``) does not pay for all of them at start-up (issue 20).

#: What the one finding of every algo.evidence.* check means.
MISMATCH = "the value computed from the captured inputs differs from the captured value (or the signature does not verify)"


@dataclass
class Judgement:
    """The outcome of one evidence check: match or not, what was computed, and the facts used."""

    match: bool
    measurements: dict[str, Any] = field(default_factory=dict)
    problem: str = ""
    #: the captured and the computed value: bytes (shown in hex, converted only on a mismatch, so a
    #: 100 MB match never builds 400 MB of hex) or a text shown as it is
    expected: bytes | str = b""
    computed: bytes | str = b""
    secret: bool = False  #: expected/computed are secrets (plaintexts): findings show their fingerprints
    #: (finding suffix, message) of what would have matched (info findings beside the mismatch)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def _shown(self, value: bytes | str) -> str:
        if isinstance(value, str):
            return fingerprint(bytes.fromhex(value)) if self.secret and value else value
        return fingerprint(value) if self.secret and value else value.hex()

    def computed_bytes(self) -> bytes | None:
        """The computed value as bytes (None when nothing was computed)."""
        if not self.computed:
            return None
        return self.computed if isinstance(self.computed, bytes) else bytes.fromhex(self.computed)

    def result(self, spec: Any, subject: str) -> CheckResult:
        """The check result: pass on a match, fail with a finding otherwise."""
        findings = []
        if not self.match:
            findings.append(Finding(code=spec.code("mismatch"), severity=Severity.ERROR, message=self.problem, data={"captured": self._shown(self.expected), "computed": self._shown(self.computed)}))
            findings += [Finding(code=spec.code(suffix), severity=Severity.INFO, message=message) for suffix, message in self.notes]
        return spec.result(Status.PASS if self.match else Status.FAIL, subject=subject, measurements=self.measurements, findings=findings)


#: The info findings that say what would have matched.
TRAILING_NEWLINE = "the values would match without the trailing newline (CR LF or LF) of the data: the system computed over the text without it, or the capture added one"
TEXT_KEY = "the values would match with --key read as text (the UTF-8 bytes of the characters given, not their hex): give --key text:…"


def without_newline(data: bytes) -> bytes | None:
    """``data`` without one trailing CR LF or LF (None when it has none)."""
    for end in (b"\r\n", b"\n"):
        if data.endswith(end):
            return data[: -len(end)]
    return None


def text_key(key_text: str | None, sizes: tuple[int, ...] | None = None) -> bytes | None:
    """The UTF-8 bytes of a key given as plain hex digits, when those characters could be the key
    themselves (a text key of an accepted length; None otherwise)."""
    if not key_text or key_text.startswith(("@", "text:", "utf8:", "b64:", "hex:")):
        return None
    raw = key_text.encode("utf-8")
    return raw if sizes is None or len(raw) in sizes else None


def text_key_hint(key_text: str | None, sizes: tuple[int, ...]) -> str:
    """`` (it looks like a 16-character text key whose hex is <fingerprint>: …)`` or ``""``."""
    raw = text_key(key_text, sizes)
    if raw is None:
        return ""
    return f" (it looks like a {len(raw)}-character text key whose hex is {fingerprint(raw.hex())}: give --key text:… for its UTF-8 bytes)"


def describe_secret(data: bytes) -> dict[str, Any]:
    """What a recovered plaintext is, without showing it: length, printability, SM3 fingerprint."""
    return {"bytes": len(data), "printable": printable_text(data) is not None, "fingerprint": fingerprint(data)}


@check("algo.evidence.sm3", "SM3 digest of captured data", "GB/T 32905-2016 §5", {"algo.evidence.sm3.mismatch": MISMATCH, "algo.evidence.sm3.trailing_newline": TRAILING_NEWLINE})
def judge_sm3(data: bytes, digest: bytes) -> Judgement:
    """Recompute SM3 over the data and compare it with the captured 32-byte digest.

    On a mismatch, says whether the digest would match without a trailing newline of the data."""
    expect_length("--digest", digest, (32,), "an SM3 digest")
    computed = sm3(data)
    match = _hmac.compare_digest(computed, digest)
    judgement = Judgement(match, {"algorithm": "SM3", "data_bytes": len(data), "digest": computed.hex()}, "the SM3 digest of --data differs from --digest", digest, computed)
    stripped = without_newline(data)
    if not match and stripped is not None and sm3(stripped) == digest:
        judgement.notes.append(("trailing_newline", f"SM3 of the first {len(stripped)} bytes of --data (without its trailing newline) equals --digest"))
    return judgement


def sm3(data: bytes) -> bytes:
    """SM3 (GB/T 32905-2016) of ``data``."""
    h = new_sm3()
    h.update(data)
    return h.digest()


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import hmac as crypto_hmac

    h = crypto_hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


@check(
    "algo.evidence.hmac_sm3", "HMAC-SM3 of captured data", "GM/T 0042-2015 §7 / RFC 2104 with SM3 (GB/T 32905-2016); GB/T 15852.2-2012",
    {"algo.evidence.hmac_sm3.mismatch": MISMATCH, "algo.evidence.hmac_sm3.trailing_newline": TRAILING_NEWLINE, "algo.evidence.hmac_sm3.text_key": TEXT_KEY},
)
def judge_hmac_sm3(key: bytes, data: bytes, mac: bytes, key_text: str | None = None) -> Judgement:
    """Recompute HMAC-SM3 with the key and compare it with the captured 32-byte MAC.

    On a mismatch, says whether the MAC would match without a trailing newline of the data, or
    with the key read as text (``key_text``: the option as typed)."""
    expect_length("--mac", mac, (32,), "an HMAC-SM3 value")
    computed = _hmac_sm3(key, data)
    match = _hmac.compare_digest(computed, mac)
    judgement = Judgement(match, {"algorithm": "HMAC-SM3", "key_bytes": len(key), "data_bytes": len(data), "mac": computed.hex()}, "HMAC-SM3 of --data under --key differs from --mac", mac, computed)
    if match:
        return judgement
    stripped = without_newline(data)
    if stripped is not None and _hmac_sm3(key, stripped) == mac:
        judgement.notes.append(("trailing_newline", f"HMAC-SM3 of the first {len(stripped)} bytes of --data (without its trailing newline) equals --mac"))
    as_text = text_key(key_text)
    if as_text is not None and _hmac_sm3(as_text, data) == mac:
        judgement.notes.append(("text_key", f"HMAC-SM3 under the {len(as_text)}-character text key (hex {fingerprint(as_text.hex())}) equals --mac: give --key text:…"))
    return judgement


@dataclass
class CipherCase:
    """The inputs of a symmetric-cipher evidence check."""

    cipher: str
    mode: str
    key: bytes
    iv: bytes
    aad: bytes
    tag: bytes | None
    plaintext: bytes
    ciphertext: bytes
    padding: str
    xts_standard: str
    key_text: str | None = None  #: --key as typed (for the "looks like a text key" diagnostics)


def check_key_and_mode(cipher: str, mode: str, key: bytes, has_iv: bool, key_text: str | None = None) -> None:
    """InputError for a key of the wrong length (with a hint when the characters typed look like
    a text key), an IV given to ECB, GCM/CCM on a 64-bit block cipher."""
    from mptool.algo.primitives import ciphers

    try:
        ciphers.check_key(cipher, key, mode)
    except ValueError as exc:
        sizes = ciphers.CIPHERS[cipher].key_sizes
        raise InputError("--key", f"{exc}{text_key_hint(key_text, tuple(2 * k for k in sizes) if mode == 'xts' else sizes)}") from None
    if mode == "ecb" and has_iv:
        raise InputError("--iv", "ECB takes no IV")
    if mode in ("gcm", "ccm") and ciphers.CIPHERS[cipher].block_size != 16:
        raise InputError("--mode", f"{mode.upper()} needs a 128-bit block cipher (SM4 or AES), not {cipher.upper()}")


def _check_cipher_inputs(case: CipherCase) -> None:
    from mptool.algo.primitives import ciphers

    info = ciphers.CIPHERS[case.cipher]
    check_key_and_mode(case.cipher, case.mode, case.key, bool(case.iv), case.key_text)
    if case.mode == "ecb":
        pass
    elif case.mode in ("gcm", "ccm"):
        if not case.iv:
            raise InputError("--iv", f"{case.mode.upper()} needs a nonce (--iv)")
        if case.mode == "ccm" and not 7 <= len(case.iv) <= 13:
            raise InputError("--iv", f"a CCM nonce must be 7 to 13 bytes, got {len(case.iv)}")
    else:
        size = 16 if case.mode == "xts" else info.block_size
        if len(case.iv) != size:
            what = "tweak (--iv)" if case.mode == "xts" else "IV"
            raise InputError("--iv", f"{case.cipher.upper()}-{case.mode.upper()} {what} must be {size} bytes ({2 * size} hex digits), got {len(case.iv)}")
    if case.tag is not None and case.mode not in ("gcm", "ccm"):
        raise InputError("--tag", f"{case.mode.upper()} has no authentication tag")
    if case.mode in ("ecb", "cbc") and case.padding == "none" and len(case.plaintext) % info.block_size:
        raise InputError("--plaintext", f"{len(case.plaintext)} bytes is not a multiple of the {info.block_size}-byte block and --padding is none (use --padding pkcs7)")
    if case.mode == "xts" and len(case.plaintext) < 16:
        raise InputError("--plaintext", "XTS needs at least one 16-byte block")


def split_tag(case: CipherCase) -> tuple[bytes, bytes]:
    """(ciphertext body, tag) for AEAD modes: --tag, or the last 16 bytes of --ciphertext."""
    if case.tag is not None:
        return case.ciphertext, case.tag
    if len(case.ciphertext) < 16:
        raise InputError("--ciphertext", "no --tag given and the ciphertext is shorter than a 16-byte tag")
    return case.ciphertext[:-16], case.ciphertext[-16:]


def compute_ciphertext(case: CipherCase) -> tuple[bytes, bytes]:
    """Encrypt the plaintext as the case describes; (ciphertext, tag)."""
    from mptool.algo.primitives import ciphers

    if case.mode in ("gcm", "ccm"):
        tag_len = len(split_tag(case)[1])
        return ciphers.encrypt(case.cipher, case.mode, case.key, case.plaintext, iv=case.iv, aad=case.aad, tag_len=tag_len)
    data = ciphers.pad(case.plaintext, ciphers.CIPHERS[case.cipher].block_size, case.padding) if case.mode in ("ecb", "cbc") else case.plaintext
    return ciphers.encrypt(case.cipher, case.mode, case.key, data, iv=case.iv, xts_convention=case.xts_standard)


@check(
    "algo.evidence.cipher", "Symmetric encryption of captured data", "GB/T 32907-2016 (SM4); FIPS 197 (AES); SP 800-67r2 (3DES); GB/T 17964-2021 / SP 800-38A,C,D,E (modes)",
    {"algo.evidence.cipher.mismatch": MISMATCH, "algo.evidence.cipher.trailing_newline": TRAILING_NEWLINE, "algo.evidence.cipher.text_key": TEXT_KEY},
)
def judge_cipher(case: CipherCase) -> Judgement:
    """Encrypt the captured plaintext with key, IV and mode and compare with the captured ciphertext.

    For GCM/CCM the tag is compared too (given with --tag or appended to the ciphertext), and the
    ciphertext is decrypted with the tag verified, so a mismatch says whether the data or only
    the tag differs. On a mismatch of the other modes the captured ciphertext is decrypted and
    described (``captured_decryption``: length, PKCS#7 padding valid, printable, fingerprint —
    never the bytes), the lengths compared, and info findings say whether it would match without
    a trailing newline of the plaintext or with the key read as text.
    """
    from mptool.algo.primitives import ciphers

    _check_cipher_inputs(case)
    measurements: dict[str, Any] = {"cipher": case.cipher.upper(), "mode": case.mode.upper(), "key_bits": 8 * len(case.key), "plaintext_bytes": len(case.plaintext)}
    if case.mode in ("ecb", "cbc"):
        measurements["padding"] = case.padding
    if case.mode == "xts":
        measurements["xts_standard"] = case.xts_standard
    problem = "the ciphertext differs from the encryption of the plaintext"
    pieces = ciphers.encrypt_pieces(case.cipher, case.mode, case.key, case.plaintext, iv=case.iv, padding=case.padding)
    if pieces is not None and _same_pieces(pieces, case.ciphertext):
        return Judgement(True, measurements, problem, case.ciphertext)  # a match, found without a second copy of the data
    try:
        computed, tag = compute_ciphertext(case)
    except ValueError as exc:
        raise InputError("--mode", str(exc)) from None
    if case.mode in ("gcm", "ccm"):
        body, captured_tag = split_tag(case)
        measurements.update(tag_bytes=len(captured_tag), aad_bytes=len(case.aad), authenticated=True)
        try:
            ciphers.decrypt(case.cipher, case.mode, case.key, body, iv=case.iv, aad=case.aad, tag=captured_tag)
            tag_ok = True
        except ciphers.AuthenticationError:
            tag_ok = False
        except ValueError as exc:
            raise InputError("--tag", str(exc)) from None
        measurements["tag_verifies"] = tag_ok
        match = computed == body and tag == captured_tag and tag_ok
        problem = "the tag does not verify" if computed == body else "the ciphertext differs from the encryption of the plaintext"
        return Judgement(match, measurements, problem, b"" if match else body + captured_tag, b"" if match else computed + tag)
    match = computed == case.ciphertext
    judgement = Judgement(match, measurements, problem, case.ciphertext, computed)
    if not match:
        _diagnose_cipher(case, computed, judgement)
    return judgement


def _same_pieces(pieces: Iterator[bytes], expected: bytes) -> bool:
    """Whether the pieces joined equal ``expected`` (stops at the first piece that differs)."""
    view = memoryview(expected)
    offset = 0
    for piece in pieces:
        end = offset + len(piece)
        if end > len(view) or view[offset:end] != piece:
            return False
        offset = end
    return offset == len(view)


def _diagnose_cipher(case: CipherCase, computed: bytes, judgement: Judgement) -> None:
    """What a person needs on a mismatch: the lengths, what the captured ciphertext decrypts to
    (length, padding, printable: fingerprinted), and whether it would match without a trailing
    newline or with the key read as text."""
    from mptool.algo.primitives import ciphers

    m = judgement.measurements
    block = ciphers.CIPHERS[case.cipher].block_size
    m.update(captured_bytes=len(case.ciphertext), computed_bytes=len(computed), length_difference=len(case.ciphertext) - len(computed))
    padded = case.mode in ("ecb", "cbc")
    if not padded or len(case.ciphertext) % block == 0:
        try:
            raw = ciphers.decrypt(case.cipher, case.mode, case.key, case.ciphertext, iv=case.iv, xts_convention=case.xts_standard)
        except ValueError:
            raw = None
        if raw is not None:
            decryption: dict[str, Any] = describe_secret(raw)
            if padded:
                try:
                    decryption = {**describe_secret(ciphers.unpad(raw, block, "pkcs7")), "padding_valid": True}
                except ValueError:
                    decryption["padding_valid"] = False
            decryption["equals_plaintext"] = decryption["fingerprint"] == fingerprint(case.plaintext)
            m["captured_decryption"] = decryption
    stripped = without_newline(case.plaintext)
    if stripped is not None and (not padded or case.padding != "none" or len(stripped) % block == 0):
        if compute_ciphertext(_replace(case, plaintext=stripped))[0] == case.ciphertext:
            judgement.notes.append(("trailing_newline", f"the encryption of the first {len(stripped)} bytes of --plaintext (without its trailing newline) equals --ciphertext"))
    as_text = text_key(case.key_text)
    if as_text is not None:
        try:
            ciphers.check_key(case.cipher, as_text, case.mode)
        except ValueError:
            return
        if compute_ciphertext(_replace(case, key=as_text))[0] == case.ciphertext:
            judgement.notes.append(("text_key", f"the ciphertext matches under the {len(as_text)}-character text key (hex {fingerprint(as_text.hex())}): give --key text:…"))


def _replace(case: CipherCase, **changes: Any) -> CipherCase:
    from dataclasses import replace

    return replace(case, **changes)


def _curve(name: str) -> Any:
    from mptool.algo import sm2

    return sm2.CURVES[name]


@check("algo.evidence.sm2_verify", "SM2 signature over captured data", "GB/T 32918.2-2016 §7 (verification); GB/T 35276-2017 §7.3 (encodings), §10 (default ID)", {"algo.evidence.sm2_verify.mismatch": MISMATCH})
def judge_sm2_verify(public_key: bytes, message: bytes, signature: bytes, user_id: bytes, curve_name: str) -> Judgement:
    """Verify an SM2 signature (DER or raw r||s) on the message with the public key and user ID.

    The public key is a raw point, a certificate or a SubjectPublicKeyInfo (PEM or DER)."""
    from mptool.algo import sm2

    from mptool.algo.keys import load_sm2_public_key

    curve = _curve(curve_name)
    point = load_sm2_public_key(public_key, "--public-key", curve)
    measurements: dict[str, Any] = {"curve": curve.name, "user_id": user_id.decode("latin-1") if user_id.isascii() else user_id.hex(), "default_user_id": user_id == sm2.DEFAULT_USER_ID}
    try:
        decoded = sm2.detect_signature(signature, curve)
    except sm2.SM2Error as exc:
        if "must be in [1, n-1]" in str(exc):
            return Judgement(False, measurements, f"invalid signature: {exc}", signature, "")
        raise InputError("--signature", str(exc).removeprefix("signature: ")) from None
    measurements["signature_encoding"] = decoded.encoding
    measurements["za"] = sm2.compute_za(point, user_id, curve).hex()
    ok = sm2.verify(point, message, (decoded.r, decoded.s), user_id, curve=curve)
    return Judgement(ok, measurements, "the signature does not verify with this public key, user ID and message", signature, "verification failed")


def sm2_decrypt_or_c3_failure(d: int, ciphertext: bytes, order: str, curve: Any) -> tuple[Any, list[str]]:
    """(the decryption, []) or (None, the attempts) when C3 fails in every encoding that parses;
    a ciphertext no encoding parses is an InputError."""
    from mptool.algo import sm2

    try:
        return sm2.decrypt(d, ciphertext, order=order, curve=curve), []
    except sm2.SM2DecryptError as exc:
        attempts = getattr(exc, "attempts", [])
        if not any(problem == "C3 mismatch" for _, problem in attempts):
            raise InputError("--ciphertext", str(exc).removeprefix("ciphertext: ")) from None
        return None, [f"{n}: {p}" for n, p in attempts]


@check("algo.evidence.sm2_decrypt", "SM2 decryption of captured ciphertext", "GB/T 32918.4-2016 §7.1 (B1-B7, C3 check); GB/T 35276-2017 §7.2 (encodings)", {"algo.evidence.sm2_decrypt.mismatch": MISMATCH, "algo.evidence.sm2_decrypt.trailing_newline": TRAILING_NEWLINE})
def judge_sm2_decrypt(private_key: bytes, ciphertext: bytes, plaintext: bytes, order: str, curve_name: str, password: bytes | None = None) -> Judgement:
    """Decrypt an SM2 ciphertext (ASN.1, C1C3C2 or C1C2C3, with or without 04), always checking C3;
    the key is any form of the one loader (an encrypted PKCS#8 opened with ``password``).

    On a different plaintext the decryption is described (``decrypted``: length, printable,
    fingerprint) with the length difference, and an info finding says when --plaintext only
    has an extra trailing newline."""
    from mptool.algo import sm2

    from mptool.algo.keys import load_sm2_private_key

    curve = _curve(curve_name)
    d = load_sm2_private_key(private_key, "--private-key", password, curve=curve)
    measurements: dict[str, Any] = {"curve": curve.name, "order_requested": order}
    result, attempts = sm2_decrypt_or_c3_failure(d, ciphertext, order, curve)
    if result is None:
        measurements["attempts"] = attempts
        return Judgement(False, measurements, "C3 does not match in any encoding: wrong key or altered ciphertext", ciphertext, "")
    measurements.update(encoding=result.encoding, c3_verified=True)
    match = result.plaintext == plaintext
    if not match:
        measurements.update(decrypted=describe_secret(result.plaintext), length_difference=len(plaintext) - len(result.plaintext))
    notes = [("trailing_newline", "the decryption equals --plaintext without its trailing newline")] if not match and without_newline(plaintext) == result.plaintext else []
    # the plaintexts are secrets: the finding names them by fingerprint and length only
    return Judgement(match, measurements, "the ciphertext decrypts (C3 verified) to a different plaintext", plaintext, result.plaintext, secret=True, notes=notes)


def load_rsa_public_key(data: bytes) -> "rsa.RSAPublicKey":
    """An RSA public key from PEM or DER (SubjectPublicKeyInfo or PKCS#1), or a certificate."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

    loaders = (load_pem_public_key, load_der_public_key)
    for loader in loaders:
        try:
            key = loader(data)
        except (ValueError, TypeError):
            continue
        except UnsupportedAlgorithm:
            raise InputError("--public-key", "is not an RSA public key (an SM2 or other EC key: use sm2-verify)") from None
        if isinstance(key, rsa.RSAPublicKey):
            return key
        raise InputError("--public-key", "is not an RSA public key")
    for cert_loader in (x509.load_pem_x509_certificate, x509.load_der_x509_certificate):
        try:
            key = cert_loader(data).public_key()
        except (ValueError, x509.InvalidVersion):  # InvalidVersion: a damaged version field (fuzzing, issue 21)
            continue
        except UnsupportedAlgorithm:
            raise InputError("--public-key", "the certificate's key is not RSA (an SM2 or other EC key: use sm2-verify)") from None
        if isinstance(key, rsa.RSAPublicKey):
            return key
        raise InputError("--public-key", "the certificate's key is not RSA")
    raise InputError("--public-key", "expected an RSA public key in PEM or DER (SubjectPublicKeyInfo, PKCS#1) or a certificate")


@check("algo.evidence.rsa_verify", "RSA signature over captured data", "RFC 8017 §8.1.2 (RSASSA-PSS-VERIFY), §8.2.2 (RSASSA-PKCS1-v1_5-VERIFY)", {"algo.evidence.rsa_verify.mismatch": MISMATCH})
def judge_rsa_verify(public_key: bytes, message: bytes, signature: bytes, scheme: str, hash_name: str) -> Judgement:
    """Verify an RSA PKCS#1 v1.5 or PSS signature (PSS: MGF1 with the same hash, salt length auto-detected)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import padding

    from mptool.algo.vectors.handlers import HASHES, Unsupported, hash_algorithm

    key = load_rsa_public_key(public_key)
    if hash_name.lower().replace("-", "") not in HASHES:
        raise InputError("--hash", f"unknown hash {hash_name!r}; expected one of {', '.join(sorted(set(HASHES) - {'sha512224', 'sha512256', 'sha3256'}))}")
    try:
        algorithm = hash_algorithm(hash_name)
    except Unsupported as exc:
        raise InputError("--hash", str(exc)) from None
    size = (key.key_size + 7) // 8
    if len(signature) != size:
        raise InputError("--signature", f"must be {size} bytes for this {key.key_size}-bit key, got {len(signature)}")
    pad: padding.AsymmetricPadding = padding.PKCS1v15() if scheme == "pkcs1v15" else padding.PSS(mgf=padding.MGF1(algorithm), salt_length=padding.PSS.AUTO)
    try:
        key.verify(signature, message, pad, algorithm)
        ok = True
    except InvalidSignature:
        ok = False
    measurements = {"scheme": scheme, "hash": hash_name.lower(), "key_bits": key.key_size}
    return Judgement(ok, measurements, "the signature does not verify with this key, scheme and hash", signature.hex(), "verification failed")
