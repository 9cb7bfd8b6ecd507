"""Proposals from real evidence: mptool run on the bundled captures and certificates."""

from __future__ import annotations

import json
from pathlib import Path

from assess_fixtures import chain_evidence, expired_chain_evidence, tlcp_evidence, tls_evidence  # noqa: F401
from conftest import run_cli, validate_evidence
from ruamel.yaml import YAML

from mptool.assess.proposals.mapping import rsa_strength, strengths
from mptool.assess.rules import rule_set


def _case(tmp_path: Path, level: int = 3) -> Path:
    case = tmp_path / "case"
    result = run_cli(["assess", "init", str(case), "--name", "测试系统", "--level", str(level)])
    assert result.exit_code == 0, result.stderr
    return case


def _proposals(case: Path) -> dict[tuple[str, str], dict]:
    data = YAML(typ="safe", pure=True).load((case / "proposals.yaml").read_text(encoding="utf-8"))
    return {(p["object"], p["indicator"]): p for p in data["proposals"]}


def test_tlcp_capture_and_sm2_chain(tmp_path: Path, tlcp_evidence: Path, chain_evidence: Path) -> None:
    # TLCP with SM2/SM4/SM3 and a valid chain → NET-AUTH/NET-INTEG/NET-CONF D yes, A yes; K not said
    case = _case(tmp_path)
    result = run_cli(["assess", "add", str(case), str(tlcp_evidence), str(chain_evidence), "--object", "net-vpn"])
    assert result.exit_code == 0, result.stderr
    props = _proposals(case)
    for ind in ("NET-AUTH", "NET-INTEG", "NET-CONF"):
        p = props[("net-vpn", ind)]
        assert (p["D"], p["A"], "K" in p) == (True, True, False)
    assert len(props[("net-vpn", "NET-AUTH")]["evidence"]) == 2  # the capture and the chain
    assert any("valid certification path" in r for r in props[("net-vpn", "NET-AUTH")]["reasons"])
    # evidence copied by SM3; adding it again changes nothing
    assert len(list((case / "evidence").glob("*.json"))) == 2
    again = run_cli(["assess", "add", str(case), str(tlcp_evidence), "--object", "net-vpn"])
    assert "already in the case: 1" in again.stdout
    assert len(list((case / "evidence").glob("*.json"))) == 2


def test_tls_rsa_aes_capture(tmp_path: Path, tls_evidence: Path) -> None:
    # TLS with RSA-2048 (112 bits) / AES-128 / x25519 (128 bits) → D yes, A no, Ra 1 (≥ 112 bits)
    case = _case(tmp_path)
    run_cli(["assess", "add", str(case), str(tls_evidence), "--object", "net-web", "--layer", "network", "--name", "门户"])
    props = _proposals(case)
    for ind in ("NET-AUTH", "NET-INTEG", "NET-CONF"):
        p = props[("net-web", ind)]
        assert (p["D"], p["A"], p["Ra"]) == (True, False, "1")
    # accepted with K given by the evaluator: each unit 0.5·1 = 0.5 (A no); layer = 0.5
    text = (case / "assessment.yaml").read_text(encoding="utf-8")
    text = text.replace("judgements:                  # technical indicators: one line per (object, indicator)\n",
                        "judgements:\n" + "".join(f"  - {{object: net-web, indicator: {i}, accept: true, K: true, by: 李四}}\n" for i in ("NET-AUTH", "NET-INTEG", "NET-CONF")))
    (case / "assessment.yaml").write_text(text, encoding="utf-8")
    scored = run_cli(["assess", "score", str(case), "-f", "json"])
    data = scored.json()
    judged = [r for r in data["results"] if r["check"] == "assess.judgement"]
    assert {r["measurements"]["basis"] for r in judged} == {"evidence"}
    assert {r["measurements"]["score"] for r in judged} == {"0.5000"}
    assert all(len(r["measurements"]["evidence"]) == 1 for r in judged)
    assert data["summary"]["assessment"]["layers"]["network"] == "0.5000"
    # the case is incomplete (35 indicators not judged): provisional total, no conclusion
    assert data["summary"]["assessment"]["conclusion"] is None and data["summary"]["assessment"]["complete"] is False


