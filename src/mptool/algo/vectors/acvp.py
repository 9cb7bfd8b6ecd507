"""NIST ACVP JSON: a prompt file and its expectedResults file (usnistgov/ACVP-Server layout).

Both have ``vsId``, ``algorithm`` (e.g. ``ACVP-AES-GCM``), ``revision`` and ``testGroups[]``
(``tgId``, ``testType``, ``direction``, ``keyLen``, ``tagLen`` …) with ``tests[]`` (``tcId``).
The prompt carries the inputs, the expected results the outputs (``ct``/``tag``, ``pt``, or
``testPassed: false`` for a decryption that must fail). Files are paired by ``vsId``; a file
that holds inputs and outputs together (an internal projection) stands alone. The ACVP
top-level array form ``[{"acvVersion": …}, {…}]`` is accepted. AFT tests of the AES and
TDES block modes are run; other test types are reported as not supported.
"""

from __future__ import annotations

from typing import Any

from mptool.algo.vectors.cavp import VectorFormatError
from mptool.algo.vectors.model import INVALID, Vector, VectorFile

_MODES = {"ECB": "ecb", "CBC": "cbc", "CFB8": "cfb8", "CFB128": "cfb", "CFB64": "cfb", "OFB": "ofb", "CTR": "ctr", "GCM": "gcm", "CCM": "ccm", "CFB1": "cfb1"}
_INPUT_KEYS = ("key", "key1")


def unwrap(data: Any) -> Any:
    """The vector-set object of ACVP's ``[{"acvVersion"}, {...}]`` array form, or ``data``."""
    if isinstance(data, list) and len(data) == 2 and isinstance(data[0], dict) and "acvVersion" in data[0]:
        return data[1]
    return data


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is an ACVP prompt or expected-results file."""
    data = unwrap(data)
    return isinstance(data, dict) and "vsId" in data and isinstance(data.get("testGroups"), list)


def _tests(data: Any) -> list[dict[str, Any]]:
    """The test objects of well-formed groups (malformed ones are reported by :func:`parse`)."""
    groups = unwrap(data)["testGroups"]
    return [t for g in groups if isinstance(g, dict) and isinstance(g.get("tests"), list) for t in g["tests"] if isinstance(t, dict)]


def is_prompt(data: Any) -> bool:
    """Whether an ACVP file carries test inputs (a prompt or an internal projection)."""
    return any(k in t for t in _tests(data) for k in _INPUT_KEYS)


def is_self_contained(data: Any) -> bool:
    """Whether an ACVP file carries inputs and results together (an internal projection)."""
    return any(("key" in t or "key1" in t) and ("ct" in t and "pt" in t or "testPassed" in t) for t in _tests(data))


def vs_id(data: Any) -> int:
    """The ``vsId`` of an ACVP file (an integer)."""
    value = unwrap(data).get("vsId")
    if not isinstance(value, int) or isinstance(value, bool):
        raise VectorFormatError(f"vsId must be an integer, got {value!r}")
    return value


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _index(data: dict[str, Any], name: str) -> dict[tuple[int, int], dict[str, Any]]:
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for group in data["testGroups"]:
        if not isinstance(group, dict) or not _is_id(group.get("tgId")) or not isinstance(group.get("tests"), list):
            raise VectorFormatError(f"{name}: every test group needs an integer tgId and a tests list")
        for test in group["tests"]:
            if not isinstance(test, dict) or not _is_id(test.get("tcId")):
                raise VectorFormatError(f"{name}: tgId {group['tgId']}: every test needs an integer tcId")
            out[(group["tgId"], test["tcId"])] = test
    return out


def _bytes(test: dict[str, Any], key: str, where: str) -> bytes:
    value = test.get(key, "")
    try:
        return bytes.fromhex(value)
    except (TypeError, ValueError):
        raise VectorFormatError(f"{where}: {key} is not hex") from None


def parse(prompt: Any, expected: Any, name: str) -> VectorFile:
    """Join a prompt with its expected results into vectors."""
    prompt, expected = unwrap(prompt), unwrap(expected)
    if vs_id(prompt) != vs_id(expected):
        raise VectorFormatError(f"prompt vsId {prompt.get('vsId')} does not match expected results vsId {expected.get('vsId')}")
    algorithm = str(prompt.get("algorithm", ""))
    parts = algorithm.split("-")
    result = VectorFile(name, "acvp")
    if len(parts) != 3 or parts[0] != "ACVP" or parts[1] not in ("AES", "TDES") or parts[2] not in _MODES:
        result.unsupported.append((algorithm.lower(), f"ACVP algorithm {algorithm!r} is not supported by mptool"))
        return result
    cipher = "aes" if parts[1] == "AES" else "tdes"
    mode = _MODES[parts[2]]
    _index(prompt, "prompt")
    answers = _index(expected, "expected results")
    for group in prompt["testGroups"]:
        test_type = str(group.get("testType", ""))
        if test_type != "AFT":
            result.unsupported.append((f"{cipher}-{mode}", f"ACVP test type {test_type!r} (tgId {group.get('tgId')}) is not supported; only AFT"))
            continue
        direction = group.get("direction", "encrypt")
        if direction not in ("encrypt", "decrypt"):
            raise VectorFormatError(f"{name}: tgId {group['tgId']}: direction must be encrypt or decrypt, got {direction!r}")
        for test in group.get("tests", []):
            where = f"{name}: tgId {group['tgId']} tcId {test.get('tcId')}"
            answer = answers.get((group["tgId"], test.get("tcId")))
            if answer is None:
                raise VectorFormatError(f"{where}: no expected result for this test")
            try:
                result.vectors.append(_vector(cipher, mode, direction, group, {**test, **answer}, where))
            except (TypeError, ValueError) as exc:
                if isinstance(exc, VectorFormatError):
                    raise
                raise VectorFormatError(f"{where}: malformed test ({exc})") from None
    return result


def _vector(cipher: str, mode: str, direction: str, group: dict[str, Any], test: dict[str, Any], where: str) -> Vector:
    if "key1" in test:
        key = b"".join(_bytes(test, k, where) for k in ("key1", "key2", "key3"))
    else:
        key = _bytes(test, "key", where)
    fields: dict[str, Any] = {"key": key, "iv": _bytes(test, "iv", where), "pt": _bytes(test, "pt", where), "ct": _bytes(test, "ct", where)}
    if mode in ("gcm", "ccm"):
        fields["aad"] = _bytes(test, "aad", where)
        tag_len = int(group.get("tagLen", 128)) // 8
        fields["tag"] = _bytes(test, "tag", where)
        if mode == "ccm" and not fields["tag"] and len(fields["ct"]) >= tag_len:
            fields["ct"], fields["tag"] = fields["ct"][:-tag_len], fields["ct"][-tag_len:]
        if test.get("testPassed") is False:
            return Vector(cipher, mode, "aead-decrypt", fields, where, expect=INVALID, reason="testPassed: false")
        return Vector(cipher, mode, "aead-decrypt" if direction == "decrypt" else "aead-encrypt", fields, where)
    return Vector(cipher, mode, direction, fields, where)
