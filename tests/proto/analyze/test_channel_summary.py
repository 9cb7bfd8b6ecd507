"""The per-channel summary (issue 14): ``summary.channels`` holds one row per channel result of
``proto analyze`` / ``proto probe`` (endpoints, protocol/version, suite or algorithms, verdict,
the same values as the results), and the text report starts with them, within 80 columns."""

from __future__ import annotations

import io

from rich.console import Console

from conftest import run_cli
from mptool.core.model import Evidence
from mptool.render.text import render

CHANNEL_CHECKS = ("proto.tls.channel", "proto.ssh.channel", "proto.ike.exchange", "proto.esp.channel", "proto.cleartext.channel")


def test_rows_match_results_and_fit_80_columns(data) -> None:
    pcaps = [str(data.path("pcaps", name)) for name in ("ssh_openssh_modern_legacy.pcap", "ikev1_main_psk_esp_natt.pcap", "tls12_tls13_openssl.pcap")]
    ev = run_cli(["proto", "analyze", *pcaps, "-f", "json", "--fail-on", "never", "--no-cert-checks"]).json()
    channels = [r for r in ev["results"] if r["check"] in CHANNEL_CHECKS]
    rows = ev["summary"]["channels"]
    assert len(rows) == len(channels) == 8
    assert [row["verdict"] for row in rows] == [r["measurements"]["verdict"] for r in channels]
    ssh = [row for row in rows if row["protocol"] == "SSH-2.0"]
    assert ssh[1]["algorithms"] == "diffie-hellman-group1-sha1 ssh-rsa aes128-cbc" and ssh[1]["endpoints"].endswith("127.0.0.1:22023")
    assert any(row["algorithms"] == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" and row["protocol"] == "TLS 1.2" for row in rows)
    out = io.StringIO()
    render(Evidence.model_validate(ev), Console(file=out, width=80, force_terminal=False, color_system=None))
    text = out.getvalue()
    lines = text.splitlines()
    # an "input PATH (N bytes)" line names the file verbatim, so it is as long as the checkout's path
    assert all(len(line) <= 80 for line in lines if not line.startswith("input "))
    assert lines[1].strip().startswith("Channels (8)")  # right after the header line
    assert text.index("Channels (8)") < text.index("input ")


def test_certificate_findings_shown_once_per_certificate(data, tmp_path) -> None:
    """Two connections to 127.0.0.1:14433 send the same self-signed certificate: in one capture its
    lint and its chain check run once; given two captures (a copy), the chain check runs per capture
    and the text shows its findings as one panel, naming the other."""
    capture = data.path("pcaps", "tls12_tls13_openssl.pcap")
    one = run_cli(["proto", "analyze", str(capture), "-f", "json", "--fail-on", "never"]).json()
    assert sum(r["check"] == "cert.path.build" for r in one["results"]) == 1  # once per distinct certificate list
    assert sum(r["check"] == "cert.ext.key_usage_present" for r in one["results"]) == 1  # lint: once per distinct certificate
    copy = tmp_path / "copy.pcap"
    copy.write_bytes(capture.read_bytes())
    ev = run_cli(["proto", "analyze", str(capture), str(copy), "-f", "json", "--fail-on", "never"]).json()
    builds = [r for r in ev["results"] if r["check"] == "cert.path.build"]
    assert len(builds) == 2 and len({r["subject"] for r in builds}) == 2
    out = io.StringIO()
    render(Evidence.model_validate(ev), Console(file=out, width=200, force_terminal=False, color_system=None))
    text = out.getvalue()
    assert text.count("WARN cert.path.build") == 1
    assert "same findings also for 1 more: " in text
