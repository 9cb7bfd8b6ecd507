"""The evidence model: the records every command builds, serialised once by ``mptool.render.json``.

These are small frozen classes with ``__slots__``, not pydantic models: importing pydantic and
building its validators cost half of a short command's start-up, and building 30,000 validated
results a third of ``cert lint`` (issue 20). They keep the part of the pydantic interface the
code uses (keyword construction with the same coercions and constraints, ``model_copy``,
``model_dump``, ``model_validate``, ``Summary.model_extra``), and :func:`to_json` gives the same
JSON data pydantic's ``model_dump(mode="json")`` gave (a non-finite float becomes null, enums
their values, tuples lists). The pydantic mirror of these classes, field for field, is
:mod:`mptool.core.model_schema`: the committed JSON Schema is generated from it and evidence read
back (``model_validate``) is validated by it; tests/core/test_model.py checks that both agree.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from mptool.core.statuses import SCHEMA_ID, STATUS_RANK, Severity, Status

__all__ = ["SCHEMA_ID", "STATUS_RANK", "CheckResult", "Evidence", "Finding", "InputRecord", "Severity", "Status", "Summary", "ToolInfo", "to_json"]

#: Keys the serializer leaves out while they are None, so that evidence without ``--lang zh`` is unchanged.
OPTIONAL_KEYS: frozenset[str] = frozenset({"title_zh", "message_zh"})

_HEX64 = re.compile("[0-9a-f]{64}")
_set = object.__setattr__

#: How a float is written: the JSON data form (non-finite → None) or the canonical writer's.
FloatHook = Callable[[float], Any]


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _text(value: Any, name: str) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):
        return value.value if isinstance(value, enum.Enum) else str.__str__(value)
    raise TypeError(f"{name}: expected a string, got {type(value).__name__}")


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if type(value) is not dict and not isinstance(value, Mapping):
        raise TypeError(f"{name}: expected a mapping, got {type(value).__name__}")
    out = dict(value)
    for key in out:
        if type(key) is not str:
            raise TypeError(f"{name}: keys must be strings, got {type(key).__name__}")
    return out


def _items(values: Any, kind: type[_Record], name: str) -> list[Any]:
    if isinstance(values, (str, bytes, Mapping)):
        raise TypeError(f"{name}: expected a list, got {type(values).__name__}")
    return [v if type(v) is kind else kind._coerce(v, name) for v in values]


class _Record:
    """Frozen, slotted record: keyword construction, equality, ``model_copy``/``model_dump``."""

    __slots__ = ()
    _FIELDS: ClassVar[tuple[str, ...]] = ()
    _ALIASES: ClassVar[dict[str, str]] = {}  #: attribute name -> JSON name

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), *self._values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._items())})"

    def __copy__(self) -> _Record:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Record:
        import copy

        return type(self)(**copy.deepcopy(dict(self._items()), memo))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), dict(self._items())))

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self._FIELDS)

    def _items(self) -> list[tuple[str, Any]]:
        return [(f, getattr(self, f)) for f in self._FIELDS]

    @classmethod
    def _coerce(cls, value: Any, name: str) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            return cls(**{_unalias(cls, k): v for k, v in value.items()})
        raise TypeError(f"{name}: expected {cls.__name__}, got {type(value).__name__}")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with the fields in ``update`` replaced (validated like a new record)."""
        fields = dict(self._items())
        fields.update({_unalias(type(self), k): v for k, v in (update or {}).items()})
        if deep:
            import copy

            fields = copy.deepcopy(fields)
        return type(self)(**fields)

    def model_dump(self, *, mode: str = "python", by_alias: bool = False) -> dict[str, Any]:
        """The record as a dict: nested records as dicts; ``mode="json"`` gives JSON data."""
        if mode == "json":
            data = self._json(_finite_or_none, False)
            if not by_alias:
                data = {_unalias(type(self), k): v for k, v in data.items()}
            return data
        if mode != "python":
            raise ValueError(f"mode: 'python' or 'json', not {mode!r}")
        return {(self._ALIASES.get(k, k) if by_alias else k): _python(v) for k, v in self._items()}

    @classmethod
    def model_validate(cls, data: Any) -> Any:
        """Validate ``data`` (a dict, e.g. evidence read back) with the pydantic mirror, then build the record."""
        from mptool.core import model_schema

        mirror = getattr(model_schema, cls.__name__)
        if isinstance(data, _Record):
            data = data.model_dump(by_alias=True)
        checked = mirror.model_validate(data)
        return cls._coerce(checked.model_dump(by_alias=True), cls.__name__)

    def _json(self, floats: FloatHook, drop: bool) -> dict[str, Any]:
        return {self._ALIASES.get(k, k): to_json(v, floats) for k, v in self._items()}


