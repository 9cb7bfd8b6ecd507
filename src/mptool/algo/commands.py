"""What ``mptool algo verify`` and ``identify`` do, behind the thin CLI layer.

The CLI passes the raw option strings; this module decodes them (recording each as an input),
checks which options a form needs, runs the judgement and the optional cross-check, and adds
the results to the report builder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mptool.algo import DEFAULT_SM2_USER_ID
from mptool.algo.checks import evidence
from mptool.algo.checks.digest import digest_files
from mptool.algo.primitives.values import parse_value
from mptool.core.errors import InputError, UsageError
from mptool.core.progress import DISABLED, Progress
from mptool.core.report import ReportBuilder

CIPHER_FORMS = ("sm4", "aes", "des", "3des")
FORMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # form: (required options, optional options)
    "sm3": (("data", "digest"), ()),
    "hmac-sm3": (("key", "data", "mac"), ()),
    **{c: (("mode", "key", "plaintext", "ciphertext"), ("iv", "aad", "tag", "padding", "xts_standard")) for c in CIPHER_FORMS},
    "sm2-verify": (("public_key", "message", "signature"), ("id", "id_hex", "curve")),
    "sm2-decrypt": (("private_key", "ciphertext", "plaintext"), ("order", "curve", "key_password")),
    "rsa-verify": (("public_key", "message", "signature"), ("scheme", "hash")),
}
#: Options that are not byte values.
TEXT_OPTIONS = frozenset({"mode", "padding", "xts_standard", "id", "curve", "order", "scheme", "hash", "key_password"})
#: Options that may be empty (zero-length message, no AAD).
EMPTY_OK = frozenset({"data", "message", "plaintext", "aad"})
SM2_CURVES = {"sm2p256v1": "sm2p256v1", "sm2-test": "sm2_test_fp256"}


class _LazyModule:
    """A check module imported on first attribute use: the cross-check backends (gmssl, gmssl-pyx,
    pycryptodome and their version lookups) cost start-up time that only --cross-check needs."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        import importlib

        return getattr(importlib.import_module(self._name), attribute)


crosscheck: Any = _LazyModule("mptool.algo.checks.crosscheck")
crosscheck_pycryptodome: Any = _LazyModule("mptool.algo.checks.crosscheck_pycryptodome")
crosscheck_pyx: Any = _LazyModule("mptool.algo.checks.crosscheck_pyx")


def flag(option: str) -> str:
    """``public_key`` -> ``--public-key``."""
    return "--" + option.replace("_", "-")


def _check_options(form: str, given: Mapping[str, Any]) -> None:
    required, optional = FORMS[form]
    missing = [flag(o) for o in required if given.get(o) is None]
    if missing:
        raise UsageError(f"algo verify {form} needs {', '.join(missing)}")
    extra = [flag(o) for o, v in given.items() if v is not None and o not in required and o not in optional]
    if extra:
        raise UsageError(f"algo verify {form} does not take {', '.join(sorted(extra))}")
    if given.get("id") is not None and given.get("id_hex") is not None:
        raise UsageError("give --id or --id-hex, not both")


def verify_evidence(builder: ReportBuilder, form: str, options: Mapping[str, Any], *, cross_check: bool = False) -> None:
    """Judge one captured value (``algo verify FORM --…``) and add the result(s)."""
    form = form.lower()
    if form not in FORMS:
        raise UsageError(f"unknown form {form!r}: expected one of {', '.join(FORMS)}")
    given = {k: v for k, v in options.items() if v is not None}
    _check_options(form, given)
    values = {k: parse_value(flag(k), v, builder, allow_empty=k in EMPTY_OK) for k, v in given.items() if k not in TEXT_OPTIONS and k != "id_hex"}
    builder.parameters["form"] = form
    builder.parameters["cross_check"] = cross_check
    if form in CIPHER_FORMS:
        _cipher_form(builder, form, given, values, cross_check)
    else:
        _FORM_HANDLERS[form](builder, given, values, cross_check)


