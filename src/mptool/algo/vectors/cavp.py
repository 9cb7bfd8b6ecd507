"""NIST CAVP response files (``.rsp``, and the ``.txt`` files in the same layout).

Layout (AESAVS, TDES, GCMVS, CCMVS, XTSVS, SHAVS, RSA SigGen/SigVer): ``#`` comment header
naming the test, ``[SECTION]`` or ``[name = value, …]`` lines that set parameters for the
records below, and records of ``NAME = value`` lines separated by blank lines. A block of
lines that holds no output value (``n =``/``e =``, ``Key =``/``Nonce =``) sets parameters too.
Decryption failures are a bare ``FAIL`` line (GCM) or ``Result = Fail`` (CCM) or
``Result = F (reason)`` (RSA SigVer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mptool.algo.vectors.model import INVALID, VALID, Vector, VectorFile


class VectorFormatError(ValueError):
    """A vector file that cannot be parsed; the message says where and what was expected."""


#: keys whose presence makes a block of lines a record rather than parameters
_RECORD_KEYS = frozenset({"count", "plaintext", "ciphertext", "pt", "ct", "s", "md", "result", "fail", "tag", "payload", "output", "msg", "plaintext1", "ciphertext1"})
#: a record line's name (the text before its first ``=``, stripped); checked with fullmatch, so
#: each line costs one pass however long (a regular expression over the whole line with lazy
#: and greedy whitespace was quadratic: one letter and 100k spaces took a minute)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_ ]*")
#: names of which one line makes a text a CAVP file (:func:`looks_like`)
_DETECT_NAMES = frozenset({"COUNT", "Count", "KEY", "Key", "Len", "n", "SHAAlg"})
_HEX = re.compile(r"^[0-9A-Fa-f]*$")


@dataclass(frozen=True)
class FileKind:
    """What a CAVP file tests: algorithm, mode and test type."""

    algorithm: str
    mode: str
    kind: str
    unsupported: str = ""
    salt_len: int | None = None


_AES_MODES = {"ECB": "ecb", "CBC": "cbc", "CFB1": "cfb1", "CFB8": "cfb8", "CFB128": "cfb", "OFB": "ofb", "CTR": "ctr"}
_TDES_MODES = {
    "ECB": "ecb",
    "CBC": "cbc",
    "CFB1": "cfb1",
    "CFB8": "cfb8",
    "CFB64": "cfb",
    "OFB": "ofb",
    # ANSI X9.52 interleaved / pipelined variants (mptool.algo.primitives.tdes_interleaved)
    "CBCI": "cbc-i",
    "OFBI": "ofb-i",
    "CFBP1": "cfb1-p",
    "CFBP8": "cfb8-p",
    "CFBP64": "cfb-p",
}
#: modes whose CAVP data are strings of bits
BIT_MODES = frozenset({"cfb1", "cfb1-p"})


def classify(header: str, name: str) -> FileKind | None:
    """Tell algorithm, mode and test type from a file's comment header (and its name)."""
    text = header + "\n" + name
    low = text.lower()
    if m := re.search(r"AESVS (\w+) test data for (\w+)", text):
        return FileKind("aes", _AES_MODES.get(m.group(2).upper(), m.group(2).lower()), m.group(1).lower())
    if "tdes" in low:
        m = re.search(r"for (\w+)\s*$", header, re.M)
        mode = m.group(1).upper() if m else ""
        kind = "mct" if "monte" in low else ("mmt" if "multi block" in low else "kat")
        if mode not in _TDES_MODES:
            return None
        return FileKind("tdes", _TDES_MODES[mode], kind)
    if re.search(r"GCM (Decrypt|Encrypt)", text) or "gcmdecrypt" in low or "gcmencrypt" in low:
        return FileKind("aes", "gcm", "kat")
    if m := re.search(r'"CCM-(\w+)"', text):
        return FileKind("aes", "ccm", m.group(1).lower())
    if "xtsgen" in low:
        return FileKind("aes", "xts", "kat")
    if m := re.search(r"(SigGen|SigVer) (?:PKCS#1 )?(?:RSA)?(?:SSA-)?(PSS|Ver 1\.5|15)", text):
        mode = "pss" if m.group(2) == "PSS" else "pkcs1v15"
        salt = re.search(r"Salt len:\s*(\d+)", header)
        return FileKind("rsa", mode, m.group(1).lower(), salt_len=int(salt.group(1)) if salt else None)
    if m := re.search(r"^#\s*SM4 (\w+)", header, re.M):
        return FileKind("sm4", {"CFB": "cfb"}.get(m.group(1).upper(), m.group(1).lower()), "kat")
    if re.search(r"^#\s*SM3\b", header, re.M):
        return FileKind("sm3", "hash", "kat")
    if m := re.search(r'"SHA-(1|224|256|384|512|512/224|512/256) (ShortMsg|LongMsg|Monte)"', header):
        return FileKind("sha", "sha" + m.group(1).replace("/", "_"), m.group(2).lower())
    if m := re.search(r"HMAC-SHA-?(1|224|256|384|512)\b", header):
        return FileKind("hmac", "sha" + m.group(1), "kat")
    if "aes counter" in low or re.search(r"aes-\d+-ctr", low):
        return FileKind("aes", "ctr", "kat")
    return None


