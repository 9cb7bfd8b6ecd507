"""Build complete assessment files for tests: every applicable indicator not given is 不适用."""

from __future__ import annotations

from pathlib import Path

from mptool.assess.indicators import TECHNICAL_LAYERS, catalogue


def case_text(
    level: int,
    objects: dict[str, str],
    judgements: list[str],
    management: dict[str, str] | None = None,
    *,
    extra: str = "",
    scoring: str = "",
    fill_na: bool = True,
) -> str:
    """YAML of a case. ``objects`` id → layer; ``judgements`` are flow mappings (without "- ")."""
    cat = catalogue()
    management = dict(management or {})
    objects = dict(objects)
    for layer in TECHNICAL_LAYERS:
        if layer not in objects.values():
            objects[f"na-{layer}"] = layer
    given = {line.split("indicator:")[1].split(",")[0].strip() for line in judgements}
    lines = ["schema: mptool.assessment/1", f"system: {{name: 测试系统, level: {level}}}"]
    if scoring:
        lines.append(f"scoring: {scoring}")
    lines.append("objects:")
    lines += [f"  - {{id: {oid}, layer: {layer}}}" for oid, layer in objects.items()]
    lines.append("judgements:")
    lines += [f"  - {j}" for j in judgements]
    if fill_na:
        for ind in cat.at_level(level):
            if ind.kind == "technical" and ind.id not in given:
                first = next(o for o, l in objects.items() if l == ind.layer)
                lines.append(f"  - {{object: {first}, indicator: {ind.id}, result: 不适用, reason: 测试}}")
    lines.append("management:")
    for ind in cat.at_level(level):
        if ind.kind == "management":
            result = management.pop(ind.id, "不适用" if fill_na else None)
            if result is not None:
                lines.append(f"  - {{indicator: {ind.id}, result: {result}}}")
    assert not management, f"management indicators not at level {level}: {management}"
    text = "\n".join(lines) + "\n"
    return text + extra


def write_case(directory: Path, text: str, name: str = "assessment.yaml") -> Path:
    """Write a case file and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