def _digest_form(builder: ReportBuilder, given: Mapping[str, Any], values: dict[str, bytes], cross_check: bool) -> None:
    """sm3 and hmac-sm3: the judgement, then gmssl's and (if installed) GmSSL's values."""
    if "mac" in values:
        judgement = evidence.judge_hmac_sm3(values["key"], values["data"], values["mac"], key_text=given.get("key"))
        spec, subject, primary = evidence.judge_hmac_sm3.spec, "HMAC-SM3", bytes.fromhex(judgement.measurements["mac"])  # type: ignore[attr-defined]
        second, third = (lambda: crosscheck.hmac_sm3(values["key"], values["data"])), (lambda: crosscheck_pyx.hmac_sm3(values["key"], values["data"]))
    else:
        judgement = evidence.judge_sm3(values["data"], values["digest"])
        spec, subject, primary = evidence.judge_sm3.spec, "SM3", bytes.fromhex(judgement.measurements["digest"])  # type: ignore[attr-defined]
        second, third = (lambda: crosscheck.sm3(values["data"])), (lambda: crosscheck_pyx.sm3(values["data"]))
    builder.add(judgement.result(spec, subject))
    if cross_check:
        builder.add(_second_opinion(subject, primary, second, len(values["data"])))
        if _third_available(builder):
            builder.add(crosscheck_pyx.result(subject, primary, third(), subject=subject))


def _rsa_form(builder: ReportBuilder, given: Mapping[str, Any], values: dict[str, bytes], cross_check: bool) -> None:
    scheme, hash_name = given.get("scheme", "pkcs1v15"), given.get("hash", "sha256")
    builder.parameters.update(scheme=scheme, hash=hash_name)
    if scheme == "pss":
        builder.parameters.update(pss_mgf="MGF1 with the same hash", pss_salt_length="auto (any length the signature carries)")
    judgement = evidence.judge_rsa_verify(values["public_key"], values["message"], values["signature"], scheme, hash_name)
    builder.add(judgement.result(evidence.judge_rsa_verify.spec, "signature"))  # type: ignore[attr-defined]
    if cross_check:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        der = evidence.load_rsa_public_key(values["public_key"]).public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        builder.parameters["cross_check_backends"] = [crosscheck_pycryptodome.backend_version()]
        try:
            second = crosscheck_pycryptodome.rsa_verify(der, values["message"], values["signature"], scheme, hash_name)
        except crosscheck_pycryptodome.NotExpressible as exc:
            builder.add(crosscheck_pycryptodome.not_expressible("signature", str(exc)))
            return
        builder.add(crosscheck_pycryptodome.result("rsa-verify", judgement.match, second, subject="signature"))


def _third_available(builder: ReportBuilder, note: str = "") -> bool:
    """Whether the optional gmssl-pyx cross-check runs; records the backends (and why not)."""
    backends = [crosscheck.backend_version()]
    if crosscheck_pyx.available():
        backends.append(crosscheck_pyx.backend_version())
    else:
        note = note or "gmssl-pyx not installed (optional extra mptool[gmssl-pyx])"
    builder.parameters["cross_check_backends"] = backends
    if note:
        builder.parameters["cross_check_note"] = note
    return crosscheck_pyx.available() and not note


def _second_opinion(subject: str, primary: Any, compute: Any, size: int) -> Any:
    if size > crosscheck.MAX_BYTES:
        return crosscheck.not_available(subject, f"input of {size} bytes exceeds the {crosscheck.MAX_BYTES}-byte cross-check limit (gmssl is slow)")
    return crosscheck.result(subject, primary, compute(), subject=subject)