def _rebuild(kind: type[_Record], fields: dict[str, Any]) -> _Record:
    return kind(**fields)


def _unalias(kind: type[_Record], key: str) -> str:
    for attribute, alias in kind._ALIASES.items():
        if key == alias:
            return attribute
    return key


def _python(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.model_dump()
    if type(value) is list:
        return [_python(v) for v in value]
    if type(value) is dict:
        return {k: _python(v) for k, v in value.items()}
    return value


class Finding(_Record):
    """One problem or fact found by a check."""

    __slots__ = ("code", "severity", "message", "location", "data", "message_zh")
    _FIELDS = __slots__
    code: str  #: stable dotted finding code, e.g. algo.sm3.digest_mismatch
    severity: Severity
    message: str
    location: dict[str, Any] | str | None  #: where: a vector file and count, a certificate node path, a frame
    data: dict[str, Any]  #: expected/actual values and more
    message_zh: str | None  #: the message in Chinese (only with --lang zh)

    def __init__(self, *, code: str, severity: Severity | str, message: str, location: Mapping[str, Any] | str | None = None,
                 data: Mapping[str, Any] | None = None, message_zh: str | None = None) -> None:
        if type(code) is not str or type(message) is not str:
            code, message = _text(code, "code"), _text(message, "message")
        if location is not None and type(location) is not str:
            location = _mapping(location, "location") if isinstance(location, Mapping) else _text(location, "location")
        _set(self, "code", code)
        _set(self, "severity", severity if type(severity) is Severity else Severity(severity))
        _set(self, "message", message)
        _set(self, "location", location)
        _set(self, "data", {} if data is None else _mapping(data, "data"))
        _set(self, "message_zh", None if message_zh is None else _text(message_zh, "message_zh"))

    def _json(self, floats: FloatHook, drop: bool) -> dict[str, Any]:
        out = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.location if type(self.location) is str else to_json(self.location, floats),
            "data": _dict_json(self.data, floats),
        }
        if not drop or self.message_zh is not None:
            out["message_zh"] = self.message_zh
        return out


class CheckResult(_Record):
    """The outcome of one registered check on one subject."""

    __slots__ = ("check", "title", "reference", "status", "subject", "measurements", "findings", "title_zh")
    _FIELDS = __slots__
    check: str  #: registered check id, e.g. rng.gmt0005.poker
    title: str
    reference: str  #: the clause the check implements
    status: Status
    subject: str  #: what was checked: an input, a vector set, a connection
    measurements: dict[str, Any]
    findings: list[Finding]
    title_zh: str | None  #: the title in Chinese (only with --lang zh)

    def __init__(self, *, check: str, title: str, reference: str, status: Status | str, subject: str = "",
                 measurements: Mapping[str, Any] | None = None, findings: Any = None, title_zh: str | None = None) -> None:
        if type(check) is not str or type(title) is not str or type(reference) is not str or type(subject) is not str:
            check, title, reference, subject = _text(check, "check"), _text(title, "title"), _text(reference, "reference"), _text(subject, "subject")
        _set(self, "check", check)
        _set(self, "title", title)
        _set(self, "reference", reference)
        _set(self, "status", status if type(status) is Status else Status(status))
        _set(self, "subject", subject)
        _set(self, "measurements", {} if measurements is None else _mapping(measurements, "measurements"))
        _set(self, "findings", [] if not findings else _items(findings, Finding, "findings"))
        _set(self, "title_zh", None if title_zh is None else _text(title_zh, "title_zh"))

    @classmethod
    def built(cls, check: str, title: str, reference: str, status: Status, subject: str, measurements: dict[str, Any], findings: list[Finding]) -> CheckResult:
        """A result from values that already are exactly what the constructor would make of them
        (``str`` texts, a :class:`Status`, a new dict with string keys that no one else holds, a
        list of :class:`Finding` with declared codes): nothing is copied or checked. For code that
        builds tens of thousands of results (``cert lint``, issue 20)."""
        result = object.__new__(cls)
        _set(result, "check", check)
        _set(result, "title", title)
        _set(result, "reference", reference)
        _set(result, "status", status)
        _set(result, "subject", subject)
        _set(result, "measurements", measurements)
        _set(result, "findings", findings)
        _set(result, "title_zh", None)
        return result

    def _json(self, floats: FloatHook, drop: bool) -> dict[str, Any]:
        out = {
            "check": self.check,
            "title": self.title,
            "reference": self.reference,
            "status": self.status.value,
            "subject": self.subject,
            "measurements": _dict_json(self.measurements, floats),
            "findings": [f._json(floats, drop) for f in self.findings] if self.findings else [],
        }
        if not drop or self.title_zh is not None:
            out["title_zh"] = self.title_zh
        return out


