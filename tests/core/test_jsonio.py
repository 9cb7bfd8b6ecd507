"""core/jsonio: every refusal of json.loads on hostile bytes is one JSONInputError (issue 21)."""

from __future__ import annotations

import json

import pytest

from mptool.core.jsonio import JSONInputError, loads


@pytest.mark.parametrize(
    ("data", "problem", "line"),
    [
        (b"[" * 100_000, "nested too deeply", None),
        ("9" * 4301, "Exceeds the limit (4300 digits)", None),
        (b'{"a": 1,\n "b": }', "not JSON: Expecting value", 2),
        (b'"\xff\xfe\xfd"', "not UTF-8 text", None),
    ],
)
def test_refusals(data: bytes | str, problem: str, line: int | None) -> None:
    with pytest.raises(JSONInputError) as caught:
        loads(data)
    assert problem in caught.value.problem and caught.value.line == line
    assert isinstance(caught.value, ValueError)  # callers' "except ValueError" still catch it


def test_what_json_reads_is_unchanged() -> None:
    text = '{"a": [1, 2.5, "三", null, true], "n": ' + "9" * 4300 + "}"
    assert loads(text) == json.loads(text) and loads(text.encode()) == json.loads(text)
