"""The GM/T 0022 responder and initiator against each other on 127.0.0.1: the full exchange by
the CLI (``proto serve --ike`` ↔ ``proto probe --ike --full``), and each wrong message detected
by the side that must detect it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import run_cli, validate_evidence
from mptool.proto.ipsec.gm import keylog
from mptool.proto.ipsec.gm.initiator import InitiatorOptions, run_initiator
from mptool.proto.ipsec.gm.transport import UdpTransport
from support.gm_ipsec import client_args, credentials, responder_thread, server_args, start_serve_ike, udp_server, wait_sessions
from support.proto_peers import sm2_pki  # noqa: F401 (fixture)

pytestmark = pytest.mark.network


def _initiate(pki: Path, port: int, tamper: frozenset[str] = frozenset(), gcm: bool = False, packets: int = 3):
    transport = UdpTransport("127.0.0.1", port, time.monotonic() + 60)
    try:
        return run_initiator(credentials(pki, "client"), transport, InitiatorOptions(gcm=gcm, esp_packets=packets, timeout=1.0, retries=1, tamper=tamper))
    finally:
        transport.close()


def test_serve_and_probe_complete_phase1_quick_mode_and_esp(sm2_pki: Path, tmp_path: Path) -> None:
    server = start_serve_ike([*server_args(sm2_pki), "--max-connections", "1", "--keylog", str(tmp_path / "r.keys")], tmp_path / "serve.json")
    result = run_cli(["proto", "probe", f"127.0.0.1:{server.port}", "--ike", "--full", *client_args(sm2_pki), "--esp-packets", "4", "--keylog", str(tmp_path / "i.keys"), "--timeout", "3", "-f", "json"])
    code, err = server.finish()
    assert result.exit_code == 0, result.stderr
    assert code == 0, err
    probe = result.json()
    served = validate_evidence((tmp_path / "serve.json").read_text())
    [p] = [r for r in probe["results"] if r["check"] == "proto.probe.ike_full"]
    [s] = [r for r in served["results"] if r["check"] == "proto.serve.ike_peer"]
    for r in (p, s):
        m = r["measurements"]
        assert r["status"] == "pass", r["findings"]
        assert m["phase1_completed"] and m["phase2_completed"]
        assert m["version"] == "0x11" and m["verdict"] == "gm_compliant"
        assert m["transforms"]["phase1"]["authentication"] == {"value": 10, "name": "digital envelope (GM/T 0022)"}
        assert m["transforms"]["phase1"]["asymmetric_algorithm"]["name"] == "SM2"
        assert m["transforms"]["esp"]["name"] == "SM4-CBC" and m["transforms"]["esp"]["integrity"] == "HMAC-SM3"
        assert m["reading"] == "per mptool's reading of GM/T 0022"
    assert p["measurements"]["spis"] == s["measurements"]["spis"]
    assert p["measurements"]["cookies"] == s["measurements"]["cookies"]
    assert p["measurements"]["esp"]["sent"] == p["measurements"]["esp"]["answered"] == 4
    assert s["measurements"]["esp"]["answered"] == 4
    assert p["measurements"]["certificates"]["responder"]["roles"] == ["sign", "enc"]
    assert s["measurements"]["certificates"]["initiator"]["roles"] == ["sign", "enc"]
    # the cert domain checked both sides' certificates (chains to --ca and the pair)
    for evidence, who in ((probe, "responder"), (served, "initiator")):
        pair = [r for r in evidence["results"] if r["check"] == "cert.pair.tlcp"]
        assert [r["status"] for r in pair] == ["pass"] and who in pair[0]["subject"]
        anchors = [r for r in evidence["results"] if r["check"] == "cert.path.anchor"]
        assert len(anchors) == 2 and all(r["status"] == "pass" for r in anchors)
    # both key logs hold the same secrets, and none of them is in the evidence
    logs = [keylog.parse((tmp_path / name).read_text(), name) for name in ("r.keys", "i.keys")]
    assert logs[0] == logs[1] and len(logs[0].ike) == 1 and len(logs[0].esp) == 2
    (sk_i, sk_r), = logs[0].ike.values()
    for text in ((tmp_path / "serve.json").read_text(), result.stdout):
        assert sk_i.hex() not in text and sk_r.hex() not in text
        assert all(enc.hex() not in text for _, enc, _ in logs[0].esp.values())


def test_sm4_gcm_esp(sm2_pki: Path) -> None:
    with responder_thread(credentials(sm2_pki, "server")) as peer:
        log, _ = _initiate(sm2_pki, peer.port, gcm=True)
        wait_sessions(peer.responder, 1)
    [session] = peer.responder.sessions.values()
    assert log.phase2_completed and log.esp_answered == 3 and not log.problems
    assert session.log.transforms["esp"]["transform_id"] == 130
    assert session.log.esp_answered == 3 and not peer.errors


@pytest.mark.parametrize(
    ("tamper", "kind", "notify"),
    [
        ("sig", "bad_signature", "INVALID-SIGNATURE"),
        ("cert_roles", "certificate_role", "INVALID-CERTIFICATE"),
        ("envelope_key", "bad_envelope", "INVALID-KEY-INFORMATION"),
        ("hash", "bad_hash", "INVALID-HASH-INFORMATION"),
    ],
)
def test_responder_detects_a_wrong_phase1_message(sm2_pki: Path, tamper: str, kind: str, notify: str) -> None:
    with responder_thread(credentials(sm2_pki, "server")) as peer:
        log, _ = _initiate(sm2_pki, peer.port, frozenset({tamper}))
        wait_sessions(peer.responder, 1)
    [session] = peer.responder.sessions.values()
    assert [k for k, _ in session.log.problems] == [kind]
    assert not session.log.phase1_completed and session.log.messages[-1]["message"] == f"notify {notify}"
    assert log.peer_notify == notify and not log.phase1_completed
    assert not peer.errors


@pytest.mark.parametrize(("tamper", "kind"), [("esp_replay", "esp_replay"), ("esp_icv", "esp_bad_icv")])
def test_responder_drops_replayed_and_forged_esp(sm2_pki: Path, tamper: str, kind: str) -> None:
    with responder_thread(credentials(sm2_pki, "server")) as peer:
        log, _ = _initiate(sm2_pki, peer.port, frozenset({tamper}), packets=3)
        wait_sessions(peer.responder, 1)
    [session] = peer.responder.sessions.values()
    assert session.log.phase2_completed
    dropped = 2 if tamper == "esp_replay" else 3  # the first packet of the replay run is genuine
    assert session.log.esp_dropped == {kind.removeprefix("esp_"): dropped}
    assert [k for k, _ in session.log.problems] == [kind] * dropped
    assert log.esp_sent == 3 and log.esp_answered == 3 - dropped


@pytest.mark.parametrize(("tamper", "kind"), [("sig", "bad_signature"), ("esp_icv", "esp_bad_icv")])
def test_initiator_detects_a_wrong_responder(sm2_pki: Path, tamper: str, kind: str) -> None:
    with responder_thread(credentials(sm2_pki, "server"), tamper=frozenset({tamper})) as peer:
        log, _ = _initiate(sm2_pki, peer.port)
        wait_sessions(peer.responder, 1, timeout=3)
    assert kind in {k for k, _ in log.problems}
    if tamper == "sig":
        assert not log.phase1_completed
        [session] = peer.responder.sessions.values()
        assert session.log.peer_notify == "INVALID-SIGNATURE"  # the initiator told the responder why
    else:
        assert log.phase2_completed and log.esp_answered == 0 and log.esp_dropped == {"bad_icv": 3}


def test_tampered_probe_fails_by_cli_evidence(sm2_pki: Path) -> None:
    """A responder with a bad SIG: the probe's result fails with the finding, exit 1."""
    with responder_thread(credentials(sm2_pki, "server"), tamper=frozenset({"sig"})) as peer:
        result = run_cli(["proto", "probe", f"127.0.0.1:{peer.port}", "--ike", "--full", *client_args(sm2_pki), "--timeout", "2", "-f", "json"])
    assert result.exit_code == 1, result.stderr
    [p] = [r for r in result.json()["results"] if r["check"] == "proto.probe.ike_full"]
    assert p["status"] == "fail"
    assert "proto.probe.ike_full.bad_signature" in {f["code"] for f in p["findings"]}