class InputRecord(_Record):
    """Identity of one input: the name as given, its size and two digests."""

    __slots__ = ("name", "size", "sha256", "sm3")
    _FIELDS = __slots__
    name: str
    size: int
    sha256: str
    sm3: str

    def __init__(self, *, name: str, size: int, sha256: str, sm3: str) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"size: expected an integer ≥ 0, got {size!r}")
        for label, digest in (("sha256", sha256), ("sm3", sm3)):
            if type(digest) is not str or not _HEX64.fullmatch(digest):
                raise ValueError(f"{label}: expected 64 lower-case hex digits, got {digest!r}")
        _set(self, "name", _text(name, "name"))
        _set(self, "size", int(size))
        _set(self, "sha256", sha256)
        _set(self, "sm3", sm3)


class ToolInfo(_Record):
    """The tool and the versions of the backends that computed the results."""

    __slots__ = ("name", "version", "_backends")
    _FIELDS = ("name", "version", "backends")
    name: str
    version: str

    def __init__(self, *, name: str, version: str, backends: Mapping[str, str] | Callable[[], Mapping[str, str]]) -> None:
        """``backends`` may be a function giving them: it is called when they are first read, so a
        report that never shows them (the text report) does not load every backend to ask its
        version (cryptography's OpenSSL binding is a tenth of a short command's start-up)."""
        _set(self, "name", _text(name, "name"))
        _set(self, "version", _text(version, "version"))
        _set(self, "_backends", backends if callable(backends) else _versions(backends))

    @property
    def backends(self) -> dict[str, str]:
        """Backend distribution -> version (and ``openssl``, ``python``)."""
        value = self._backends
        if callable(value):
            value = _versions(value())
            _set(self, "_backends", value)
        return value


def _versions(backends: Mapping[str, str]) -> dict[str, str]:
    return {k: _text(v, f"backends.{k}") for k, v in _mapping(backends, "backends").items()}


class Summary(_Record):
    """Totals of a run. Domains may add totals of their own (e.g. ``vectors_run``)."""

    __slots__ = ("status", "counts", "domains", "_extra")
    _FIELDS = ("status", "counts", "domains")
    status: Status  #: worst status over all results (pass when there are none)
    counts: dict[str, int]  #: number of results per status
    domains: dict[str, dict[str, int]]  #: per-domain counts of results per status

    def __init__(self, *, status: Status | str, counts: Mapping[str, int], domains: Mapping[str, Mapping[str, int]], **extra: Any) -> None:
        _set(self, "status", status if type(status) is Status else Status(status))
        _set(self, "counts", _mapping(counts, "counts"))
        _set(self, "domains", {k: _mapping(v, f"domains.{k}") for k, v in _mapping(domains, "domains").items()})
        _set(self, "_extra", extra)

    @property
    def model_extra(self) -> dict[str, Any]:
        """The domain totals beyond status, counts and domains."""
        return self._extra

    def __getattr__(self, name: str) -> Any:
        if name == "_extra":
            raise AttributeError(name)
        try:
            return object.__getattribute__(self, "_extra")[name]
        except KeyError:
            raise AttributeError(f"Summary has no field {name!r}") from None

    def _values(self) -> tuple[Any, ...]:
        return (*super()._values(), tuple(self._extra.items()))

    def _items(self) -> list[tuple[str, Any]]:
        return [*super()._items(), *self._extra.items()]