def parse_records(text: str, source: str) -> tuple[str, list[tuple[int, dict[str, str], dict[str, str]]]]:
    """Split a CAVP text into its comment header and ``(line, parameters, record)`` triples."""
    header_lines: list[str] = []
    params: dict[str, str] = {}
    records: list[tuple[int, dict[str, str], dict[str, str]]] = []
    block: dict[str, str] = {}
    block_line = 0
    seen_content = False

    def flush() -> None:
        nonlocal block
        if not block:
            return
        if _RECORD_KEYS & block.keys():
            records.append((block_line, dict(params), block))
        else:
            params.update(block)
        block = {}

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if not seen_content:
                header_lines.append(line)
            continue
        seen_content = True
        if line.startswith("["):
            if not line.endswith("]"):
                raise VectorFormatError(f"line {number}: unterminated section header {line!r}")
            flush()
            inner = line[1:-1].strip()
            if "=" not in inner:
                params["direction"] = inner.lower()
                continue
            for part in inner.split(","):
                if "=" not in part:
                    raise VectorFormatError(f"line {number}: expected 'name = value' in section header {line!r}")
                key, value = part.split("=", 1)
                params[key.strip().lower()] = value.strip()
            continue
        if line.upper() == "FAIL":
            block["fail"] = "1"
            continue
        name, equals, value = line.partition("=")
        name = name.rstrip()
        if not equals or not _NAME.fullmatch(name):
            raise VectorFormatError(f"line {number}: expected 'NAME = value', '[SECTION]', 'FAIL' or a comment, got {line[:40]!r}")
        key = name.lower()
        if key in block and key in ("count",):
            flush()
        if not block:
            block_line = number
        block[key] = value.strip()
    flush()
    if not records:
        raise VectorFormatError("no records found (expected 'COUNT = …' blocks with inputs and outputs)")
    return "\n".join(header_lines), records


def hexbytes(value: str, what: str, line: int) -> bytes:
    """Hex text (any case, possibly empty) to bytes, or a VectorFormatError naming the line."""
    value = value.strip()
    if len(value) % 2 or not _HEX.match(value):
        raise VectorFormatError(f"line {line}: {what} is not an even number of hex digits: {value[:40]!r}")
    return bytes.fromhex(value)


def _int(value: str, what: str, line: int) -> int:
    """A count or length: decimal digits only (Python's int() would also take a sign, "_" and spaces)."""
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise VectorFormatError(f"line {line}: {what} must be a decimal integer, got {value[:20]!r}")
    return int(text)


