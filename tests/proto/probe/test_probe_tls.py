"""``mptool proto probe --tls/--rfc8998`` against ``openssl s_server`` in several configurations.

The expected suite ids come from the same OpenSSL (``openssl ciphers -V``), an oracle outside
the project; certificates are compared with the DER of the file the server was started with.
"""

from __future__ import annotations

import hashlib
import re
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from support.proto_peers import openssl_tls_server, server_files, sm2_pki, tlcp_serve  # noqa: F401 (fixtures)
from conftest import run_cli

pytestmark = pytest.mark.network

TLS12_LIST = "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA256:ECDHE-RSA-CHACHA20-POLY1305"


def _openssl_ids(cipher_list: str, *flags: str) -> list[str]:
    """Suite ids in OpenSSL's own order, as ``0xC02F``."""
    out = subprocess.run(["openssl", "ciphers", "-V", "-s", *flags, cipher_list], capture_output=True, text=True, check=True, timeout=30).stdout
    return [f"0x{a}{b}".upper().replace("0X", "0x") for a, b in re.findall(r"0x([0-9A-F]{2}),0x([0-9A-F]{2})", out)]


def _probe(port: int, *options: str) -> dict:
    result = run_cli(["proto", "probe", f"localhost:{port}", "--timeout", "5", "-f", "json", *options])
    assert result.exit_code in (0, 1), result.stderr
    return result.json()


def _result(evidence: dict, check: str = "proto.probe.tls") -> dict:
    [result] = [r for r in evidence["results"] if r["check"] == check]
    return result


def _der_sha256(pem_path) -> str:
    cert = x509.load_pem_x509_certificate(pem_path.read_bytes())
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def test_tls12_suites_in_server_order(openssl_tls_server) -> None:
    port = openssl_tls_server("-tls1_2", "-cipher", TLS12_LIST, "-serverpref")
    evidence = _probe(port, "--tls")
    result = _result(evidence)
    meas = result["measurements"]
    expected = _openssl_ids(TLS12_LIST, "-tls1_2")
    assert len(expected) == 3
    assert meas["protocol"] == "TLS" and meas["versions"] == ["TLS 1.2"]
    assert [s["id"] for s in meas["by_version"]["TLS 1.2"]["accepted_suites"]] == expected
    assert meas["by_version"]["TLS 1.2"]["preference"] == "server"
    assert sorted(s["id"] for s in meas["accepted_suites"]) == sorted(expected)
    assert {s["id"]: s["name"] for s in meas["accepted_suites"]}["0xC02F"] == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    assert meas["answers"]["TLS 1.3"].startswith("alert") and meas["answers"]["TLS 1.1"].startswith("alert")
    [leaf] = meas["certificates"]
    assert leaf["sha256"] == _der_sha256(openssl_tls_server.certificates[0]) and leaf["key_algorithm"] == "RSA-2048"
    # one full handshake with application data by the local OpenSSL (server order: its first suite)
    assert meas["handshake_completed"] is True
    assert meas["handshake"]["version"] == "TLS 1.2" and meas["handshake"]["cipher"] == "ECDHE-RSA-AES128-GCM-SHA256"
    assert meas["handshake"]["application_data_received"] > 0
    # one vocabulary (issue 14): RSA/AES is strong but not GM, a warning, as proto analyze says
    assert result["status"] == "warn" and meas["verdict"] == "strong_not_gm"
    assert {s["verdict"] for s in meas["accepted_suites"]} == {"strong_not_gm"}
    assert "NET-AUTH: server authenticated with a RSA-2048 certificate, not SM2" in meas["reasons"]
    # the cert module checked the leaf: a self-signed certificate without a trust anchor
    assert any(r["check"].startswith("cert.") and r["subject"].startswith(f"localhost:{port} TLS certificates") for r in evidence["results"])


def test_client_preference_is_detected(openssl_tls_server) -> None:
    port = openssl_tls_server("-tls1_2", "-cipher", TLS12_LIST)
    meas = _result(_probe(port, "--tls"))["measurements"]
    assert meas["by_version"]["TLS 1.2"]["preference"] == "client"
    assert sorted(s["id"] for s in meas["by_version"]["TLS 1.2"]["accepted_suites"]) == sorted(_openssl_ids(TLS12_LIST, "-tls1_2"))


