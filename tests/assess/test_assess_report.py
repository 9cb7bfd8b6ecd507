"""The 2023-template report: render the golden cases, read the documents back (python-docx, html.parser)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from assess_fixtures import chain_evidence, tlcp_evidence, tls_evidence  # noqa: F401  (fixtures)
from assess_support import case_text, write_case
from conftest import run_cli
from test_assess_golden import NET_OBJECTS, OWN_JUDGEMENTS, OWN_MANAGEMENT, OWN_OBJECTS

from mptool.assess.indicators import LAYERS, catalogue

docx = pytest.importorskip("docx")

SECTION_ZH = ["商用密码应用安全性评估报告", "声明", "被测信息系统基本信息表", "商用密码应用安全性评估结论", "总体评价", "安全问题及改进建议",
              "1 测评项目概述", "2 被测信息系统情况", "3 测评范围与方法", "4 单元测评", "5 整体测评", "6 风险分析", "7 评估结论",
              "附录A 测评结果记录", "附录B 密评活动有效性证明记录"]
TABLE_COUNT = 2 + 1 + 12 + 8 + 11 + 2 + 1 + 8 + 1  # basic info, conclusion; 1-1; 2-1..2-12; 3-1..3-8; 4-1..4-11; 5-1, 5-2; 6-1; A-1..A-8; B-1


def level_case(level: int) -> str:
    """A complete case at ``level``: some judgements of each result, the rest 不适用."""
    cat = catalogue()
    present = {i.id for i in cat.at_level(level)}
    judgements = [j for j in OWN_JUDGEMENTS if re.search(r"indicator: ([A-Z-]+)", j).group(1) in present]
    management = {k: v for k, v in OWN_MANAGEMENT.items() if k in present}
    return case_text(level, OWN_OBJECTS, judgements, management)


def score_json(path: Path) -> dict:
    return run_cli(["assess", "score", str(path), "-f", "json", "--fail-on", "never"]).json()["summary"]["assessment"]


def read_docx(path: Path) -> tuple[list[str], list[list[list[str]]], str]:
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    text = "\n".join(p.text for p in document.paragraphs)
    return headings, tables, text


def caption_index(text: str, number: str) -> bool:
    return any(line.startswith(number + " ") for line in text.splitlines())


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_docx_sections_tables_and_numbers_per_level(tmp_path: Path, level: int) -> None:
    path = write_case(tmp_path, level_case(level))
    out = tmp_path / "report.docx"
    result = run_cli(["assess", "report", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    headings, tables, text = read_docx(out)
    assert headings == SECTION_ZH  # every section, in template order
    assert len(tables) == TABLE_COUNT
    n = len(catalogue().at_level(level))
    by_caption = dict(zip(re.findall(r"^(表[0-9AB]-\d+|基本信息表|评估结论表) ", text, re.M), tables, strict=True))
    assert len(by_caption["表3-1"]) == 1 + n  # header + the level's indicators
    assert len(by_caption["表5-2"]) == 1 + n + 2  # header + indicators + 合计 + 综合得分
    a = score_json(path)
    # the score and conclusion equal assess score, everywhere they appear
    assert by_caption["表5-2"][-1][1] == a["total"]
    conclusion = dict((row[0], row[1]) for row in by_caption["评估结论表"])
    assert conclusion["综合得分"] == a["total"] and conclusion["评估结论"] == a["conclusion"]
    assert f"综合得分为{a['total']}分" in text and f"评估结论为{a['conclusion']}" in text
    # unit scores of 表5-2 are those of assess score
    order = [i for layer in LAYERS for i in catalogue().at_level(level) if i.layer == layer]
    for row, ind in zip(by_caption["表5-2"][1:1 + n], order, strict=True):
        assert row[1] == ind.label_zh
        assert row[6] == (a["units"][ind.id] or "/")
    # the level's count = 符合 + 部分符合 + 不符合 + 不适用 on every page that shows them
    total_row = by_caption["表5-2"][-2]
    assert int(total_row[1]) == n == sum(int(x) for x in total_row[2:6])
    ticks = [row[2:6] for row in by_caption["表5-2"][1:1 + n]]
    assert all(sum(1 for c in r if c == "√") == 1 for r in ticks)
    assert [sum(1 for r in ticks if r[k] == "√") for k in range(4)] == [int(x) for x in total_row[2:6]]
    counts = re.findall(r"共(\d+)项测评指标（不适用(\d+)项.*?其中符合(\d+)项，部分符合(\d+)项，不符合(\d+)项，不适用(\d+)项", text)
    assert counts and all(int(c[0]) == n == sum(int(x) for x in c[2:]) and c[1] == c[5] for c in counts)
    summary = conclusion["测评情况简介"]
    m = re.search(r"共涉及(\d+)项测评指标，其中符合(\d+)项，部分符合(\d+)项，不符合(\d+)项，不适用(\d+)项", summary)
    assert m and int(m.group(1)) == n == sum(int(x) for x in m.groups()[1:])
    assert conclusion["不适用项数目/总测评指标项数目"] == f"{total_row[5]}/{n}"
    for layer_line in re.findall(r"：共(\d+)项指标，符合(\d+)项，部分符合(\d+)项，不符合(\d+)项，不适用(\d+)项", text):
        assert int(layer_line[0]) == sum(int(x) for x in layer_line[1:])
    # Appendix A: D/A/K cells only √ × /; one row per judgement
    technical = [by_caption[f"表A-{k}"] for k in range(1, 5)]
    for table in technical:
        for row in table[1:]:
            assert set(row[3:6]) <= {"√", "×", "/"}, row
    judged = sum(1 for j in level_case(level).splitlines() if "object:" in j and "indicator:" in j)
    assert sum(len(t) - 1 for t in technical) == judged
    # risk rows: 高 + 中 + 低 = rows
    risk = by_caption["表6-1"]
    rows = [r for r in risk[1:-1] if r[0] != "/"]
    stats = re.match(r"高(\d+)项，中(\d+)项，低(\d+)项", risk[-1][1])
    assert stats and sum(int(x) for x in stats.groups()) == len(rows) == int(risk[-1][5])
    assert all(r[5] in ("高", "中", "低") and re.fullmatch(r"(T[PNDAK]\d)(、T[PNDAK]\d)*", r[3]) for r in rows)


def test_dak_symbols_and_compensation_star(tmp_path: Path) -> None:
    judgements = [j for j in OWN_JUDGEMENTS if "APP-TCONF" not in j] + ["{object: app-web, indicator: APP-TCONF, D: false}"]
    extra = "compensations:\n  - {object: app-web, indicator: APP-TCONF, by: [net-tlcp, NET-CONF], reason: 网络层TLCP覆盖}\n"
    path = write_case(tmp_path, case_text(3, OWN_OBJECTS, judgements, OWN_MANAGEMENT, extra=extra))
    out = tmp_path / "r.docx"
    assert run_cli(["assess", "report", str(path), "-o", str(out)]).exit_code == 0
    _, tables, text = read_docx(out)
    by_caption = dict(zip(re.findall(r"^(表[0-9AB]-\d+|基本信息表|评估结论表) ", text, re.M), tables, strict=True))
    app = {(row[0], row[1]): row for row in by_caption["表A-4"][1:]}
    row = app[("重要数据传输机密性", "app-web")]
    assert row[3:6] == ["/", "/", "/"] and row[6] == "0.5000*"  # compensated: D/A/K '/', score starred
    assert "测评对象分数弥补" in row[2] and "由0.0000分调整为0.5000分" in row[2]
    phy = by_caption["表A-1"][1]
    assert phy[3:6] == ["√", "×", "√"] and phy[6] == "0.2500"
    assert "0.5×Ra=0.5×0.5=0.2500" in phy[2]
    comp = by_caption["表5-1"]
    assert len(comp) == 2 and comp[1][4] == "不符合/0.0000" and comp[1][5] == "部分符合/0.5000"
    # chapter 4 is before compensation: 不符合 for app-web's APP-TCONF
    t44 = by_caption["表4-4"]
    col = t44[0].index("重要数据传输机密性")
    assert next(r for r in t44 if r[0] == "app-web")[col] == "不符合"


def evidence_case(tmp_path: Path, tlcp: Path, chain: Path, tls: Path, *, confirm_all: bool = True, record: str = "") -> Path:
    """A case with real evidence: TLCP + SM2 chain on net-vpn, TLS (RSA-2048) on net-tls."""
    from ruamel.yaml import YAML

    case = tmp_path / "case"
    assert run_cli(["assess", "init", str(case), "--name", "某某业务系统", "--level", "3"]).exit_code == 0
    assert run_cli(["assess", "add", str(case), str(tlcp), str(chain), "--object", "net-vpn", "--layer", "network", "--name", "互联网用户到SSL VPN网关"]).exit_code == 0
    assert run_cli(["assess", "add", str(case), str(tls), "--object", "net-tls", "--layer", "network", "--name", "运维TLS通道"]).exit_code == 0
    doc = YAML(typ="safe", pure=True).load((case / "assessment.yaml").read_text(encoding="utf-8"))
    judgements = [f"{{object: net-vpn, indicator: {i}, accept: true, K: true, by: 张三}}" for i in ("NET-AUTH", "NET-INTEG", "NET-CONF")]
    tls_inds = ("NET-AUTH", "NET-INTEG", "NET-CONF") if confirm_all else ("NET-AUTH",)
    judgements += [f"{{object: net-tls, indicator: {i}, accept: true, K: true, by: 张三" + (f", record: {record}" if record and i == "NET-AUTH" else "") + "}" for i in tls_inds]
    judgements += ["{object: net-vpn, indicator: NET-ACL, D: false}"]
    objects = {"net-vpn": "network", "net-tls": "network"}
    text = case_text(3, objects, judgements, OWN_MANAGEMENT)
    text = text.replace("system: {name: 测试系统, level: 3}", "system: {name: 某某业务系统, level: 3}")
    text = text.replace("  - {id: net-vpn, layer: network}", "  - {id: net-vpn, layer: network, name: 互联网用户到SSL VPN网关}")
    text = text.replace("  - {id: net-tls, layer: network}", "  - {id: net-tls, layer: network, name: 运维TLS通道}")
    text += "report: {number: MP-2026-001, assessed: {name: 某某公司}, assessor: {name: 某某密评机构}, start: 2026-03-01, end: 2026-03-05, algorithms: [SM2, SM3, SM4, SM9]}\n"
    text += "evidence:\n" + "".join(f"  - {json.dumps(e, ensure_ascii=False)}\n" for e in doc["evidence"])
    (case / "assessment.yaml").write_text(text, encoding="utf-8")
    return case


def test_records_cite_evidence_and_evaluator_text_wins(tmp_path: Path, tlcp_evidence: Path, chain_evidence: Path, tls_evidence: Path) -> None:
    case = evidence_case(tmp_path, tlcp_evidence, chain_evidence, tls_evidence, record="经配置核查，运维通道使用TLS，见图A-2-1")
    out = tmp_path / "data.json"
    result = run_cli(["assess", "export", str(case), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "src/mptool/schemas/report-data-v1.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["assessment"] == score_json(case)  # the same numbers as assess score
    from ruamel.yaml import YAML

    evidence = {e["source"]: e["sm3"] for e in YAML(typ="safe", pure=True).load((case / "assessment.yaml").read_text(encoding="utf-8"))["evidence"]}
    rec = {(r["object"], r["indicator"]): r for r in data["records"] if r["object"]}
    vpn = rec[("net-vpn", "NET-AUTH")]
    assert vpn["source"] == "draft" and vpn["text"].startswith("测评验证记录：1) 经工具测试，使用mptool proto analyze")
    for name in ("tlcp.json", "chain.json"):
        assert evidence[name] in vpn["text"] and evidence[name] in vpn["evidence"]
    assert "TLCP 1.1" in vpn["text"] and "ECC_SM4_CBC_SM3" in vpn["text"] and "序列号" in vpn["text"] and "有效期" in vpn["text"]
    assert "证书路径（3级）构建成功" in vpn["text"] and "测评对象评分计算依据：被测系统为第3级系统，D=√，A=√，K=√" in vpn["text"]
    tls = rec[("net-tls", "NET-CONF")]
    assert evidence["tls.json"] in tls["text"] and "0.5×Ra=0.5×1=0.5000" in tls["text"] and "RSA-2048约112比特" in tls["text"]
    assert rec[("net-tls", "NET-AUTH")]["text"] == "经配置核查，运维通道使用TLS，见图A-2-1" and rec[("net-tls", "NET-AUTH")]["source"] == "evaluator"
    # ticks of 使用的密码算法 from the evidence; SM9 claimed but never seen, AES/RSA seen but not claimed
    algos = data["algorithms"]
    assert {"SM2", "SM3", "SM4", "AES", "RSA2048", "SHA-256"} <= set(algos["seen"]) and "SM9" not in algos["seen"]
    assert algos["claimed_not_seen"] == ["SM9"] and "AES" in algos["seen_not_claimed"]
    basic = data["tables"]["t0_1"]["rows"]
    assert any("☑SM4" in r[2] and "☐SM1" in r[2] for r in basic)
    assert any(r[2] == "________" for r in basic)  # blanks visibly blank
    # the tools table names mptool and its backends with versions
    tools = data["tables"]["t3_3"]["rows"]
    assert [r[1] for r in tools][:3] == ["mptool cert", "mptool proto", "cryptography"] or "mptool proto" in [r[1] for r in tools]


def test_gaps_render_marked_and_exit_4(tmp_path: Path, tlcp_evidence: Path, chain_evidence: Path, tls_evidence: Path) -> None:
    case = evidence_case(tmp_path, tlcp_evidence, chain_evidence, tls_evidence, confirm_all=False)
    text = (case / "assessment.yaml").read_text(encoding="utf-8").replace("  - {indicator: EMG-STRATEGY, result: 部分符合}\n", "")
    (case / "assessment.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "r.docx"
    result = run_cli(["assess", "report", str(case), "-o", str(out)])
    assert result.exit_code == 4
    assert "mptool: 待确认: 运维TLS通道 / NET-INTEG" in result.stderr and "EMG-STRATEGY" in result.stderr
    _, tables, text = read_docx(out)
    assert "待确认事项" in text and "待确认" in text
    a2 = next(t for t in tables if t[0][:2] == ["测评单元", "测评对象"] and any(r[1] == "运维TLS通道" for r in t))
    assert any(r[1] == "运维TLS通道" and r[3] == "待确认" for r in a2)
    html = tmp_path / "r.html"
    assert run_cli(["assess", "report", str(case), "-o", str(html), "--format", "html", "-q"]).exit_code == 4
    assert 'class="pending"' in html.read_text(encoding="utf-8")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.h1: list[str] = []
        self.tables = 0
        self.rows: dict[str, int] = {}
        self.srcs: list[str] = []
        self.links: list[str] = []
        self._in_h1 = False
        self._table: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a["id"] or "")
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag == "table":
            self.tables += 1
            self._table = a["id"]
            self.rows[self._table or ""] = 0
        if tag == "tr" and self._table:
            self.rows[self._table] += 1
        if tag in ("img", "script", "iframe"):
            self.srcs.append(a.get("src") or "")
        if tag == "link":
            self.links.append(a.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1[-1] += data


def test_html_self_contained_and_english(tmp_path: Path) -> None:
    path = write_case(tmp_path, level_case(3))
    out = tmp_path / "r.html"
    assert run_cli(["assess", "report", str(path), "-o", str(out), "--format", "html"]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(text)
    assert parser.h1 == SECTION_ZH and parser.tables == TABLE_COUNT
    assert parser.rows["t3_1"] == 1 + 41 and parser.rows["t5_2"] == 1 + 41 + 2
    assert parser.srcs and all(s.startswith("data:image/png;base64,") for s in parser.srcs) and not parser.links
    assert "http://" not in text.replace("http-equiv", "") and "https://" not in text and "@media print" in text
    en = tmp_path / "en.html"
    assert run_cli(["assess", "report", str(path), "-o", str(en), "--format", "html", "--lang", "en"]).exit_code == 0
    p = _Collect()
    p.feed(en.read_text(encoding="utf-8"))
    assert p.h1[1] == "Declaration" and "7 Conclusion" in p.h1


def test_the_output_suffix_chooses_the_format_and_a_contradiction_is_refused(tmp_path: Path) -> None:
    """-o report.html writes HTML (not Word bytes under an .html name); --format against the suffix is exit 2, nothing written."""
    path = write_case(tmp_path, level_case(3))
    html, word, plain = tmp_path / "r.html", tmp_path / "r.docx", tmp_path / "report"
    assert run_cli(["assess", "report", str(path), "-o", str(html)]).exit_code == 0
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert run_cli(["assess", "report", str(path), "-o", str(word)]).exit_code == 0 and word.read_bytes()[:2] == b"PK"
    assert run_cli(["assess", "report", str(path), "-o", str(plain)]).exit_code == 0 and plain.read_bytes()[:2] == b"PK"  # no suffix: Word
    wrong = tmp_path / "wrong.html"
    result = run_cli(["assess", "report", str(path), "-o", str(wrong), "--format", "docx"])
    assert result.exit_code == 2 and "--format docx but -o" in result.stderr and not wrong.exists()
    result = run_cli(["assess", "report", str(path), "-o", str(wrong), "--template", str(word)])
    assert result.exit_code == 2 and "--template renders Word" in result.stderr and not wrong.exists()


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


def _screenshot(browser: str, html: Path, png: Path, size: str = "1000,1400") -> "object":
    import subprocess
    import tempfile

    import matplotlib.image

    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
                        f"--window-size={size}", f"--screenshot={png}", html.as_uri()], check=True, capture_output=True, timeout=120)
    return matplotlib.image.imread(str(png))


@pytest.mark.slow
def test_html_screenshot_renders_chinese(tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium not installed (.ci/apt-packages.txt)")
    path = write_case(tmp_path, level_case(3))
    out = tmp_path / "r.html"
    assert run_cli(["assess", "report", str(path), "-o", str(out), "--format", "html"]).exit_code == 0
    page = _screenshot(browser, out, tmp_path / "page.png")
    assert page.std() > 0.01  # not blank
    # the same page with every CJK character removed renders differently (the Chinese text is drawn)
    stripped = tmp_path / "stripped.html"
    stripped.write_text(re.sub(r"[\u4e00-\u9fff]", "", out.read_text(encoding="utf-8")), encoding="utf-8")
    assert (page != _screenshot(browser, stripped, tmp_path / "stripped.png")).mean() > 0.001
    # real glyphs, not tofu: two different Chinese strings of the same length, in the report's CSS, render
    # differently (missing glyphs would draw identical boxes)
    from mptool.assess.report.html import CSS

    shots = []
    for n, words in enumerate(("评估结论基本符合", "密钥管理安全风险")):
        probe = tmp_path / f"probe{n}.html"
        probe.write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>{CSS} p{{font-size:48px}}</style></head><body><p>{words}</p></body></html>', encoding="utf-8")
        shots.append(_screenshot(browser, probe, tmp_path / f"probe{n}.png", "800,300"))
    assert shots[0].std() > 0.01 and (shots[0] != shots[1]).mean() > 0.005


def test_institution_template_and_unknown_field(tmp_path: Path) -> None:
    path = write_case(tmp_path, level_case(3))

    def template(name: str, *lines: str) -> Path:
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        target = tmp_path / name
        document.save(str(target))
        return target

    good = template("lab.docx", "某机构报告：{{ system.name }}", "得分 {{ assessment.total }} 结论 {{ assessment.conclusion }}",
                    "{% for r in records %}{{ r.indicator }} {{ r.score }}；{% endfor %}")
    out = tmp_path / "lab-report.docx"
    result = run_cli(["assess", "report", str(path), "-o", str(out), "--template", str(good)])
    assert result.exit_code == 0, result.stderr
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    a = score_json(path)
    assert "某机构报告：测试系统" in text and f"得分 {a['total']} 结论 {a['conclusion']}" in text and "PHY-AUTH 0.2500" in text
    for bad, field in (("{{ sytem.name }}", "sytem"), ("{{ system.nmae }}", "nmae")):
        target = template(f"bad-{field}.docx", bad)
        result = run_cli(["assess", "report", str(path), "-o", str(tmp_path / "x.docx"), "--template", str(target)])
        assert result.exit_code == 3, result.stderr
        assert result.stderr.startswith(f"mptool: error: {target}: unknown template field '{field}'") and "Traceback" not in result.stderr
        assert not (tmp_path / "x.docx").exists()


def test_bad_input_one_line_errors(tmp_path: Path) -> None:
    result = run_cli(["assess", "report", str(tmp_path / "nothing"), "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 3 and result.stderr.startswith("mptool: error: ") and len(result.stderr.strip().splitlines()) == 1
    bad = write_case(tmp_path, "schema: mptool.assessment/1\nsystem: {name: x, level: 3}\nreport: {colour: red}\n")
    result = run_cli(["assess", "export", str(bad), "-o", str(tmp_path / "d.json")])
    assert result.exit_code == 3 and "unknown key 'colour'" in result.stderr and not (tmp_path / "d.json").exists()


def test_layers_of_the_network_example_chart_data(tmp_path: Path) -> None:
    from mptool.assess.api import score_case
    from mptool.assess.report.data import build_report_data

    scored = score_case(write_case(tmp_path, level_case(3)))
    data = build_report_data(scored)
    assert set(data["figures"]) == {"layers", "risks", "lost_points"}
    assert all(len(f["png_base64"]) > 1000 for f in data["figures"].values())
    assert data["layer_counts"].keys() == set(LAYERS)
    assert NET_OBJECTS  # shared golden objects are the ones rendered


def test_every_indicator_has_its_own_recommendation() -> None:
    """改进建议 are per indicator (data/recommendations.yaml), in Chinese and English, never one text for all."""
    cat = catalogue()
    ids = set(cat.indicators) | set(cat.general)
    assert set(cat.recommendations) == ids
    for key in ids:
        zh, en = cat.recommendations[key]["zh"], cat.recommendations[key]["en"]
        assert re.search(r"[\u4e00-\u9fff]{4}", zh) and zh.endswith("。"), key
        assert en.isascii() and len(en) > 20, key
    assert len({cat.recommendations[key]["zh"] for key in ids}) == len(ids)
    assert cat.recommendation("NET-CONF") == "建议" + cat.recommendations["NET-CONF"]["zh"] and cat.recommendation("NET-CONF", "en") == cat.recommendations["NET-CONF"]["en"]


def test_problems_carry_their_indicator_advice_and_the_evaluator_text_wins(tmp_path: Path) -> None:
    from mptool.assess.api import score_case
    from mptool.assess.report.data import build_report_data

    cat = catalogue()
    plain = build_report_data(score_case(write_case(tmp_path / "a", level_case(3))))
    items = [item for layer in plain["issues"] for item in layer["items"]]
    assert len(items) >= 2
    for item in items:
        assert item["recommendation"] == cat.recommendation(item["indicator"]) == "建议" + cat.recommendations[item["indicator"]]["zh"]
    chosen = items[0]["indicator"]
    own = "建议由被测单位在下次测评前完成改造并提交整改报告。"
    changed = build_report_data(score_case(write_case(tmp_path / "b", level_case(3) + f"risks:\n  - {{indicator: {chosen}, recommendation: {own}}}\n")))
    again = {item["indicator"]: item for layer in changed["issues"] for item in layer["items"]}
    assert again[chosen]["recommendation"] == own
    assert again[chosen]["level"] == items[0]["level"]  # a recommendation alone leaves the risk level as it was
    assert all(again[i["indicator"]]["recommendation"] == i["recommendation"] for i in items[1:])


def test_problems_say_why_each_object_falls_short(tmp_path: Path) -> None:
    """安全问题: the evaluator's reason of each failing judgement (technical or management) is in the problem text."""
    from mptool.assess.api import score_case
    from mptool.assess.report.data import build_report_data

    text = level_case(3)
    text = text.replace("{object: phy-door, indicator: PHY-AUTH, D: true, A: false, K: true, Ra: 0.5}", "{object: phy-door, indicator: PHY-AUTH, D: true, A: false, K: true, Ra: 0.5, reason: 门禁卡为普通ID卡}")
    text = text.replace("{indicator: PER-ROLES, result: 不符合}", "{indicator: PER-ROLES, result: 不符合, reason: 未设密钥管理员岗位}")
    assert "门禁卡为普通ID卡" in text and "未设密钥管理员岗位" in text
    data = build_report_data(score_case(write_case(tmp_path, text)))
    problems = {item["indicator"]: item["problem"] for layer in data["issues"] for item in layer["items"]}
    assert problems["PHY-AUTH"].endswith("未满足要求（门禁卡为普通ID卡）")
    assert problems["PER-ROLES"] == "“建立密码应用岗位责任制度”不符合：未设密钥管理员岗位"


