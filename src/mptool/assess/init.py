"""``mptool assess init``: a commented, valid ``assessment.yaml`` listing every indicator of a level."""

from __future__ import annotations

from mptool.assess.indicators import LAYERS, TECHNICAL_LAYERS, catalogue

EXAMPLE_OBJECTS = {
    "physical": ("phy-door", "机房电子门禁系统"),
    "network": ("net-vpn", "互联网用户到SSL VPN网关"),
    "device": ("dev-server", "应用服务器操作系统"),
    "application": ("app-portal", "业务应用（互联网用户）"),
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def assessment_template(name: str, level: int) -> str:
    """The text of a new assessment file: valid as is (nothing judged yet), every indicator listed."""
    cat = catalogue()
    lines = [
        "# mptool assessment file (schema mptool.assessment/1) — docs/assess.md describes every key.",
        f"# 被测系统 {name}, 第{level}级: the {len(cat.at_level(level))} indicators of GB/T 39786-2021 at this level are",
        "# listed below with their Chinese labels and strength (应/宜/可); uncomment and fill one line per",
        "# (object, indicator). D 密码使用有效性, A 密码算法/技术合规性, K 密钥管理安全 (true/false);",
        "# Ra (1/0.5/0.2) and Rk (1/1.2/1.5) default to 1; `result: 不适用` with a reason instead of D/A/K.",
        "# `mptool assess add` copies evidence into evidence/ and writes proposals.yaml; confirm a",
        "# proposal with `accept: true, by: 姓名` (factors you write override it; say why:).",
        "schema: mptool.assessment/1",
        f"system: {{name: {_quote(name)}, level: {level}}}",
        "scoring: {rule_set: quant-2023, all_na_group: \"null\"}   # quant-2021 selectable; all_na_group: zero counts a 不适用 group as 0",
        "objects:                     # technical test objects; layer: physical|network|device|application",
    ]
    for layer in TECHNICAL_LAYERS:
        oid, oname = EXAMPLE_OBJECTS[layer]
        lines.append(f"  - {{id: {oid}, layer: {layer}, name: {oname}}}")
    lines.append("judgements:                  # technical indicators: one line per (object, indicator)")
    for layer in TECHNICAL_LAYERS:
        inds = [i for i in cat.at_level(level) if i.layer == layer]
        if not inds:
            continue
        lines.append(f"  # —— {cat.layers[layer]['name_zh']} ——")
        oid = EXAMPLE_OBJECTS[layer][0]
        for ind in inds:
            lines.append(f"  # - {{object: {oid}, indicator: {ind.id}, D: true, A: true, K: true, record: \"\"}}   # {ind.label_zh} [{ind.strength[level]}] {ind.clause[level]}")
    lines.append("management:                  # 符合 | 部分符合 | 不符合 | 不适用")
    for layer in LAYERS[4:]:
        inds = [i for i in cat.at_level(level) if i.layer == layer]
        lines.append(f"  # —— {cat.layers[layer]['name_zh']} ——")
        for ind in inds:
            lines.append(f"  # - {{indicator: {ind.id}, result: 符合}}   # {ind.label_zh} [{ind.strength[level]}] {ind.clause[level]}")
    lines += [
        "compensations: []            # e.g. {object: app-portal, indicator: APP-TCONF, by: [net-vpn, NET-CONF]}",
        "high_risks: []               # e.g. {indicator: NET-AUTH, object: net-vpn, mitigated: false, reason: \"…\"}",
        "risks: []                    # evaluator's risk level per indicator, e.g. {indicator: NET-INTEG, level: 低}",
        "evidence: []                 # written by mptool assess add (SM3 of each evidence file)",
        "",
    ]
    return "\n".join(lines)