def _cipher_form(builder: ReportBuilder, form: str, given: Mapping[str, Any], values: dict[str, bytes], cross_check: bool) -> None:
    from mptool.algo.primitives import ciphers

    mode = ciphers.normalise_mode(given["mode"])
    if mode not in ciphers.MODES or mode == "cfb1":
        raise InputError("--mode", f"expected one of ecb, cbc, cfb, cfb8, ofb, ctr, gcm, ccm, xts; got {given['mode']!r}")
    padding = given.get("padding", "pkcs7" if mode in ("ecb", "cbc") else "none")
    xts_standard = given.get("xts_standard", "gb" if form == "sm4" else "ieee")
    cipher = "3des" if form == "3des" else form
    case = evidence.CipherCase(cipher, mode, values["key"], values.get("iv", b""), values.get("aad", b""), values.get("tag"), values["plaintext"], values["ciphertext"], padding, xts_standard, key_text=given["key"])
    builder.parameters.update(cipher=cipher, mode=mode, padding=padding if mode in ("ecb", "cbc") else "n/a", xts_standard=xts_standard if mode == "xts" else "n/a")
    judgement = evidence.judge_cipher(case)
    subject = f"{cipher.upper()}-{mode.upper()}"
    builder.add(judgement.result(evidence.judge_cipher.spec, subject))  # type: ignore[attr-defined]
    if not cross_check:
        return
    block = ciphers.CIPHERS[cipher].block_size
    data = ciphers.pad(case.plaintext, block, padding) if mode in ("ecb", "cbc") else case.plaintext
    primary = evidence.compute_ciphertext(case)
    if cipher != "sm4":
        builder.parameters["cross_check_backends"] = [crosscheck_pycryptodome.backend_version()]
        try:
            second = crosscheck_pycryptodome.encrypt(case, data)
        except crosscheck_pycryptodome.NotExpressible as exc:
            builder.add(crosscheck_pycryptodome.not_expressible(subject, str(exc)))
            return
        builder.add(crosscheck_pycryptodome.result(subject, primary[0] + primary[1], second, subject=subject))
        return
    builder.add(_second_opinion(subject, primary[0] + primary[1], lambda: b"".join(crosscheck.sm4_encrypt(case, data)), len(data)))
    if crosscheck_pyx.available():
        try:
            third = crosscheck_pyx.sm4_encrypt(case)
        except crosscheck_pyx.NotExpressible as exc:
            _third_available(builder, str(exc))
            return
    if _third_available(builder):
        builder.add(crosscheck_pyx.result(subject, primary[0] + primary[1], third, subject=subject))


def _user_id(builder: ReportBuilder, given: Mapping[str, Any]) -> bytes:
    from mptool.algo import sm2

    if given.get("id") is not None:
        return str(given["id"]).encode("utf-8")
    if given.get("id_hex") is not None:
        return parse_value("--id-hex", given["id_hex"], builder, allow_empty=True)  # an empty ID is valid (ENTL 0)
    return sm2.DEFAULT_USER_ID


def _sm2_verify(builder: ReportBuilder, given: Mapping[str, Any], values: dict[str, bytes], cross_check: bool) -> None:
    curve_name = SM2_CURVES[given.get("curve", "sm2p256v1")]
    user_id = _user_id(builder, given)
    builder.parameters.update(curve=curve_name, user_id=user_id.hex(), user_id_source="--id" if given.get("id") is not None else ("--id-hex" if given.get("id_hex") is not None else f"default {DEFAULT_SM2_USER_ID.decode()} (GB/T 35276-2017)"))
    judgement = evidence.judge_sm2_verify(values["public_key"], values["message"], values["signature"], user_id, curve_name)
    builder.add(judgement.result(evidence.judge_sm2_verify.spec, "signature"))  # type: ignore[attr-defined]
    if cross_check and "signature_encoding" in judgement.measurements:
        from mptool.algo import sm2
        from mptool.algo.sm2 import crosscheck as sm2_cross

        curve = sm2.CURVES[curve_name]
        point = sm2_public_key(values["public_key"], curve)
        rs = sm2.decode_signature(values["signature"], curve)
        try:
            second: Any = sm2_cross.verify(point, values["message"], rs, user_id, curve=curve)
        except sm2.SM2Error as exc:
            builder.add(crosscheck.not_available("signature", f"gmssl could not compute: {exc}"))
            return
        builder.add(crosscheck.result("sm2-verify", judgement.match, second, subject="signature"))
        if _third_available(builder, "" if curve is sm2.SM2P256V1 else "gmssl-pyx supports sm2p256v1 only"):
            third = crosscheck_pyx.sm2_verify(point, values["message"], sm2.encode_signature_der(*rs), user_id)
            builder.add(crosscheck_pyx.result("sm2-verify", judgement.match, third, subject="signature"))


