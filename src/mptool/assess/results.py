"""Evidence results of ``assess score`` and ``assess check`` (finding codes from the check table)."""

from __future__ import annotations

from typing import Any

from mptool.assess.api import ScoredAssessment
from mptool.assess.indicators import LAYERS, catalogue
from mptool.assess.checks import COMPLETENESS, JUDGEMENT, LAYER, RISK, TOTAL, UNIT
from mptool.assess.model.loader import Case
from mptool.assess.rules.engine import ONE, ZERO
from mptool.core.model import CheckResult, Finding, Severity, Status


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def judgement_results(scored: ScoredAssessment) -> list[CheckResult]:
    """One ``assess.judgement`` per (object, indicator), in file order."""
    out: list[CheckResult] = []
    cat = scored.catalogue
    for r in scored.case.resolved:
        obj = scored.result.objects[(r.object, r.indicator)]
        ind = cat.indicators[r.indicator]
        measurements = {
            "object": r.object, "indicator": r.indicator, "layer": ind.layer,
            "D": r.D, "A": r.A, "K": r.K, "Ra": _s(r.Ra), "Rk": _s(r.Rk),
            "score": _s(obj.final), "raw_score": _s(obj.raw), "basis": r.basis,
            "evidence": list(r.evidence), "line": r.line,
        }
        if r.by:
            measurements["by"] = r.by
        findings: list[Finding] = []
        location = {"file": str(scored.case.path), "line": r.line}
        if r.na:
            status = Status.NA
            findings.append(Finding(code="assess.judgement.not_applicable", severity=Severity.INFO, message=r.reason or "不适用", location=location))
        else:
            status = Status.PASS if obj.final == ONE else Status.FAIL if obj.final == ZERO else Status.WARN
            if obj.final == ZERO:
                findings.append(Finding(code="assess.judgement.zero", severity=Severity.WARN, message=f"{r.object}/{r.indicator}: D no → 0", location=location))
            elif obj.final is not None and obj.final < ONE:
                missing = [n for n in ("A", "K") if getattr(r, n) is False]
                findings.append(Finding(code="assess.judgement.partial", severity=Severity.WARN, message=f"{r.object}/{r.indicator}: {'/'.join(missing) or 'compensated'} no → {obj.final}", location=location))
        if obj.compensated_by:
            measurements["compensated_by"] = list(obj.compensated_by)
            findings.append(Finding(code="assess.judgement.compensated", severity=Severity.INFO, message=f"raw {obj.raw} → {obj.final} by {obj.compensated_by[0]}/{obj.compensated_by[1]}", location=location))
        if obj.compensation_ignored:
            findings.append(Finding(code="assess.judgement.compensation_ignored", severity=Severity.INFO, message=obj.compensation_ignored, location=location))
        if r.overridden:
            measurements["overridden"] = list(r.overridden)
            findings.append(Finding(code="assess.judgement.proposal_overridden", severity=Severity.INFO, message=f"evaluator {r.by or '?'} overrode {', '.join(r.overridden)}: {r.why}", location=location))
            if not r.why:
                findings.append(Finding(code="assess.judgement.override_without_reason", severity=Severity.WARN, message="proposal overridden without why:", location=location))
        out.append(JUDGEMENT.result(status, subject=f"{r.object} / {r.indicator}", measurements=measurements, findings=findings))
    return out


def unit_results(scored: ScoredAssessment) -> list[CheckResult]:
    """One ``assess.unit`` per indicator evaluated at the level."""
    out: list[CheckResult] = []
    cat = scored.catalogue
    level = scored.case.data.system.level
    for ind_id, unit in scored.result.units.items():
        ind = cat.indicators[ind_id]
        measurements = {
            "indicator": ind_id, "name_zh": ind.label_zh, "layer": ind.layer, "kind": ind.kind,
            "strength": ind.strength[level], "weight": str(unit.weight), "score": _s(unit.score),
            "result": unit.result, "objects": unit.objects, "clause": f"GB/T 39786-2021 {ind.clause[level]}",
        }
        findings: list[Finding] = []
        if unit.result is None:
            status = Status.WARN
            findings.append(Finding(code="assess.unit.not_judged", severity=Severity.WARN, message=f"{ind_id} {ind.label_zh} [{ind.strength[level]}]: no judgement"))
        elif unit.result == "不适用":
            status = Status.NA
        elif unit.result == "符合":
            status = Status.PASS
        elif unit.result == "部分符合":
            status = Status.WARN
            findings.append(Finding(code="assess.unit.partial", severity=Severity.WARN, message=f"{ind_id} {ind.label_zh}: 部分符合 ({unit.score})"))
        else:
            status = Status.FAIL
            findings.append(Finding(code="assess.unit.noncompliant", severity=Severity.WARN, message=f"{ind_id} {ind.label_zh}: 不符合"))
        out.append(UNIT.result(status, subject=ind_id, measurements=measurements, findings=findings))
    return out


