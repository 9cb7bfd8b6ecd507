"""The report model ("report-data", ``schema: mptool.report-data/1``) built on the scored case.

Every number comes from :func:`mptool.assess.api.score_case` (the same :class:`ScoredAssessment`
that ``assess score`` prints): object/unit/layer scores, the total, the conclusion, the risk
rows. This module only arranges them into the sections and tables of the 2023 template
(report-outline.yaml, copied into ``data/report.yaml`` and ``data/indicators.yaml``). Chapter 4
shows pre-compensation results (the engine's raw object scores through its own
:func:`~mptool.assess.rules.engine.unit_result`); 表5-x, Appendix A and the conclusion use the
final ones. A gap (indicator not judged, proposal not confirmed) is written 待确认 where it
shows and listed in ``gaps``.

``sections`` is the document in template order: each section has a heading and blocks
(paragraph, table by id, figure by id); the docx and HTML renderers and the JSON export share it.
"""

from __future__ import annotations

import datetime as _dt
import os
from decimal import Decimal
from typing import Any

from mptool.assess.api import ScoredAssessment
from mptool.assess.indicators import LAYERS, MANAGEMENT_LAYERS, TECHNICAL_LAYERS
from mptool.assess.portfolio.diff import previous_paragraph
from mptool.assess.report.algorithms import ticks
from mptool.assess.report.evidence import case_evidence
from mptool.assess.report.records import MARK, management_record, pending_record, q4, technical_record
from mptool.assess.risk.analysis import overall_wording
from mptool.assess.rules.engine import unit_result
from mptool.assess.yamlio import package_data

SCHEMA_ID = "mptool.report-data/1"
PENDING = "待确认"
BLANK = "________"
RESULTS = ("符合", "部分符合", "不符合", "不适用")
COUNT_KEYS = {"符合": "compliant", "部分符合": "partial", "不符合": "noncompliant", "不适用": "not_applicable"}
METHODS = ("访谈", "文档审查", "实地查看", "配置检查", "工具测试")
RESULT_EN = {"符合": "compliant", "部分符合": "partly compliant", "不符合": "non-compliant", "不适用": "n/a", "基本符合": "basically compliant", PENDING: "to be confirmed (待确认)"}
APP_DATA_COLUMNS = (("APP-TCONF", "传输机密性"), ("APP-SCONF", "存储机密性"), ("APP-TINTEG", "传输完整性"), ("APP-SINTEG", "存储完整性"))