def test_expired_chain_gives_d_no_and_high_risk_candidate(tmp_path: Path, expired_chain_evidence: Path) -> None:
    # no valid path → NET-AUTH D no; NET-AUTH has a level-3 high-risk entry (HR-NET-AUTH) → candidate
    case = _case(tmp_path)
    run_cli(["assess", "add", str(case), str(expired_chain_evidence), "--object", "net-vpn"])
    assert _proposals(case)[("net-vpn", "NET-AUTH")]["D"] is False
    data = YAML(typ="safe", pure=True).load((case / "proposals.yaml").read_text(encoding="utf-8"))
    assert [c["id"] for c in data["high_risk_candidates"]] == ["HR-NET-AUTH"]


def test_weak_channel_high_risk_candidates(tmp_path: Path, tls_evidence: Path) -> None:
    # derived fixture: the real TLS evidence with the first channel rewritten to TLS 1.0 and an
    # RSA-1024 certificate (mptool's judge would call it weak): Ra from RSA-1024 = 80 bits → 0.5,
    # HR-GEN-TECH (TLS 1.0) and HR-GEN-ALG (RSA < 2048) candidates
    data = json.loads(tls_evidence.read_text(encoding="utf-8"))
    channel = next(r for r in data["results"] if r["check"] == "proto.tls.channel")
    channel["measurements"]["version"] = "TLS 1.0"
    channel["measurements"]["certificates"][0]["key_type"] = "RSA-1024"
    for item in channel["measurements"]["indicators"]:
        if item["id"] == "NET-AUTH":
            item["reasons"] = ["server authenticated with a RSA-1024 certificate, not SM2"]
    data["results"] = [channel]
    weak = tmp_path / "weak.json"
    weak.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    case = _case(tmp_path)
    run_cli(["assess", "add", str(case), str(weak), "--object", "net-old", "--layer", "network"])
    assert _proposals(case)[("net-old", "NET-AUTH")]["Ra"] == "0.5"
    cands = YAML(typ="safe", pure=True).load((case / "proposals.yaml").read_text(encoding="utf-8"))["high_risk_candidates"]
    assert {c["id"] for c in cands} == {"HR-GEN-TECH", "HR-GEN-ALG"}
    checked = run_cli(["assess", "check", str(case), "-f", "json"]).json()
    codes = [f["code"] for f in checked["results"][0]["findings"]]
    assert codes.count("assess.completeness.high_risk_candidate") == 2


def test_hmac_sm3_and_randomness(tmp_path: Path) -> None:
    # algo verify hmac-sm3 over a stored record → APP-SINTEG D yes, A yes; a failing MAC → D no;
    # a passing GM/T 0005 set over key material → K yes for the object's indicators
    from cryptography.hazmat.primitives import hashes, hmac

    key, record = bytes(range(16)), "订单记录#1".encode()
    h = hmac.HMAC(key, hashes.SM3())
    h.update(record)
    mac = h.finalize().hex()
    ok, bad, rng = tmp_path / "ok.json", tmp_path / "bad.json", tmp_path / "rng.json"
    assert run_cli(["algo", "verify", "hmac-sm3", "--key", key.hex(), "--data", record.hex(), "--mac", mac, "-f", "json", "-o", str(ok)]).exit_code == 0
    assert run_cli(["algo", "verify", "hmac-sm3", "--key", key.hex(), "--data", (record + b"x").hex(), "--mac", mac, "-f", "json", "-o", str(bad)]).exit_code == 1
    from conftest import DATA

    assert run_cli(["rng", "test", str(DATA.rng / "data.e"), "--input-format", "ascii", "--bits", "100000", "--count", "1", "-f", "json", "-o", str(rng), "--no-progress"]).exit_code == 0
    case = _case(tmp_path)
    run_cli(["assess", "add", str(case), str(ok), str(rng), "--object", "app-db", "--layer", "application", "--indicator", "APP-SINTEG"])
    run_cli(["assess", "add", str(case), str(bad), "--object", "app-log", "--layer", "application", "--indicator", "APP-SINTEG"])
    props = _proposals(case)
    assert {k: props[("app-db", "APP-SINTEG")][k] for k in ("D", "A", "K")} == {"D": True, "A": True, "K": True}
    assert props[("app-log", "APP-SINTEG")]["D"] is False
    assert set(props) == {("app-db", "APP-SINTEG"), ("app-log", "APP-SINTEG")}  # --indicator narrows