def test_tls13_only_server_and_its_leaf_certificate(openssl_tls_server) -> None:
    suites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
    port = openssl_tls_server("-tls1_3", "-ciphersuites", suites, key="ec")
    meas = _result(_probe(port, "--tls"))["measurements"]
    assert meas["versions"] == ["TLS 1.3"]
    assert sorted(s["id"] for s in meas["accepted_suites"]) == ["0x1302", "0x1303"]
    assert meas["answers"]["TLS 1.2"].startswith("alert")
    [leaf] = meas["certificates"]  # read through a TLS 1.3 handshake (Python ssl)
    assert leaf["sha256"] == _der_sha256(openssl_tls_server.certificates[0]) and leaf["key_algorithm"] == "EC-secp256r1"
    assert meas["handshake_completed"] is True and meas["handshake"]["version"] == "TLS 1.3"


def test_old_versions_are_flagged(openssl_tls_server) -> None:
    cipher_list = "AES128-SHA:ECDHE-RSA-AES256-SHA:@SECLEVEL=0"
    port = openssl_tls_server("-min_protocol", "TLSv1", "-max_protocol", "TLSv1.2", "-cipher", cipher_list, "-serverpref")
    result = _result(_probe(port, "--tls"))
    meas = result["measurements"]
    assert meas["versions"] == ["TLS 1.0", "TLS 1.1", "TLS 1.2"]
    assert meas["answers"]["SSL 3.0"] != "server_hello"
    for version in meas["versions"]:
        assert sorted(s["id"] for s in meas["by_version"][version]["accepted_suites"]) == sorted(_openssl_ids(cipher_list, "-tls1"))
    flagged = sorted(f["data"]["version"] for f in result["findings"] if f["code"] == "proto.probe.tls.deprecated_version")
    assert flagged == ["TLS 1.0", "TLS 1.1"]
    # TLS 1.0/1.1 and SHA-1 MACs are weak for proto analyze, so for proto probe too (issue 14)
    assert result["status"] == "fail" and meas["verdict"] == "weak"
    assert "protocol version TLS 1.0 is obsolete" in meas["reasons"]
    assert {s["verdict"] for s in meas["by_version"]["TLS 1.0"]["accepted_suites"]} == {"weak"}


def test_rfc8998_suites_not_accepted_by_openssl(openssl_tls_server) -> None:
    port = openssl_tls_server("-tls1_3")
    evidence = _probe(port, "--rfc8998")
    result = _result(evidence, "proto.probe.rfc8998")
    assert result["status"] == "info"
    assert result["measurements"]["accepted_suites"] == [] and result["measurements"]["versions"] == []
    assert result["measurements"]["first_answer"] == "alert handshake_failure"


def test_tls_probe_of_a_tlcp_only_server_finds_no_tls(tlcp_serve, server_files) -> None:
    server = tlcp_serve(*server_files, "--max-connections", "5")
    result = run_cli(["proto", "probe", f"127.0.0.1:{server.port}", "--tls", "-f", "json"])
    tls = _result(result.json())
    meas = tls["measurements"]
    assert tls["status"] == "info" and meas["handshake_completed"] is False
    assert meas["versions"] == [] and meas["accepted_suites"] == []
    assert all(answer.startswith("alert") for answer in meas["answers"].values())
    server.process.terminate()
    server.finish()



def test_tlcp_probe_of_a_tls_only_server(openssl_tls_server) -> None:
    port = openssl_tls_server("-tls1_2")
    result = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--tlcp", "-f", "json"])
    evidence = result.json()
    [tlcp] = [r for r in evidence["results"] if r["check"] == "proto.probe.tlcp"]
    assert result.exit_code == 0 and tlcp["status"] == "info"
    assert tlcp["measurements"]["versions"] == [] and tlcp["measurements"]["handshake_completed"] is False
    [finding] = tlcp["findings"]
    assert finding["code"] == "proto.probe.tlcp.not_supported"
    assert tlcp["measurements"]["first_answer"] == "closed"  # OpenSSL 3.0 drops a 0x0101 record without an alert
    assert tlcp["measurements"]["connections"] == 1
