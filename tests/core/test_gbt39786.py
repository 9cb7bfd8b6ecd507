"""Level-correct GB/T 39786 citations (``mptool --level 1..4``): the clause table, the rewriting of
the references checks cite (written for level 3) and the evidence that records the level."""

from __future__ import annotations

import json
import re

import pytest

from conftest import run_cli
from mptool.core import gbt39786
from mptool.core.gbt39786 import cite
from mptool.core.model import Status
from mptool.core.registry import get, load_all
from mptool.core.report import ReportBuilder


def test_the_table_has_every_indicator_with_its_level_3_clause() -> None:
    table = gbt39786.indicators()
    assert len(table) == 41  # 22 technical + 19 management indicators of GB/T 39786-2021
    for ind in table.values():
        assert ind.at(3) and ind.at(3).startswith("8."), ind.id  # chapter 8 is level 3
        assert ind.at(4) and ind.at(4).startswith("9."), ind.id  # every indicator exists at level 4
        for level, clause in ind.clause.items():
            assert clause.startswith(f"{level + 5}."), (ind.id, level)
    # indicators level 1 and 2 do not have (GB/T 39786-2021 §6, §7)
    assert table["DEV-RMGT"].at(1) is None and table["DEV-RMGT"].at(2) is None
    assert table["APP-NONREP"].at(2) is None and table["NET-ACCESS"].at(1) is None
    # the device layer is lettered differently below level 3: no 远程管理通道 item
    assert (table["DEV-ACL"].at(1), table["DEV-ACL"].at(3)) == ("6.3 b)", "8.3 c)")


def test_the_assess_catalogue_reads_the_same_table() -> None:
    from mptool.assess.api import catalogue

    for ind in catalogue().indicators.values():
        assert ind.clause == gbt39786.indicators()[ind.id].clause
        assert set(ind.clause) == set(ind.weight), ind.id  # a clause exactly where the 2023 rules weigh it


@pytest.mark.parametrize("level, expected", [
    (1, "GB/T 39786-2021 6.2 a)-c), 8.3 b)（远程管理通道安全：第1级无此指标）, 6.4 c); RFC 7617"),
    (2, "GB/T 39786-2021 7.2 a)-c), 8.3 b)（远程管理通道安全：第2级无此指标）, 7.4 c); RFC 7617"),
    (3, "GB/T 39786-2021 8.2 a)-c), 8.3 b), 8.4 d); RFC 7617"),
    (4, "GB/T 39786-2021 9.2 a)-c), 9.3 b), 9.4 d); RFC 7617"),
])
def test_a_citation_at_each_level(level: int, expected: str) -> None:
    reference, absent = cite("GB/T 39786-2021 8.2 a)-c), 8.3 b), 8.4 d); RFC 7617", level)
    assert reference == expected
    assert absent == (["DEV-RMGT"] if level < 3 else [])


def test_citations_of_every_level_become_the_one_of_the_level() -> None:
    ref = "GB/T 39786-2021 6.4 d), 7.4 d), 8.4 e), 9.4 e) (important data at rest); GB/T 43206-2023 6.4.5"
    assert cite(ref, 2)[0] == "GB/T 39786-2021 7.4 d) (important data at rest); GB/T 43206-2023 6.4.5"
    assert cite(ref, 3)[0] == ref  # level 3: as the check wrote it
    # other standards' clause numbers and whole-chapter ranges are left alone
    assert cite("GM/T 0005-2021 §6.2; GB/T 39786-2021 §6-§9", 1)[0] == "GM/T 0005-2021 §6.2; GB/T 39786-2021 §6-§9"
    assert cite("libpcap; GB/T 39786-2021 8.2 (channels)", 4)[0] == "libpcap; GB/T 39786-2021 9.2 (channels)"
    assert cite("GB/T 39786-2021 6.4 d)/f) (rehearsal)", 4)[0] == "GB/T 39786-2021 9.4 e), 9.4 g) (rehearsal)"