def test_failed_randomness_says_how_much_it_weighs(tmp_path: Path) -> None:
    """A failed GM/T 0005 set → K no and HR-KEY-GEN, with the chance a perfect source fails such a set."""
    from conftest import DATA

    import numpy as np

    text = np.frombuffer((DATA.rng / "data.e").read_bytes(), dtype=np.uint8)
    bits = (text[(text == ord("0")) | (text == ord("1"))] - ord("0"))[: 20 * 20_000].copy()  # the digits of e, as bits
    bits[: 3 * 20_000] = 0  # three sequences of zeros: 17 of 20 pass, 19 needed
    sample, rng = tmp_path / "set.bin", tmp_path / "rng.json"
    sample.write_bytes(np.packbits(bits).tobytes())
    assert run_cli(["rng", "test", str(sample), "--bits", "20000", "--count", "20", "-f", "json", "-o", str(rng), "--no-progress"]).exit_code == 1
    case = _case(tmp_path)
    run_cli(["assess", "add", str(case), str(rng), "--object", "app-db", "--layer", "application", "--indicator", "APP-SCONF"])
    (reason,) = _proposals(case)[("app-db", "APP-SCONF")]["reasons"]
    chance = json.loads(rng.read_text(encoding="utf-8"))["summary"]["rng"]["perfect_source_fails"]
    assert f"a perfect source fails such a set with probability ≈ {chance:.2f}" in reason and reason.endswith("strong evidence)")


def test_strength_table() -> None:
    # SP 800-57 Part 1 Rev. 5 table 2: RSA-1024 → 80, RSA-2048 → 112, RSA-3072 → 128
    assert (rsa_strength(1024), rsa_strength(2048), rsa_strength(3072), rsa_strength(512)) == (80, 112, 128, 40)
    rules = rule_set("quant-2023")
    # table 2 bands: ≥112 → 1; 80–111 → 0.5; < 80 → 0.2
    assert [str(rules.ra_for_bits(b)) for b in (128, 112, 111, 80, 79, 56)] == ["1", "1", "0.5", "0.5", "0.2", "0.2"]
    assert min(m.bits for m in strengths("cipher DES_CBC: single DES")) == 56
    assert {m.bits for m in strengths("integrity with MD5 (MD5)")} == {18}
    assert {m.high_risk for m in strengths("RSA-1024 sha1WithRSAEncryption")} == {"HR-GEN-ALG"}
    assert {m.bits for m in strengths("cipher AES_128_GCM")} == {128}


def test_a_channel_is_one_reason_line_per_proposal(tmp_path: Path, tls_evidence: Path) -> None:
    """A non-GM channel gives D and A: its reason line appears once, with the strength that set Ra."""
    case = _case(tmp_path)
    assert run_cli(["assess", "add", str(case), str(tls_evidence), "--object", "net-tls", "--layer", "network", "--name", "运维TLS通道"]).exit_code == 0
    conf = _proposals(case)[("net-tls", "NET-CONF")]
    assert (conf["D"], conf["A"]) == (True, False)
    assert len(conf["reasons"]) == 4  # the four TLS connections of the capture, one line each
    assert all("→ Ra" in r or "Ra " in r for r in conf["reasons"])
    for p in _proposals(case).values():
        assert not [r for r in p["reasons"] for other in p["reasons"] if other != r and other.startswith(r + " (")]
