"""Derive proposals from mptool evidence JSON (never from other domains' code).

Evidence is read only as JSON in mptool's envelope (``schema: mptool.evidence/1``). Each
result that the mapping table knows yields :class:`Contribution` s — one factor (D, A or K) of
one indicator with its reason and the evidence's SM3 — and the contributions of an (object,
indicator) combine into a :class:`Proposal`: a factor is yes only when every contribution says
yes; Ra is the smallest over the contributions (the weakest algorithm governs, 2023 rules table 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from mptool.core import jsonio
from mptool.assess.indicators import Catalogue
from mptool.assess.proposals.mapping import mapping, strengths, weak_protocol
from mptool.assess.rules.ruleset import RuleSet
from mptool.core.errors import InputError

EVIDENCE_SCHEMA = "mptool.evidence/1"


@dataclass(frozen=True)
class Contribution:
    """One factor of one indicator, from one evidence result."""

    indicator: str
    factor: str  #: D | A | K
    value: bool
    reason: str
    evidence: str  #: SM3 of the evidence file
    ra: Decimal | None = None


@dataclass(frozen=True)
class Candidate:
    """A high-risk candidate the evaluator confirms (or not) under high_risks:."""

    id: str
    indicator: str
    reason: str
    evidence: str


@dataclass
class Proposal:
    """Proposed factors of one (object, indicator)."""

    object: str
    indicator: str
    D: bool | None = None
    A: bool | None = None
    K: bool | None = None
    Ra: Decimal | None = None
    reasons: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        """The YAML/JSON form (None factors left out)."""
        out: dict[str, Any] = {"object": self.object, "indicator": self.indicator}
        for name in ("D", "A", "K"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.Ra is not None:
            out["Ra"] = str(self.Ra)
        out["reasons"] = list(self.reasons)
        out["evidence"] = sorted(set(self.evidence))
        return out


def read_evidence(path: Path) -> dict[str, Any]:
    """Parse an mptool evidence file (InputError with the line on bad JSON or a wrong envelope)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text: expected mptool evidence JSON") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        data = jsonio.loads(text)
    except jsonio.JSONInputError as exc:
        raise InputError(f"{path}:{exc.line or 1}", exc.problem) from None
    if not isinstance(data, dict) or data.get("schema") != EVIDENCE_SCHEMA or not isinstance(data.get("results"), list):
        raise InputError(f"{path}:1", f"not mptool evidence (expected schema {EVIDENCE_SCHEMA} with results)")
    return data


def _ra(rules: RuleSet, texts: list[str]) -> tuple[Decimal, str, list[Candidate | tuple[str, str]]]:
    found = [m for text in texts for m in strengths(text)]
    hrs: list[Candidate | tuple[str, str]] = [(m.high_risk, m.name) for m in found if m.high_risk]
    if not found:
        return Decimal(1), "security strength not determined from the evidence: Ra 1 (evaluator confirms)", hrs
    weakest = min(found, key=lambda m: m.bits)
    ra = rules.ra_for_bits(weakest.bits)
    return ra, f"weakest non-compliant algorithm {weakest.name} ≈ {weakest.bits} bits → Ra {ra}", hrs


def _protocol(data: dict[str, Any], sm3: str, layer: str, rules: RuleSet, cands: list[Candidate]) -> list[Contribution]:
    table = mapping()["channel_indicators"]
    targets = table["layers"].get(layer, {})
    out: list[Contribution] = []
    for result in data["results"]:
        m = result.get("measurements") or {}
        indicators = m.get("indicators")
        if not isinstance(indicators, list):
            continue
        if table.get("skip_when_not_completed") and (m.get("handshake_completed") is False or m.get("established") is False):
            continue
        subject = result.get("subject", "")
        unprotected = table.get("unprotected")
        if unprotected and all(m.get(k) == v for k, v in unprotected["when"].items()):
            out += _unprotected(unprotected, m, indicators, targets, layer, subject, sm3, cands)
            continue
        version = str(m.get("version") or "")
        hr = weak_protocol(version) if version else None
        if hr:
            cands.append(Candidate(hr, "GEN-TECH", f"{subject}: protocol version {version} (high-risk guide 5.2)", sm3))
        certs = [c for c in m.get("certificates") or [] if isinstance(c, dict)]
        cert_texts = [f"{c.get('key_type', '')} {c.get('signature_algorithm', '')}" for c in certs]
        for finding in result.get("findings") or []:
            if str(finding.get("code", "")).endswith(".weak"):
                message = str(finding.get("message", ""))
                hr_id = weak_protocol(message) or "HR-GEN-ALG"
                cands.append(Candidate(hr_id, "GEN-TECH" if hr_id == "HR-GEN-TECH" else "GEN-ALG", f"{subject}: {message}", sm3))
        for text in cert_texts:
            for match in strengths(text):
                if match.high_risk:
                    cands.append(Candidate(match.high_risk, "GEN-ALG", f"{subject}: certificate {match.name} (high-risk guide 5.1)", sm3))
        for item in indicators:
            target = targets.get(item.get("id"))
            rule = table["verdicts"].get(item.get("verdict"))
            reasons = [str(r) for r in item.get("reasons") or []]
            label = f"{subject}: {item.get('id')} {item.get('verdict')}: {'; '.join(reasons)}"
            if target is None or rule is None:
                continue
            out.append(Contribution(target, "D", bool(rule["D"]), label, sm3))
            if rule["A"]:
                out.append(Contribution(target, "A", True, label, sm3))
                continue
            texts = reasons + (cert_texts if item.get("id") == "NET-AUTH" else [])
            ra, why, _ = _ra(rules, texts)
            out.append(Contribution(target, "A", False, f"{label} ({why})", sm3, ra))
    return out


