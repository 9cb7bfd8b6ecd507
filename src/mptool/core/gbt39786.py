"""GB/T 39786-2021 clause numbers per level, and citations rewritten for a system's level (``--level``).

The standard repeats its requirements once per level: chapter 6 for level 1 up to chapter 9 for
level 4, and an indicator may be absent at the lower levels (e.g. 远程管理通道安全 exists at levels 3
and 4 only). Checks cite the level-3 numbers (``GB/T 39786-2021 8.2 a)``); :func:`cite` rewrites
the GB/T 39786 part of a citation for another level and marks an indicator that level does not have.
The table is package data (``core/data/gbt39786.yaml``, source and confidence in its header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mptool.core.model import CheckResult

#: the level every check's reference is written for
DEFAULT_LEVEL = 3
LEVELS: tuple[int, ...] = (1, 2, 3, 4)
STANDARD = "GB/T 39786-2021"

#: ``8.2 a)``, ``8.2 a)-c)``, ``6.4 d)/f)``, ``8.2`` (a whole layer section)
_TOKEN = r"(?<![\d.§])[6-9]\.[1-8](?![\d.])(?:\s*[a-h]\)(?:\s*[-/]\s*[a-h]\))*)?"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(clause, list of clauses, continuation, head, compressed item), compiled on first use: only a
    run at a level other than 3 rewrites citations (start-up, issue 20)."""
    return (
        re.compile(r"([6-9])\.([1-8])(?:\s*([a-h])\)((?:\s*[-/]\s*[a-h]\))*))?"),
        re.compile(rf"{_TOKEN}(?:\s*,\s*{_TOKEN})*"),  # a list of clauses: ``6.4 d), 7.4 d), 8.4 e), 9.4 e)``
        re.compile(r"([-/])\s*([a-h])\)"),
        re.compile(r"39786(?:-2021)?"),
        re.compile(r"^([6-9]\.[1-8]) ([a-h])\)$"),
    )


@dataclass(frozen=True)
class Indicator:
    """One indicator's place in the standard."""

    id: str
    layer: str
    name_zh: str
    clause: dict[int, str]  #: level -> clause; a level absent here has no such indicator

    def at(self, level: int) -> str | None:
        """The clause at ``level`` (None: the indicator does not exist at that level)."""
        return self.clause.get(level)


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    """Every indicator of the standard, by mptool's id (``NET-AUTH`` …), in the standard's order."""
    from ruamel.yaml import YAML

    from importlib import resources  # imported on first use: it costs ~10 ms of start-up (issue 20)

    text = resources.files("mptool.core").joinpath("data", "gbt39786.yaml").read_text(encoding="utf-8")
    raw = YAML(typ="safe", pure=True).load(text)
    return {
        key: Indicator(key, value["layer"], value["name_zh"], {int(k): str(v) for k, v in value["clause"].items()})
        for key, value in raw["indicators"].items()
    }


@lru_cache(maxsize=1)
def _by_clause() -> dict[str, Indicator]:
    return {clause: ind for ind in indicators().values() for clause in ind.clause.values()}


def check_level(level: int) -> int:
    """``level`` itself when it is 1..4 (ValueError otherwise)."""
    if level not in LEVELS:
        raise ValueError(f"GB/T 39786 level must be 1..4, not {level}")
    return level


def _letters(first: str, rest: str) -> list[str]:
    """The item letters of ``a)-c)`` / ``d)/f)``: a range expands, a slash lists."""
    letters = [first]
    for sep, letter in _patterns()[2].findall(rest or ""):
        if sep == "-":
            letters += [chr(c) for c in range(ord(letters[-1]) + 1, ord(letter) + 1)]
        else:
            letters.append(letter)
    return letters


