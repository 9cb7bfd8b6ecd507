"""Demo runs of ``mptool assess``: init → add (evidence of the proto/cert demo runs) → score.

The demo writes a case under the demo directory: it uses the evidence the proto and cert demo
runs wrote earlier (``proto-analyze-tlcp.json``, ``cert-chain-sm2.json``), judges the network
layer from the proposals and a few management indicators, writes the report of the case
(``assess-report.docx`` and ``assess-report.html``, gaps marked 待确认) and scores the case.
"""

from __future__ import annotations

from pathlib import Path

from mptool.core.demo import DemoRun

CASE = "assess-case"


def prepare(directory: Path) -> None:
    """Create the demo case and add the earlier evidence; write the evaluator's judgements."""
    from mptool.assess.commands import add_evidence, init_case

    case = directory / CASE
    if (case / "assessment.yaml").exists():
        import shutil

        shutil.rmtree(case)
    init_case(str(case), "演示业务系统", 3)
    evidence = [directory / "proto-analyze-tlcp.json", directory / "cert-chain-sm2.json"]
    add_evidence(str(case), [str(e) for e in evidence if e.exists()], "net-vpn", None, None, [])
    path = case / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    judged = "".join(
        f"  - {{object: net-vpn, indicator: {i}, accept: true, K: true, by: 演示评估员, record: 经工具测试与配置核查}}\n"
        for i in ("NET-AUTH", "NET-INTEG", "NET-CONF")
    )
    judged += "  - {object: net-vpn, indicator: NET-ACL, D: false, reason: 边界访问控制信息未做完整性保护}\n"
    judged += "  - {object: net-vpn, indicator: NET-ACCESS, result: 不适用, reason: 无外部接入设备}\n"
    text = text.replace("judgements:                  # technical indicators: one line per (object, indicator)\n",
                        "judgements:                  # technical indicators: one line per (object, indicator)\n" + judged)
    text = text.replace("management:                  # 符合 | 部分符合 | 不符合 | 不适用\n",
                        "management:                  # 符合 | 部分符合 | 不符合 | 不适用\n  - {indicator: POL-SYSTEM, result: 符合}\n  - {indicator: BLD-PLAN, result: 部分符合}\n")
    path.write_text(text, encoding="utf-8")
    write_reports(directory)


REPORTS = ("assess-report.docx", "assess-report.html")


def write_reports(directory: Path) -> list[Path]:
    """The report of the demo case in Word and HTML (its gaps are marked 待确认 inside)."""
    from mptool.assess.commands import report_command
    from mptool.assess.fileio import write_bytes_atomic

    out = []
    for name in REPORTS:
        target = directory / name
        write_bytes_atomic(target, report_command(str(directory / CASE), "html" if name.endswith(".html") else "docx").content)
        out.append(target)
    return out


def demo_runs(directory: Path | None = None) -> list[DemoRun]:
    """One score run over the demo case (made by :func:`prepare` just before)."""
    base = directory or Path("mptool-demo")
    return [DemoRun("assess-score", "assess: init → add (TLCP capture + SM2 chain evidence of the demo) → score (partial case)", ["assess", "score", str(base / CASE)])]