def _sm2_decrypt(builder: ReportBuilder, given: Mapping[str, Any], values: dict[str, bytes], cross_check: bool) -> None:
    curve_name = SM2_CURVES[given.get("curve", "sm2p256v1")]
    order = given.get("order", "auto")
    builder.parameters.update(curve=curve_name, order=order)
    password = given["key_password"].encode("utf-8") if "key_password" in given else None
    if password is not None:
        builder.parameters["key_password"] = "given (never recorded)"
    judgement = evidence.judge_sm2_decrypt(values["private_key"], values["ciphertext"], values["plaintext"], order, curve_name, password)
    builder.add(judgement.result(evidence.judge_sm2_decrypt.spec, "ciphertext"))  # type: ignore[attr-defined]
    if not cross_check:
        return
    from mptool.algo import sm2
    from mptool.algo.sm2 import crosscheck as sm2_cross

    d = sm2_private_key(values["private_key"], sm2.CURVES[curve_name], password)
    try:
        second: Any = sm2_cross.decrypt(d, values["ciphertext"], order=order, curve=sm2.CURVES[curve_name]).plaintext
    except sm2.SM2DecryptError:
        second = None
    except sm2.SM2Error as exc:
        builder.add(crosscheck.not_available("ciphertext", f"gmssl could not compute: {exc}"))
        return
    primary = judgement.computed_bytes()
    builder.add(crosscheck.result("sm2-decrypt", primary, second, subject="ciphertext", note="plaintext after a verified C3 (None: C3 fails in every encoding)"))
    curve = sm2.CURVES[curve_name]
    if _third_available(builder, "" if curve is sm2.SM2P256V1 else "gmssl-pyx supports sm2p256v1 only"):
        from mptool.algo.sm2.encryption import ciphertext_candidates

        third = None
        for cand in ciphertext_candidates(values["ciphertext"], order, curve):
            if cand.c1 is not None and third is None:
                third = crosscheck_pyx.sm2_decrypt(d, sm2.encode_ciphertext(cand.c1, cand.c3, cand.c2, order="asn1", curve=curve))
        builder.add(crosscheck_pyx.result("sm2-decrypt", primary, third, subject="ciphertext"))


_FORM_HANDLERS = {
    "sm3": _digest_form,
    "hmac-sm3": _digest_form,
    "sm2-verify": _sm2_verify,
    "sm2-decrypt": _sm2_decrypt,
    "rsa-verify": _rsa_form,
}


def verify_vectors(builder: ReportBuilder, files: Sequence[str], *, algorithm: str | None, mode: str | None, jobs: int | None, progress: Progress = DISABLED) -> None:
    """``algo verify`` without a form: the bundled set, or the given vector files."""
    from mptool.algo.checks import kat as verify

    sources = verify.user_sources(builder, files) if files else verify.bundled_sources(builder, algorithm)
    builder.parameters["vector_set"] = "files" if files else "bundled"
    verify.run_vectors(builder, sources, algorithm=algorithm, mode=mode, jobs=jobs, progress=progress)


def run_identify(builder: ReportBuilder, options: Mapping[str, str | None]) -> None:
    """``algo identify``: decode the values and search."""
    from mptool.algo.checks.identify import identify

    values = {k: parse_value(flag(k), v, builder, allow_empty=k in EMPTY_OK) for k, v in options.items() if v is not None}
    identify(builder, values["key"], values["plaintext"], values["ciphertext"], values.get("iv"), values.get("aad", b""), values.get("tag"))


# --- the calculator verbs: algo encrypt | decrypt | sign | hash | mac -------------------------