def _hex_int(value: str, what: str, line: int) -> int:
    """A positive integer in hex digits only (an RSA modulus or exponent; "-001" was exit 128)."""
    text = value.strip()
    number = int(text, 16) if text and _HEX.match(text) else 0
    if not number:
        raise VectorFormatError(f"line {line}: {what} must be a positive hex integer, got {value[:20]!r}")
    return number


def _key(rec: dict[str, str], line: int) -> bytes:
    if "key" in rec:
        return hexbytes(rec["key"], "KEY", line)
    if "keys" in rec:
        return hexbytes(rec["keys"], "KEYs", line) * 3
    if "key1" in rec:
        return b"".join(hexbytes(rec.get(f"key{i}", ""), f"KEY{i}", line) for i in (1, 2, 3))
    raise VectorFormatError(f"line {line}: record has no KEY")


def _get(rec: dict[str, str], line: int, *names: str) -> str:
    for name in names:
        if name in rec:
            return rec[name]
    raise VectorFormatError(f"line {line}: record lacks {' or '.join(n.upper() for n in names)}")


def _direction(params: dict[str, str], rec: dict[str, str]) -> str:
    return "decrypt" if params.get("direction") == "decrypt" else "encrypt"


def _symmetric(kind: FileKind, line: int, params: dict[str, str], rec: dict[str, str], ident: str) -> Vector:
    direction = _direction(params, rec)
    if "iv1" in rec:
        iv = b"".join(hexbytes(rec.get(f"iv{i}", ""), f"IV{i}", line) for i in (1, 2, 3))
    else:
        iv = hexbytes(rec.get("iv", ""), "IV", line)
    fields: dict[str, object] = {"key": _key(rec, line), "iv": iv}
    for name in ("plaintext", "ciphertext"):
        text = _lanes(rec, name, line)
        key = "pt" if name == "plaintext" else "ct"
        if kind.mode in BIT_MODES:
            if set(text) - {"0", "1"}:
                raise VectorFormatError(f"line {line}: {kind.mode.upper()} {name.upper()} must be a string of bits")
            fields[key] = text
        else:
            fields[key] = hexbytes(text, name.upper(), line)
    op = ("mct-" if kind.kind == "mct" else "") + direction
    return Vector(kind.algorithm, kind.mode, op, fields, ident, kind=kind.kind)


def _lanes(rec: dict[str, str], name: str, line: int) -> str:
    """A value, or the concatenation of its three lanes (``PLAINTEXT1..3`` of the X9.52 KAT files).

    In those KATs a side given once (``PLAINTEXT`` or just ``CIPHERTEXT1``) while the other side
    has three lanes enters all three lanes.
    """
    three = any(f"{n}{i}" in rec for n in ("plaintext", "ciphertext") for i in (2, 3))
    short = {"plaintext": "pt", "ciphertext": "ct"}[name]
    if all(f"{name}{i}" in rec for i in (1, 2, 3)):
        return "".join(rec[f"{name}{i}"].strip() for i in (1, 2, 3))
    for key in (name, short, f"{name}1"):
        if key in rec:
            return rec[key].strip() * (3 if three else 1)
    raise VectorFormatError(f"line {line}: record lacks {name.upper()}")


def _gcm(kind: FileKind, line: int, params: dict[str, str], rec: dict[str, str], ident: str) -> Vector:
    fields = {
        "key": _key(rec, line),
        "iv": hexbytes(_get(rec, line, "iv"), "IV", line),
        "aad": hexbytes(rec.get("aad", ""), "AAD", line),
        "ct": hexbytes(rec.get("ct", rec.get("ciphertext", "")), "CT", line),
        "tag": hexbytes(_get(rec, line, "tag"), "Tag", line),
        "pt": hexbytes(rec.get("pt", rec.get("plaintext", "")), "PT", line),
    }
    if "fail" in rec:
        return Vector(kind.algorithm, "gcm", "aead-decrypt", fields, ident, expect=INVALID, reason="FAIL")
    if "pt" not in rec and "plaintext" not in rec:
        raise VectorFormatError(f"line {line}: GCM record has neither PT nor FAIL")
    op = "aead-decrypt" if kind.kind == "decrypt" else "aead-encrypt"
    return Vector(kind.algorithm, "gcm", op, fields, ident)


