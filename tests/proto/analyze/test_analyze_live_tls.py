"""Fresh captures with real peers: openssl s_server/s_client on 127.0.0.1, tcpdump on lo.

The known answers come from outside mptool: what openssl was told to negotiate, and the
certificate files openssl served (their SHA-256 fingerprints and subjects).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from support.proto_captures import analyze, channels, results
from cryptography import x509
from support.peers import free_port, openssl_client, openssl_server, self_signed, stop, tcpdump, wait_port

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    d = tmp_path_factory.mktemp("certs")
    return {
        "rsa": self_signed(d, "rsa"),
        "ec": self_signed(d, "ec", key="ec"),
        "rsa_sha1": self_signed(d, "rsa_sha1", digest="sha1"),
    }


def _capture(tmp_path: Path, cert: tuple[Path, Path], server_args: list[str], client_args: list[str], name: str) -> Path:
    port = free_port()
    pcap = tmp_path / f"{name}.pcap"
    with openssl_server(port, *cert, extra=server_args), tcpdump(pcap, f"tcp port {port}"):
        openssl_client(port, client_args)
    return pcap


def _fingerprint(pem: Path) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return hashlib.sha256(x509.load_pem_x509_certificate(pem.read_bytes()).public_bytes(Encoding.DER)).hexdigest()


def test_tls12_ecdhe_ecdsa(tmp_path: Path, certs: dict) -> None:
    pcap = _capture(tmp_path, certs["ec"], ["-tls1_2"], ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"], "tls12")
    code, ev = analyze(str(pcap), "--trust", str(certs["ec"][0]))
    (c,) = channels(ev)
    assert (c["protocol"], c["version"]) == ("TLS", "TLS 1.2")
    assert c["cipher_suite"] == {"id": "0xC02B", "name": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}
    assert c["sni"] == "localhost"
    assert c["certificates"][0]["sha256"] == _fingerprint(certs["ec"][0])
    assert c["certificates"][0]["key_type"] == "EC secp256r1"
    assert c["handshake_completed"] and c["application_data_flowed"]
    assert c["verdict"] == "strong_not_gm"
    (ske,) = results(ev, "proto.tls.ske_signature")
    assert ske["status"] == "pass" and ske["measurements"]["signature_algorithm"]["name"].startswith("ecdsa_")
    assert "server_name" in c["offered"]["extensions"] and c["offered"]["supported_groups"]


def test_tls13(tmp_path: Path, certs: dict) -> None:
    pcap = _capture(tmp_path, certs["rsa"], ["-tls1_3"], ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"], "tls13")
    _, ev = analyze(str(pcap), "--no-cert-checks")
    (c,) = channels(ev)
    assert c["version"] == "TLS 1.3" and c["cipher_suite"] == {"id": "0x1301", "name": "TLS_AES_128_GCM_SHA256"}
    assert "TLS 1.3" in c["offered"]["versions"]
    assert c["key_share_group"] in c["offered"]["key_share_groups"]
    assert c["handshake_completed"] and c["application_data"]["client_records"] >= 1
    assert c["verdict"] == "strong_not_gm"


def test_tls10_is_weak(tmp_path: Path, certs: dict) -> None:
    weak = ["-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0"]
    pcap = _capture(tmp_path, certs["rsa"], weak, weak, "tls10")
    code, ev = analyze(str(pcap), "--no-cert-checks")
    (c,) = channels(ev)
    assert c["version"] == "TLS 1.0" and c["cipher_suite"]["id"] == "0x002F"
    assert c["verdict"] == "weak" and any("TLS 1.0" in r for r in c["reasons"])
    assert results(ev, "proto.tls.channel")[0]["status"] == "fail" and code == 1


def test_sha1_certificate_is_weak(tmp_path: Path, certs: dict) -> None:
    args = ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"]
    pcap = _capture(tmp_path, certs["rsa_sha1"], args, args, "sha1")
    _, ev = analyze(str(pcap), "--no-cert-checks")
    (c,) = channels(ev)
    assert c["certificates"][0]["signature_algorithm"] == "sha1WithRSAEncryption"
    assert c["verdict"] == "weak"


def test_version_mismatch_alert(tmp_path: Path, certs: dict) -> None:
    """A TLS 1.3-only client against a TLS 1.2-only server: the server's protocol_version alert."""
    pcap = _capture(tmp_path, certs["rsa"], ["-tls1_2"], ["-tls1_3"], "alert")
    _, ev = analyze(str(pcap), "--no-cert-checks")
    (c,) = channels(ev)
    assert {"level": "fatal", "code": 70, "name": "protocol_version"} in [{k: a[k] for k in ("level", "code", "name")} for a in c["alerts"]]
    assert not c["handshake_completed"] and not c["application_data_flowed"]
    assert c["verdict"] == "undetermined"