def layer_results(scored: ScoredAssessment) -> list[CheckResult]:
    """One ``assess.layer`` per layer."""
    out: list[CheckResult] = []
    cat = scored.catalogue
    for layer in LAYERS:
        value = scored.result.layers.get(layer)
        group = cat.layers[layer]["group"]
        measurements = {"layer": layer, "name_zh": cat.layers[layer]["name_zh"], "group": group, "score": _s(value), "weight": str(cat.layers[layer]["weight_2023"])}
        if value is None:
            finding = Finding(code="assess.layer.not_applicable", severity=Severity.INFO, message=f"{cat.layers[layer]['name_zh']}: no applicable, judged unit")
            out.append(LAYER.result(Status.NA, subject=layer, measurements=measurements, findings=[finding]))
        else:
            out.append(LAYER.result(Status.INFO, subject=layer, measurements=measurements))
    return out


_RISK_CODES = {"高": ("assess.risk.high", Severity.ERROR, Status.FAIL), "中": ("assess.risk.medium", Severity.WARN, Status.WARN), "低": ("assess.risk.low", Severity.INFO, Status.INFO)}


def risk_results(scored: ScoredAssessment) -> list[CheckResult]:
    """One ``assess.risk`` per risk row."""
    out: list[CheckResult] = []
    cat = scored.catalogue
    for row in scored.risks:
        ind = cat.indicators.get(row.indicator)
        label = ind.label_zh if ind is not None else cat.general[row.indicator]["name_zh"]
        measurements = {
            "indicator": row.indicator, "name_zh": label, "layer": row.layer, "result": row.result, "level": row.level,
            "high_risk": row.high_risk, "entries": row.entries, "objects": row.objects, "mitigated": row.mitigated,
            "threats": row.threats, "basis": row.basis, "problem": f"指标：{label}",
        }
        code, severity, status = _RISK_CODES[row.level]
        if row.level == "高" and not row.high_risk:
            code, severity, status = "assess.risk.medium", Severity.WARN, Status.WARN  # 高 by the evaluator without a confirmed entry
            measurements["note"] = "level 高 set by the evaluator; no confirmed high-risk entry (no veto)"
        findings = [Finding(code=code, severity=severity, message=f"{row.indicator} {label}: 风险等级 {row.level}" + (f" ({'; '.join(row.reasons)})" if row.reasons else ""))]
        if row.mitigated:
            findings.append(Finding(code="assess.risk.mitigated", severity=Severity.INFO, message=f"mitigated: level {row.level}"))
        findings += [Finding(code=c, severity=Severity.WARN, message=m) for c, m in row.notes]
        out.append(RISK.result(status, subject=row.indicator, measurements=measurements, findings=findings))
    return out