def test_probe_of_a_silent_port_is_an_error(sm2_pki: Path) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        result = run_cli(["proto", "probe", f"127.0.0.1:{silent.getsockname()[1]}", "--ike", "--full", *client_args(sm2_pki), "--timeout", "0.3", "-f", "json"])
    assert result.exit_code == 4, result.stderr
    [p] = [r for r in result.json()["results"] if r["check"] == "proto.probe.ike_full"]
    assert p["status"] == "error" and "proto.probe.timeout" in {f["code"] for f in p["findings"]}


@pytest.mark.parametrize(
    "args",
    [
        ["proto", "probe", "127.0.0.1", "--ike", "--full"],
        ["proto", "probe", "127.0.0.1", "--full"],
        ["proto", "serve", "--tlcp", "--ike", "--port", "0", "--sign-cert", "a", "--sign-key", "b", "--enc-cert", "c", "--enc-key", "d"],
    ],
)
def test_usage_errors(args: list[str]) -> None:
    result = run_cli(args)
    assert result.exit_code == 2, result.stderr


def test_ike_enumeration_finds_the_gm_transform_of_the_responder(sm2_pki: Path, tmp_path: Path) -> None:
    """``probe --ike`` (first-message enumeration) against ``serve --ike`` on UDP 4500 in a namespace:
    only the GM/T 0022 SM4-CBC/SM3/envelope/SM2 transform is accepted, named as GM/T 0022."""
    import os
    import subprocess
    import sys

    from support.ipsec import netns_pair

    if os.geteuid() != 0:
        pytest.skip("needs root for network namespaces")
    with netns_pair("gmenu") as pair:
        server = start_serve_ike([*server_args(sm2_pki), "--duration", "20"], tmp_path / "serve.json", netns=pair.east, host=pair.east_ip, port=4500)
        cmd = ["ip", "netns", "exec", pair.west, sys.executable, "-m", "mptool", "proto", "probe", f"{pair.east_ip}:4500", "--ike", "--timeout", "1", "--max-connections", "40", "-f", "json"]
        done = subprocess.run(cmd, capture_output=True, timeout=120)
        server.process.terminate()
        server.finish()
    evidence = validate_evidence(done.stdout.decode())
    v1 = next(r for r in evidence["results"] if r["check"] == "proto.probe.ike" and r["measurements"]["protocol"] == "IKEv1")
    accepted = v1["measurements"]["accepted_suites"]
    assert [a["attributes"]["Authentication Method"] for a in accepted] == ["digital envelope (GM/T 0022)"]
    assert accepted[0]["attributes"]["Encryption Algorithm"] == "SM4-CBC" and accepted[0]["gm"] is True
    assert accepted[0]["verdict"] == "gm_compliant"


