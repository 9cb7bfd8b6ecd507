"""YAML reading with line numbers (ruamel.yaml) for the assessment file and the package data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from mptool.core.errors import InputError
from mptool.core.inputs import check_readable_file

#: path inside a document (keys and list indexes) -> 1-based line
Lines = dict[tuple[Any, ...], int]


#: values one document may hold once its aliases are expanded (an assessment of 50 objects holds
#: about 20,000; nine levels of ten aliases, "billion laughs", would be 10^9 and hung the reader)
MAX_VALUES = 200_000
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _TooManyValues(Exception):
    """Raised by :class:`_Converter` past :data:`MAX_VALUES`."""


class _Converter:
    """Composed YAML nodes -> plain dicts/lists/scalars, recording each key's and item's line.

    Scalars are resolved and constructed by ruamel's safe constructor (YAML 1.2 core schema);
    mappings and sequences are built here, so every key keeps its line and a duplicate key is an
    error at its own line. Aliases expand into copies, counted against :data:`MAX_VALUES`.
    """

    def __init__(self, constructor: Any, lines: Lines) -> None:
        self.constructor = constructor
        self.lines = lines
        self.values = 0

    def convert(self, node: Any, path: tuple[Any, ...] = ()) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooManyValues
        if isinstance(node, (MappingNode, SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            raise ConstructorError(None, None, f"could not determine a constructor for the tag {node.tag!r}", node.start_mark)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines[path + (index,)] = item.start_mark.line + 1
                items.append(self.convert(item, path + (index,)))
            return items
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: Any, path: tuple[Any, ...]) -> dict[Any, Any]:
        self.lines.setdefault(path, node.start_mark.line + 1)
        merged: dict[Any, Any] = {}
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # "<<: *base" or "<<: [*a, *b]": YAML's merge key
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in reversed(sources):  # an earlier mapping wins over a later one
                    if not isinstance(source, MappingNode):
                        raise ConstructorError(None, None, "a merge key (<<) takes a mapping or a list of mappings", source.start_mark)
                    merged.update(self._mapping(source, path))
                continue
            if not isinstance(key_node, ScalarNode):
                raise ConstructorError(None, None, "a mapping or list used as a key", key_node.start_mark)
            key = self.constructor.construct_object(key_node, deep=True)
            key = key if isinstance(key, (str, int)) else str(key)
            if key in out:
                raise ConstructorError(None, None, f'found duplicate key "{key}"', key_node.start_mark)
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.convert(value_node, path + (key,))
        return {**{k: v for k, v in merged.items() if k not in out}, **out} if merged else out


def _safe_yaml() -> YAML:
    """ruamel's safe loader: its C parser (ruamel.yaml.clib) where installed, pure Python otherwise."""
    return YAML(typ="safe")


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
    lines: Lines = {}
    try:
        yaml = _safe_yaml()
        node = yaml.compose(text)
        data = None if node is None else _Converter(yaml.constructor, lines).convert(node)
    except _TooManyValues:
        raise InputError(f"{path}:1", f"YAML: more than {MAX_VALUES:,} values once aliases are expanded") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise InputError(f"{path}:{line}", f"YAML: {problem}") from None
    except YAMLError as exc:
        raise InputError(f"{path}:1", f"YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # issue 21: "- - - …" nested 10,000 deep was exit 128
        raise InputError(f"{path}:1", "YAML: nested too deeply") from None
    except (TypeError, ValueError) as exc:  # issue 21 (fuzzing): a value the constructor cannot build
        raise InputError(f"{path}:1", f"YAML: not plain data ({type(exc).__name__}: {str(exc)[:120]})") from None
    return data, lines