def _rewrite_token(match: re.Match[str], level: int, absent: list[str]) -> list[str]:
    chapter, section, first, rest = match.group(1), match.group(2), match.group(3), match.group(4)
    if first is None:  # a whole layer section: 8.2 -> 7.2 (layer sections keep their number)
        return [f"{level + 5}.{section}"]
    out: list[str] = []
    for letter in _letters(first, rest):
        clause = f"{chapter}.{section} {letter})"
        ind = _by_clause().get(clause)
        if ind is None:
            out.append(clause)  # not an indicator mptool knows: left as written
        elif ind.at(level) is None:
            absent.append(ind.id)
            out.append(f"{clause}（{ind.name_zh}：第{level}级无此指标）")
        else:
            out.append(ind.at(level) or clause)
    return out




def _compress(items: list[str]) -> list[str]:
    """``7.2 a), 7.2 b), 7.2 c)`` -> ``7.2 a)-c)`` (consecutive items of one section)."""
    out: list[list[str]] = []  # [section, first letter, last letter] or [text]
    for item in items:
        m = _patterns()[4].match(item)
        last = out[-1] if out else None
        if m and last and len(last) == 3 and last[0] == m.group(1) and ord(m.group(2)) == ord(last[2]) + 1:
            last[2] = m.group(2)
        else:
            out.append([m.group(1), m.group(2), m.group(2)] if m else [item])
    return [f"{e[0]} {e[1]})" + (f"-{e[2]})" if e[2] != e[1] else "") if len(e) == 3 else e[0] for e in out]


def _rewrite_list(match: re.Match[str], level: int, absent: list[str]) -> str:
    items: list[str] = []
    for token in _patterns()[0].finditer(match.group(0)):
        items += [item for item in _rewrite_token(token, level, absent) if item not in items]
    return ", ".join(_compress(items))


def cite(reference: str, level: int) -> tuple[str, list[str]]:
    """``reference`` with its GB/T 39786 clause numbers for ``level``, and the ids of cited indicators
    that do not exist at that level.

    Only the ``GB/T 39786-2021 …`` parts (up to the next ``;``) are rewritten; at level 3, the level the
    checks are written for, the reference comes back unchanged. Clauses of several levels in one
    citation (``6.4 d), 7.4 d), 8.4 e), 9.4 e)``) become the one clause of ``level``.
    """
    check_level(level)
    if level == DEFAULT_LEVEL or "39786" not in reference:
        return reference, []
    absent: list[str] = []
    parts = reference.split(";")
    for index, part in enumerate(parts):
        head = _patterns()[3].search(part)
        if head is None:
            continue
        tail = _patterns()[1].sub(lambda m: _rewrite_list(m, level, absent), part[head.end():])
        parts[index] = part[: head.end()] + tail
    return ";".join(parts), sorted(set(absent))


def _rewrite_clauses(value: Any, level: int, absent: list[str]) -> Any:
    """Measurements with every ``clause`` string citing GB/T 39786 rewritten for ``level``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "clause" and isinstance(item, str):
                item, missing = cite(item, level)
                absent += missing
            else:
                item = _rewrite_clauses(item, level, absent)
            out[key] = item
        return out
    if isinstance(value, list):
        return [_rewrite_clauses(item, level, absent) for item in value]
    return value


def results_at_level(results: list[CheckResult], level: int) -> tuple[list[CheckResult], list[str]]:
    """The results with their references (and measured ``clause`` values) cited for ``level``, and the
    ids of the cited indicators that ``level`` does not have."""
    check_level(level)
    if level == DEFAULT_LEVEL:
        return list(results), []
    absent: list[str] = []
    out = []
    for result in results:
        reference, missing = cite(result.reference, level)
        absent += missing
        measurements = _rewrite_clauses(result.measurements, level, absent)
        out.append(result.model_copy(update={"reference": reference, "measurements": measurements}))
    return out, sorted(set(absent))


def cites_gbt39786(results: list[CheckResult]) -> bool:
    """Whether any result cites GB/T 39786 (then the evidence records the level it cites for)."""
    return any("39786" in r.reference for r in results)