def total_result(scored: ScoredAssessment) -> CheckResult:
    """The ``assess.total`` result: total, conclusion, high risks."""
    r = scored.result
    measurements = {
        "total": _s(r.total), "conclusion": scored.conclusion, "threshold": str(scored.rules.threshold),
        "rule_set": scored.rules.id, "high_risks": scored.high_risks,
        "groups": {g: _s(v) for g, v in r.groups.items()}, "reason": r.total_reason or None,
    }
    findings: list[Finding] = []
    if r.not_judged:
        findings.append(Finding(code="assess.total.incomplete", severity=Severity.WARN, message=f"{len(r.not_judged)} applicable indicators not judged: {', '.join(r.not_judged)}"))
    if scored.conclusion is None:
        status = Status.INFO
        findings.append(Finding(code="assess.total.no_total", severity=Severity.WARN, message=r.total_reason))
    elif scored.conclusion == "符合":
        status = Status.PASS
        findings.append(Finding(code="assess.total.compliant", severity=Severity.INFO, message=f"{r.total} → 符合"))
    elif scored.conclusion == "基本符合":
        status = Status.WARN
        findings.append(Finding(code="assess.total.basically_compliant", severity=Severity.WARN, message=f"{r.total} ≥ {scored.rules.threshold}, no unmitigated high risk → 基本符合"))
    else:
        status = Status.FAIL
        if scored.high_risks:
            findings.append(Finding(code="assess.total.high_risk_veto", severity=Severity.ERROR, message=f"{scored.high_risks} unmitigated high risk(s) → 不符合 (score {r.total})"))
        else:
            findings.append(Finding(code="assess.total.noncompliant", severity=Severity.ERROR, message=f"{r.total} < {scored.rules.threshold} → 不符合"))
    return TOTAL.result(status, subject=scored.case.data.system.name, measurements=measurements, findings=findings)


def score_results(scored: ScoredAssessment) -> list[CheckResult]:
    """Every result of ``assess score`` in order: judgements, units, layers, risks, total."""
    return judgement_results(scored) + unit_results(scored) + layer_results(scored) + risk_results(scored) + [total_result(scored)]


def completeness_results(case: Case, evidence_problems: list[tuple[tuple[Any, ...], str]]) -> list[CheckResult]:
    """``assess check``: one ``assess.completeness`` result listing what is missing."""
    cat = catalogue()
    level = case.data.system.level
    judged = {r.indicator for r in case.resolved} | {m.indicator for m in case.data.management}
    findings: list[Finding] = []
    for ind in cat.at_level(level):
        if ind.id not in judged:
            findings.append(Finding(code="assess.completeness.not_judged", severity=Severity.WARN, message=f"{ind.id} {ind.label_zh} [{ind.strength[level]}]: no judgement"))
    decided = {(r.object, r.indicator) for r in case.resolved}
    for (obj, ind_id), proposal in case.proposals.items():
        if (obj, ind_id) not in decided:
            factors = " ".join(f"{n}={'√' if proposal[n] else '×'}" for n in ("D", "A", "K") if n in proposal)
            findings.append(Finding(code="assess.completeness.proposal_unconfirmed", severity=Severity.WARN, message=f"proposal {obj}/{ind_id} ({factors}) not confirmed: add a judgement with accept: true, by: …", data={"evidence": proposal.get("evidence", [])}))
    confirmed = {(h.object, h.indicator) for h in case.data.high_risks} | {(None, h.indicator) for h in case.data.high_risks}
    for cand in case.proposals_raw.get("high_risk_candidates") or []:
        if (cand["object"], cand["indicator"]) not in confirmed and (None, cand["indicator"]) not in confirmed:
            findings.append(Finding(code="assess.completeness.high_risk_candidate", severity=Severity.WARN, message=f"{cand['id']} candidate for {cand['object']}: {cand['reason']} — confirm under high_risks: or record why not"))
    for path, problem in evidence_problems:
        findings.append(Finding(code="assess.completeness.evidence_changed", severity=Severity.ERROR, message=problem, location={"file": str(case.path), "line": case.line(*path)}))
    if not findings:
        findings.append(Finding(code="assess.completeness.complete", severity=Severity.INFO, message="every applicable indicator is judged and every proposal decided"))
    worst = Status.FAIL if any(f.severity is Severity.ERROR for f in findings) else Status.WARN if any(f.severity is Severity.WARN for f in findings) else Status.PASS
    measurements = {
        "indicators": len(cat.at_level(level)), "judged": len(judged & {i.id for i in cat.at_level(level)}),
        "proposals": len(case.proposals), "unconfirmed": sum(1 for f in findings if f.code == "assess.completeness.proposal_unconfirmed"),
        "evidence_files": len(case.data.evidence),
    }
    return [COMPLETENESS.result(worst, subject=str(case.path), measurements=measurements, findings=findings)]
