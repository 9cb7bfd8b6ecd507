"""结果记录 drafts of Appendix A, in the pattern of the 2023 template's records (report-2023.md §1.5).

A technical record opens with 测评验证记录：, then numbered steps each led by its method
(经工具测试… when mptool evidence backs the judgement, else 经访谈和文档审查…), what mptool
observed (protocol, suite, frames, certificate subject/issuer/serial/fingerprint/validity,
path validation, algorithm strength), the evidence file and its SM3 digest; then
测评对象评分计算依据 with the D/A/K/Ra/Rk arithmetic and the score the engine computed, and
测评对象分数弥补 when a compensation raised it. The evaluator's ``record:`` text always wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from mptool.assess.api import ScoredAssessment
from mptool.assess.model.loader import Resolved
from mptool.assess.proposals.mapping import strengths
from mptool.assess.report.evidence import EvidenceSummary

MARK = {True: "√", False: "×", None: "/"}


@dataclass
class Record:
    """One Appendix A record (technical or management)."""

    text: str
    source: str  #: evaluator | draft
    evidence: list[str] = field(default_factory=list)  #: SM3 of the evidence files cited
    methods: list[str] = field(default_factory=list)  #: 访谈 文档审查 实地查看 配置检查 工具测试


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _frames(frames: list[int]) -> str:
    return f"{min(frames)}–{max(frames)}" if frames else "—"


def _capture(ev: EvidenceSummary) -> tuple[str, str]:
    for item in ev.inputs:
        name = str(item.get("name", ""))
        if name.endswith((".pcap", ".pcapng", ".pcap.gz", ".cap")):
            return Path(name).name, str(item.get("sm3", ""))
    first = ev.inputs[0] if ev.inputs else {}
    return Path(str(first.get("name", "—"))).name, str(first.get("sm3", ""))


def _strength_text(texts: list[str], lang: str) -> str:
    found = {m.name: m.bits for t in texts for m in strengths(t)}
    if not found:
        return ""
    items = "、".join(f"{n}约{b}比特" for n, b in found.items()) if lang == "zh" else ", ".join(f"{n} ≈ {b} bits" for n, b in found.items())
    return _t(lang, f"，算法安全强度：{items}", f"; security strength: {items}")


def _proto_step(ev: EvidenceSummary, indicator: str, lang: str) -> str:
    capture, capture_sm3 = _capture(ev)
    parts = []
    for ch in ev.channels:
        cert = ch.certificate or {}
        fp_name, fp = ("SM3", cert["sm3"]) if cert.get("sm3") else ("SHA-256", cert.get("sha256", ""))
        reasons = ch.reasons.get(indicator) or [r for rs in ch.reasons.values() for r in rs]
        if lang == "zh":
            text = f"{ch.protocol} {ch.version} 连接{ch.connections}条（帧{_frames(ch.frames)}），密码套件{ch.suite or '—'}"
            if cert:
                text += (f"，服务端证书主体“{cert.get('subject', '')}”，颁发者“{cert.get('issuer', '')}”，序列号{cert.get('serial', '')}，"
                         f"{fp_name}指纹{fp}，有效期{cert.get('not_before', '')}至{cert.get('not_after', '')}，证书密钥{cert.get('key_type', '')}、签名算法{cert.get('signature_algorithm', '')}")
            if reasons:
                text += f"；经分析确认：{'；'.join(reasons)}"
        else:
            text = f"{ch.protocol} {ch.version}, {ch.connections} connection(s) (frames {_frames(ch.frames)}), suite {ch.suite or '—'}"
            if cert:
                text += (f"; server certificate subject \"{cert.get('subject', '')}\", issuer \"{cert.get('issuer', '')}\", serial {cert.get('serial', '')}, "
                         f"{fp_name} fingerprint {fp}, valid {cert.get('not_before', '')} to {cert.get('not_after', '')}, key {cert.get('key_type', '')}, signature {cert.get('signature_algorithm', '')}")
            if reasons:
                text += f"; analysis: {'; '.join(reasons)}"
        parts.append(text + _strength_text([ch.suite, f"{cert.get('key_type', '')}"], lang))
    signature = ev.cert_checks.get("cert.path.signature") or ev.cert_checks.get("cert.path.build")
    if lang == "zh":
        head = f"经工具测试，使用mptool {ev.command}（版本{ev.tool_version}）分析抓包文件{capture}（SM3：{capture_sm3}），"
        tail = f"；证书签名及证书链验证{'通过' if signature == 'pass' else '未通过' if signature in ('fail', 'error') else '未执行'}" if signature else ""
        return head + "；".join(parts or ["未识别出完成握手的加密信道"]) + tail
    head = f"Tool test: mptool {ev.command} (version {ev.tool_version}) on capture {capture} (SM3 {capture_sm3}): "
    tail = f"; certificate signatures and path {'verified' if signature == 'pass' else 'not verified' if signature in ('fail', 'error') else 'not checked'}" if signature else ""
    return head + "; ".join(parts or ["no completed encrypted channel"]) + tail


def _chain_step(ev: EvidenceSummary, lang: str) -> str:
    chain = ev.chain or {}
    leaf = chain.get("leaf") or {}
    cert_file = next((i for i in ev.inputs), {})
    name, sm3 = Path(str(cert_file.get("name", leaf.get("source", "—")))).name, str(cert_file.get("sm3", ""))
    ok = chain.get("valid")
    if lang == "zh":
        return (f"经工具测试，使用mptool {ev.command}（版本{ev.tool_version}）验证证书文件{name}（SM3：{sm3}）：证书主体“{leaf.get('subject', '')}”，"
                f"颁发者“{leaf.get('issuer', '')}”，SHA-256指纹{leaf.get('sha256', '')}；证书路径（{chain.get('length', 0)}级）构建{'成功，签名验证通过' if ok else '失败'}"
                f"（验证时间{chain.get('validation_time', '')}）")
    return (f"Tool test: mptool {ev.command} (version {ev.tool_version}) on certificate file {name} (SM3 {sm3}): subject \"{leaf.get('subject', '')}\", "
            f"issuer \"{leaf.get('issuer', '')}\", SHA-256 {leaf.get('sha256', '')}; certification path of {chain.get('length', 0)} {'built, signatures verified' if ok else 'not valid'}"
            f" (at {chain.get('validation_time', '')})")


def _generic_step(ev: EvidenceSummary, lang: str) -> str:
    if ev.verified:
        items = ("；" if lang == "zh" else "; ").join(
            f"{alg}：{'验证通过' if st == 'pass' else '验证未通过'}" if lang == "zh" else f"{alg}: {'verified' if st == 'pass' else 'does not verify'}"
            for _c, alg, st in ev.verified)
        return _t(lang, f"经工具测试，使用mptool {ev.command}（版本{ev.tool_version}）对系统中采集的数据进行密码计算验证：{items}",
                  f"Tool test: mptool {ev.command} (version {ev.tool_version}) recomputed values captured from the system: {items}")
    if ev.rng_verdict is not None:
        ok = ev.rng_verdict == "pass"
        return _t(lang, f"经工具测试，使用mptool {ev.command}（版本{ev.tool_version}）对密钥样本进行GM/T 0005随机性检测：{'通过' if ok else '未通过'}",
                  f"Tool test: mptool {ev.command} (version {ev.tool_version}) ran the GM/T 0005 randomness tests on key samples: {'pass' if ok else 'fail'}")
    return _t(lang, f"经工具测试，使用mptool {ev.command}（版本{ev.tool_version}），结果{ev.data_status}",
              f"Tool test: mptool {ev.command} (version {ev.tool_version}), status {ev.data_status}")


def evidence_step(ev: EvidenceSummary, indicator: str, lang: str) -> str:
    """One 经工具测试 step for an evidence file, ending with the file and its SM3 digest."""
    if ev.channels:
        text = _proto_step(ev, indicator, lang)
    elif ev.chain is not None:
        text = _chain_step(ev, lang)
    else:
        text = _generic_step(ev, lang)
    return text + _t(lang, f"，见证据文件{ev.file}（SM3：{ev.sm3}）", f"; see evidence file {ev.file} (SM3 {ev.sm3})")


def q4(value: Decimal | None) -> Decimal | None:
    """An object score shown with the rules' 4 decimals (the engine leaves an exact 0 unrounded)."""
    return None if value is None else value.quantize(Decimal("0.0001"))


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def score_basis(scored: ScoredAssessment, r: Resolved, lang: str) -> str:
    """测评对象评分计算依据: the factors, the table-1 row and the engine's (raw) score."""
    rules = scored.rules
    level = scored.case.data.system.level
    obj = scored.result.objects[(r.object, r.indicator)]
    raw = q4(obj.raw if obj.raw is not None else Decimal(0))
    ra, rk = (r.Ra, r.Rk) if rules.uses_ra_rk else (Decimal(1), Decimal(1))
    edition = "2023" if rules.id.endswith("2023") else "2021"
    factors = f"D={MARK[r.D]}，A={MARK[r.A] if r.D else '/'}，K={MARK[r.K] if r.D else '/'}"
    if not r.D:
        formula = "0"
        why = _t(lang, "密码使用无效（D=×），", "cryptography not used or not effective (D no): ")
    elif r.A and r.K:
        formula, why = "1", ""
    elif not r.A and r.K:
        formula, why = f"{_fmt(rules.a_no)}×Ra={_fmt(rules.a_no)}×{_fmt(ra)}={raw}", _t(lang, f"算法/技术不合规（Ra={_fmt(ra)}），", f"algorithm/technique not compliant (Ra {_fmt(ra)}): ")
    elif r.A and not r.K:
        formula, why = f"{_fmt(rules.k_no)}×Rk={_fmt(rules.k_no)}×{_fmt(rk)}={raw}", _t(lang, f"密钥管理不满足要求（Rk={_fmt(rk)}），", f"key management not met (Rk {_fmt(rk)}): ")
    else:
        formula = f"{_fmt(rules.a_no_k_no)}×Ra×Rk={_fmt(rules.a_no_k_no)}×{_fmt(ra)}×{_fmt(rk)}={raw}"
        why = _t(lang, f"算法/技术及密钥管理均不满足要求（Ra={_fmt(ra)}，Rk={_fmt(rk)}），", f"neither algorithm nor key management compliant (Ra {_fmt(ra)}, Rk {_fmt(rk)}): ")
    if lang == "zh":
        return f"测评对象评分计算依据：被测系统为第{level}级系统，{factors}，{why}根据{edition}版量化评估规则，该测评对象评分为{formula}（{raw}）。"
    return f"Basis of the object score: level-{level} system, {factors.replace('，', ', ')}; {why}under the {edition} quantitative rules the object scores {formula} ({raw})."