def _unprotected(rule: dict[str, Any], m: dict[str, Any], indicators: list[Any], targets: dict[str, str], layer: str, subject: str, sm3: str, cands: list[Candidate]) -> list[Contribution]:
    """A channel with no cryptography: D no for each indicator it bears on, one high-risk candidate."""
    hr = rule["high_risk"].get(layer)
    label = f"{subject}: {m.get('protocol')} without cryptographic protection"
    if hr:
        cands.append(Candidate(hr["id"], hr["indicator"], label, sm3))
    out = []
    for target in dict.fromkeys(targets.get(str(item.get("id"))) for item in indicators if isinstance(item, dict)):
        if target is not None:
            out.append(Contribution(target, "D", bool(rule["D"]), label, sm3))
    return out


def _certificates(data: dict[str, Any], sm3: str, layer: str) -> list[Contribution]:
    table = mapping()["certificates"]
    targets = table["layers"].get(layer, [])
    rules = {(r["check"], r["status"]): r for r in table["rules"]}
    out: list[Contribution] = []
    for result in data["results"]:
        rule = rules.get((result.get("check"), result.get("status")))
        if rule is None:
            continue
        for target in targets:
            for factor in ("D", "A"):
                if factor in rule:
                    out.append(Contribution(target, factor, bool(rule[factor]), f"{result.get('subject', '')}: {rule['reason']} ({result.get('check')} {result.get('status')})", sm3, Decimal(1) if factor == "A" and not rule[factor] else None))
    return out


def _algorithms(data: dict[str, Any], sm3: str, layer: str, only: set[str], rules: RuleSet) -> list[Contribution]:
    table = mapping()["algorithms"]
    out: list[Contribution] = []
    for result in data["results"]:
        spec = table["checks"].get(result.get("check"))
        if spec is None or result.get("status") not in ("pass", "fail"):
            continue
        targets = [t for t in table["layers"].get(layer, {}).get(spec["purpose"], []) if not only or t in only]
        algorithm = str((result.get("measurements") or {}).get("algorithm") or result.get("subject") or result.get("check"))
        passed = result.get("status") == "pass"
        gm = spec["gm"] if spec["gm"] != "by_algorithm" else algorithm.upper().startswith(("SM4", "SM1"))
        for target in targets:
            if not passed:
                out.append(Contribution(target, "D", False, f"{algorithm}: the captured value does not verify ({result.get('check')} fail): mechanism ineffective", sm3))
                continue
            out.append(Contribution(target, "D", True, f"{algorithm}: captured value verified ({result.get('check')} pass)", sm3))
            if gm:
                out.append(Contribution(target, "A", True, f"{algorithm} is a GM algorithm", sm3))
            else:
                ra, why, _ = _ra(rules, [algorithm])
                out.append(Contribution(target, "A", False, f"{algorithm} is not a GM algorithm ({why})", sm3, ra))
    return out


def _randomness(data: dict[str, Any], sm3: str, cands: list[Candidate]) -> list[Contribution]:
    table = mapping()["randomness"]
    verdict = ((data.get("summary") or {}).get("rng") or {}).get("verdict") or (data.get("summary") or {}).get("status")
    if verdict not in ("pass", "fail"):
        return []
    rule = table[verdict]
    reason = rule["reason"]
    if verdict == "fail":
        from mptool.rng.api import failure_caveat

        caveat = failure_caveat((data.get("summary") or {}).get("rng") or {})
        reason += f" ({caveat})" if caveat else ""
    if verdict == "fail" and rule.get("high_risk"):
        cands.append(Candidate(rule["high_risk"], "GEN-KEY", reason, sm3))
    return [Contribution("*", "K", bool(rule["K"]), reason, sm3)]