_CIPHER_OPTIONAL = ("iv", "aad", "tag_length", "padding", "xts_standard")
#: (verb, family) -> (required options, optional options); family is cipher, sm2, rsa, hash or mac
CALC_FORMS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("encrypt", "cipher"): (("mode", "key", "plaintext"), _CIPHER_OPTIONAL),
    ("decrypt", "cipher"): (("mode", "key", "ciphertext"), (*_CIPHER_OPTIONAL, "tag")),
    ("encrypt", "sm2"): (("public_key", "plaintext"), ("order", "curve")),
    ("decrypt", "sm2"): (("private_key", "ciphertext"), ("order", "curve", "key_password")),
    ("encrypt", "rsa"): (("public_key", "plaintext"), ("scheme", "hash")),
    ("decrypt", "rsa"): (("private_key", "ciphertext"), ("scheme", "hash", "key_password")),
    ("sign", "sm2"): (("private_key", "message"), ("id", "id_hex", "curve", "key_password")),
    ("sign", "rsa"): (("private_key", "message"), ("scheme", "hash", "key_password")),
    ("hash", "hash"): (("data",), ()),
    ("mac", "mac"): (("key", "data"), ()),
}
#: Calculator options that are not byte values (``--iv prefix`` is handled apart).
CALC_TEXT_OPTIONS = frozenset({"mode", "padding", "xts_standard", "tag_length", "id", "id_hex", "curve", "order", "scheme", "hash", "key_password"})


def _family(verb: str, algorithm: str) -> str:
    from mptool.algo.checks.calc import CIPHER_NAMES

    if verb in ("hash", "mac"):
        return verb
    return "cipher" if algorithm in CIPHER_NAMES else algorithm


def calculate(builder: ReportBuilder, verb: str, algorithm: str, options: Mapping[str, Any], *, record_secrets: bool = False) -> None:
    """``algo VERB ALGORITHM --…``: compute, record the result and what the report shows."""
    from mptool.algo.checks import calc

    algorithm = algorithm.lower()
    if algorithm not in calc.ALGORITHMS[verb]:
        raise UsageError(f"algo {verb} takes one of {', '.join(calc.ALGORITHMS[verb])}, not {algorithm!r}")
    family = _family(verb, algorithm)
    given = {k: v for k, v in options.items() if v is not None}
    required, optional = CALC_FORMS[(verb, family)]
    missing = [flag(o) for o in required if o not in given]
    if missing:
        raise UsageError(f"algo {verb} {algorithm} needs {', '.join(missing)}")
    extra = sorted(flag(o) for o in given if o not in required and o not in optional)
    if extra:
        raise UsageError(f"algo {verb} {algorithm} does not take {', '.join(extra)}")
    if "id" in given and "id_hex" in given:
        raise UsageError("give --id or --id-hex, not both")
    iv_prefixed = given.get("iv") == "prefix"
    values = {k: parse_value(flag(k), v, builder, allow_empty=k in EMPTY_OK) for k, v in given.items() if k not in CALC_TEXT_OPTIONS and not (k == "iv" and iv_prefixed)}
    builder.parameters.update(verb=verb, algorithm=algorithm, record_secrets=record_secrets)
    password = given["key_password"].encode("utf-8") if "key_password" in given else None
    if "key_password" in given:
        builder.parameters["key_password"] = "given (never recorded)"
    if family == "cipher":
        computed = _calc_cipher(builder, verb, algorithm, given, values, iv_prefixed, record_secrets)
    elif family == "sm2":
        computed = _calc_sm2(builder, verb, given, values, password, record_secrets)
    elif family == "rsa":
        computed = _calc_rsa(builder, verb, given, values, password, record_secrets)
    elif family == "hash":
        computed = calc.digest(algorithm, values["data"])
    else:
        computed = calc.mac(algorithm, values["key"], values["data"])
    builder.add(computed.result(calc.SPECS[verb]))
    builder.shown.extend(computed.shown)