def compensation_text(scored: ScoredAssessment, r: Resolved, lang: str, names: dict[str, str]) -> str:
    """测评对象分数弥补 sentence when a compensation raised the score ('' otherwise)."""
    obj = scored.result.objects[(r.object, r.indicator)]
    if obj.compensated_by is None:
        return ""
    by_obj, by_ind = obj.compensated_by
    source = scored.result.objects[(by_obj, by_ind)]
    label = scored.catalogue.indicators[by_ind].label_zh
    reason = next((c.reason for c in scored.case.data.compensations if (c.object, c.indicator) == (r.object, r.indicator)), "")
    factor = _fmt(scored.rules.compensation_factor)
    if lang == "zh":
        text = (f"测评对象分数弥补：{names.get(by_obj, by_obj)}的“{label}”（{by_ind}）分值为{q4(source.raw)}分，依据B'=max({factor}×P_A, P_B)，"
                f"经弥补后该测评对象的分值由{q4(obj.raw)}分调整为{q4(obj.final)}分。")
        return text + (f"弥补原因：{reason}。" if reason else "")
    text = f"Compensation: {names.get(by_obj, by_obj)} {by_ind} scores {q4(source.raw)}; B' = max({factor}·P_A, P_B) raises this object from {q4(obj.raw)} to {q4(obj.final)}."
    return text + (f" Reason: {reason}." if reason else "")


