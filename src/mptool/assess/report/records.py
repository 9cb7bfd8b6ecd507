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
from typing import Any

from mptool.assess.api import ScoredAssessment
from mptool.assess.model.loader import Resolved
from mptool.assess.proposals.mapping import strengths
from mptool.assess.report.evidence import Channel, EvidenceSummary
from mptool.core.i18n import Translator

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


def _protocol(ch: Channel, lang: str) -> str:
    """``TLCP 1.1``, ``TLS 1.2``, ``SSH-2.0``: the version alone when it already names the protocol."""
    version, protocol = ch.version.strip(), ch.protocol.strip()
    if not version or version.upper().startswith(protocol.upper()):
        return version or protocol
    if protocol.startswith("IKE"):
        return f"{protocol}（ISAKMP {version}）" if lang == "zh" else f"{protocol} (ISAKMP {version})"
    return f"{protocol} {version}"


def _certificate_text(cert: dict[str, Any], lang: str) -> str:
    fp_name, fp = ("SM3", cert["sm3"]) if cert.get("sm3") else ("SHA-256", cert.get("sha256", ""))
    if lang == "zh":
        return (f"服务端证书主体“{cert.get('subject', '')}”，颁发者“{cert.get('issuer', '')}”，序列号{cert.get('serial', '')}，"
                f"{fp_name}指纹{fp}，有效期{cert.get('not_before', '')}至{cert.get('not_after', '')}，证书密钥{cert.get('key_type', '')}、签名算法{cert.get('signature_algorithm', '')}")
    return (f"server certificate subject \"{cert.get('subject', '')}\", issuer \"{cert.get('issuer', '')}\", serial {cert.get('serial', '')}, "
            f"{fp_name} fingerprint {fp}, valid {cert.get('not_before', '')} to {cert.get('not_after', '')}, key {cert.get('key_type', '')}, signature {cert.get('signature_algorithm', '')}")


def _reasons_text(channels: list[Channel], indicator: str, lang: str) -> list[str]:
    """The distinct reasons of these channels for the indicator (every indicator's when it has none), in the report's language."""
    tr = Translator(lang)
    out: list[str] = []
    for ch in channels:
        reasons = ch.reasons.get(indicator) or [r for rs in ch.reasons.values() for r in rs]
        for text, code in reasons:
            said = tr.reason(code, text) if lang == "zh" else text
            if said not in out:
                out.append(said)
    return out


def _channel_group(channels: list[Channel], indicator: str, lang: str) -> str:
    """The channels that showed one server certificate: each configuration, the certificate once, the reasons."""
    zh = lang == "zh"
    tr = Translator(lang)
    lines = []
    for ch in channels:
        what = _t(lang, "密码套件" if ch.protocol in ("TLS", "TLCP") else "协商算法", "suite" if ch.protocol in ("TLS", "TLCP") else "algorithms")
        negotiated = what + _t(lang, "", " ") + "/".join(tr.reason_term(name) for name in ch.suite.split("/")) if ch.suite else _t(lang, "未见协商完成", "nothing seen negotiated")
        lines.append(f"{_protocol(ch, lang)}连接{ch.connections}条（帧{_frames(ch.frames)}），{negotiated}" if zh
                     else f"{_protocol(ch, lang)}, {ch.connections} connection(s) (frames {_frames(ch.frames)}), {negotiated}")
    text = ("；" if zh else "; ").join(lines)
    cert = channels[0].certificate
    if cert:
        shared = len(channels) > 1
        text += ("，" if zh else "; ") + _certificate_text(cert, lang) + ((f"（以上{len(channels)}种配置共用）" if zh else f" (shared by these {len(channels)})") if shared else "")
    reasons = _reasons_text(channels, indicator, lang)
    if reasons:
        text += f"；经分析确认：{'；'.join(reasons)}" if zh else f"; analysis: {'; '.join(reasons)}"
    texts = [ch.suite for ch in channels] + [str((cert or {}).get("key_type", ""))]
    return text + _strength_text(texts, lang)


def _proto_step(ev: EvidenceSummary, indicator: str, lang: str) -> str:
    capture, capture_sm3 = _capture(ev)
    by_certificate: dict[str, list[Channel]] = {}
    for ch in ev.channels:
        cert = ch.certificate or {}
        by_certificate.setdefault(str(cert.get("sm3") or cert.get("sha256") or ""), []).append(ch)
    parts = [_channel_group(group, indicator, lang) for group in by_certificate.values()]
    signature = ev.cert_checks.get("cert.path.signature") or ev.cert_checks.get("cert.path.build")
    if lang == "zh":
        head = f"经工具测试，使用mptool {ev.command}（版本{ev.tool_version}）分析抓包文件{capture}（SM3：{capture_sm3}）："
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


def _proposed_factors(proposal: dict[str, Any], lang: str) -> str:
    """``D=√，A=×（Ra=0.2），K=待确认`` of a proposal (a factor the evidence cannot decide is left to the evaluator)."""
    pending = _t(lang, "待确认", "to be confirmed")
    parts = []
    for name in ("D", "A", "K"):
        value = proposal.get(name)
        text = f"{name}={MARK[bool(value)] if isinstance(value, bool) else pending}"
        if name == "A" and value is False and proposal.get("Ra") is not None:
            text += _t(lang, f"（Ra={proposal['Ra']}）", f" (Ra {proposal['Ra']})")
        parts.append(text)
    return ("，" if lang == "zh" else ", ").join(parts)


def pending_record(proposal: dict[str, Any], indicator: str, evidence: dict[str, EvidenceSummary], lang: str) -> Record:
    """The record of a proposal from evidence the evaluator has not confirmed: the proposed factors
    and what the cited evidence shows, drafted as for a confirmed one (nothing is scored yet)."""
    wanted = {str(s) for s in proposal.get("evidence", [])}
    cited = [s for s in evidence if s in wanted]
    steps = [evidence_step(evidence[s], indicator, lang) for s in cited]
    head = _t(lang, f"待确认：证据建议{_proposed_factors(proposal, lang)}，尚未经评估人员确认。",
              f"待确认: the evidence proposes {_proposed_factors(proposal, lang)}, not confirmed by the evaluator. ")
    if not steps:
        return Record(head, "pending", cited, ["工具测试"])
    sep = "；" if lang == "zh" else "; "
    numbered = sep.join(f"{n}) {s}" for n, s in enumerate(steps, 1))
    return Record(head + _t(lang, f"证据情况：{numbered}。", f"Evidence: {numbered}."), "pending", cited, ["工具测试"])


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