def _calc_cipher(builder: ReportBuilder, verb: str, cipher: str, given: Mapping[str, Any], values: dict[str, bytes], iv_prefixed: bool, record_secrets: bool) -> Any:
    from mptool.algo.checks import calc
    from mptool.algo.primitives import ciphers

    mode = ciphers.normalise_mode(given["mode"])
    if mode not in ciphers.MODES or mode == "cfb1":
        raise InputError("--mode", f"expected one of ecb, cbc, cfb, cfb8, ofb, ctr, gcm, ccm, xts; got {given['mode']!r}")
    padding = given.get("padding", "pkcs7" if mode in ("ecb", "cbc") else "none")
    if padding != "none" and mode not in ("ecb", "cbc"):
        raise InputError("--padding", f"{mode.upper()} is not padded (padding applies to ECB and CBC)")
    tag_length = int(given.get("tag_length", 16))
    if "tag_length" in given and mode not in ciphers.AEAD_MODES:
        raise InputError("--tag-length", f"{mode.upper()} has no authentication tag")
    xts_standard = given.get("xts_standard", "gb" if cipher == "sm4" else "ieee")
    data = values["plaintext" if verb == "encrypt" else "ciphertext"]
    req = calc.CipherRequest(cipher, mode, values["key"], data, values.get("iv"), iv_prefixed, values.get("aad", b""), values.get("tag"), tag_length, padding, xts_standard, key_text=given["key"])
    builder.parameters.update(cipher=cipher, mode=mode, padding=padding if mode in ("ecb", "cbc") else "n/a", xts_standard=xts_standard if mode == "xts" else "n/a")
    if mode in ciphers.AEAD_MODES:
        builder.parameters["tag_length"] = len(req.tag) if req.tag is not None else tag_length
    return calc.encrypt_cipher(req) if verb == "encrypt" else calc.decrypt_cipher(req, record_secrets)


def _sm2_curve(builder: ReportBuilder, given: Mapping[str, Any]) -> Any:
    from mptool.algo import sm2

    name = SM2_CURVES[given.get("curve", "sm2p256v1")]
    builder.parameters["curve"] = name
    return sm2.CURVES[name]


def sm2_public_key(data: bytes, curve: Any, option: str = "--public-key") -> Any:
    """An SM2 public point: a raw point, a certificate or a SubjectPublicKeyInfo (PEM or DER)."""
    from mptool.algo.keys import load_sm2_public_key

    return load_sm2_public_key(data, option, curve)


def sm2_private_key(data: bytes, curve: Any, password: bytes | None, option: str = "--private-key") -> int:
    """An SM2 private key d: raw, PKCS#8, SEC1 or encrypted PKCS#8 (with ``--key-password``)."""
    from mptool.algo.keys import load_sm2_private_key

    return load_sm2_private_key(data, option, password, curve=curve)


def _calc_sm2(builder: ReportBuilder, verb: str, given: Mapping[str, Any], values: dict[str, bytes], password: bytes | None, record_secrets: bool) -> Any:
    from mptool.algo.checks import calc

    curve = _sm2_curve(builder, given)
    if verb == "sign":
        user_id = _user_id(builder, given)
        builder.parameters.update(user_id=user_id.hex(), user_id_source="--id" if "id" in given else ("--id-hex" if "id_hex" in given else f"default {DEFAULT_SM2_USER_ID.decode()} (GB/T 35276-2017)"))
        return calc.sign_sm2(sm2_private_key(values["private_key"], curve, password), values["message"], user_id, curve)
    order = given.get("order", "c1c3c2" if verb == "encrypt" else "auto")
    builder.parameters["order"] = order
    if verb == "encrypt":
        if order == "auto":
            raise InputError("--order", "encrypt needs one encoding: c1c3c2, c1c2c3 or asn1")
        return calc.encrypt_sm2(sm2_public_key(values["public_key"], curve), values["plaintext"], order, curve)
    return calc.decrypt_sm2(sm2_private_key(values["private_key"], curve, password), values["ciphertext"], order, curve, record_secrets)


def _calc_rsa(builder: ReportBuilder, verb: str, given: Mapping[str, Any], values: dict[str, bytes], password: bytes | None, record_secrets: bool) -> Any:
    from mptool.algo.checks import calc

    scheme = given.get("scheme", "pss" if verb == "sign" else "oaep")
    hash_name = given.get("hash", "sha256")
    builder.parameters.update(scheme=scheme, hash=hash_name)
    if verb == "encrypt":
        return calc.encrypt_rsa(evidence.load_rsa_public_key(values["public_key"]), values["plaintext"], scheme, hash_name)
    key = calc.load_rsa_private_key(values["private_key"], password)
    if verb == "sign":
        return calc.sign_rsa(key, values["message"], scheme, hash_name)
    return calc.decrypt_rsa(key, values["ciphertext"], scheme, hash_name, record_secrets)