def contributions(
    data: dict[str, Any], sm3: str, layer: str, only: set[str], rules: RuleSet, cands: list[Candidate]
) -> list[Contribution]:
    """The contributions of one evidence document for an object of ``layer``."""
    command = str(data.get("command", ""))
    if command.startswith("proto"):
        return _protocol(data, sm3, layer, rules, cands)
    if command.startswith("cert"):
        return _certificates(data, sm3, layer)
    if command.startswith("algo"):
        return _algorithms(data, sm3, layer, only, rules)
    if command.startswith("rng"):
        return _randomness(data, sm3, cands)
    return []


def combine(object_id: str, items: list[Contribution], only: set[str], cat: Catalogue, level: int, layer: str) -> dict[str, Proposal]:
    """Combine contributions into proposals (per indicator): all-yes → yes; Ra = min."""
    proposals: dict[str, Proposal] = {}
    object_wide = [c for c in items if c.indicator == "*"]
    for c in items:
        if c.indicator == "*":
            continue
        ind = cat.indicators.get(c.indicator)
        if ind is None or not ind.applies_at(level) or ind.layer != layer or (only and c.indicator not in only):
            continue
        p = proposals.setdefault(c.indicator, Proposal(object_id, c.indicator))
        _apply(p, c)
    targets = set(proposals) if not only else {i for i in only if cat.indicators.get(i) and cat.indicators[i].applies_at(level) and cat.indicators[i].layer == layer}
    for c in object_wide:
        for indicator in sorted(targets):
            _apply(proposals.setdefault(indicator, Proposal(object_id, indicator)), c)
    return proposals


def _apply(p: Proposal, c: Contribution) -> None:
    current = getattr(p, c.factor)
    setattr(p, c.factor, c.value if current is None else (current and c.value))
    if c.factor == "A" and not c.value and c.ra is not None:
        p.Ra = c.ra if p.Ra is None else min(p.Ra, c.ra)
    if c.reason not in p.reasons:
        # an A contribution repeats its channel's D label with the strength appended: one line, the longer
        shorter = next((i for i, r in enumerate(p.reasons) if c.reason.startswith(r + " (")), None)
        if shorter is None:
            p.reasons.append(c.reason)
        else:
            p.reasons[shorter] = c.reason
    p.evidence.append(c.evidence)


def derive_case_proposals(
    entries: list[dict[str, Any]], objects: dict[str, str], cat: Catalogue, level: int, rules: RuleSet
) -> dict[str, Any]:
    """The proposals file content for a case: every evidence entry × each of its objects.

    ``entries`` are {sm3, data, objects, indicators}; ``objects`` maps object id → layer.
    """
    by_object: dict[str, list[Contribution]] = {}
    filters: dict[str, set[str]] = {}
    candidates: list[dict[str, Any]] = []
    for entry in entries:
        for object_id in entry["objects"]:
            layer = objects.get(object_id)
            if layer is None:
                continue
            only = set(entry.get("indicators") or [])
            cands: list[Candidate] = []
            by_object.setdefault(object_id, []).extend(contributions(entry["data"], entry["sm3"], layer, only, cat_rules(rules), cands))
            filters.setdefault(object_id, set()).update(only)
            for c in cands:
                row = {"object": object_id, "indicator": c.indicator, "id": c.id, "reason": c.reason, "evidence": [c.evidence]}
                if row not in candidates:
                    candidates.append(row)
    proposals: list[dict[str, Any]] = []
    for object_id in sorted(by_object):
        combined = combine(object_id, by_object[object_id], filters.get(object_id, set()), cat, level, objects[object_id])
        for ind in cat.at_level(level):
            if ind.id in combined:
                p = combined[ind.id]
                proposals.append(p.as_data())
                if p.D is False:
                    for entry in cat.high_risks_for(ind.id, level):
                        row = {"object": object_id, "indicator": ind.id, "id": entry.id, "reason": f"proposal D no for {ind.id}: no or ineffective cryptography (guide: P-NONE / P-BROKEN)", "evidence": sorted(set(p.evidence))}
                        if row not in candidates:
                            candidates.append(row)
    return {"proposals": proposals, "high_risk_candidates": candidates}


def cat_rules(rules: RuleSet) -> RuleSet:
    """The rule set used for Ra (table 2 of the 2023 rules even when scoring with 2021)."""
    if rules.uses_ra_rk:
        return rules
    from mptool.assess.rules.ruleset import rule_set

    return rule_set("quant-2023")