def _ccm(kind: FileKind, line: int, params: dict[str, str], rec: dict[str, str], ident: str) -> Vector:
    merged = {**params, **rec}
    try:
        alen, plen, tlen = (_int(merged[k], k, line) for k in ("alen", "plen", "tlen"))
    except KeyError:
        raise VectorFormatError(f"line {line}: CCM record needs Alen, Plen and Tlen parameters") from None
    ct = hexbytes(_get(merged, line, "ct"), "CT", line)
    fields = {
        "key": hexbytes(_get(merged, line, "key"), "Key", line),
        "iv": hexbytes(_get(merged, line, "nonce"), "Nonce", line),
        "aad": hexbytes(merged.get("adata", ""), "Adata", line)[:alen],
        "ct": ct[: len(ct) - tlen],
        "tag": ct[len(ct) - tlen :],
        "pt": hexbytes(merged.get("payload", ""), "Payload", line)[:plen],
    }
    if kind.kind == "dvpt":
        result = _get(rec, line, "result").lower()
        expect = VALID if result.startswith("pass") else INVALID
        return Vector("aes", "ccm", "aead-decrypt", fields, ident, expect=expect, kind="dvpt")
    return Vector("aes", "ccm", "aead-encrypt", fields, ident, kind=kind.kind)


def _xts(kind: FileKind, line: int, params: dict[str, str], rec: dict[str, str], ident: str) -> Vector:
    fields = {
        "key": _key(rec, line),
        "iv": hexbytes(_get(rec, line, "i"), "i", line),
        "pt": hexbytes(_get(rec, line, "pt"), "PT", line),
        "ct": hexbytes(_get(rec, line, "ct"), "CT", line),
        "bit_length": _int(_get(rec, line, "dataunitlen"), "DataUnitLen", line),
    }
    return Vector("aes", "xts", _direction(params, rec), fields, ident)


def _rsa(kind: FileKind, line: int, params: dict[str, str], rec: dict[str, str], ident: str) -> Vector:
    merged = {**params, **rec}
    n = _hex_int(_get(merged, line, "n"), "n", line)
    e = _hex_int(_get(merged, line, "e"), "e", line)
    fields: dict[str, object] = {
        "n": n,
        "e": e,
        "hash": _get(merged, line, "shaalg").lower().replace("-", ""),
        "msg": hexbytes(_get(rec, line, "msg"), "Msg", line),
        "sig": hexbytes(_get(rec, line, "s"), "S", line),
    }
    if kind.mode == "pss":
        salt = rec.get("saltval")
        if kind.salt_len is not None:
            fields["salt_len"] = kind.salt_len
        elif salt is not None:
            fields["salt_len"] = 0 if salt.strip() == "00" else len(hexbytes(salt, "SaltVal", line))
        else:
            raise VectorFormatError(f"line {line}: RSASSA-PSS record needs a salt length ('# Salt len:' header or SaltVal)")
    expect, reason = VALID, ""
    if kind.kind == "sigver":
        result = _get(rec, line, "result").strip()
        if result[:1].upper() not in ("P", "F"):
            raise VectorFormatError(f"line {line}: Result must be P or F, got {result!r}")
        expect = VALID if result[:1].upper() == "P" else INVALID
        reason = result[1:].strip(" ()")
    return Vector("rsa", kind.mode, "verify", fields, ident, expect=expect, kind=kind.kind, reason=reason)


