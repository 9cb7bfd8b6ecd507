"""Hand-computed golden cases of the 2023 (and 2021) scoring rules.

Every expected number is computed by hand in the comments from the rules as documented in
docs/assess.md (object table 1, Ra/Rk, unit mean, layer Σw·S/Σw with table-4 weights, total
70/30 with the layer weights 10/20/10/30 | 8/8/8/6, 4/2 decimals half-up).
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from assess_support import case_text, write_case

from mptool.assess.api import score_case
from mptool.assess.rules import rule_set
from mptool.assess.rules.engine import ObjectInput, combine_layers, object_score, score

R23 = rule_set("quant-2023")
R21 = rule_set("quant-2021")

# The worked example of the research notes (assessment.md §2.1): network layer of two channels.
NETWORK_EXAMPLE = [
    "{object: net-tlcp, indicator: NET-AUTH, D: true, A: true, K: true}",
    "{object: net-tls, indicator: NET-AUTH, D: true, A: false, K: true}",
    "{object: net-tlcp, indicator: NET-INTEG, D: true, A: true, K: true}",
    "{object: net-tls, indicator: NET-INTEG, D: true, A: false, K: true}",
    "{object: net-tlcp, indicator: NET-CONF, D: true, A: true, K: true}",
    "{object: net-tls, indicator: NET-CONF, D: true, A: false, K: true}",
    "{object: net-fw, indicator: NET-ACL, D: false}",
    "{object: net-tlcp, indicator: NET-ACCESS, result: 不适用, reason: 无外联设备}",
]
NET_OBJECTS = {"net-tlcp": "network", "net-tls": "network", "net-fw": "network"}


def test_object_table_2023() -> None:
    # table 1: D no → 0; all yes → 1; A no → 0.5·Ra; K no → 0.5·Rk; both → 0.25·Ra·Rk
    assert object_score(R23, ObjectInput("o", "NET-AUTH", D=False, A=True, K=True)) == D("0")
    assert object_score(R23, ObjectInput("o", "NET-AUTH", D=True, A=True, K=True)) == D("1")
    assert object_score(R23, ObjectInput("o", "NET-AUTH", D=True, A=False, K=True, Ra=D("0.2"))) == D("0.1")  # 0.5·0.2
    assert object_score(R23, ObjectInput("o", "NET-AUTH", D=True, A=True, K=False, Rk=D("1.5"))) == D("0.75")  # 0.5·1.5
    assert object_score(R23, ObjectInput("o", "NET-AUTH", D=True, A=False, K=False, Ra=D("0.5"), Rk=D("1.2"))) == D("0.15")  # 0.25·0.5·1.2
    # 2021: Ra = Rk = 1 whatever the file says: {0, 0.25, 0.5, 1}
    assert object_score(R21, ObjectInput("o", "NET-AUTH", D=True, A=False, K=False, Ra=D("0.2"), Rk=D("1.5"))) == D("0.25")


def test_worked_example_network_layer(tmp_path: Path) -> None:
    # units NET-AUTH/INTEG/CONF = (1 + 0.5)/2 = 0.75; NET-ACL = 0; NET-ACCESS 不适用
    # layer = (0.75·1 + 0.75·0.7 + 0.75·1 + 0·0.4)/(1 + 0.7 + 1 + 0.4) = 2.025/3.1 = 0.65322… → 0.6532
    path = write_case(tmp_path, case_text(3, NET_OBJECTS, NETWORK_EXAMPLE, {"POL-SYSTEM": "符合"}))
    scored = score_case(path)
    assert {k: scored.result.units[k].score for k in ("NET-AUTH", "NET-INTEG", "NET-CONF", "NET-ACL")} == {
        "NET-AUTH": D("0.7500"), "NET-INTEG": D("0.7500"), "NET-CONF": D("0.7500"), "NET-ACL": D("0.0000")}
    assert scored.result.units["NET-ACCESS"].result == "不适用"
    assert scored.result.layers["network"] == D("0.6532")


def test_worked_example_total() -> None:
    # technical: (10·0.4 + 20·0.6532 + 10·0.5 + 30·0.6)/70 = (4 + 13.064 + 5 + 18)/70 = 0.57234…
    # management: (8·1 + 8·0.8 + 8·0.9 + 6·0.5)/30 = 24.6/30 = 0.82
    # total = 70·0.57234… + 30·0.82 = 40.064 + 24.6 = 64.664 → 64.66
    layers = {"physical": D("0.4"), "network": D("0.6532"), "device": D("0.5"), "application": D("0.6"),
              "policy": D("1"), "personnel": D("0.8"), "build_ops": D("0.9"), "emergency": D("0.5")}
    assert combine_layers(R23, layers)[1] == D("64.66")
    # 物理 不适用: technical = (13.064 + 5 + 18)/60 = 0.601066…; 70·0.601066… = 42.0747 + 24.6 = 66.6747 → 66.67
    layers["physical"] = None
    assert combine_layers(R23, layers)[1] == D("66.67")
    # 2021-style renormalisation over all applicable layers: (36.064 + 24.6)/90·100 = 67.404… → 67.40
    assert combine_layers(R21, layers)[1] == D("67.40")


OWN_OBJECTS = {**NET_OBJECTS, "phy-door": "physical", "dev-srv": "device", "app-web": "application"}
OWN_JUDGEMENTS = NETWORK_EXAMPLE + [
    "{object: phy-door, indicator: PHY-AUTH, D: true, A: false, K: true, Ra: 0.5}",      # 0.5·0.5 = 0.25
    "{object: dev-srv, indicator: DEV-AUTH, D: true, A: true, K: true}",                  # 1
    "{object: dev-srv, indicator: DEV-RMGT, D: true, A: true, K: false, Rk: 1.2}",        # 0.5·1.2 = 0.6
    "{object: app-web, indicator: APP-AUTH, D: true, A: false, K: false, Ra: 0.2}",       # 0.25·0.2·1 = 0.05
    "{object: app-web, indicator: APP-TCONF, D: true, A: true, K: true}",                 # 1
]
OWN_MANAGEMENT = {"POL-SYSTEM": "符合", "POL-KEYRULE": "部分符合", "PER-ROLES": "不符合", "PER-LAW": "符合",
                  "BLD-PLAN": "符合", "EMG-STRATEGY": "部分符合"}


def test_own_level3_case_below_threshold(tmp_path: Path) -> None:
    # physical = 0.25 (PHY-AUTH only); network = 0.6532 (above)
    # device = (1·1 + 1·0.6)/(1 + 1) = 0.8; application = (1·0.05 + 1·1)/2 = 0.525
    # policy = (1·1 + 0.7·0.5)/1.7 = 0.79411… → 0.7941; personnel = (1·0 + 0.7·1)/1.7 = 0.41176… → 0.4118
    # build_ops = 1; emergency = 0.5
    # technical ×70 = 10·0.25 + 20·0.6532 + 10·0.8 + 30·0.525 = 2.5 + 13.064 + 8 + 15.75 = 39.314
    # management ×30 = 8·0.7941 + 8·0.4118 + 8·1 + 6·0.5 = 6.3528 + 3.2944 + 8 + 3 = 20.6472
    # total = 59.9612 → 59.96 < 60 → 不符合
    scored = score_case(write_case(tmp_path, case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, OWN_MANAGEMENT)))
    assert scored.result.layers == {"physical": D("0.2500"), "network": D("0.6532"), "device": D("0.8000"),
                                    "application": D("0.5250"), "policy": D("0.7941"), "personnel": D("0.4118"),
                                    "build_ops": D("1.0000"), "emergency": D("0.5000")}
    assert scored.result.total == D("59.96")
    assert scored.conclusion == "不符合"
    assert scored.high_risks == 0


def test_own_case_above_threshold_then_high_risk_veto(tmp_path: Path) -> None:
    # POL-KEYRULE 符合: policy = 1.7/1.7 = 1 → management ×30 = 8 + 3.2944 + 8 + 3 = 22.2944
    # total = 39.314 + 22.2944 = 61.6084 → 61.61 ≥ 60, no high risk → 基本符合
    management = {**OWN_MANAGEMENT, "POL-KEYRULE": "符合"}
    base = case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, management)
    scored = score_case(write_case(tmp_path / "a", base))
    assert (scored.result.total, scored.conclusion) == (D("61.61"), "基本符合")
    # a confirmed, unmitigated high risk (HR-NET-AUTH, guide 7.1) turns it into 不符合, same score
    veto = base + "high_risks:\n  - {indicator: NET-AUTH, object: net-tls, mitigated: false, reason: 未使用合规算法}\n"
    scored = score_case(write_case(tmp_path / "b", veto))
    assert (scored.result.total, scored.conclusion, scored.high_risks) == (D("61.61"), "不符合", 1)
    row = next(r for r in scored.risks if r.indicator == "NET-AUTH")
    assert (row.level, row.high_risk, row.entries) == ("高", True, ["HR-NET-AUTH"])
    # HR-NET-AUTH accepts no mitigation: mitigated: true does not lift the veto
    stuck = base + "high_risks:\n  - {indicator: NET-AUTH, object: net-tls, mitigated: true}\n"
    scored = score_case(write_case(tmp_path / "c", stuck))
    assert scored.conclusion == "不符合"
    assert ("assess.risk.mitigation_not_allowed" in {c for c, _ in next(r for r in scored.risks if r.indicator == "NET-AUTH").notes})
    # HR-NET-CONF may be lowered (application-layer encryption covers the channel): level 低, 基本符合
    lowered = base + "high_risks:\n  - {indicator: NET-CONF, object: net-tls, mitigated: true, level: 低}\n"
    scored = score_case(write_case(tmp_path / "d", lowered))
    assert scored.conclusion == "基本符合"
    assert next(r for r in scored.risks if r.indicator == "NET-CONF").level == "低"


def test_compensation(tmp_path: Path) -> None:
    # APP-TCONF of app-web D no → raw 0; compensated by net-tlcp NET-CONF (1): B' = max(0.5·1, 0) = 0.5
    # application = (1·0.05 + 1·0.5)/2 = 0.275 → 0.2750
    judgements = [j for j in OWN_JUDGEMENTS if "APP-TCONF" not in j] + ["{object: app-web, indicator: APP-TCONF, D: false}"]
    extra = "compensations:\n  - {object: app-web, indicator: APP-TCONF, by: [net-tlcp, NET-CONF], reason: 网络层TLCP覆盖}\n"
    scored = score_case(write_case(tmp_path, case_text(3, OWN_OBJECTS, judgements, OWN_MANAGEMENT, extra=extra)))
    obj = scored.result.objects[("app-web", "APP-TCONF")]
    assert (obj.raw, obj.final, obj.compensated_by) == (D("0.0000"), D("0.5000"), ("net-tlcp", "NET-CONF"))
    assert scored.result.layers["application"] == D("0.2750")
    # compensation never lowers: B' = max(0.5·0.5, 1) for a compensated object already at 1 stays 1
    # under quant-2021 there is no compensation formula: application = (0.05·… 2021: 0.25 + 0)/2 = 0.125
    scored21 = score_case(write_case(tmp_path / "21", case_text(3, OWN_OBJECTS, judgements, OWN_MANAGEMENT, extra=extra, scoring="{rule_set: quant-2021}")))
    assert scored21.result.objects[("app-web", "APP-TCONF")].final == D("0.0000")
    assert scored21.result.layers["application"] == D("0.1250")  # APP-AUTH 2021: A,K no → 0.25; (0.25 + 0)/2


def test_all_na_layer_and_group(tmp_path: Path) -> None:
    # only the network example and no management at all applicable: management group 不适用 → no total
    text = case_text(3, NET_OBJECTS, NETWORK_EXAMPLE, {})
    scored = score_case(write_case(tmp_path / "a", text))
    assert scored.result.total is None and scored.conclusion is None
    assert "management" in scored.result.total_reason
    # all_na_group: zero → management counts 0; technical = network only = 0.6532 → 70·0.6532 = 45.724 → 45.72
    scored = score_case(write_case(tmp_path / "b", case_text(3, NET_OBJECTS, NETWORK_EXAMPLE, {}, scoring="{all_na_group: zero}")))
    assert scored.result.total == D("45.72")
    assert scored.conclusion == "不符合"
    # an all-不适用 technical layer drops out: physical/device/application 不适用, POL-SYSTEM 符合
    # total = 70·0.6532 + 30·1 = 45.724 + 30 = 75.724 → 75.72 → 基本符合
    scored = score_case(write_case(tmp_path / "c", case_text(3, NET_OBJECTS, NETWORK_EXAMPLE, {"POL-SYSTEM": "符合"})))
    assert (scored.result.layers["physical"], scored.result.total, scored.conclusion) == (None, D("75.72"), "基本符合")


def test_level2(tmp_path: Path) -> None:
    # level-2 weights: NET-AUTH 0.7, NET-INTEG 0.4, NET-CONF 0.7, NET-ACL 0.4 (NET-ACCESS not evaluated)
    # NET-AUTH A no → 0.5; NET-CONF 1; NET-INTEG D no → 0; NET-ACL 不适用
    # network = (0.7·0.5 + 0.7·1 + 0.4·0)/(0.7 + 0.7 + 0.4) = 1.05/1.8 = 0.58333… → 0.5833
    # total = 70·0.5833 + 30·1 (POL-SYSTEM 符合 only) = 40.831 + 30 = 70.831 → 70.83
    judgements = [
        "{object: net-tls, indicator: NET-AUTH, D: true, A: false, K: true}",
        "{object: net-tls, indicator: NET-CONF, D: true, A: true, K: true}",
        "{object: net-tls, indicator: NET-INTEG, D: false}",
    ]
    scored = score_case(write_case(tmp_path, case_text(2, {"net-tls": "network"}, judgements, {"POL-SYSTEM": "符合"})))
    assert len(scored.result.units) == 27
    assert scored.result.layers["network"] == D("0.5833")
    assert (scored.result.total, scored.conclusion) == (D("70.83"), "基本符合")


def test_level4(tmp_path: Path) -> None:
    # level-4 weights: NET-AUTH 1, NET-INTEG 1, NET-ACCESS 0.7
    # NET-AUTH K no, Rk 1.5 → 0.75; NET-INTEG 1; NET-ACCESS D no → 0; NET-CONF, NET-ACL 不适用
    # network = (0.75 + 1 + 0.7·0)/2.7 = 0.64814… → 0.6481; EMG-HANDLE 部分符合 only → management 0.5
    # total = 70·0.6481 + 30·0.5 = 45.367 + 15 = 60.367 → 60.37 → 基本符合
    judgements = [
        "{object: net-gw, indicator: NET-AUTH, D: true, A: true, K: false, Rk: 1.5}",
        "{object: net-gw, indicator: NET-INTEG, D: true, A: true, K: true}",
        "{object: net-gw, indicator: NET-ACCESS, D: false}",
    ]
    scored = score_case(write_case(tmp_path, case_text(4, {"net-gw": "network"}, judgements, {"EMG-HANDLE": "部分符合"})))
    assert len(scored.result.units) == 41
    assert scored.result.layers["network"] == D("0.6481")
    assert (scored.result.total, scored.conclusion) == (D("60.37"), "基本符合")


def test_exactly_100(tmp_path: Path) -> None:
    # every applicable unit scores 1 (the rest 不适用): each group = 1 → 70 + 30 = 100.00 → 符合
    judgements = ["{object: net-tlcp, indicator: NET-AUTH, D: true, A: true, K: true}"]
    scored = score_case(write_case(tmp_path, case_text(1, {"net-tlcp": "network"}, judgements, {"POL-SYSTEM": "符合"})))
    assert (scored.result.total, scored.conclusion, scored.risks) == (D("100.00"), "符合", [])


def test_lost_points_ranking() -> None:
    # network units of the worked example with POL-SYSTEM 符合 (other layers/units excluded):
    # NET-ACL to 1: layer (2.025 + 0.4)/3.1 = 0.78225… → 0.7823; total 70·0.7823 + 30 = 84.761 → 84.76
    # base 70·0.6532 + 30 = 75.724 → 75.72; gain 9.04.  NET-AUTH to 1: (2.025 + 0.25)/3.1 = 0.73387 → 0.7339
    # → 51.373 + 30 = 81.37; gain 5.65 (NET-CONF the same); NET-INTEG: (2.025 + 0.175)/3.1 = 0.7097 → 79.68; gain 3.96
    items = [ObjectInput("tlcp", i, D=True, A=True, K=True) for i in ("NET-AUTH", "NET-INTEG", "NET-CONF")]
    items += [ObjectInput("tls", i, D=True, A=False, K=True) for i in ("NET-AUTH", "NET-INTEG", "NET-CONF")]
    items += [ObjectInput("fw", "NET-ACL", D=False)]
    result = score(R23, 3, items, {"POL-SYSTEM": "符合"})
    assert [(p["indicator"], p["points"]) for p in result.lost_points] == [
        ("NET-ACL", "9.04"), ("NET-AUTH", "5.65"), ("NET-CONF", "5.65"), ("NET-INTEG", "3.96")]
