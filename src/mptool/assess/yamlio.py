"""YAML reading with line numbers (ruamel.yaml) for the assessment file and the package data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from mptool.core.errors import InputError
from mptool.core.inputs import check_readable_file

#: path inside a document (keys and list indexes) -> 1-based line
Lines = dict[tuple[Any, ...], int]


def plain(node: Any, lines: Lines, path: tuple[Any, ...] = ()) -> Any:
    """Convert ruamel's round-trip nodes to plain dicts/lists, recording each key's/item's line."""
    if isinstance(node, dict):
        out: dict[Any, Any] = {}
        lc = getattr(node, "lc", None)
        if lc is not None and path not in lines:
            lines[path] = lc.line + 1
        for key, value in node.items():
            if lc is not None:
                try:
                    lines[path + (key,)] = lc.key(key)[0] + 1
                except (KeyError, TypeError):
                    pass
            out[str(key) if not isinstance(key, (str, int)) else key] = plain(value, lines, path + (key,))
        return out
    if isinstance(node, list):
        lc = getattr(node, "lc", None)
        items = []
        for index, value in enumerate(node):
            if lc is not None:
                try:
                    lines[path + (index,)] = lc.item(index)[0] + 1
                except (KeyError, TypeError):
                    pass
            items.append(plain(value, lines, path + (index,)))
        return items
    if isinstance(node, bool):
        return bool(node)
    for base in (int, float, str):
        if isinstance(node, base):
            return base(node)
    return node


def round_trip() -> YAML:
    """A round-trip YAML (keeps comments; duplicate keys are an error)."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.width = 4096
    return yaml


@lru_cache(maxsize=None)
def package_data(name: str) -> Any:
    """A YAML file of ``mptool.assess.data`` (e.g. ``"indicators.yaml"``, ``"rules/quant-2023.yaml"``)."""
    ref = resources.files("mptool.assess.data")
    for part in name.split("/"):
        ref = ref.joinpath(part)
    return YAML(typ="safe", pure=True).load(ref.read_text(encoding="utf-8"))


def read_yaml(path: Path) -> tuple[Any, Lines]:
    """Parse a YAML file into plain data and a line map (InputError on any problem)."""
    check_readable_file(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        node = round_trip().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in problem:
            problem = problem.split(" with value")[0]
        raise InputError(f"{path}:{line}", f"YAML: {problem}") from None
    except YAMLError as exc:
        raise InputError(f"{path}:1", f"YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # issue 21: "- - - …" nested 10,000 deep was exit 128
        raise InputError(f"{path}:1", "YAML: nested too deeply") from None
    except (TypeError, ValueError) as exc:  # issue 21 (fuzzing): a mapping as a key ("unhashable type")
        raise InputError(f"{path}:1", f"YAML: not plain data ({type(exc).__name__}: {str(exc)[:120]})") from None
    lines: Lines = {}
    try:
        return plain(node, lines), lines
    except RecursionError:
        raise InputError(f"{path}:1", "YAML: nested too deeply") from None