def _sm3(kind: FileKind, line: int, params: dict[str, str], rec: dict[str, str], ident: str) -> Vector:
    length = _int(_get(rec, line, "len"), "Len", line)
    msg = hexbytes(_get(rec, line, "msg"), "Msg", line)
    if length % 8:
        raise VectorFormatError(f"line {line}: bit-oriented message lengths are not supported")
    fields = {"msg": msg[: length // 8], "digest": hexbytes(_get(rec, line, "md"), "MD", line)}
    return Vector("sm3", "hash", "hash", fields, ident)


def _sha(kind: FileKind, line: int, params: dict[str, str], rec: dict[str, str], ident: str) -> Vector:
    if kind.kind == "monte":
        fields = {"seed": hexbytes(_get(params, line, "seed"), "Seed", line), "digest": hexbytes(_get(rec, line, "md"), "MD", line)}
        return Vector("sha", kind.mode, "sha-monte", fields, ident, kind="mct")
    vector = _sm3(kind, line, params, rec, ident)
    return Vector("sha", kind.mode, "hash", vector.fields, ident, kind=kind.kind)


def _hmac(kind: FileKind, line: int, params: dict[str, str], rec: dict[str, str], ident: str) -> Vector:
    fields = {
        "key": hexbytes(_get(rec, line, "key"), "Key", line),
        "msg": hexbytes(_get(rec, line, "msg"), "Msg", line),
        "mac": hexbytes(_get(rec, line, "md"), "MD", line),
        "hash": kind.mode,
    }
    return Vector("hmac", kind.mode, "mac", fields, ident)


def parse(text: str, name: str, *, algorithm: str | None = None, mode: str | None = None) -> VectorFile:
    """Parse a CAVP file. ``algorithm``/``mode`` name the algorithm when the header does not."""
    header, records = parse_records(text, name)
    kind = classify(header, name)
    if kind is None and algorithm and mode:
        kind = FileKind(algorithm, mode, "kat")
    if kind is None:
        raise VectorFormatError("cannot tell algorithm and mode from the file's header: give --algo and --mode")
    result = VectorFile(name, "cavp")
    if kind.unsupported:
        result.unsupported.append((f"{kind.algorithm}-{kind.mode}", kind.unsupported))
        return result
    builder = _BUILDERS.get((kind.algorithm, kind.mode)) or _BUILDERS.get((kind.algorithm, "*"))
    if builder is None:
        raise VectorFormatError(f"no CAVP support for {kind.algorithm} {kind.mode}")
    if kind.mode == "gcm":
        kind = FileKind(kind.algorithm, "gcm", "decrypt" if "decrypt" in (header + name).lower() else "encrypt")
    if kind.algorithm == "sha" and kind.kind == "monte":
        records = _chain_monte_seeds(records)
    for line, params, rec in records:
        count = rec.get("count", "?")
        section = params.get("direction", "")
        ident = f"{name}:{line} COUNT={count}" + (f" [{section.upper()}]" if section else "")
        result.vectors.append(builder(kind, line, params, rec, ident))
    return result


def _chain_monte_seeds(records: list[tuple[int, dict[str, str], dict[str, str]]]) -> list[tuple[int, dict[str, str], dict[str, str]]]:
    """SHAVS Monte (§6.4): checkpoint j starts from the digest of checkpoint j-1 (the first from Seed)."""
    out = []
    previous: str | None = None
    for line, params, rec in records:
        seeded = dict(params) if previous is None else {**params, "seed": previous}
        out.append((line, seeded, rec))
        previous = rec.get("md")
    return out


_BUILDERS = {
    ("aes", "gcm"): _gcm,
    ("sm4", "gcm"): _gcm,
    ("aes", "ccm"): _ccm,
    ("aes", "xts"): _xts,
    ("rsa", "*"): _rsa,
    ("sm3", "*"): _sm3,
    ("sha", "*"): _sha,
    ("hmac", "*"): _hmac,
    ("aes", "*"): _symmetric,
    ("tdes", "*"): _symmetric,
    ("sm4", "*"): _symmetric,
}


def looks_like(text: str) -> bool:
    """Whether a text looks like a CAVP file (``NAME = value`` records): one line ``COUNT =``,
    ``Key =``, ``Len =``, ``n =`` or ``SHAAlg =`` (one pass over the lines, no backtracking)."""
    for line in text.split("\n"):
        name, equals, _ = line.partition("=")
        if equals and name.strip() in _DETECT_NAMES:
            return True
    return False
