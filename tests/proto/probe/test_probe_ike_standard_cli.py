"""``proto probe --ike --full`` for standard IKE: option errors (exit 2/3, one line), and the PSK
never verbatim in the evidence (arguments and parameters hold its SM3 fingerprint) even when the
responder is silent (a bounded wait, the unreachable finding, exit 4)."""

from __future__ import annotations

import socket

import pytest

from conftest import run_cli

SECRET = "do-not-record-this-psk"


def _silent_udp_port() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def test_the_psk_is_only_a_fingerprint_in_the_evidence() -> None:
    with _silent_udp_port() as sock:
        port = sock.getsockname()[1]
        result = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--ike", "--full", "--psk", SECRET, "--timeout", "0.2", "-f", "json"])
    assert SECRET not in result.stdout and SECRET not in result.stderr
    evidence = result.json()
    [exchange] = [r for r in evidence["results"] if r["check"] == "proto.probe.ike_exchange"]
    assert exchange["status"] == "error" and result.exit_code == 4
    assert {f["code"] for f in exchange["findings"]} >= {"proto.probe.ike_exchange.timeout", "proto.probe.timeout"}
    assert evidence["parameters"]["psk"].startswith("<secret sm3:")
    assert exchange["measurements"]["psk_fingerprint"] == evidence["parameters"]["psk"]


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["--psk", "x"], 2, "--psk, --ikev2 and --ike-encap go with --ike --full"),
        (["--ike", "--full", "--ikev2", "--client-sign-cert", "/nonexistent-v2.pem", "--client-sign-key", "b"], 3, "/nonexistent-v2.pem"),
        (["--ike", "--full", "--psk", "x", "--esp-gcm"], 2, "not standard IKE"),
        (["--ike", "--full", "--psk", "x", "--ike-ts", "10.0.0.0/24"], 2, "LOCAL_CIDR=REMOTE_CIDR"),
        (["--ike", "--full", "--psk", "x", "--ike-ts", "10.0.0.0/24=nonsense"], 3, "not an IPv4 network"),
        (["--ike", "--full", "--psk", "env:MPTOOL_NO_SUCH_VARIABLE"], 3, "is not set"),
        (["--ike", "--full", "--client-sign-cert", "/nonexistent.pem", "--client-sign-key", "/nonexistent.key"], 3, "/nonexistent.pem"),
    ],
)
def test_option_errors(args: list[str], code: int, text: str) -> None:
    result = run_cli(["proto", "probe", "127.0.0.1:9", *args, "--timeout", "0.2"])
    assert result.exit_code == code, result.stderr
    assert text in result.stderr and "Traceback" not in result.stderr
    assert SECRET not in result.stderr
