"""Every reason of a channel verdict carries a catalogue code (``reason_codes``), so a Chinese report
says it in Chinese: the codes and their templates (proto/judge/reasons.py, core/i18n/zh.yaml), and the
reasons of every bundled capture (real traffic from GmSSL, OpenSSL, OpenSSH, strongSwan, ike-scan and
mptool's GM/T 0022 lab)."""

from __future__ import annotations

import pickle
import re
import string
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from mptool.core.i18n import Translator, table
from mptool.proto.judge.reasons import REASONS, Reason
from support.proto_captures import PCAPS, analyze

ZH = table("zh")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_has_a_chinese_template_with_its_fields(code: str) -> None:
    """A Chinese template may leave out an English detail, never invent a field the reason lacks."""
    zh = ZH["reasons"].get(code)
    assert zh and CJK.search(zh), f"core/i18n/zh.yaml reasons: no Chinese for {code}"
    assert _fields(zh) <= _fields(REASONS[code]), code


def test_no_chinese_reason_for_an_unknown_code() -> None:
    assert set(ZH["reasons"]) <= set(REASONS)


def test_a_reason_is_its_english_text_and_survives_pickling() -> None:
    reason = Reason("cipher.weak", cipher="3DES_EDE_CBC", why="3DES")
    assert reason == "cipher 3DES_EDE_CBC: 3DES" and isinstance(reason, str)
    back = pickle.loads(pickle.dumps(reason))  # --jobs workers send results back pickled
    assert back == reason and back.as_code() == {"code": "cipher.weak", "args": {"cipher": "3DES_EDE_CBC", "why": "3DES"}}
    assert Reason("tls.sm2_certificate").as_code() == {"code": "tls.sm2_certificate"}  # no arguments: no args key
    assert Reason("cipher.weak", cipher="3DES_EDE_CBC", why="3DES") is reason  # one object per distinct reason
    tr = Translator("zh")
    assert tr.reason(back.as_code(), str(back)) == "加密算法 3DES_EDE_CBC：3DES，属弱密码"
    assert tr.reason(Reason("tls.fatal_alert", alert="handshake_failure", sender="server").as_code(), "") == "握手因服务端发出的致命告警 handshake_failure 而中止"
    assert tr.reason(None, "english kept") == "english kept"  # evidence of an older mptool: no code
    assert tr.reason({"code": "cipher.gm", "args": {}}, "english kept") == "english kept"  # a field missing: never a KeyError
    assert Translator("en").reason(back.as_code(), "cipher 3DES_EDE_CBC: 3DES") == "cipher 3DES_EDE_CBC: 3DES"


def _check_codes(texts: list[str], codes: list[Any], where: str) -> list[str]:
    assert len(texts) == len(codes), where
    seen = []
    for text, code in zip(texts, codes):
        assert isinstance(code, dict), f"{where}: reason without a code: {text}"
        assert REASONS[code["code"]].format(**code.get("args", {})) == text, where
        seen.append(code["code"])
    return seen


CAPTURES = sorted(p.name for p in PCAPS.iterdir() if p.name.endswith((".pcap", ".pcap.gz")))


@pytest.mark.parametrize("name", CAPTURES)
def test_every_reason_of_a_bundled_capture_has_its_code(name: str) -> None:
    """Channel-wide and per-indicator reasons, and each verdict finding's ``data.reason``."""
    args = [str(PCAPS / name)]
    keys = PCAPS / name.replace(".pcap", ".keys")
    if keys.exists():
        args += ["--ike-keylog", str(keys)]  # the decrypted ESP reasons too
    _, evidence = analyze(*args)
    judged = 0
    for result in evidence["results"]:
        m = result.get("measurements") or {}
        if not isinstance(m.get("indicators"), list):
            continue
        judged += 1
        general = m["reason_codes"]
        _check_codes(m["reasons"][: len(general)], general, f"{name} {result['check']}")
        for item in m["indicators"]:
            _check_codes(item["reasons"], item["reason_codes"], f"{name} {result['check']} {item['id']}")
        verdict_findings = [f for f in result["findings"] if f["code"].rsplit(".", 1)[-1] in ("gm_compliant", "strong_not_gm", "weak", "undetermined")]
        assert len(verdict_findings) == len(m["reasons"])
        for finding, text in zip(verdict_findings, m["reasons"]):
            assert finding["message"] == text and finding["data"]["reason"]["code"] in REASONS
    assert judged, f"{name}: no judged channel"


def test_chinese_text_report_says_the_reasons_in_chinese(tmp_path: Path) -> None:
    """``--lang zh``: a verdict finding is its reason in Chinese, led by the indicator; the JSON keeps
    the English message and adds ``message_zh``."""
    capture = str(PCAPS / "ssh_openssh_modern_legacy.pcap")
    text = run_cli(["--lang", "zh", "proto", "analyze", capture, "--no-progress"])
    assert text.exit_code == 1, text.stderr
    assert "DEV-AUTH：主机密钥算法 ssh-rsa：弱密码" in text.stdout and "DEV-RMGT：密钥交换算法 diffie-hellman-group1-sha1：弱密码" in text.stdout
    assert "原文: DEV-AUTH: host key ssh-rsa (RSA with SHA-1 signatures): weak" in text.stdout
    assert "reason: {" not in text.stdout  # the code is not dumped as a data line
    english = run_cli(["proto", "analyze", capture, "--no-progress"])
    assert "DEV-AUTH: host key ssh-rsa (RSA with SHA-1 signatures): weak" in english.stdout and "reason: {" not in english.stdout
    out = tmp_path / "ssh.json"
    assert run_cli(["--lang", "zh", "proto", "analyze", capture, "-f", "json", "-o", str(out), "--no-progress", "-q"]).exit_code == 1
    import json

    findings = [f for r in json.loads(out.read_text(encoding="utf-8"))["results"] for f in r["findings"] if f["code"] == "proto.ssh.weak"]
    assert {f["message_zh"] for f in findings} >= {"DEV-AUTH：主机密钥算法 ssh-rsa：弱密码"}
    assert all(not CJK.search(f["message"]) for f in findings)
