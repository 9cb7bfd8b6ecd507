"""Cleartext channels (issue 14) on real loopback traffic captured by tcpdump: Python's
http.server with an HTTP Basic login and a form post, and scripted Telnet, FTP, PostgreSQL
(StartupMessage without SSLRequest, cleartext PasswordMessage) and MySQL (HandshakeV10 and a
HandshakeResponse41 without CLIENT_SSL) exchanges over real sockets, byte layouts from the RFCs
and the PostgreSQL/MySQL protocol documentation. Every secret must be absent from the evidence
bytes — as text, base64 and URL-encoded."""

from __future__ import annotations

import base64
import json
import secrets
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import run_cli
from support.peers import free_port, stop, tcpdump, wait_port
from support.scripted import exchange

pytestmark = pytest.mark.network


def _pg_startup() -> bytes:
    params = b"user\x00evaluator\x00database\x00app\x00\x00"
    return struct.pack("!II", 8 + len(params), 196608) + params


def _mysql_greeting() -> bytes:
    body = b"\x0a" + b"8.0.36\x00" + struct.pack("<I", 7) + b"abcdefgh\x00" + struct.pack("<H", 0xF7FF) + b"\x21" + struct.pack("<H", 2) + struct.pack("<H", 0x81FF) + b"\x15" + bytes(10) + b"ijklmnopqrst\x00" + b"mysql_native_password\x00"
    return struct.pack("<I", len(body))[:3] + b"\x00" + body


def _mysql_response(auth: bytes) -> bytes:
    caps = 0x000FA685 & ~0x0800  # CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION …, no CLIENT_SSL
    body = struct.pack("<IIB", caps, 1 << 24, 33) + bytes(23) + b"evaluator\x00" + bytes([len(auth)]) + auth + b"app\x00"
    return struct.pack("<I", len(body))[:3] + b"\x01" + body


