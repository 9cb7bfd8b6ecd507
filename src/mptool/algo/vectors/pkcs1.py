"""RSA Laboratories PKCS#1 v2.1 example files (``oaep-vect.txt``, ``pss-vect.txt``) and the
files in the same layout (pyca's ``pkcs1v15crypt-vectors.txt``, ``pkcs1v15sign-vectors.txt``,
``oaep-sha*-sha*.txt``).

Layout: ``# Example N: A …-bit RSA key pair`` starts a key (``# Modulus:``, ``# Public exponent:``,
``# Exponent:``, ``# Prime 1:`` … each followed by hex lines), then examples such as
``# OAEP Example 1.1`` / ``# RSASSA-PSS Signature Example 1.1`` /
``# PKCS#1 v1.5 Encryption Example 1.1`` / ``# PKCS#1 v1.5 Signature Example 1.1`` with
``# Message to be encrypted:``/``# Message:``, ``# Seed:``/``# Salt:`` and
``# Encryption:``/``# Signature:``.
"""

from __future__ import annotations

import re

from mptool.algo.vectors.cavp import VectorFormatError
from mptool.algo.vectors.model import Vector, VectorFile

# Comment lines are matched on their stripped body, each pattern anchored on a literal, so a
# line costs one pass however long (whole-line patterns with lazy groups and whitespace runs
# were quadratic).
_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9 ]*")
#: "<title> Example N[.M]<rest>", the title non-empty and followed by whitespace
_EXAMPLE = re.compile(r"(?<=\s)Example\s+(\d+(?:\.\d+)?)")
#: a series header such as "# PKCS#1 v1.5 encryption of 20 random messages with random seeds"
_SERIES = re.compile(r"(?:encryption|signing) of \d+ random messages", re.I)


def _example_rest(body: str) -> str | None:
    """What follows ``Example N`` in an example title line's body, or None when it is not one."""
    for match in _EXAMPLE.finditer(body):
        if body[: match.start()].strip():
            return body[match.end() :]
    return None


def _label(body: str) -> str | None:
    """The field label of a ``# Label:`` line's body (lower case), or None."""
    if body.endswith(":") and _LABEL.fullmatch(body[:-1]):
        return body[:-1].lower().strip()
    return None
_KEY_FIELDS = {
    "modulus": "n",
    "public exponent": "e",
    "exponent": "e",  # in the public key; becomes d inside the private key
    "prime 1": "p",
    "prime 2": "q",
    "prime exponent 1": "dmp1",
    "prime exponent 2": "dmq1",
    "coefficient": "iqmp",
}


def looks_like(text: str) -> bool:
    """Whether a text is in the PKCS#1 example layout."""
    return any(line[1:].strip() == "Modulus:" for line in text.split("\n") if line.startswith("#")) and "Example" in text


def _kind(title: str, filename: str) -> tuple[str, str]:
    low = title.lower()
    if "pss" in low:
        return "pss", "verify"
    if "v1.5 signature" in low or "v1.5 signing" in low:
        return "pkcs1v15", "sign"
    if "v1.5 encryption" in low:
        return "pkcs1v15-enc", "decrypt"
    if "oaep" in low:
        return "oaep", "decrypt"
    lower = filename.lower()
    if "pss" in lower:
        return "pss", "verify"
    if "oaep" in lower:
        return "oaep", "decrypt"
    raise VectorFormatError(f"cannot tell the scheme of example {title!r}")


def parse(text: str, name: str) -> VectorFile:
    """Parse a PKCS#1-example file into RSA vectors (decrypt OAEP/v1.5, sign v1.5, verify PSS)."""
    result = VectorFile(name, "pkcs1")
    key: dict[str, int] = {}
    section = "public"
    example: dict[str, object] | None = None
    label: str | None = None
    buffer: list[str] = []
    series = ""

    def store() -> None:
        nonlocal label, buffer
        if label is None:
            return
        hex_text = "".join(buffer).replace(" ", "")
        if not re.fullmatch(r"[0-9A-Fa-f]*", hex_text) or (len(hex_text) % 2 and label not in _KEY_FIELDS):
            raise VectorFormatError(f"{label}: not hex")
        if example is not None and label in ("message to be encrypted", "message", "message to be signed", "seed", "salt", "encryption", "signature"):
            example[label.split()[0]] = bytes.fromhex(hex_text)
        elif label in _KEY_FIELDS:
            field = _KEY_FIELDS[label]
            if label == "exponent" and section == "private":
                field = "d"
            key[field] = int(hex_text, 16) if hex_text else 0
        label, buffer = None, []

    def finish_example() -> None:
        nonlocal example
        if example is None:
            return
        title = str(example.pop("title"))
        mode, op = _kind(title, name)
        missing = [f for f in (("message", "encryption") if op == "decrypt" else ("message", "signature")) if f not in example]
        if missing:
            raise VectorFormatError(f"example {title!r} lacks {', '.join(missing)}")
        if "n" not in key or "e" not in key:
            raise VectorFormatError(f"example {title!r} comes before its key (modulus and exponent)")
        if op in ("decrypt", "sign") and "d" not in key:  # issue 21 (fuzzing): a KeyError, exit 128
            raise VectorFormatError(f"example {title!r} needs the private key, but its key has no private exponent")
        fields = {**key, "msg": example["message"], "hash": str(example.get("hash", "sha1")), "mgf_hash": str(example.get("mgf", example.get("hash", "sha1")))}
        if op == "decrypt":
            fields["ct"] = example["encryption"]
        else:
            fields["sig"] = example["signature"]
            if mode == "pss":
                fields["salt_len"] = len(example.get("salt", b""))  # type: ignore[arg-type]
        result.vectors.append(Vector("rsa", mode, op, fields, f"{name}: {title}"))
        example = None

    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("#"):
            if label is not None and line:
                buffer.append(line)
            elif line and label is None and not line.startswith("=") and example is not None:
                raise VectorFormatError(f"unexpected data line {line[:40]!r}")
            continue
        store()
        body = line.lstrip("#").strip()
        if re.match(r"Example \d+: A \d+-bit RSA key pair", body):
            finish_example()
            key, section = {}, "public"
            continue
        if body.lower() == "public key":
            section = "public"
            continue
        if body.lower() == "private key":
            section = "private"
            continue
        after = line[1:].strip()  # the comment's text after its first '#'
        if _SERIES.search(after):
            finish_example()
            series = after
            continue
        rest = _example_rest(after)
        if rest is not None:
            finish_example()
            example = {"title": body}
            for part in rest.split():
                if part.startswith("alg="):
                    example["hash"] = part[4:]
                elif part.startswith("mgf1="):
                    example["mgf"] = part[5:]
            continue
        found = _label(after)
        if found is not None:
            label = found
            if example is not None and label in ("modulus", "exponent", "public exponent"):
                finish_example()
            if example is None and label.startswith("message") and series:
                example = {"title": f"{series} (first, unnumbered)"}
    store()
    finish_example()
    if not result.vectors:
        raise VectorFormatError("no PKCS#1 examples found")
    return result
