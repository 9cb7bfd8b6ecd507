"""The evidence records (mptool.core.model) and their pydantic mirror (mptool.core.model_schema)
agree field for field, give the same JSON data, and the fast canonical writer (orjson) writes
the bytes ``json.dumps`` wrote before (issue 20)."""

from __future__ import annotations

import copy
import enum
import json
import math
import pickle
from pathlib import Path
from typing import Any

import pydantic
from pydantic_core import PydanticSerializationError
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mptool.core import model, model_schema
from mptool.render.json import dumps, dumps_bytes, dumps_data, evidence_to_dict

CLASSES = ["Finding", "CheckResult", "InputRecord", "ToolInfo", "Summary", "Evidence"]
D64 = "ab" * 32


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


def _old_dumps(data: Any) -> str:
    """The writer before issue 20: json with sorted keys, indent 2, non-ASCII kept."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _old_evidence_dict(mirror: model_schema.Evidence) -> dict[str, Any]:
    data = mirror.model_dump(mode="json", by_alias=True)
    for result in data["results"]:
        for entry in (result, *result["findings"]):
            for key in model.OPTIONAL_KEYS:
                if entry.get(key, "") is None:
                    del entry[key]
    return data


@pytest.mark.parametrize("name", CLASSES)
def test_the_mirror_has_the_same_fields(name: str) -> None:
    light = getattr(model, name)
    mirror = getattr(model_schema, name)
    assert light.__doc__ == mirror.__doc__
    names = [light._ALIASES.get(f, f) for f in light._FIELDS]
    assert names == [info.alias or field for field, info in mirror.model_fields.items()]


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=1e-12, max_value=1e-4), st.floats(min_value=1e15, max_value=1e25),
    st.text(max_size=8), st.sampled_from(["中文", "\u2028", "\x00\x1f", "😀", "\ud800x"]),
)
values = st.recursive(
    scalars | st.sampled_from([Colour.RED, Level.HIGH, model.Status.WARN, (1, 2.5e-7), Path("/p"), object(), b"raw", frozenset({1})]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4) | st.integers(0, 12) | st.booleans(), inner, max_size=3),
    max_leaves=12,
)
str_dicts = st.dictionaries(st.text(max_size=5), values, max_size=4)


@st.composite
def evidence_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    def finding() -> dict[str, Any]:
        return {"code": draw(st.text(min_size=1, max_size=6)), "severity": draw(st.sampled_from(["error", "warn", model.Severity.INFO])),
                "message": draw(st.text(max_size=6)), "location": draw(st.none() | st.text(max_size=4) | str_dicts), "data": draw(str_dicts),
                "message_zh": draw(st.none() | st.just("中"))}

    results = [
        {"check": "a.b", "title": "t", "reference": "r", "status": draw(st.sampled_from(list(model.Status))), "subject": draw(st.text(max_size=4)),
         "measurements": draw(str_dicts), "findings": [finding() for _ in range(draw(st.integers(0, 2)))], "title_zh": draw(st.none() | st.just("标题"))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    return {
        "tool": {"name": "mptool", "version": "0.1.0", "backends": {"x": "1"}}, "command": "c", "arguments": draw(st.lists(st.text(max_size=4), max_size=2)),
        "started_at": "s", "finished_at": "f", "inputs": [{"name": "n", "size": 3, "sha256": D64, "sm3": D64}], "parameters": draw(str_dicts),
        "results": results, "summary": {"status": "pass", "counts": {"pass": 1}, "domains": {"a": {"pass": 1}}, "channels": draw(values)}, "exit_code": 0,
    }


def _build(kwargs: dict[str, Any]) -> tuple[model.Evidence, model_schema.Evidence]:
    light = model.Evidence(**{**kwargs, "tool": model.ToolInfo(**kwargs["tool"]), "summary": model.Summary(**kwargs["summary"]),
                              "inputs": [model.InputRecord(**i) for i in kwargs["inputs"]],
                              "results": [model.CheckResult(**{**r, "findings": [model.Finding(**f) for f in r["findings"]]}) for r in kwargs["results"]]})
    return light, model_schema.Evidence(**kwargs)


@settings(max_examples=300, deadline=None)
@given(evidence_kwargs())
def test_json_data_and_bytes_are_those_of_the_pydantic_model(kwargs: dict[str, Any]) -> None:
    light, mirror = _build(copy.deepcopy(kwargs))
    try:
        mirror.model_dump(mode="json")
    except PydanticSerializationError:  # not JSON for pydantic either (an arbitrary object): refused alike
        with pytest.raises(PydanticSerializationError):
            dumps_bytes(light)
        return
    assert light.model_dump(mode="json", by_alias=True) == mirror.model_dump(mode="json", by_alias=True)
    expected = _old_evidence_dict(mirror)
    assert evidence_to_dict(light) == expected
    try:
        before = _old_dumps(expected)
        before.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: the writer escapes them as before (tested in test_outputs)
        return
    assert dumps_bytes(light) == before.encode("utf-8")
    assert dumps(light) == before


@settings(max_examples=300, deadline=None)
@given(values)
def test_dumps_data_writes_what_json_wrote(value: Any) -> None:
    try:
        before = _old_dumps(value)
        before.encode("utf-8")
    except (TypeError, ValueError) as exc:  # not JSON (a set, bytes, NaN ...): refused the same way
        with pytest.raises(type(exc)):
            dumps_data(value)
        return
    except UnicodeEncodeError:
        return
    assert dumps_data(value) == before


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, [1, {"x": math.nan}]])
def test_dumps_data_refuses_non_finite_floats(value: Any) -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        dumps_data(value)


def test_exponent_floats_are_written_as_python_writes_them() -> None:
    assert dumps_data({"p": 1e-05, "q": 2.5e-07, "r": 1e16, "s": 0.0001}) == '{\n  "p": 1e-05,\n  "q": 2.5e-07,\n  "r": 1e+16,\n  "s": 0.0001\n}\n'


def _evidence(**changes: Any) -> model.Evidence:
    result = model.CheckResult(check="a.b", title="t", reference="r", status="fail", findings=[model.Finding(code="a.b.c", severity="error", message="m")])
    fields: dict[str, Any] = {"tool": model.ToolInfo(name="mptool", version="0", backends={}), "command": "c", "arguments": ["x"], "started_at": "s",
                              "finished_at": "f", "inputs": [], "parameters": {"p": 1}, "results": [result],
                              "summary": model.Summary(status="fail", counts={"fail": 1}, domains={"a": {"fail": 1}}, vectors_run=3), "exit_code": 1}
    fields.update(changes)
    return model.Evidence(**fields)


def test_evidence_read_back_is_validated_by_the_mirror() -> None:
    evidence = _evidence()
    again = model.Evidence.model_validate(json.loads(dumps(evidence)))
    assert again == evidence
    assert again.summary.model_extra == {"vectors_run": 3} and again.summary.vectors_run == 3
    assert again.results[0].status is model.Status.FAIL
    broken = json.loads(dumps(evidence))
    broken["inputs"] = [{"name": "n", "size": -1, "sha256": "x", "sm3": "y"}]
    with pytest.raises(pydantic.ValidationError):
        model.Evidence.model_validate(broken)


def test_records_are_frozen_copyable_and_picklable() -> None:
    evidence = _evidence()
    with pytest.raises(AttributeError):
        evidence.command = "other"  # type: ignore[misc]
    copied = evidence.model_copy(update={"schema": model.SCHEMA_ID, "exit_code": 0})
    assert copied.exit_code == 0 and copied.results == evidence.results and evidence.exit_code == 1
    assert pickle.loads(pickle.dumps(evidence)) == evidence
    assert copy.deepcopy(evidence) == evidence
    assert evidence.model_dump()["results"][0]["findings"][0]["severity"] is model.Severity.ERROR


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("CheckResult", {"check": "a", "title": "t", "reference": "r", "status": "bogus"}),
        ("CheckResult", {"check": "a", "title": "t", "reference": "r", "status": "pass", "measurements": {1: 2}}),
        ("CheckResult", {"check": 5, "title": "t", "reference": "r", "status": "pass"}),
        ("CheckResult", {"check": "a", "title": "t", "reference": "r", "status": "pass", "unknown": 1}),
        ("Finding", {"code": "c", "severity": "fatal", "message": "m"}),
        ("InputRecord", {"name": "n", "size": -1, "sha256": D64, "sm3": D64}),
        ("InputRecord", {"name": "n", "size": 1, "sha256": D64.upper(), "sm3": D64}),
    ],
)
def test_invalid_fields_are_refused_as_pydantic_refused_them(kind: str, fields: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        getattr(model_schema, kind)(**fields)
    with pytest.raises((TypeError, ValueError)):
        getattr(model, kind)(**fields)