def test_tls13_hello_retry_request(tmp_path: Path, certs: dict) -> None:
    """The client's key share (X25519) is not acceptable to the server (P-256 only): HelloRetryRequest."""
    pcap = _capture(tmp_path, certs["rsa"], ["-tls1_3", "-groups", "P-256"], ["-tls1_3", "-groups", "X25519:P-256"], "hrr")
    _, ev = analyze(str(pcap), "--no-cert-checks")
    (c,) = channels(ev)
    assert c["hello_retry_request"] is True
    assert c["handshake_messages"]["client"] == ["client_hello", "client_hello"]
    assert c["key_share_group"] == "secp256r1" and c["offered"]["key_share_groups"] == ["secp256r1"]
    assert c["handshake_completed"] and c["application_data_flowed"]


def test_tls12_client_certificate(tmp_path: Path, certs: dict) -> None:
    """Mutual authentication: CertificateRequest, the client's certificate and its CertificateVerify verified."""
    server_cert, _ = certs["rsa"]
    client_cert, client_key = certs["ec"]
    pcap = _capture(tmp_path, certs["rsa"], ["-tls1_2", "-Verify", "1", "-CAfile", str(client_cert)], ["-tls1_2", "-cert", str(client_cert), "-key", str(client_key)], "mutual")
    _, ev = analyze(str(pcap), "--no-cert-checks")
    (c,) = channels(ev)
    assert "certificate_request" in c and c["certificate_request"]["signature_algorithms"]
    assert [x["sha256"] for x in c["client_certificates"]] == [_fingerprint(client_cert)]
    assert c["handshake_messages"]["client"][:4] == ["client_hello", "certificate", "client_key_exchange", "certificate_verify"]
    (cv,) = results(ev, "proto.tls.certificate_verify")
    assert cv["status"] == "pass" and cv["measurements"]["signature_algorithm"]["name"].startswith("ecdsa_")
    assert c["certificates"][0]["sha256"] == _fingerprint(server_cert)


def test_bulk_download_fast_path_agrees_with_full_path(tmp_path: Path, certs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 MiB download re-cut into 1448-byte segments (Ethernet MSS), and as captured on loopback
    (large frames holding several records): the bulk fast path skips application data without
    decoding, or hands in-order segments to reassembly directly, and must report exactly what
    the full path reports."""
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import Ether
    from scapy.utils import PcapWriter, rdpcap

    from mptool.proto.capture import engine

    www = tmp_path / "www"
    www.mkdir()
    (www / "big.bin").write_bytes(os.urandom(1 << 20))
    port = free_port()
    raw = tmp_path / "bulk-lo.pcap"
    cert, key = certs["rsa"]
    server = subprocess.Popen(
        ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert), "-key", str(key), "-WWW", "-tls1_2"],
        cwd=www, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, proc=server)
        with tcpdump(raw, f"tcp port {port}"):
            openssl_client(port, ["-quiet"], request=b"GET /big.bin HTTP/1.0\r\n\r\n")
    finally:
        stop(server)
    mss = tmp_path / "bulk-1448.pcap"
    with PcapWriter(str(mss), linktype=1) as w:
        for p in rdpcap(str(raw)):
            data = bytes(p[TCP].payload) if TCP in p else b""
            if len(data) <= 1448:
                w.write(p)
                continue
            for off in range(0, len(data), 1448):
                w.write(Ether(src=p[Ether].src, dst=p[Ether].dst) / IP(src=p[IP].src, dst=p[IP].dst) / TCP(sport=p[TCP].sport, dport=p[TCP].dport, seq=p[TCP].seq + off, ack=p[TCP].ack, flags="PA") / data[off : off + 1448])
    fast_hits: list[int] = []
    original = engine.Analyzer.finish

    def counting(self: engine.Analyzer) -> list[engine.Flow]:
        fast_hits.append(self.fast_segments)
        return original(self)

    monkeypatch.setattr(engine.Analyzer, "finish", counting)
    _, fast = analyze(str(mss), "--no-cert-checks", "--deterministic")
    # most of the ~730 data segments skip the decoder; fewer when tcpdump dropped packets on a busy machine
    assert fast_hits[0] >= 100, fast_hits
    _, large = analyze(str(raw), "--no-cert-checks", "--deterministic")  # loopback: frames up to 64 KiB, several records each
    assert fast_hits[1] >= 10, fast_hits
    monkeypatch.setattr(engine, "_FAST_IPV4", {})
    _, full = analyze(str(mss), "--no-cert-checks", "--deterministic")
    assert fast["results"] == full["results"]  # every counter of the capture summary too
    _, large_full = analyze(str(raw), "--no-cert-checks", "--deterministic")
    assert large["results"] == large_full["results"]
    assert fast_hits[2:] == [0, 0]
    (c,) = channels(fast)
    assert c["application_data"]["server_bytes"] > 1 << 20 and c["handshake_completed"]
    assert channels(large)[0]["application_data"] == c["application_data"]