def test_wrote_line_follows_the_language(tmp_path: Path) -> None:
    """The "wrote" line on stderr of assess report was half English, half Chinese whatever --lang."""
    path = write_case(tmp_path, level_case(3))
    a = score_json(path)
    zh = run_cli(["--lang", "zh", "assess", "report", str(path), "-o", str(tmp_path / "r.docx")])
    assert zh.exit_code == 0, zh.stderr
    assert f"已写入 {tmp_path / 'r.docx'}（综合得分 {a['total']}，评估结论 {a['conclusion']}，待确认 0 项）" in zh.stderr
    en = run_cli(["--lang", "en", "assess", "report", str(path), "-o", str(tmp_path / "r.html"), "--format", "html"])
    assert en.exit_code == 0, en.stderr
    from mptool.assess.render import CONCLUSION_EN

    assert f"wrote {tmp_path / 'r.html'} (score {a['total']}, conclusion {CONCLUSION_EN[a['conclusion']]}, 0 to be confirmed)" in en.stderr


ENGLISH_PHRASE = re.compile(r"\b[a-z]+ [a-z]+ [a-z]+\b")


def _english_phrases(text: str) -> list[str]:
    """Runs of three English words, once the command names and the certificate names are taken out."""
    text = re.sub(r"mptool [a-z]+ [a-z]+", "", text)
    text = re.sub(r"“[^”]*”", "", text)  # subjects and issuers are names, not prose
    return ENGLISH_PHRASE.findall(text)


