"""Chinese reports (``mptool --lang zh`` / ``MPTOOL_LANG``): every check and finding code has a Chinese
entry, every command group's text report is Chinese throughout, and the JSON evidence only gains
``title_zh``/``message_zh``."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli, validate_evidence
from mptool.core import catalogue
from mptool.core.demo import DEMO_MODULES
from mptool.core.i18n import Translator, normalize, table
from mptool.core.model import Status

CURRENT = catalogue.generate()["checks"]
COMMITTED = catalogue.committed()["checks"]
ZH = table("zh")


@pytest.mark.parametrize("entry", CURRENT, ids=lambda e: e["id"])
def test_every_check_and_finding_code_has_a_chinese_entry(entry: dict[str, Any]) -> None:
    """Every check of this build (the committed catalogue's and any new one) and every code it declares."""
    assert ZH["checks"].get(entry["id"]), f"core/i18n/zh.yaml: no title for {entry['id']}"
    for code in entry["findings"]:
        assert ZH["findings"].get(code), f"core/i18n/zh.yaml: no meaning for {code}"
    assert entry["title_zh"] == ZH["checks"][entry["id"]]
    assert entry["findings_zh"] == {code: ZH["findings"][code] for code in entry["findings"]}


def test_the_committed_catalogue_lists_the_chinese_titles() -> None:
    assert all(entry["title_zh"] and set(entry["findings_zh"]) == set(entry["findings"]) for entry in COMMITTED)


def test_no_chinese_entry_for_an_unknown_id_or_code() -> None:
    """A typo in zh.yaml would leave the real code untranslated: every key names a catalogue entry."""
    ids = {e["id"] for e in CURRENT}
    codes = {code for e in CURRENT for code in e["findings"]}
    assert set(ZH["checks"]) <= ids
    assert set(ZH["findings"]) <= codes


def test_the_vocabulary_uses_the_standard_terms() -> None:
    """GB/T 39786 / GM/T 0115 result words for the statuses, Chinese for each status and verdict."""
    tr = Translator("zh")
    assert (tr.status(Status.PASS), tr.status(Status.FAIL), tr.status(Status.NA)) == ("符合", "不符合", "不适用")
    for status in Status:
        assert re.search(r"[\u4e00-\u9fff]", tr.status(status)), status
    for verdict in ("gm_compliant", "strong_not_gm", "weak", "undetermined"):
        assert re.search(r"[\u4e00-\u9fff]", tr.value(verdict)), verdict
    assert ZH["checks"]["rng.gmt0005.poker"] == "扑克检测"  # the item names of GM/T 0005-2021 itself


@pytest.mark.parametrize("value, lang", [("zh", "zh"), ("zh_CN.UTF-8", "zh"), ("ZH-Hans", "zh"), ("en_US.UTF-8", "en"), ("C", "en"), ("fr", None)])
def test_language_names_as_people_write_them(value: str, lang: str | None) -> None:
    assert normalize(value) == lang


# ---------------------------------------------------------------------------------------------------
# every command group, through the demo runs (real bundled data)

ENGLISH_STATUS = re.compile(r"(?<![\w.\-])(PASS|FAIL|WARN|INFO|SKIPPED|ERROR)(?![\w\-])")
ENGLISH_LABELS = re.compile(
    r"^input .*\(\d+ bytes\)|\bResults\b|\bSubject\b|\bMeasured\b|│ reference: |^summary: |exit code \d|  status: |no results|grouped by check",
    re.MULTILINE,
)
VERDICT_SHOWN = re.compile(r"(?:verdict=|判定=|: )(" + "|".join(ZH["verdicts"]) + r")\b")


def _runs(target: Path) -> list[tuple[str, Any]]:
    """The demo runs in demo order (assess builds its case from the earlier evidence)."""
    out = []
    for group, module_name in DEMO_MODULES.items():
        module = importlib.import_module(module_name)
        prepare = getattr(module, "prepare", None)
        if prepare is not None:
            prepare(target)
        out += [(group, run) for run in (module.demo_runs(target) if prepare is not None else module.demo_runs())]
    return out


def _english_words(text: str) -> list[str]:
    """Untranslated English status words, titles and labels of a text report (dim 原文 lines excepted)."""
    lines = [line for line in text.splitlines() if "原文:" not in line]
    body = "\n".join(lines)
    found = [m.group(0) for m in ENGLISH_STATUS.finditer(body)]
    found += [m.group(0) for m in ENGLISH_LABELS.finditer(body)]
    found += [e["title"] for e in CURRENT if len(e["title"]) > 12 and e["title"] in body]
    found += [m.group(1) for m in VERDICT_SHOWN.finditer(body)]
    return found


def _has_english_sentence(text: str) -> bool:
    """Three English words in a row outside identifiers (a description left untranslated)."""
    return re.search(r"\b[a-z]{3,} [a-z]{2,} [a-z]{2,}\b", text) is not None


def _without_zh(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_zh(v) for k, v in data.items() if k not in ("title_zh", "message_zh")}
    if isinstance(data, list):
        return [_without_zh(v) for v in data]
    return data


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo")
    result = run_cli(["demo", "--dir", str(target)])
    assert result.exit_code == 0, result.stdout + result.stderr
    return target


def test_every_group_reports_in_chinese_and_json_only_gains_the_zh_keys(demo_dir: Path) -> None:
    groups: set[str] = set()
    for group, run in _runs(demo_dir):
        text = run_cli(["--lang", "zh", *run.argv, "--no-progress", "--deterministic"])
        assert text.exit_code in (0, 1), (run.name, text.stderr)
        assert re.search(r"[\u4e00-\u9fff]", text.stdout), run.name
        assert _english_words(text.stdout) == [], (run.name, _english_words(text.stdout))
        english = run_cli([*run.argv, "-f", "json", "--no-progress", "--deterministic"]).json()
        chinese = run_cli(["--lang", "zh", *run.argv, "-f", "json", "--no-progress", "--deterministic"]).json()
        assert chinese["arguments"] == ["--lang", "zh", *english["arguments"]]
        # A device's random numbers (and so its GM/T 0005 verdict) and an SM2 signature's k differ between runs.
        randomised = group == "device" or run.name == "algo-sign"
        for key in ("tool", "command", "inputs", "parameters", *(() if randomised else ("summary", "exit_code"))):
            assert chinese[key] == english[key], (run.name, key)
        if not randomised:
            assert _without_zh(chinese["results"]) == english["results"], run.name
        for result in chinese["results"]:
            assert result["title_zh"] == ZH["checks"][result["check"]]
            for finding in result["findings"]:
                reason = (finding.get("data") or {}).get("reason")
                if reason:  # a verdict's reason: said in Chinese from its code (proto/judge/reasons.py)
                    assert finding["message_zh"] == Translator("zh").reason_line(reason) and re.search(r"[\u4e00-\u9fff]", finding["message_zh"])
                else:
                    assert finding["message_zh"].startswith(ZH["findings"][finding["code"]])
        assert not any("title_zh" in r for r in english["results"])
        groups.add(group)
    assert groups == set(DEMO_MODULES)


def test_the_demo_table_is_chinese(tmp_path: Path) -> None:
    result = run_cli(["--lang", "zh", "demo", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.stdout + result.stderr
    # every run's description has its Chinese text (eleven of them were shown in English)
    runs = [run for _, run in _runs(tmp_path)]
    assert [run.name for run in runs if run.name not in ZH["demo"]] == []
    for run in runs:
        zh, english = ZH["demo"][run.name], run.description[:16]
        assert (english not in result.stdout or zh.startswith(english)) and not _has_english_sentence(zh), run.name
    assert "证据文件" in result.stdout and "mptool 演示" in result.stdout
    assert _english_words(result.stdout) == []
    data = validate_evidence(json.loads((tmp_path / "rng-test-1e6.json").read_text(encoding="utf-8")))
    assert data["results"][0]["title_zh"] == ZH["checks"][data["results"][0]["check"]]


def test_mptool_lang_environment_variable(demo_dir: Path) -> None:
    vector = str(demo_dir / "algo-digest.json")
    zh = run_cli(["algo", "digest", vector], env={"MPTOOL_LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 0 and "检测结果" in zh.stdout
    # --lang wins over the environment
    en = run_cli(["--lang", "en", "algo", "digest", vector], env={"MPTOOL_LANG": "zh"})
    assert "Results" in en.stdout and "检测结果" not in en.stdout


def test_an_unknown_language_is_a_usage_error(demo_dir: Path) -> None:
    vector = str(demo_dir / "algo-digest.json")
    for args, env in ((["--lang", "fr", "algo", "digest", vector], None), (["algo", "digest", vector], {"MPTOOL_LANG": "klingon"})):
        result = run_cli(args, env=env)
        assert result.exit_code == 2, result.stderr
        assert "unknown language" in result.stderr and "Traceback" not in result.stderr


def test_checks_listing_in_chinese() -> None:
    result = run_cli(["--lang", "zh", "checks", "--domain", "rng"])
    assert result.exit_code == 0
    assert "单比特频数检测" in result.stdout and "Monobit" not in result.stdout.replace("Monobit frequency", "")


def test_the_scan_finds_english(demo_dir: Path) -> None:
    """The scan above is not vacuous: the same report in English is full of what it looks for."""
    result = run_cli(["algo", "digest", str(demo_dir / "algo-digest.json")])
    found = _english_words(result.stdout)
    assert "INFO" in found and "Results" in found and any(w.startswith("input ") for w in found)
