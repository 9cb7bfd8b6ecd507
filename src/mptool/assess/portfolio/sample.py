"""Writing sample workspaces: the demo's small one and the benchmark's 58 systems.

:func:`case_yaml` writes an assessment file from objects (flow mappings, ``ref:`` ones
included), judgements and management results; with ``fill`` every applicable indicator left
out is judged 不适用 (on the first object of its layer, an ``na-<layer>`` object when the layer
has none), so the case is complete and scorable.
"""

from __future__ import annotations

from pathlib import Path

from mptool.assess.indicators import TECHNICAL_LAYERS, catalogue


def case_yaml(name: str, level: int, objects: list[tuple[str, str, str]], judgements: list[str], management: dict[str, str],
              *, fill: bool = True, inherited: tuple[str, ...] = (), extra: str = "") -> str:
    """An assessment file. ``objects``: (id, layer, flow mapping); judgements are flow mappings.

    ``inherited``: indicators judged by a referenced shared object (never filled 不适用 here,
    which would replace the inherited judgement).
    """
    cat = catalogue()
    objects = list(objects)
    first = {}
    for oid, layer, _ in objects:
        first.setdefault(layer, oid)
    if fill:
        for layer in TECHNICAL_LAYERS:
            if layer not in first:
                first[layer] = f"na-{layer}"
                objects.append((first[layer], layer, f"{{id: na-{layer}, layer: {layer}}}"))
    given = {j.split("indicator:")[1].split(",")[0].strip() for j in judgements} | set(inherited)
    lines = ["schema: mptool.assessment/1", f"system: {{name: {name}, level: {level}}}", "objects:"]
    lines += [f"  - {mapping}" for _, _, mapping in objects]
    lines.append("judgements:")
    lines += [f"  - {j}" for j in judgements]
    if fill:
        lines += [f"  - {{object: {first[i.layer]}, indicator: {i.id}, result: 不适用, reason: 无此类对象}}"
                  for i in cat.at_level(level) if i.kind == "technical" and i.id not in given]
    lines.append("management:")
    for ind in cat.at_level(level):
        if ind.kind == "management" and (ind.id in management or fill):
            lines.append(f"  - {{indicator: {ind.id}, result: {management.get(ind.id, '不适用')}}}")
    return "\n".join(lines) + "\n" + extra


def write(path: Path, text: str) -> Path:
    """Write a file (parents created), return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