def test_chinese_records_draft_the_evidence_in_chinese(tmp_path: Path, tlcp_evidence: Path, chain_evidence: Path, tls_evidence: Path) -> None:
    """Confirmed and pending records: the analysis reasons in Chinese (the evidence's reason codes),
    each server certificate once for the configurations that share it, a pending proposal drafted
    from its evidence with the proposed factors; the English report keeps the English reasons."""
    case = evidence_case(tmp_path, tlcp_evidence, chain_evidence, tls_evidence, confirm_all=False)
    out = tmp_path / "data.json"
    assert run_cli(["assess", "export", str(case), "-o", str(out)]).exit_code in (0, 4)
    data = json.loads(out.read_text(encoding="utf-8"))
    rec = {(r["object"], r["indicator"]): r for r in data["records"] if r["object"]}
    vpn = rec[("net-vpn", "NET-AUTH")]["text"]
    assert "经分析确认：服务端以 SM2 证书进行身份鉴别" in vpn and "server authenticated" not in vpn
    assert vpn.count("服务端证书主体") == 1 and "（以上4种配置共用）" in vpn and "TLCP TLCP" not in vpn
    assert [s for s in ("ECC_SM4_CBC_SM3", "ECC_SM4_GCM_SM3", "ECDHE_SM4_CBC_SM3", "ECDHE_SM4_GCM_SM3") if s in vpn] == ["ECC_SM4_CBC_SM3", "ECC_SM4_GCM_SM3", "ECDHE_SM4_CBC_SM3", "ECDHE_SM4_GCM_SM3"]
    pending = rec[("net-tls", "NET-CONF")]
    assert pending["source"] == "pending"
    assert pending["text"].startswith("待确认：证据建议D=√，A=×（Ra=1），K=待确认，尚未经评估人员确认。证据情况：1) 经工具测试，使用mptool proto analyze")
    assert "加密算法 AES_128_GCM 不是商用密码算法" in pending["text"] and pending["evidence"][0] in pending["text"]
    for r in data["records"]:
        assert not _english_phrases(r["text"]), (r["indicator"], _english_phrases(r["text"]))
    english = tmp_path / "data-en.json"
    assert run_cli(["assess", "export", str(case), "-o", str(english), "--lang", "en"]).exit_code in (0, 4)
    en = {(r["object"], r["indicator"]): r for r in json.loads(english.read_text(encoding="utf-8"))["records"] if r["object"]}
    assert "analysis: server authenticated with an SM2 certificate" in en[("net-vpn", "NET-AUTH")]["text"]
    assert "cipher AES_128_GCM is not a GM algorithm" in en[("net-tls", "NET-CONF")]["text"]