class Evidence(_Record):
    """The evidence document one mptool command emits."""

    __slots__ = ("schema_", "tool", "command", "arguments", "started_at", "finished_at", "inputs", "parameters", "results", "summary", "exit_code")
    _FIELDS = __slots__
    _ALIASES = {"schema_": "schema"}
    schema_: str
    tool: ToolInfo
    command: str
    arguments: list[str]
    started_at: str
    finished_at: str
    inputs: list[InputRecord]
    parameters: dict[str, Any]
    results: list[CheckResult]
    summary: Summary
    exit_code: int

    def __init__(self, *, tool: ToolInfo, command: str, arguments: Any, started_at: str, finished_at: str, inputs: Any,
                 parameters: Mapping[str, Any], results: Any, summary: Summary, exit_code: int, schema: str = SCHEMA_ID,
                 schema_: str | None = None) -> None:
        schema = schema_ if schema_ is not None else schema
        if schema != SCHEMA_ID:
            raise ValueError(f"schema: expected {SCHEMA_ID!r}, got {schema!r}")
        if isinstance(exit_code, bool) or not isinstance(exit_code, int):
            raise TypeError(f"exit_code: expected an integer, got {type(exit_code).__name__}")
        _set(self, "schema_", SCHEMA_ID)
        _set(self, "tool", ToolInfo._coerce(tool, "tool"))
        _set(self, "command", _text(command, "command"))
        if isinstance(arguments, (str, bytes)):
            raise TypeError("arguments: expected a list of strings")
        _set(self, "arguments", [_text(a, "arguments") for a in arguments])
        _set(self, "started_at", _text(started_at, "started_at"))
        _set(self, "finished_at", _text(finished_at, "finished_at"))
        _set(self, "inputs", _items(inputs, InputRecord, "inputs"))
        _set(self, "parameters", _mapping(parameters, "parameters"))
        _set(self, "results", _items(results, CheckResult, "results"))
        _set(self, "summary", Summary._coerce(summary, "summary"))
        _set(self, "exit_code", int(exit_code))

    def _json(self, floats: FloatHook, drop: bool) -> dict[str, Any]:
        return {
            "schema": self.schema_,
            "tool": self.tool._json(floats, drop),
            "command": self.command,
            "arguments": list(self.arguments),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "inputs": [i._json(floats, drop) for i in self.inputs],
            "parameters": to_json(self.parameters, floats),
            "results": [r._json(floats, drop) for r in self.results],
            "summary": self.summary._json(floats, drop),
            "exit_code": self.exit_code,
        }

    def canonical_data(self, floats: FloatHook) -> dict[str, Any]:
        """The JSON data the evidence file holds: unset ``title_zh``/``message_zh`` of the results left out."""
        return self._json(floats, True)


def to_json(value: Any, floats: FloatHook = _finite_or_none) -> Any:
    """``value`` as JSON data, as pydantic's ``model_dump(mode="json")`` gave it for an ``Any`` field.

    ``floats`` writes each float (by default a non-finite one becomes None, as pydantic did)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return floats(value)
    if kind is dict:
        return _dict_json(value, floats)
    if kind is list or kind is tuple:
        return [v if (type(v) is str or type(v) is int or v is None) else to_json(v, floats) for v in value]
    return _json_other(value, floats)


def _dict_json(value: dict[Any, Any], floats: FloatHook) -> dict[str, Any]:
    """:func:`to_json` of a dict, with strings, integers and None copied without a call per value."""
    out = {}
    for key, item in value.items():
        kind = type(item)
        if not (kind is str or kind is int or kind is bool or item is None):
            item = floats(item) if kind is float else to_json(item, floats)
        out[key if type(key) is str else _json_key(key)] = item
    return out


def _json_other(value: Any, floats: FloatHook) -> Any:
    if isinstance(value, _Record):
        return value._json(floats, False)
    if isinstance(value, enum.Enum):
        return to_json(value.value, floats)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return floats(float(value))
    if isinstance(value, Mapping):
        return to_json(dict(value), floats)
    if isinstance(value, list):
        return to_json(list(value), floats)
    from pydantic_core import to_jsonable_python  # anything else (bytes, sets, paths, dates): pydantic's own rules

    return to_json(to_jsonable_python(value), floats)


def _json_key(key: Any) -> str:
    if isinstance(key, enum.Enum):
        key = key.value
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(int.__index__(key))
    from pydantic_core import to_jsonable_python

    return next(iter(to_jsonable_python({key: None})))