def _no_evidence_step(r: Resolved, label: str, lang: str) -> str:
    if not r.D:
        return _t(lang, f"经访谈和文档审查，该测评对象未采用密码技术实现“{label}”，或所采用的密码机制无效",
                  f"Interview and document review: no effective cryptography protects \"{label}\" for this object")
    a = _t(lang, "密码算法/技术符合相关标准要求" if r.A else "所采用的密码算法/技术不符合国家密码管理要求", "the algorithm/technique is compliant" if r.A else "the algorithm/technique is not compliant")
    k = _t(lang, "密钥管理满足要求" if r.K else "密钥管理不满足要求", "key management is met" if r.K else "key management is not met")
    return _t(lang, f"经访谈和文档审查，该测评对象采用密码技术实现“{label}”，{a}，{k}",
              f"Interview and document review: cryptography protects \"{label}\"; {a}; {k}")


def technical_record(scored: ScoredAssessment, r: Resolved, evidence: dict[str, EvidenceSummary], lang: str, names: dict[str, str]) -> Record:
    """The record of one (object, indicator): the evaluator's text, else the draft."""
    label = scored.catalogue.indicators[r.indicator].label_zh
    cited = list(r.evidence) if r.basis == "evidence" else list((scored.case.proposals.get((r.object, r.indicator)) or {}).get("evidence", []))
    wanted = set(cited)
    cited = [s for s in evidence if s in wanted]  # in the case's order (as added)
    methods = ["工具测试"] if cited else ["访谈", "文档审查"]
    if r.record.strip():
        return Record(r.record.strip(), "evaluator", cited, methods)
    if r.na:
        reason = r.reason or _t(lang, "被测单位说明该指标不适用", "stated not applicable by the owner")
        return Record(_t(lang, f"测评验证记录：经访谈和文档审查，该测评对象不适用“{label}”指标。不适用原因：{reason}。",
                         f"Record: interview and document review: \"{label}\" does not apply to this object. Reason: {reason}."), "draft", cited, ["访谈", "文档审查"])
    steps = [evidence_step(evidence[s], r.indicator, lang) for s in cited] or [_no_evidence_step(r, label, lang)]
    if r.by:
        steps.append(_t(lang, f"上述结果经评估人员{r.by}确认" + (f"（{r.why}）" if r.why else ""), f"confirmed by {r.by}" + (f" ({r.why})" if r.why else "")))
    sep = "；" if lang == "zh" else "; "
    numbered = sep.join(f"{n}) {s}" for n, s in enumerate(steps, 1))
    text = _t(lang, f"测评验证记录：{numbered}。", f"Record: {numbered}.") + score_basis(scored, r, lang)
    comp = compensation_text(scored, r, lang, names)
    return Record(text + comp, "draft", cited, methods)


def management_record(label: str, result: str | None, reason: str, record: str, lang: str) -> Record:
    """The record of one management indicator."""
    if record.strip():
        return Record(record.strip(), "evaluator", [], ["访谈", "文档审查"])
    if result is None:
        return Record(_t(lang, "待确认：尚未判定。", "待确认: not judged yet."), "draft", [], [])
    zh = {
        "符合": f"经访谈和文档审查，被测单位已落实“{label}”的要求，相关制度文档及记录齐备",
        "部分符合": f"经访谈和文档审查，被测单位部分落实“{label}”的要求，相关制度文档或记录不完整",
        "不符合": f"经访谈和文档审查，被测单位未落实“{label}”的要求",
        "不适用": f"经访谈和文档审查，“{label}”不适用于被测系统",
    }[result]
    en = {"符合": "met", "部分符合": "partly met", "不符合": "not met", "不适用": "not applicable"}[result]
    text = _t(lang, f"测评验证记录：{zh}" + (f"（{reason}）" if reason else "") + "。", f"Record: interview and document review: \"{label}\" {en}" + (f" ({reason})" if reason else "") + ".")
    return Record(text, "draft", [], ["访谈", "文档审查"])