def test_a_total_over_part_of_the_indicators_is_marked_provisional(tmp_path: Path) -> None:
    """The rules leave what is not judged out of the total, like 不适用: a report with gaps says the
    total is provisional wherever it shows it, and a layer with nothing judged is 待确认, not 不适用."""
    complete = write_case(tmp_path, level_case(3))
    out = tmp_path / "complete.json"
    assert run_cli(["assess", "export", str(complete), "-o", str(out)]).exit_code == 0
    assert "暂定" not in out.read_text(encoding="utf-8")
    text = complete.read_text(encoding="utf-8")
    emergency = [line for line in text.splitlines(keepends=True) if re.search(r"indicator: (EMG-[A-Z]+)", line) and not line.lstrip().startswith("#")]
    assert emergency
    gapped = write_case(tmp_path / "gapped", "".join(line for line in text.splitlines(keepends=True) if line not in emergency))
    out = tmp_path / "gapped.json"
    assert run_cli(["assess", "export", str(gapped), "-o", str(out)]).exit_code == 4
    data = json.loads(out.read_text(encoding="utf-8"))
    total = data["assessment"]["total"]
    assert total is not None and sorted(data["assessment"]["not_judged"]) == ["EMG-HANDLE", "EMG-REPORT", "EMG-STRATEGY"] == sorted(re.search(r"indicator: (EMG-[A-Z]+)", line).group(1) for line in emergency)
    note = f"（暂定：{len(emergency)}项指标待确认）"
    conclusion_table = {row[0]: row[1] for row in data["tables"]["t0_2"]["rows"]}
    assert conclusion_table["综合得分"] == f"{total}{note}"
    assert [row[1] for row in data["tables"]["t5_2"]["footer"] if row[0] == "综合得分"] == [f"{total}{note}"]
    dump = json.dumps(data, ensure_ascii=False)
    assert f"综合得分为{total}分{note}" in dump and f"综合得分{total}分{note}。" in dump
    assert "应急处置：共3项指标，符合0项，部分符合0项，不符合0项，不适用0项，待确认3项；层面得分待确认。" in dump
