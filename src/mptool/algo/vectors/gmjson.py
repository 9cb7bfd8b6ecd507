"""mptool's own JSON format for GM (SM2/SM3/SM4/HMAC-SM3) vectors, documented in docs/algo.md.

A JSON object whose keys are sections, each a list of vector objects with an ``id``; hex is
big-endian, any case. ``format`` (``"mptool-gm-vectors/1"``), ``_about``, ``curves`` and
``sm3_z_examples`` are informative and not run. Sections and their fields (``?`` = optional):

* ``sm3``: msg, digest
* ``hmac_sm3``: key, msg, mac
* ``sm4``: key, plaintext, ciphertext, iterations? (GB/T 32907 Annex A example 2: 1,000,000)
* ``sm4_modes``: mode (CBC, CFB128, OFB, CTR, GCM, CCM, XTS-GB, XTS-IEEE, ECB), key, iv?,
  aad?, plaintext, ciphertext, tag?
* ``sm2_sign``: curve (sm2p256v1 | sm2_test_fp256), uid, d, px, py, msg, k, za?, e?, r, s,
  sig_raw_rs?, sig_der_gbt35276?
* ``sm2_encrypt``: curve, d, px, py, msg, k, ct_c1c3c2_raw, ct_c1c2c3_raw?, ct_asn1_gbt35276?
* ``sm2_kdf``: z, klen_bits, k
* ``sm2_key_exchange``: curve, klen_bits, ida_ascii, idb_ascii, da, pax, pay, db, pbx, pby,
  ra, rb, k, s1_sb?, sa_s2?
"""

from __future__ import annotations

from typing import Any

from mptool.algo.vectors.cavp import VectorFormatError
from mptool.algo.vectors.model import Vector, VectorFile

FORMAT = "mptool-gm-vectors/1"
_INFORMATIVE = frozenset({"format", "_about", "curves", "sm3_z_examples", "source"})
_SECTIONS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    # section: (algorithm, mode, op, required fields)
    "sm3": ("sm3", "hash", "hash", ("msg", "digest")),
    "hmac_sm3": ("hmac", "sm3", "mac", ("key", "msg", "mac")),
    "sm4": ("sm4", "ecb", "iterate", ("key", "plaintext", "ciphertext")),
    "sm4_modes": ("sm4", "*", "both", ("mode", "key", "plaintext", "ciphertext")),
    "sm2_sign": ("sm2", "sign", "sm2-sign", ("curve", "uid", "d", "px", "py", "msg", "k", "r", "s")),
    "sm2_encrypt": ("sm2", "encrypt", "sm2-encrypt", ("curve", "d", "px", "py", "msg", "k", "ct_c1c3c2_raw")),
    "sm2_kdf": ("sm2", "kdf", "sm2-kdf", ("z", "klen_bits", "k")),
    "sm2_key_exchange": ("sm2", "keyexchange", "sm2-kex", ("curve", "klen_bits", "ida_ascii", "idb_ascii", "da", "pax", "pay", "db", "pbx", "pby", "ra", "rb", "k")),
}
_TEXT_FIELDS = frozenset({"id", "source", "curve", "mode", "padding", "note", "uid_ascii", "msg_ascii", "ida_ascii", "idb_ascii"})


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is in mptool's GM vector format."""
    return isinstance(data, dict) and (data.get("format") == FORMAT or any(k in data for k in _SECTIONS))


#: integer fields and their upper bounds (a vector file must not make the runner loop for hours)
_INT_FIELDS = {"klen_bits": 1 << 20, "iterations": 100_000_000}


def _field(entry: dict[str, Any], key: str, where: str) -> Any:
    value = entry[key]
    if key in _INT_FIELDS:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _INT_FIELDS[key]:
            raise VectorFormatError(f"{where}: {key} must be an integer from 0 to {_INT_FIELDS[key]}")
        return value
    if not isinstance(value, str):
        raise VectorFormatError(f"{where}: {key} must be a string")
    if key in _TEXT_FIELDS or key.endswith("_ascii"):
        return value
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise VectorFormatError(f"{where}: {key} is not hex: {value[:40]!r}") from None


def _mode(text: str, where: str) -> tuple[str, str]:
    mode = text.lower()
    if mode in ("xts-gb", "xts-ieee"):
        return "xts", mode[4:]
    mode = {"cfb128": "cfb"}.get(mode, mode)
    if mode not in ("ecb", "cbc", "cfb", "cfb8", "ofb", "ctr", "gcm", "ccm"):
        raise VectorFormatError(f"{where}: unknown SM4 mode {text!r}")
    return mode, ""


def parse(data: dict[str, Any], name: str) -> VectorFile:
    """Turn a GM vector JSON object into vectors."""
    if data.get("format", FORMAT) != FORMAT:
        raise VectorFormatError(f"format must be {FORMAT!r}, got {data.get('format')!r}")
    result = VectorFile(name, "mptool-gm")
    for section, entries in data.items():
        if section in _INFORMATIVE:
            continue
        if section not in _SECTIONS:
            raise VectorFormatError(f"unknown section {section!r} (expected one of {', '.join(sorted(_SECTIONS))})")
        if not isinstance(entries, list):
            raise VectorFormatError(f"section {section!r} must be a list of vectors")
        algorithm, mode, op, required = _SECTIONS[section]
        for index, entry in enumerate(entries):
            where = f"{section}[{index}]"
            if not isinstance(entry, dict):
                raise VectorFormatError(f"{where}: expected an object")
            where = f"{section}[{index}] {entry.get('id', '')}".strip()
            missing = [k for k in required if k not in entry]
            if missing:
                raise VectorFormatError(f"{where}: missing {', '.join(missing)}")
            fields = {k: _field(entry, k, where) for k in entry}
            vector_mode = mode
            if mode == "*":
                vector_mode, convention = _mode(str(entry["mode"]), where)
                fields["xts_convention"] = convention or "ieee"
                fields["pt"], fields["ct"] = fields.pop("plaintext"), fields.pop("ciphertext")
                for optional in ("iv", "aad", "tag"):
                    fields.setdefault(optional, b"")
                if vector_mode in ("gcm", "ccm"):
                    op = "aead-both"
                else:
                    op = "both"
            result.vectors.append(Vector(algorithm, vector_mode, op, fields, f"{name}: {where}", kind="gm"))
            op = _SECTIONS[section][2]
    if not result.vectors:
        raise VectorFormatError("no vectors found")
    return result