def _hostile_answers(seed: int):
    """Answers built from our own message 1: its cookies kept, the rest damaged in a seeded way."""
    import random

    rng = random.Random(seed)

    def answer(request: bytes) -> bytes:
        head = request[:8] + b"R" * 8
        kind = rng.randrange(5)
        if kind == 0:
            return head[:rng.randrange(1, 16)]
        if kind == 1:  # a notify too short for its message type
            body = bytes([0, 0, 0, 7, 0, 0, 0])
            return head + bytes([11, 0x11, 5, 0]) + bytes(4) + (28 + len(body)).to_bytes(4, "big") + body
        tail = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
        first = rng.choice([1, 6, 9, 10, 128, 200])
        return head + bytes([first, 0x11, 2, rng.choice([0, 1])]) + bytes(4) + (28 + len(tail)).to_bytes(4, "big") + tail

    return answer


@pytest.mark.parametrize("seed", range(12))
def test_probe_full_against_a_hostile_responder_records_and_exits(sm2_pki: Path, seed: int) -> None:
    answer = _hostile_answers(seed)

    def handle(data: bytes, peer: str) -> list[bytes]:
        return [bytes(4) + answer(data[4:])] if data[:4] == bytes(4) and len(data) >= 32 else []

    with udp_server(handle) as (port, errors):
        result = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--ike", "--full", *client_args(sm2_pki), "--timeout", "0.5", "-f", "json"])
    assert not errors
    assert result.exit_code in (1, 4), result.stderr
    assert "Traceback" not in result.stderr
    [p] = [r for r in result.json()["results"] if r["check"] == "proto.probe.ike_full"]
    assert not p["measurements"]["phase1_completed"] and p["measurements"]["problems"]


def test_serve_answers_plain_ike_too(sm2_pki: Path, tmp_path: Path) -> None:
    """IKE without the non-ESP marker (the port-500 form, as ``probe --ike`` and ike-scan send it on
    any port but 4500) is answered without one: the enumeration finds the GM/T 0022 transform."""
    server = start_serve_ike([*server_args(sm2_pki), "--duration", "15"], tmp_path / "serve.json")
    result = run_cli(["proto", "probe", f"127.0.0.1:{server.port}", "--ike", "--timeout", "1", "--max-connections", "30", "-f", "json"])
    server.process.terminate()
    server.finish()
    v1 = next(r for r in result.json()["results"] if r["check"] == "proto.probe.ike" and r["measurements"]["protocol"] == "IKEv1")
    assert [a["attributes"]["Authentication Method"] for a in v1["measurements"]["accepted_suites"]] == ["digital envelope (GM/T 0022)"]