def test_every_registered_reference_can_be_cited_at_every_level() -> None:
    """Each clause a check cites becomes the level's own clause, or is marked as not at that level."""
    clause = re.compile(r"([6-9])\.[1-8](?: [a-h]\))?(（[^）]*）)?")
    cited = 0
    for spec in load_all():
        for level in (1, 2, 4):
            reference, absent = cite(spec.reference, level)
            assert set(absent) <= set(gbt39786.indicators())
            for part in reference.split(";"):
                if "39786" not in part:
                    continue
                for m in clause.finditer(part.split("39786", 1)[1].replace("-2021", "", 1)):
                    cited += 1
                    assert int(m.group(1)) == level + 5 or "无此指标" in (m.group(2) or ""), (spec.id, level, reference)
    assert cited > 30


def test_the_evidence_records_the_level_and_the_indicators_it_lacks() -> None:
    spec = get("proto.cleartext.channel")
    builder = ReportBuilder("proto analyze", [], level=1)
    builder.add(spec.result(Status.INFO, subject="x", measurements={"indicators": [{"id": "NET-AUTH", "clause": "GB/T 39786-2021 8.2 a) (身份鉴别)"}]}))
    evidence = builder.build()
    assert evidence.parameters["gbt39786_level"] == 1
    assert evidence.summary.model_extra["gbt39786_not_at_level"] == ["DEV-RMGT"]
    result = evidence.results[0]
    assert "6.2 a)-c)" in result.reference and "第1级无此指标" in result.reference
    assert result.measurements["indicators"][0]["clause"] == "GB/T 39786-2021 6.2 a) (身份鉴别)"
    # without --level: level 3 recorded where GB/T 39786 is cited, references as written
    default = ReportBuilder("proto analyze", [])
    default.add(spec.result(Status.INFO, subject="x"))
    assert default.build().parameters["gbt39786_level"] == 3 and default.build().results[0].reference == spec.reference
    # a command citing no GB/T 39786 clause records nothing
    plain = ReportBuilder("algo digest", [])
    plain.add(get("algo.digest.file").result(Status.INFO))
    assert "gbt39786_level" not in plain.build().parameters


def test_level_option_on_a_real_capture(data) -> None:
    pcap = str(data.pcaps / "tlcp_gmssl_4suites.pcap")
    anchor = str(data.pcaps / "tlcp_lab_root_ca.pem")
    runs = {level: run_cli(["--level", str(level), "proto", "analyze", pcap, "--trust", anchor, "-f", "json", "--deterministic"]).json() for level in (2, 3)}
    default = run_cli(["proto", "analyze", pcap, "--trust", anchor, "-f", "json", "--deterministic"]).json()
    assert runs[3]["results"] == default["results"] and runs[3]["parameters"] == default["parameters"]
    channel = {lvl: next(r for r in ev["results"] if r["check"] == "proto.tls.channel") for lvl, ev in runs.items()}
    assert channel[3]["reference"].startswith("GB/T 39786-2021 8.2 a)-c)")
    assert channel[2]["reference"].startswith("GB/T 39786-2021 7.2 a)-c)")
    assert {i["clause"] for i in channel[2]["measurements"]["indicators"]} <= {
        "GB/T 39786-2021 7.2 a) (身份鉴别)", "GB/T 39786-2021 7.2 b) (通信数据完整性)", "GB/T 39786-2021 7.2 c) (通信过程中重要数据的机密性)"}
    assert runs[2]["parameters"]["gbt39786_level"] == 2
    text = run_cli(["--level", "2", "--lang", "zh", "proto", "analyze", pcap, "--trust", anchor]).stdout
    assert "依据" in text


def test_bad_level_is_a_usage_error() -> None:
    result = run_cli(["--level", "5", "checks"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_assess_cites_its_case_level(tmp_path) -> None:
    case = tmp_path / "case"
    assert run_cli(["assess", "init", str(case), "--name", "二级系统", "--level", "2"]).exit_code == 0
    checked = run_cli(["assess", "check", str(case), "-f", "json"])
    assert json.loads(checked.stdout)["parameters"]["level"] == 2
    clash = run_cli(["--level", "3", "assess", "check", str(case)])
    assert clash.exit_code == 2 and "the case is level 2" in clash.stderr