class _L:
    """Chinese or English wording."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def result(self, value: str | None) -> str:
        if value is None:
            return PENDING
        return value if self.lang == "zh" else RESULT_EN.get(value, value)


def _v(value: Any) -> str:
    """A manual field: its text, or a visible blank."""
    return str(value) if value not in (None, "") else BLANK


def _report_date(given: str) -> str:
    if given:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = _dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch and epoch.isdigit() else _dt.datetime.now(_dt.UTC)
    return when.date().isoformat()


def _d(value: Decimal | None, star: bool = False) -> str:
    return "/" if value is None else f"{value}{'*' if star else ''}"


def _table(tid: str, number: str, caption: str, columns: list[str], rows: list[list[str]], footer: list[list[str]] | None = None) -> dict[str, Any]:
    return {"id": tid, "number": number, "caption": caption, "columns": columns, "rows": rows, "footer": footer or []}


def counts_of(results: list[str | None]) -> dict[str, int]:
    """符合/部分符合/不符合/不适用 (and 待确认) counts of unit results."""
    out = {key: 0 for key in COUNT_KEYS.values()}
    out["pending"] = 0
    for r in results:
        out[COUNT_KEYS[r] if r in COUNT_KEYS else "pending"] += 1
    out["total"] = len(results)
    return out


def _counts_text(c: dict[str, int], t: _L) -> str:
    pending = t(f"，待确认{c['pending']}项", f", {c['pending']} to be confirmed (待确认)") if c["pending"] else ""
    return t(f"符合{c['compliant']}项，部分符合{c['partial']}项，不符合{c['noncompliant']}项，不适用{c['not_applicable']}项{pending}",
             f"{c['compliant']} compliant, {c['partial']} partly compliant, {c['noncompliant']} non-compliant, {c['not_applicable']} not applicable{pending}")


def build_report_data(scored: ScoredAssessment, lang: str = "zh", *, charts: bool = True, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole report model of a scored case (JSON-ready: strings, numbers, lists).

    ``previous``: the comparison with the previous case (:func:`mptool.assess.portfolio.diff.diff_scored`),
    which fills section 2.7 (前次测评情况); without it 2.7 stays a visible blank.
    """
    t = _L(lang)
    cat = scored.catalogue
    fixed = package_data("report.yaml")
    data = scored.case.data
    info = data.report
    level = data.system.level
    r = scored.result
    summary = scored.summary()
    inds = cat.at_level(level)
    objects = {o.id: o for o in data.objects}
    names = {o.id: (o.name or o.id) for o in data.objects}
    evidence = case_evidence(scored)
    resolved = {(x.object, x.indicator): x for x in scored.case.resolved}
    layer_name = {k: (v["name_zh"] if lang == "zh" else v["name_en"]) for k, v in cat.layers.items()}
    label = {i.id: i.label_zh for i in inds}

    # ---- gaps -------------------------------------------------------------------------------
    gaps: list[dict[str, Any]] = []
    for ind_id in r.not_judged:
        gaps.append({"kind": "not_judged", "indicator": ind_id, "object": None,
                     "message": t(f"{ind_id} {label[ind_id]}：尚未判定（{PENDING}）", f"{ind_id} {label[ind_id]}: not judged ({PENDING})")})
    for (obj, ind_id), proposal in scored.case.proposals.items():
        if (obj, ind_id) not in resolved:
            factors = " ".join(f"{n}{MARK[bool(proposal[n])]}" for n in ("D", "A", "K") if n in proposal)
            gaps.append({"kind": "proposal_unconfirmed", "indicator": ind_id, "object": obj,
                         "message": t(f"{names.get(obj, obj)} / {ind_id} {label.get(ind_id, '')}：证据建议（{factors}）尚未确认（{PENDING}）",
                                      f"{names.get(obj, obj)} / {ind_id}: proposal ({factors}) not confirmed ({PENDING})")})
    unconfirmed = {(g["object"], g["indicator"]) for g in gaps if g["kind"] == "proposal_unconfirmed"}

    # ---- counts (final unit results) ----------------------------------------------------------
    unit_results = {i.id: r.units[i.id].result for i in inds}
    counts = counts_of([unit_results[i.id] for i in inds])
    layer_counts = {layer: counts_of([unit_results[i.id] for i in inds if i.layer == layer]) for layer in LAYERS}
    risks = scored.risks
    risk_counts = {lv: sum(1 for row in risks if row.level == lv) for lv in ("高", "中", "低")}
    overall = overall_wording(risks)
    total = summary["total"]
    conclusion = summary["conclusion"]
    total_text = total if total is not None else PENDING
    # a total over part of the indicators: the rules exclude what is not judged, so say it is provisional
    open_zh = "及".join(x for x in (f"{counts['pending']}项指标" if counts["pending"] else "", f"{len(unconfirmed)}项证据建议" if unconfirmed else "") if x)
    open_en = " and ".join(x for x in (f"{counts['pending']} indicator(s)" if counts["pending"] else "", f"{len(unconfirmed)} proposal(s)" if unconfirmed else "") if x)
    total_note = t(f"（暂定：{open_zh}待确认）", f" (provisional: {open_en} to be confirmed)") if gaps and total is not None and open_zh else ""
    total_cell = f"{total_text}{total_note}"
    conclusion_text = t(conclusion, RESULT_EN.get(conclusion, "")) if conclusion else PENDING
    overall_text = overall if lang == "zh" or overall != "未发现安全风险" else "no security risk found"
    date = _report_date(info.date)
    assessed = info.assessed.name or BLANK
    assessor = info.assessor.name or BLANK

    # ---- records (Appendix A) -----------------------------------------------------------------
    records: list[dict[str, Any]] = []
    for ind in inds:
        if ind.kind == "technical":
            for x in scored.case.resolved:
                if x.indicator != ind.id:
                    continue
                rec = technical_record(scored, x, evidence, lang, names)
                obj = r.objects[(x.object, x.indicator)]
                records.append({
                    "layer": ind.layer, "indicator": ind.id, "label": ind.label_zh, "object": x.object, "object_name": names[x.object],
                    "text": rec.text, "source": rec.source, "evidence": rec.evidence, "methods": rec.methods,
                    "D": None if x.na else x.D, "A": None if x.na or not x.D else x.A, "K": None if x.na or not x.D else x.K,
                    "Ra": str(x.Ra), "Rk": str(x.Rk), "raw": _d(q4(obj.raw)), "score": _d(q4(obj.final)), "compensated": obj.compensated_by is not None,
                    "not_applicable": x.na, "reason": x.reason,
                })
            for obj_id, ind_id in sorted(unconfirmed):
                if ind_id == ind.id:
                    proposal = scored.case.proposals[(obj_id, ind_id)]
                    rec = pending_record(proposal, ind.id, evidence, lang)
                    records.append({
                        "layer": ind.layer, "indicator": ind.id, "label": ind.label_zh, "object": obj_id, "object_name": names.get(obj_id, obj_id),
                        "text": rec.text, "source": rec.source, "evidence": list(proposal.get("evidence", [])), "methods": rec.methods,
                        "D": None, "A": None, "K": None, "Ra": "1", "Rk": "1", "raw": PENDING, "score": PENDING, "compensated": False,
                        "not_applicable": False, "reason": "",
                    })
    management = {m.indicator: m for m in data.management}
    for ind in inds:
        if ind.kind == "management":
            m = management.get(ind.id)
            rec = management_record(ind.label_zh, m.result if m else None, m.reason if m else "", m.record if m else "", lang)
            for obj_text in fixed["management_fixed_objects"][ind.layer]:
                records.append({
                    "layer": ind.layer, "indicator": ind.id, "label": ind.label_zh, "object": None, "object_name": obj_text,
                    "text": rec.text, "source": rec.source if m else "pending", "evidence": [], "methods": rec.methods,
                    "result": m.result if m else None, "score": _d(r.units[ind.id].score) if m else PENDING,
                })

    # ---- tables ---------------------------------------------------------------------------------
    tables: dict[str, dict[str, Any]] = {}
    tables["t1_1"] = _table("t1_1", "表1-1", t("测评项目组成员", "Assessment team"), [t("角色", "role"), t("姓名", "name"), t("任务分工", "task"), t("是否通过密评人员考核", "qualified")],
                            [[m.role or BLANK, m.name, m.task or BLANK, BLANK if m.qualified is None else t("是" if m.qualified else "否", "yes" if m.qualified else "no")] for m in info.team] or [[BLANK] * 4])
    asset_tables = [
        ("t2_1", "表2-1", "物理环境", ["序号", "物理环境名称", "物理位置", "重要程度"]),
        ("t2_2", "表2-2", "物理安防设施", ["序号", "产品名称", "生产厂商和型号", "所在物理环境名称", "重要程度"]),
        ("t2_3", "表2-3", "密码产品", ["序号", "产品名称", "生产厂商", "商密产品认证证书编号", "使用的密码算法", "数量", "用途"]),
        ("t2_4", "表2-4", "服务器/存储设备", ["序号", "设备名称", "生产厂商", "型号", "操作系统版本", "是否为虚拟设备", "用途", "数量", "重要程度"]),
        ("t2_5", "表2-5", "网络及安全设备", ["序号", "设备名称", "生产厂商", "型号", "用途（包括涉及的密码技术）", "数量", "重要程度"]),
        ("t2_6", "表2-6", "数据库管理系统", ["序号", "数据库管理系统名称", "版本", "部署位置", "主要功能", "重要程度"]),
        ("t2_7", "表2-7", "关键业务应用", ["序号", "应用名称", "版本", "部署位置", "主要功能"]),
        ("t2_8", "表2-8", "重要数据", ["序号", "数据", "描述", "所属应用", "存储位置", "安全需求"]),
        ("t2_9", "表2-9", "安全管理文档", ["序号", "文档名称", "主要内容"]),
        ("t2_10", "表2-10", "人员", ["序号", "姓名", "岗位/角色", "职责说明", "联系方式"]),
        ("t2_11", "表2-11", "密码服务", ["序号", "密码服务名称", "密码服务提供商"]),
    ]
    for tid, number, caption, columns in asset_tables:
        tables[tid] = _table(tid, number, caption, columns, [["1"] + [BLANK] * (len(columns) - 1)])
    threats_zh = fixed["threats_zh"]
    tables["t2_12"] = _table("t2_12", "表2-12", t("安全威胁", "Threats"), [t("序号", "#"), t("安全层面", "layer"), t("威胁编号", "code"), t("威胁分类", "threat")],
                             [[str(n), th["layer_zh"], code, threats_zh[code] if lang == "zh" else th["en"]] for n, (code, th) in enumerate(cat.threats.items(), 1)])
    tables["t3_1"] = _table("t3_1", "表3-1", t(f"GB/T 39786—2021 第{level}级要求基本指标", f"GB/T 39786-2021 level-{level} indicators"),
                            [t("安全层面", "layer"), t("测评指标", "indicator"), t("测评指标描述", "description"), t("应用要求", "strength")],
                            [[layer_name[i.layer], i.label_zh, f"{i.clause[level]} {i.name_zh}" if lang == "zh" else f"{i.clause[level]} {i.name_en}", i.strength[level]] for i in inds])
    na_rows = []
    for i in inds:
        if unit_results[i.id] == "不适用":
            if i.kind == "technical":
                reasons = list(dict.fromkeys(x.reason for x in scored.case.resolved if x.indicator == i.id and x.reason))
            else:
                reasons = [management[i.id].reason] if management[i.id].reason else []
            na_rows.append([layer_name[i.layer], i.label_zh, i.name_zh if lang == "zh" else i.name_en, "；".join(reasons) or BLANK])
    tables["t3_2"] = _table("t3_2", "表3-2", t("不适用指标及说明", "Indicators not applicable"), [t("安全层面", "layer"), t("测评指标", "indicator"), t("测评指标描述", "description"), t("不适用原因", "reason")],
                            na_rows or [["/", "/", "/", "/"]], [[t("不适用项合计", "total not applicable"), str(len(na_rows)), "", ""]])
    from mptool.core.versions import backend_versions, tool_version

    groups_used = sorted({ev.command.split()[0] for ev in evidence.values() if ev.command})
    tool_rows = [[str(n), f"mptool {g}", tool_version(), t("mptool 开发者（开源）", "mptool developers (open source)"), fixed["tool_groups"][g][lang] if g in fixed["tool_groups"] else g]
                 for n, g in enumerate(groups_used or ["assess"], 1)]
    backends = backend_versions()
    for name in ("cryptography", "openssl", "gmssl", "scapy"):
        if name in backends:
            tool_rows.append([str(len(tool_rows) + 1), name, backends[name], t("开源项目", "open source"), t("mptool 使用的密码库/协议解析后端", "cryptographic / protocol backend of mptool")])
    tables["t3_3"] = _table("t3_3", "表3-3", t("测评工具", "Tools"), [t("序号", "#"), t("工具名称", "tool"), t("版本", "version"), t("生产厂商", "vendor"), t("工具说明", "description")], tool_rows)
    for n, layer in enumerate(TECHNICAL_LAYERS, 4):
        rows = []
        for o in data.objects:
            if o.layer != layer:
                continue
            used = {m for rec in records if rec["object"] == o.id for m in rec["methods"]}
            ways = " ".join(("☑" if m in used else "☐") + m for m in METHODS)
            rows.append([str(len(rows) + 1), names[o.id], ways, o.description or BLANK])
        tables[f"t3_{n}"] = _table(f"t3_{n}", f"表3-{n}", t(f"{cat.layers[layer]['name_zh']}测评对象", f"Test objects: {layer_name[layer]}"),
                                   [t("序号", "#"), t("测评对象", "object"), t("测评方式", "methods"), t("说明", "note")], rows or [["/", "/", "/", "/"]])
    mrows = []
    for layer in MANAGEMENT_LAYERS:
        for obj_text in fixed["management_fixed_objects"][layer]:
            mrows.append([str(len(mrows) + 1), layer_name[layer], obj_text, "☑访谈 ☑文档审查 ☐实地查看 ☐配置检查 ☐工具测试", BLANK])
    tables["t3_8"] = _table("t3_8", "表3-8", t("安全管理测评对象", "Test objects: management"), [t("序号", "#"), t("测评单元", "unit"), t("测评对象", "object"), t("测评方式", "methods"), t("说明", "note")], mrows)

    # chapter 4: pre-compensation per object, unit result from the raw scores
    def raw_cell(obj_id: str, ind_id: str) -> str:
        if (obj_id, ind_id) in unconfirmed:
            return PENDING
        obj = r.objects.get((obj_id, ind_id))
        if obj is None:
            return "/"
        if obj.raw is None:
            return t("不适用", "n/a")
        return t.result(unit_result([obj.raw]))

    def raw_unit(ind_id: str) -> str:
        if unit_results[ind_id] is None:
            return PENDING
        values = [o.raw for (oid, iid), o in r.objects.items() if iid == ind_id and o.raw is not None]
        return t.result(unit_result(values) if values else "不适用")

    for n, layer in enumerate(TECHNICAL_LAYERS, 1):
        cols = [i for i in inds if i.layer == layer]
        objs = [o.id for o in data.objects if o.layer == layer]
        rows = [[names[o]] + [raw_cell(o, i.id) for i in cols] for o in objs] or [["/"] * (len(cols) + 1)]
        tables[f"t4_{n}"] = _table(f"t4_{n}", f"表4-{n}", t(f"{cat.layers[layer]['name_zh']}测评结果汇总", f"Results: {layer_name[layer]}"),
                                   [t("测评对象", "object")] + [i.label_zh for i in cols], rows, [[t("单元测评结果", "unit result")] + [raw_unit(i.id) for i in cols]])
    app = [o.id for o in data.objects if o.layer == "application"]
    present = {i.id for i in inds}

    def app_rows(ind_ids: list[str]) -> list[list[str]]:
        rows = []
        for o in app:
            if any((o, i) in r.objects or (o, i) in unconfirmed for i in ind_ids):
                rows.append([str(len(rows) + 1), names[o]] + [raw_cell(o, i) if i in present else "/" for i in ind_ids])
        return rows

    tables["t4_5"] = _table("t4_5", "表4-5", t("应用和数据安全身份鉴别测评结果汇总", "Application authentication results"), [t("序号", "#"), t("应用用户", "application user"), t("身份鉴别", "authentication")],
                            app_rows(["APP-AUTH"]) or [["/", "/", "/"]])
    data_ids = [i for i, _ in APP_DATA_COLUMNS]
    tables["t4_6"] = _table("t4_6", "表4-6", t("应用和数据安全重要数据测评结果汇总", "Important data results"), [t("序号", "#"), t("重要数据", "data")] + [c for _, c in APP_DATA_COLUMNS],
                            app_rows(data_ids) or [["/"] * 6])
    tables["t4_7"] = _table("t4_7", "表4-7", t("应用和数据安全不可否认性测评结果汇总", "Non-repudiation results"), [t("序号", "#"), t("操作行为", "operation"), t("不可否认性", "non-repudiation")],
                            app_rows(["APP-NONREP"]) or [["/", "/", "/"]])
    for n, layer in enumerate(MANAGEMENT_LAYERS, 8):
        cols = [i for i in inds if i.layer == layer]
        rows = [[obj_text] + [t.result(unit_results[i.id]) for i in cols] for obj_text in fixed["management_fixed_objects"][layer]]
        tables[f"t4_{n}"] = _table(f"t4_{n}", f"表4-{n}", t(f"{cat.layers[layer]['name_zh']}测评结果汇总", f"Results: {layer_name[layer]}"),
                                   [t("测评对象", "object")] + [i.label_zh for i in cols], rows, [[t("单元测评结果", "unit result")] + [t.result(unit_results[i.id]) for i in cols]])
    comp_rows = []
    for (obj_id, ind_id), obj in r.objects.items():
        if obj.compensated_by is not None and obj.final is not None and obj.raw is not None and obj.final > obj.raw:
            by_obj, by_ind = obj.compensated_by
            ind = cat.indicators[ind_id]
            reason = next((c.reason for c in data.compensations if (c.object, c.indicator) == (obj_id, ind_id)), "")
            comp_rows.append([str(len(comp_rows) + 1), layer_name[ind.layer], ind.label_zh, names[obj_id],
                              f"{t.result(unit_result([obj.raw]))}/{q4(obj.raw)}", f"{t.result(unit_result([obj.final]))}/{q4(obj.final)}",
                              f"{reason}（{names.get(by_obj, by_obj)}：{cat.indicators[by_ind].label_zh}）" if lang == "zh" else f"{reason} ({names.get(by_obj, by_obj)}: {by_ind})"])
    tables["t5_1"] = _table("t5_1", "表5-1", t("测评结果修正", "Compensations"), [t("序号", "#"), t("安全层面", "layer"), t("测评单元", "unit"), t("测评对象", "object"), t("经弥补前的测评结果/分值", "before"), t("经弥补后的测评结果/分值", "after"), t("弥补原因及相关测评对象", "reason and compensating object")],
                            comp_rows or [["/"] * 7])
    rows52 = []
    for layer in LAYERS:
        first = True
        for i in inds:
            if i.layer != layer:
                continue
            res = unit_results[i.id]
            ticks_ = ["√" if res == v else "" for v in RESULTS]
            layer_score = r.layers.get(layer)
            rows52.append([layer_name[layer] if first else "", i.label_zh, *ticks_, _d(r.units[i.id].score) if res is not None else PENDING,
                           (_d(layer_score) if first else "")])
            first = False
    tables["t5_2"] = _table("t5_2", "表5-2", t("整体测评结果", "Overall results"), [t("层面（类）", "layer"), t("测评单元", "unit"), *[t(v, RESULT_EN[v]) for v in RESULTS], t("测评单元得分", "unit score"), t("安全层面得分情况", "layer score")],
                            rows52, [[t("合计", "total"), str(counts["total"]), str(counts["compliant"]), str(counts["partial"]), str(counts["noncompliant"]), str(counts["not_applicable"]), "", ""],
                                     [t("综合得分", "total score"), total_cell, "", "", "", "", "", ""]])
    rows61 = []
    for row in risks:
        ind = cat.indicators.get(row.indicator)
        lbl = ind.label_zh if ind is not None else cat.general[row.indicator]["name_zh"]
        layer = layer_name.get(row.layer, t("通用要求", "general"))
        problem = t(f"指标：{lbl}（{t.result(row.result) if row.result else '高风险'}）", f"indicator: {lbl} ({t.result(row.result) if row.result else 'high risk'})")
        if row.objects:
            problem += t(f"；涉及测评对象：{'、'.join(names.get(o, o) for o in row.objects)}", f"; objects: {', '.join(names.get(o, o) for o in row.objects)}")
        analysis = "；".join(row.reasons + row.entries) or t(f"可能导致：{'；'.join(threats_zh[c] for c in row.threats if c in threats_zh)}", "may lead to: " + "; ".join(cat.threats[c]["en"] for c in row.threats if c in cat.threats))
        rows61.append([str(len(rows61) + 1), layer, problem, "、".join(row.threats), analysis, row.level])
    tables["t6_1"] = _table("t6_1", "表6-1", t("风险分析", "Risk analysis"), [t("序号", "#"), t("安全层面", "layer"), t("问题描述", "problem"), t("关联威胁", "threats"), t("风险分析", "analysis"), t("风险等级", "level")],
                            rows61 or [["/"] * 6], [[t("统计", "count"), t(f"高{risk_counts['高']}项，中{risk_counts['中']}项，低{risk_counts['低']}项", f"high {risk_counts['高']}, medium {risk_counts['中']}, low {risk_counts['低']}"), "", "", "", str(len(rows61))]])
    for n, layer in enumerate(LAYERS, 1):
        rows = []
        for rec in records:
            if rec["layer"] != layer:
                continue
            unit = r.units[rec["indicator"]]
            unit_score = _d(unit.score) if unit.result is not None else PENDING
            if layer in TECHNICAL_LAYERS:
                if rec["source"] == "pending":
                    dak = [PENDING] * 3
                elif rec["compensated"]:
                    dak = ["/", "/", "/"]
                else:
                    dak = [MARK[rec["D"]], MARK[rec["A"]], MARK[rec["K"]]]
                score = rec["score"] + ("*" if rec["compensated"] else "")
                rows.append([rec["label"], rec["object_name"], rec["text"], *dak, score, unit_score])
            else:
                rows.append([rec["label"], rec["object_name"], rec["text"], t.result(rec["result"]), unit_score])
        tech = layer in TECHNICAL_LAYERS
        columns = ([t("测评单元", "unit"), t("测评对象", "object"), t("结果记录", "record"), t("密码使用有效性D", "D"), t("密码算法/技术合规性A", "A"), t("密钥管理安全K", "K"), t("测评对象评分Si,j,k", "S"), t("测评单元得分", "unit score")]
                   if tech else [t("测评单元", "unit"), t("测评对象", "object"), t("结果记录", "record"), t("测评指标符合情况", "result"), t("测评单元得分", "unit score")])
        tables[f"tA_{n}"] = _table(f"tA_{n}", f"表A-{n}", t(f"{cat.layers[layer]['name_zh']}测评结果记录", f"Records: {layer_name[layer]}"), columns, rows or [["/"] * len(columns)])
    b_rows = [["B.1", t("委托证明文件", "engagement documents")], ["B.2", t("差旅住宿等票证", "travel and lodging receipts")], ["B.3", t("进场记录", "on-site entry records")],
              ["B.4", t("现场测评授权及风险告知", "authorisation and risk notice")], ["B.5", t("测评方案评审", "plan review")], ["B.6", t("密评报告评审", "report review")],
              ["B.7", t("密评人员资格情况", "assessor qualifications")], ["B.8", t("密评人员考核成绩证明", "assessor exam results")], ["B.9", t("系统定级备案证明", "MLPS filing")]]
    tables["tB_1"] = _table("tB_1", "表B-1", t("密评活动有效性证明记录", "Proof of the assessment activity"), [t("编号", "id"), t("证明材料", "material"), t("内容", "content")], [row + [BLANK] for row in b_rows])

    # ---- basic info + algorithms ----------------------------------------------------------------
    texts = [s for ev in evidence.values() for s in ev.texts]
    tk = ticks(texts, list(info.algorithms))
    warnings: list[str] = []
    for a in tk.claimed_not_seen:
        warnings.append(t(f"声明使用的算法{a}未在证据中出现", f"algorithm {a} is claimed but never seen in the evidence"))
    for a in tk.seen_not_claimed:
        warnings.append(t(f"证据中出现的算法{a}未在声明中勾选", f"algorithm {a} is seen in the evidence but not claimed"))
    algo_rows = [[t("系统使用的密码算法", "algorithms"), cat_name, "　".join(("☑" if o["ticked"] else "☐") + str(o["name"]) for o in opts)] for cat_name, opts in tk.categories.items()]
    basic_rows = [
        [t("被测单位", "assessed organisation"), t("单位名称", "name"), _v(info.assessed.name)],
        ["", t("单位地址", "address"), _v(info.assessed.address)],
        ["", t("邮政编码", "postcode"), _v(info.assessed.postcode)],
        ["", t("所属省部密码管理部门", "regulator"), _v(info.assessed.regulator)],
        ["", t("联系人", "contact"), _v(info.assessed.contact)],
        [t("被测信息系统", "system"), t("系统名称", "name"), data.system.name],
        ["", t("网络安全等级保护定级", "MLPS level"), t(f"第{level}级", f"level {level}")],
        ["", t("是否为关键信息基础设施", "critical information infrastructure"), "☐已认定 ☐未认定"],
        ["", t("系统是否已投入运行", "in operation"), "☐是 ☐否"],
        ["", t("系统是否具有密码应用方案", "crypto application plan"), "☐有且通过密评 ☐有但未通过密评 ☐无"],
        ["", t("系统使用的密码产品情况", "crypto products"), BLANK],
        *[["", row[1], row[2]] for row in algo_rows],
        [t("密评机构", "assessor"), t("单位名称", "name"), _v(info.assessor.name)],
        ["", t("通信地址", "address"), _v(info.assessor.address)],
        ["", t("邮政编码", "postcode"), _v(info.assessor.postcode)],
        ["", t("联系人", "contact"), _v(info.assessor.contact)],
        [t("审核批准", "approval"), t("编制人", "author"), _v(info.author)],
        ["", t("审核人", "reviewer"), _v(info.reviewer)],
        ["", t("批准人", "approver"), _v(info.approver)],
    ]
    tables["t0_1"] = _table("t0_1", t("基本信息表", "basic info"), t("被测信息系统基本信息表", "Basic information"), [t("类别", "group"), t("项目", "field"), t("内容", "value")], basic_rows)
    na_count = counts["not_applicable"]
    summary_text = t(
        f"{assessor}受{assessed}委托，于{_v(info.start)}至{_v(info.end)}对“{data.system.name}”开展商用密码应用安全性评估。"
        f"本次评估共涉及{counts['total']}项测评指标，其中{_counts_text(counts, t)}。"
        f"{'被测系统存在' + str(risk_counts['高']) + '项高风险。' if risk_counts['高'] else '未发现高风险项。'}",
        f"{assessor}, engaged by {assessed}, assessed \"{data.system.name}\" from {_v(info.start)} to {_v(info.end)}. "
        f"{counts['total']} indicators: {_counts_text(counts, t)}. {str(risk_counts['高']) + ' high risk(s).' if risk_counts['高'] else 'No high risk found.'}")
    tables["t0_2"] = _table("t0_2", t("评估结论表", "conclusion"), t("商用密码应用安全性评估结论", "Assessment conclusion"), [t("项目", "field"), t("内容", "value")], [
        [t("系统名称", "system"), data.system.name],
        [t("系统简介", "summary"), _v(info.summary)],
        [t("测评情况简介", "assessment summary"), summary_text],
        [t("评估结论", "conclusion"), conclusion_text],
        [t("综合得分", "total score"), total_cell],
        [t("不适用项数目/总测评指标项数目", "not applicable / indicators"), f"{na_count}/{counts['total']}"],
        [t("高风险项数目", "high risks"), str(risk_counts["高"])],
    ])

    # ---- narrative ------------------------------------------------------------------------------
    layers_tested = [layer_name[layer] for layer in LAYERS if layer_counts[layer]["total"] > layer_counts[layer]["not_applicable"]]
    sentence = t(
        f"{assessed}“{data.system.name}”本次商用密码应用安全性评估覆盖{'、'.join(layers_tested)}，综合得分为{total_text}分{total_note}，"
        f"系统面临{'的安全风险为' + overall_text if overall != '未发现安全风险' else '的安全风险：' + overall_text}，评估结论为{conclusion_text}（GB/T 39786-2021 第{level}级要求）。",
        f"The assessment of \"{data.system.name}\" ({assessed}) covered {', '.join(layers_tested)}; total score {total_text}{total_note}; overall risk {overall_text}; "
        f"conclusion {conclusion_text} against GB/T 39786-2021 level {level}.")
    opening = t(
        f"被测系统按照GB/T 39786-2021第{level}级要求开展评估，共{counts['total']}项测评指标（不适用{na_count}项，特殊指标0项），"
        f"其中{_counts_text(counts, t)}；识别风险{len(risks)}项：高风险{risk_counts['高']}项，中风险{risk_counts['中']}项，低风险{risk_counts['低']}项。",
        f"Assessed against GB/T 39786-2021 level {level}: {counts['total']} indicators ({na_count} not applicable, 0 special); {_counts_text(counts, t)}; "
        f"{len(risks)} risk rows: high {risk_counts['高']}, medium {risk_counts['中']}, low {risk_counts['低']}.")
    layer_paragraphs = []
    for layer in LAYERS:
        c = layer_counts[layer]
        if c["total"] == 0:
            continue
        score_ = r.layers.get(layer)
        layer_paragraphs.append(t(f"{layer_name[layer]}：共{c['total']}项指标，{_counts_text(c, t)}；层面得分{_d(score_) if score_ is not None else PENDING if c['pending'] else '不适用'}。",
                                  f"{layer_name[layer]}: {c['total']} indicators, {_counts_text(c, t)}; layer score {_d(score_) if score_ is not None else PENDING if c['pending'] else 'n/a'}."))
    closing = t(f"综上，“{data.system.name}”的评估结论为{conclusion_text}，综合得分{total_text}分{total_note}。", f"In summary, \"{data.system.name}\" is {conclusion_text}, total {total_text}{total_note}.")
    overrides = {x.indicator: x.recommendation for x in data.risks if x.recommendation}
    issues: list[dict[str, Any]] = []
    for layer in LAYERS:
        items = []
        for row in risks:
            if row.layer != layer:
                continue
            ind = cat.indicators[row.indicator]
            bad = [(names.get(x.object, x.object), x.reason) for x in scored.case.resolved if x.indicator == ind.id and not x.na and (r.objects[(x.object, x.indicator)].final or 0) < 1]
            why = management[ind.id].reason if ind.kind == "management" and ind.id in management else ""
            where_zh = "；".join(f"{name}未满足要求" + (f"（{reason}）" if reason else "") for name, reason in bad)
            where_en = "; ".join(name + (f": {reason}" if reason else "") for name, reason in bad)
            problem = t(f"“{ind.label_zh}”{t.result(row.result)}" + (f"：{where_zh}" if bad else "") + (f"：{why}" if why else ""),
                        f"{ind.label_zh}: {t.result(row.result)}" + (f" ({where_en})" if bad else "") + (f": {why}" if why else ""))
            own = overrides.get(ind.id, "")
            advice = own or t(cat.recommendation(ind.id, "zh"), cat.recommendation(ind.id, "en"))
            items.append({"indicator": ind.id, "label": ind.label_zh, "problem": problem, "recommendation": advice, "level": row.level})
        if items:
            issues.append({"layer": layer, "name": layer_name[layer], "items": items})

    # ---- sections in template order ------------------------------------------------------------
    def P(text: str, **extra: Any) -> dict[str, Any]:
        return {"type": "paragraph", "text": text, **extra}

    def T(tid: str) -> dict[str, Any]:
        return {"type": "table", "table": tid}

    def F(fid: str) -> dict[str, Any]:
        return {"type": "figure", "figure": fid}

    declaration = [
        t(f"本报告是“{data.system.name}”的商用密码应用安全性评估报告，报告模板为2023年版。", f"This is the assessment report of \"{data.system.name}\" (2023 template)."),
        t("本报告的评估结论以被测单位提供的材料和现场测评时的系统状态为依据，仅对测评时的系统状态有效；系统发生变更后本报告结论不再适用。",
          "The conclusion rests on the owner's material and the system's state at test time; it is void after changes."),
        t("本报告结论针对被测信息系统整体，不代表对系统中任何组件或密码产品的结论；引用本报告时不得断章取义。",
          "It concerns the whole system, not any component or product, and may not be quoted out of context."),
        t(f"密评机构：{assessor}　　报告时间：{date}", f"Assessor: {assessor}    date: {date}"),
    ]
    sections: list[dict[str, Any]] = [
        {"id": "cover", "title": t("商用密码应用安全性评估报告", "Commercial cryptography application security assessment report"), "level": 0, "blocks": [
            P(t(f"报告编号：{_v(info.number)}", f"report number: {_v(info.number)}")), P(t(f"被测系统名称：{data.system.name}", f"system: {data.system.name}")),
            P(t(f"被测单位：{assessed}", f"assessed organisation: {assessed}")), P(t(f"密评机构：{assessor}", f"assessor: {assessor}")), P(t(f"报告时间：{date}", f"date: {date}"))]},
        {"id": "declaration", "title": t("声明", "Declaration"), "level": 1, "blocks": [P(x) for x in declaration]},
        {"id": "basic_info", "title": t("被测信息系统基本信息表", "Basic information of the system"), "level": 1, "blocks": [T("t0_1")] + [P("⚠ " + w, warning=True) for w in warnings]},
        {"id": "conclusion_page", "title": t("商用密码应用安全性评估结论", "Assessment conclusion"), "level": 1, "blocks": [T("t0_2")]},
        {"id": "overall", "title": t("总体评价", "Overall evaluation"), "level": 1, "blocks": [P(opening)] + [P(x) for x in layer_paragraphs] + [P(closing), F("layers")]},
        {"id": "issues", "title": t("安全问题及改进建议", "Problems and recommendations"), "level": 1, "blocks": (
            [P(f"{n}. {g['name']}—{it['label']}：" + t(f"问题描述：{it['problem']}；改进建议：{it['recommendation']}", f"problem: {it['problem']}; recommendation: {it['recommendation']}"))
             for n, (g, it) in enumerate(((g, it) for g in issues for it in g["items"]), 1)] or [P(t("未发现安全问题。", "No problem found."))]) + [F("lost_points")]},
        {"id": "ch1", "title": t("1 测评项目概述", "1 Overview"), "level": 1, "blocks": [
            P(t(f"1.1 测评目的：{assessor}受{assessed}委托，于{_v(info.start)}至{_v(info.end)}依据GB/T 39786-2021第{level}级要求对“{data.system.name}”开展商用密码应用安全性评估。",
                f"1.1 Purpose: {assessor} assessed \"{data.system.name}\" for {assessed} from {_v(info.start)} to {_v(info.end)} against GB/T 39786-2021 level {level}.")),
            P(t("1.2 测评依据：依据标准 GB/T 39786-2021；参考标准 ", "1.2 Basis: GB/T 39786-2021; references ") + "、".join(fixed["reference_standards"]) + "。"),
            P(t(f"1.3 测评过程：测评准备、方案编制、现场测评（{_v(info.start)}至{_v(info.end)}）、分析与报告编制。", f"1.3 Process: preparation, plan, on-site ({_v(info.start)} to {_v(info.end)}), analysis and report.")),
            T("t1_1"),
            P(t(f"1.4 报告分发范围：总份数{BLANK}，密码管理部门{BLANK}份，委托单位{BLANK}份，密评机构留存{BLANK}份。", f"1.4 Distribution: total {BLANK}.")),
        ]},
        {"id": "ch2", "title": t("2 被测信息系统情况", "2 The system"), "level": 1, "blocks": [
            P(t(f"2.1 承载的业务情况：{_v(info.summary)}", f"2.1 Business: {_v(info.summary)}")), P(t(f"2.2 网络拓扑图及描述：{BLANK}", f"2.2 Topology: {BLANK}")),
            P(t(f"2.3 密码应用情况：{BLANK}", f"2.3 Cryptography in use: {BLANK}")), P(t("2.4 系统资产", "2.4 Assets")),
            *[T(f"t2_{n}") for n in range(1, 11)], P(t("2.5 密码服务", "2.5 Crypto services")), T("t2_11"), P(t("2.6 安全威胁", "2.6 Threats")), T("t2_12"),
            P(previous_paragraph(previous, lang) if previous else t(f"2.7 前次测评情况：{BLANK}", f"2.7 Previous assessment: {BLANK}")),
        ]},
        {"id": "ch3", "title": t("3 测评范围与方法", "3 Scope and method"), "level": 1, "blocks": [
            P(t("3.1 测评指标", "3.1 Indicators")), T("t3_1"), P(t("3.1.2 特殊指标：无。", "3.1.2 Special indicators: none.")), P(t("3.1.3 不适用指标", "3.1.3 Not applicable")), T("t3_2"),
            P(t("3.2 测评方法及工具：访谈、文档审查、实地查看、配置检查、工具测试。", "3.2 Methods and tools: interview, document review, site inspection, configuration check, tool test.")), T("t3_3"),
            P(t("3.3 测评对象", "3.3 Test objects")), *[T(f"t3_{n}") for n in range(4, 9)],
        ]},
        {"id": "ch4", "title": t("4 单元测评", "4 Unit results"), "level": 1, "blocks": [
            P(t("4.1 技术层面（弥补前结果）", "4.1 Technical layers (before compensation)")), *[T(f"t4_{n}") for n in range(1, 8)],
            P(t("4.2 管理层面", "4.2 Management layers")), *[T(f"t4_{n}") for n in range(8, 12)],
        ]},
        {"id": "ch5", "title": t("5 整体测评", "5 Overall results"), "level": 1, "blocks": [
            P(t("5.1 测评结果修正", "5.1 Compensations")), T("t5_1"), P(t("5.2 整体测评结果和量化评估", "5.2 Overall results and score")), T("t5_2"),
            P(t(f"综合得分：{total_text}分（{scored.rules.id}）{total_note}。", f"Total score: {total_text} ({scored.rules.id}){total_note}.")), F("layers"),
        ]},
        {"id": "ch6", "title": t("6 风险分析", "6 Risk analysis"), "level": 1, "blocks": [
            P(t("风险等级由威胁发生的可能性（高/中/低）与影响程度（高/中/低）综合判定；存在高风险项的系统面临高安全风险，同时考虑多个中、低风险的累积。",
                "Risk = likelihood (high/medium/low) × impact (high/medium/low); any high item means the system faces high risk; several medium/low items may accumulate.")),
            P(t(f"被测系统{'存在' if risk_counts['高'] else '不存在'}高风险：高风险{risk_counts['高']}项，中风险{risk_counts['中']}项，低风险{risk_counts['低']}项。",
                f"High risk {'present' if risk_counts['高'] else 'absent'}: high {risk_counts['高']}, medium {risk_counts['中']}, low {risk_counts['低']}.")),
            T("t6_1"), F("risks"),
        ]},
        {"id": "ch7", "title": t("7 评估结论", "7 Conclusion"), "level": 1, "blocks": [P(sentence)]},
        {"id": "appendix_a", "title": t("附录A 测评结果记录", "Appendix A Records"), "level": 1, "blocks": [T(f"tA_{n}") for n in range(1, 9)]},
        {"id": "appendix_b", "title": t("附录B 密评活动有效性证明记录", "Appendix B Proof of the activity"), "level": 1, "blocks": [T("tB_1")]},
    ]
    if gaps:
        sections.insert(1, {"id": "gaps", "title": t(f"{PENDING}事项", f"Items {PENDING}"), "level": 1, "blocks": [P(g["message"], warning=True) for g in gaps]})
    figures: dict[str, dict[str, Any]] = {}
    if charts:
        from mptool.assess.report.charts import draw_charts

        figures = draw_charts(scored, lang, risk_counts, layer_name)
    return {
        "schema": SCHEMA_ID,
        "template": fixed["template"],
        "lang": lang,
        "date": date,
        "tool": {"name": "mptool", "version": tool_version()},
        "system": {"name": data.system.name, "level": level, "summary": info.summary},
        "cover": {"number": info.number, "system": data.system.name, "assessed": info.assessed.name, "assessor": info.assessor.name, "date": date},
        "organisations": {"assessed": info.assessed.model_dump(), "assessor": info.assessor.model_dump()},
        "period": {"start": info.start, "end": info.end},
        "assessment": summary,
        "counts": counts,
        "layer_counts": layer_counts,
        "risk_counts": risk_counts,
        "overall_risk": overall,
        "conclusion_sentence": sentence,
        "overall": {"opening": opening, "layers": layer_paragraphs, "closing": closing},
        "issues": issues,
        "algorithms": {"categories": tk.categories, "seen": tk.seen, "claimed": tk.claimed, "claimed_not_seen": tk.claimed_not_seen, "seen_not_claimed": tk.seen_not_claimed, "warnings": warnings},
        "records": records,
        "risks": [{"indicator": x.indicator, "layer": x.layer, "result": x.result, "level": x.level, "high_risk": x.high_risk, "threats": x.threats, "objects": x.objects} for x in risks],
        "tables": tables,
        "figures": figures,
        "sections": sections,
        "gaps": gaps,
    }
