"""Our TLCP bytes read by the other half of the project: ``proto analyze`` (written against
GmSSL's captures) on a tcpdump of ``proto probe --tlcp`` talking to ``proto serve --tlcp``.

It checks the unencrypted part independently of this package's parser: record and hello
versions, suites, the certificate pair, the ServerKeyExchange signature verified from the
capture, the ClientKeyExchange/CertificateVerify presence, Finished both ways and application
data flowing.
"""

from __future__ import annotations

import time

import pytest

from support.proto_peers import client_files, openssl_tls_server, server_files, sm2_pki, tlcp_serve  # noqa: F401 (fixtures)
from conftest import run_cli
from support.peers import tcpdump

pytestmark = pytest.mark.network


def test_analyze_reads_probe_and_serve_handshakes(tlcp_serve, server_files, client_files, tmp_path) -> None:
    server = tlcp_serve(*server_files, "--max-connections", "10")
    capture = tmp_path / "tlcp.pcap"
    with tcpdump(capture, f"tcp port {server.port}"):
        time.sleep(1)  # tcpdump says "listening" a moment before it really captures
        probe = run_cli(["proto", "probe", f"127.0.0.1:{server.port}", "--tlcp", *client_files, "-f", "json", "--server-name", "localhost"])
        assert probe.json()["results"][0]["measurements"]["handshake_completed"] is True
    server.finish()
    analyzed = run_cli(["proto", "analyze", str(capture), "-f", "json", "--fail-on", "never"])
    evidence = analyzed.json()
    channels = [r for r in evidence["results"] if r["check"] == "proto.tls.channel"]
    assert 4 <= len(channels) <= 10  # the 4 full handshakes come last; early hellos may precede the capture
    for c in (c["measurements"] for c in channels):
        assert c["protocol"] == "TLCP" and c["offered"]["versions"] == ["TLCP 1.1"]
        # a refused enumeration hello has no ServerHello: nothing negotiated (issue 17)
        assert c["version"] == ("TLCP 1.1" if c["cipher_suite"] is not None else None)
    completed = {c["measurements"]["cipher_suite"]["id"]: c for c in channels if c["measurements"]["handshake_completed"]}
    assert sorted(completed) == ["0xE011", "0xE013", "0xE051", "0xE053"]
    for suite, channel in completed.items():
        meas = channel["measurements"]
        assert [c["role"] for c in meas["certificates"]][:2] == ["sign", "enc"], suite
        assert meas["server_key_exchange"]["form"] == ("tlcp_ecdhe" if suite in ("0xE011", "0xE051") else "tlcp_ecc"), suite
        assert meas["application_data_flowed"], suite
        if suite in ("0xE011", "0xE051"):
            assert meas["certificate_request"] and meas["certificate_verify"] and len(meas["client_certificates"]) == 2, suite
    signatures = [r for r in evidence["results"] if r["check"] == "proto.tls.ske_signature"]
    assert signatures and all(r["status"] == "pass" for r in signatures)


def test_probe_and_analyze_give_the_same_verdict_for_rsa_aes(openssl_tls_server, tmp_path) -> None:
    """One vocabulary (issue 14): ``proto probe`` of an RSA/AES ``openssl s_server`` and ``proto
    analyze`` of the capture of that very probe give the same verdict, indicator verdicts and reasons."""
    port = openssl_tls_server("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")
    capture = tmp_path / "tls.pcap"
    with tcpdump(capture, f"tcp port {port}"):
        time.sleep(1)
        probe = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--tls", "-f", "json", "--timeout", "5"])
    probed = [r for r in probe.json()["results"] if r["check"] == "proto.probe.tls"][0]
    analyzed = run_cli(["proto", "analyze", str(capture), "-f", "json", "--fail-on", "never"]).json()
    completed = [r for r in analyzed["results"] if r["check"] == "proto.tls.channel" and r["measurements"]["handshake_completed"]]
    assert completed, "the probe's full handshake is in the capture"
    pm = probed["measurements"]
    assert pm["verdict"] == "strong_not_gm" and probed["status"] == "warn"
    for channel in completed:
        am = channel["measurements"]
        assert am["cipher_suite"]["id"] == "0xC02F"
        assert (am["verdict"], channel["status"]) == (pm["verdict"], probed["status"])
        assert {i["id"]: i["verdict"] for i in am["indicators"]} == {i["id"]: i["verdict"] for i in pm["indicators"]}
        assert {i["id"]: i["reasons"] for i in am["indicators"]} == {i["id"]: i["reasons"] for i in pm["indicators"]}
    # the enumeration hellos the server answered were judged by the same rule: the suite is strong, not GM
    answered = [r["measurements"] for r in analyzed["results"] if r["check"] == "proto.tls.channel" and r["measurements"]["cipher_suite"]]
    assert all(a["verdict"] in ("strong_not_gm", "undetermined") for a in answered)