@pytest.fixture(scope="module")
def cleartext_capture(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, int]]:
    tmp = tmp_path_factory.mktemp("cleartext")
    secrets_ = {name: "S3cr" + secrets.token_hex(8) for name in ("basic", "form", "telnet", "ftp", "pg", "mysql")}
    ports = {name: free_port() for name in ("http", "telnet", "ftp", "pg", "mysql")}
    capture = tmp / "cleartext.pcap"
    http = subprocess.Popen([sys.executable, "-m", "http.server", str(ports["http"]), "--bind", "127.0.0.1", "--directory", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(ports["http"], proc=http)
        bpf = " or ".join(f"tcp port {p}" for p in ports.values())
        with tcpdump(capture, bpf):
            time.sleep(1)
            base = f"http://127.0.0.1:{ports['http']}"
            token = base64.b64encode(f"admin:{secrets_['basic']}".encode()).decode()
            for request in (
                urllib.request.Request(base + "/", headers={"Authorization": f"Basic {token}"}),
                urllib.request.Request(base + "/login", data=urllib.parse.urlencode({"username": "admin", "password": secrets_["form"]}).encode(), method="POST"),
            ):
                try:
                    urllib.request.urlopen(request, timeout=5).read()
                except OSError:
                    pass  # http.server answers 501 to POST: the request was sent in clear all the same
            exchange(ports["telnet"], [
                ("s", b"\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01"), ("c", b"\xff\xfc\x18\xff\xfc\x20\xff\xfd\x01"),
                ("s", b"\r\nrouter login: "), ("c", b"admin\r\n"), ("s", b"Password: "), ("c", secrets_["telnet"].encode() + b"\r\n"),
                ("s", b"\r\nWelcome\r\n$ "),
            ])
            exchange(ports["ftp"], [
                ("s", b"220 lab FTP ready\r\n"), ("c", b"USER admin\r\n"), ("s", b"331 Password required\r\n"),
                ("c", b"PASS " + secrets_["ftp"].encode() + b"\r\n"), ("s", b"230 Logged in\r\n"), ("c", b"QUIT\r\n"), ("s", b"221 Bye\r\n"),
            ])
            exchange(ports["pg"], [
                ("c", _pg_startup()), ("s", b"R" + struct.pack("!II", 8, 3)),  # AuthenticationCleartextPassword
                ("c", b"p" + struct.pack("!I", 4 + len(secrets_["pg"]) + 1) + secrets_["pg"].encode() + b"\x00"), ("s", b"R" + struct.pack("!II", 8, 0)),
            ])
            exchange(ports["mysql"], [("s", _mysql_greeting()), ("c", _mysql_response(secrets_["mysql"].encode())), ("s", b"\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00")])
    finally:
        stop(http)
    return capture, secrets_, ports


def _by_port(evidence: dict) -> dict[int, dict]:
    out = {}
    for r in evidence["results"]:
        if r["check"] == "proto.cleartext.channel":
            out[int(r["measurements"]["server"].rsplit(":", 1)[1])] = r
    return out


def test_cleartext_logins_are_flagged_without_their_secrets(cleartext_capture, tmp_path) -> None:
    capture, secrets_, ports = cleartext_capture
    out = tmp_path / "ev.json"
    result = run_cli(["proto", "analyze", str(capture), "-f", "json", "-o", str(out), "--no-progress"])
    assert result.exit_code == 1, result.stderr  # findings
    raw = out.read_bytes()
    evidence = json.loads(raw)
    convs = _by_port(evidence)
    expected = {"http": "HTTP", "telnet": "Telnet", "ftp": "FTP", "pg": "PostgreSQL", "mysql": "MySQL"}
    for name, proto in expected.items():
        r = convs[ports[name]]
        m = r["measurements"]
        assert m["protocol"] == proto and m["recognised_by_content"] and m["protection"] == "none", name
        assert m["verdict"] == "weak" and r["status"] == "fail", name
        assert m["credentials"], name
        assert {f["code"] for f in r["findings"]} >= {"proto.cleartext.weak", "proto.cleartext.credential", "proto.cleartext.high_risk_candidate"}, name
        assert m["bytes"]["client_to_server"] > 0 and m["packets"]["server_to_client"] > 0, name
    http = convs[ports["http"]]["measurements"]
    kinds = {(c["kind"], c.get("field")) for c in http["credentials"]}
    assert ("HTTP Authorization Basic", None) in kinds and ("HTTP form field", "password") in kinds
    assert http["connections"] == 2
    basic = next(c for c in http["credentials"] if c["kind"] == "HTTP Authorization Basic")
    assert basic["length"] == len(base64.b64encode(f"admin:{secrets_['basic']}".encode()))
    form = next(c for c in http["credentials"] if c.get("field") == "password")
    assert form["length"] == len(secrets_["form"])
    telnet = convs[ports["telnet"]]["measurements"]
    assert telnet["credentials"][0]["length"] == len(secrets_["telnet"])
    assert "DEV-RMGT" in {i["id"] for i in telnet["indicators"]}
    assert convs[ports["ftp"]]["measurements"]["credentials"][0]["kind"] == "FTP PASS"
    assert convs[ports["ftp"]]["measurements"]["credentials"][0]["length"] == len(secrets_["ftp"])
    assert convs[ports["pg"]]["measurements"]["credentials"][0]["kind"] == "PostgreSQL PasswordMessage (cleartext password)"
    assert convs[ports["mysql"]]["measurements"]["credentials"][0]["length"] == len(secrets_["mysql"])
    # the secrets are nowhere in the evidence: not as text, base64 or URL-encoded
    for name, secret in secrets_.items():
        for form_ in (secret, base64.b64encode(secret.encode()).decode(), base64.b64encode(f"admin:{secret}".encode()).decode(), urllib.parse.quote_plus(secret)):
            assert form_.encode() not in raw, (name, form_)
    # but they are in the capture (the test would prove nothing otherwise)
    assert secrets_["ftp"].encode() in capture.read_bytes()
    # the summary still says there is no protected channel at all
    [summary] = [r for r in evidence["results"] if r["check"] == "proto.capture.summary"]
    assert "proto.capture.no_channels" in {f["code"] for f in summary["findings"]}


def test_text_report_has_no_secret(cleartext_capture) -> None:
    capture, secrets_, _ = cleartext_capture
    result = run_cli(["proto", "analyze", str(capture), "--no-progress"])
    assert "proto.cleartext.credential" in result.stdout or "credential" in result.stdout
    for secret in secrets_.values():
        assert secret not in result.stdout and secret not in result.stderr
