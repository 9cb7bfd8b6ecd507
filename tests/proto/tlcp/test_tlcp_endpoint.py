"""``mptool proto probe --tlcp`` against ``mptool proto serve --tlcp`` (both on 127.0.0.1).

The server runs as its own process with an SM2 PKI made by the system openssl; every JSON
both commands emit is validated against the evidence schema.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from support.proto_peers import client_files, server_files, sm2_pki, stub_server, tlcp_serve  # noqa: F401 (fixtures)
from conftest import run_cli, validate_evidence
from support.peers import free_port

pytestmark = pytest.mark.network

ALL = ["0xE011", "0xE013", "0xE051", "0xE053"]


def _probe(port: int, *extra: str) -> dict:
    result = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--tlcp", "--timeout", "5", "-f", "json", *extra])
    assert result.exit_code in (0, 1, 4), result.stderr
    return result.json()


def _tlcp_result(evidence: dict) -> dict:
    [result] = [r for r in evidence["results"] if r["check"] == "proto.probe.tlcp"]
    return result


def _served(server) -> dict:
    code, err = server.finish()
    assert code in (0, 1), err
    return validate_evidence(json.loads(server.evidence.read_text()))


def test_full_ecc_and_ecdhe_handshakes_with_client_keys(tlcp_serve, server_files, client_files, sm2_pki) -> None:
    # 5 enumeration hellos (4 accepted + 1 refused), 1 preference hello, 4 full handshakes
    server = tlcp_serve(*server_files, "--max-connections", "10")
    evidence = _probe(server.port, *client_files, "--trust", str(sm2_pki / "ca.pem"), "--server-name", "localhost")
    assert evidence["parameters"]["peer_name"] == "localhost"
    result = _tlcp_result(evidence)
    meas = result["measurements"]
    assert meas["protocol"] == "TLCP" and meas["versions"] == ["TLCP 1.1"]
    assert sorted(s["id"] for s in meas["accepted_suites"]) == ALL
    assert {s["id"]: s["name"] for s in meas["accepted_suites"]}["0xE013"] == "ECC_SM4_CBC_SM3"
    assert meas["preference"] == "server" and meas["preference_order"] == ["0xE013", "0xE053", "0xE011", "0xE051"]
    assert [c["role"] for c in meas["certificates"]] == ["sign", "enc", "ca"]
    assert meas["certificates"][0]["subject"] == meas["certificates"][1]["subject"]
    assert meas["certificates"][0]["key_algorithm"] == "SM2"
    handshakes = {h["suite"]: h for h in meas["handshakes"]}
    assert sorted(handshakes) == ALL
    for suite, h in handshakes.items():
        assert h["handshake_completed"] and h["finished_verified"] and h["ske_signature_valid"], (suite, h)
        assert h["application_data_received"] > 0
        assert h["certificate_requested"] == (suite in ("0xE011", "0xE051"))
    assert meas["handshake_completed"] is True
    assert result["status"] == "pass"
    # The cert module checked the probed certificates: TLCP pair and chains to the given CA.
    pair = [r for r in evidence["results"] if r["check"] == "cert.pair.tlcp"]
    assert len(pair) == 1 and pair[0]["status"] == "pass"
    builds = [r for r in evidence["results"] if r["check"] == "cert.path.build"]
    assert builds and all(r["status"] == "pass" for r in builds)

    served = _served(server)
    clients = [r for r in served["results"] if r["check"] == "proto.serve.tlcp_client"]
    assert len(clients) == 10 and served["summary"]["connections"] == 10
    completed = [r["measurements"] for r in clients if r["measurements"]["handshake_completed"]]
    assert sorted(c["suite"] for c in completed) == ALL
    for c in completed:
        assert c["finished_verified"] and c["application_data_received"] > 0 and c["server_name"] == "localhost"
        if c["suite"] in ("0xE011", "0xE051"):
            assert c["client_key_exchange_format"] == "gmssl" and c["certificate_verify_format"] == "messages"
            assert c["client_certificate_count"] == 2  # sign + enc (the client files hold no chain)
        else:
            assert c["pms_ciphertext_order"] == "asn1"
    # The first hello offered every TLCP suite of GB/T 38636.
    assert len(clients[0]["measurements"]["offered_suites"]) == 19


def test_without_client_keys_ecdhe_is_enumerated_but_not_completed(tlcp_serve, server_files) -> None:
    server = tlcp_serve(*server_files, "--max-connections", "8", "--suites", "E053,E051")
    evidence = _probe(server.port, "--max-connections", "8")
    meas = _tlcp_result(evidence)["measurements"]
    assert [s["id"] for s in meas["accepted_suites"]] == ["0xE053", "0xE051"]
    handshakes = {h["suite"]: h for h in meas["handshakes"]}
    assert handshakes["0xE053"]["handshake_completed"] is True
    assert handshakes["0xE051"]["handshake_completed"] is False
    assert handshakes["0xE051"]["error"]["kind"] == "needs_client_keys"
    assert meas["handshake_completed"] is True
    server.process.terminate()
    served = _served(server)
    assert served["summary"]["connections"] == 5  # 3 enumeration hellos, 1 preference hello, 1 full handshake


def test_client_preference_server_and_ecc_client_auth(tlcp_serve, server_files, client_files) -> None:
    server = tlcp_serve(*server_files, "--client-auth", "--suites", "0xE013", "--max-connections", "3")
    evidence = _probe(server.port, *client_files)
    assert evidence["parameters"]["peer_name"] is None  # an address target: names are not matched
    meas = _tlcp_result(evidence)["measurements"]
    assert meas["preference"] == "single_suite" and [s["id"] for s in meas["accepted_suites"]] == ["0xE013"]
    [h] = meas["handshakes"]
    assert h["certificate_requested"] and h["client_authenticated"] and h["handshake_completed"]
    served = _served(server)
    done = [r for r in served["results"] if r["check"] == "proto.serve.tlcp_client" and r["measurements"]["handshake_completed"]]
    assert len(done) == 1 and done[0]["measurements"]["certificate_verify_format"] == "messages"
    assert done[0]["status"] == "pass"
    # the server checked the client's certificates against --ca (cert domain): chain and pair
    number = done[0]["measurements"]["connection"]
    subject = f"connection {number} client certificates"
    checks = {(r["check"], r["subject"]): r["status"] for r in served["results"] if r["subject"].startswith(subject)}
    assert checks[("cert.path.build", f"{subject} (signing)")] == "pass"
    assert checks[("cert.pair.tlcp", f"{subject} (pair)")] == "pass"


def test_tongsuo_flavour_client_is_accepted_and_recognised(tlcp_serve, server_files, client_files) -> None:
    server = tlcp_serve(*server_files, "--suites", "E051", "--max-connections", "3")
    evidence = _probe(server.port, *client_files, "--tlcp-flavour", "tongsuo")
    [h] = _tlcp_result(evidence)["measurements"]["handshakes"]
    assert h["handshake_completed"] is True
    assert evidence["parameters"]["tlcp_flavour"] == "tongsuo"
    served = _served(server)
    [done] = [r["measurements"] for r in served["results"] if r["check"] == "proto.serve.tlcp_client" and r["measurements"]["handshake_completed"]]
    assert done["client_key_exchange_format"] == "tongsuo" and done["certificate_verify_format"] == "sm3_of_messages"


def test_ecc_client_auth_without_client_keys_is_refused_by_server(tlcp_serve, server_files) -> None:
    server = tlcp_serve(*server_files, "--client-auth", "--suites", "E013", "--max-connections", "3")
    evidence = _probe(server.port)
    result = _tlcp_result(evidence)
    [h] = result["measurements"]["handshakes"]
    assert h["handshake_completed"] is False and h["certificate_requested"] is True
    assert h["error"]["kind"] == "alert" and h["error"]["alert"] == "handshake_failure"
    assert result["status"] == "warn" and evidence["exit_code"] == 0
    assert any(f["code"] == "proto.probe.tlcp.no_full_handshake" for f in result["findings"])
    served = _served(server)
    [refused] = [r for r in served["results"] if r["measurements"].get("ended_by") == "no_client_certificate"]
    assert refused["status"] == "warn" and refused["measurements"]["client_certificate_count"] == 0
    assert [f["code"] for f in refused["findings"]] == ["proto.serve.no_client_certificate"]


def test_refused_port_is_an_error_result_quickly() -> None:
    started = time.monotonic()
    result = run_cli(["proto", "probe", f"127.0.0.1:{free_port()}", "--tlcp", "--tls", "-f", "json"])
    assert time.monotonic() - started < 10
    evidence = result.json()
    assert result.exit_code == 4
    for r in evidence["results"]:
        assert r["status"] == "error"
        assert [f["code"] for f in r["findings"]] == ["proto.probe.refused"]
        assert r["measurements"]["handshake_completed"] is False and r["measurements"]["accepted_suites"] == []


def test_non_tls_service_is_reported_not_tls(stub_server) -> None:
    stub = stub_server(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    result = run_cli(["proto", "probe", f"127.0.0.1:{stub.port}", "--tlcp", "-f", "json"])
    evidence = result.json()
    result_tlcp = _tlcp_result(evidence)
    assert result_tlcp["status"] == "warn" and evidence["exit_code"] == 0
    assert [f["code"] for f in result_tlcp["findings"]] == ["proto.probe.not_tls"]
    assert "5353482d" in result_tlcp["findings"][0]["message"]  # 'SSH-' as the first bytes


def test_silent_service_times_out_within_the_limit(stub_server) -> None:
    stub = stub_server(None)
    started = time.monotonic()
    result = run_cli(["proto", "probe", f"127.0.0.1:{stub.port}", "--tlcp", "--timeout", "1", "-f", "json"])
    elapsed = time.monotonic() - started
    evidence = result.json()
    assert elapsed < 5, elapsed
    assert result.exit_code == 4
    assert [f["code"] for f in _tlcp_result(evidence)["findings"]] == ["proto.probe.timeout"]


def test_a_silent_client_does_not_block_others(tlcp_serve, server_files) -> None:
    server = tlcp_serve(*server_files, "--suites", "E013", "--max-connections", "4", "--handshake-timeout", "3", "--workers", "2")
    with socket.create_connection(("127.0.0.1", server.port)):  # connection 1: says nothing
        started = time.monotonic()
        evidence = _probe(server.port, "--max-connections", "3")
        assert time.monotonic() - started < 3  # served while connection 1 still waits
        assert _tlcp_result(evidence)["measurements"]["handshake_completed"] is True
        served = _served(server)
    clients = [r for r in served["results"] if r["check"] == "proto.serve.tlcp_client"]
    assert [r["measurements"]["connection"] for r in clients] == [1, 2, 3, 4]
    assert clients[0]["measurements"]["ended_by"] == "timeout" and clients[0]["status"] == "info"
    assert served["parameters"]["workers"] == 2


def test_time_limit_bounds_the_whole_probe(stub_server) -> None:
    """--time-limit cuts a connection short of its --timeout: a silent server, 30 s each, 1 s in all."""
    stub = stub_server(None)
    started = time.monotonic()
    result = run_cli(["proto", "probe", f"127.0.0.1:{stub.port}", "--tlcp", "--timeout", "30", "--time-limit", "1", "-f", "json"])
    elapsed = time.monotonic() - started
    evidence = result.json()
    assert elapsed < 15, elapsed  # far below the 30 s one connection would be allowed
    assert evidence["parameters"]["time_limit"] == 1.0 and evidence["parameters"]["timeout"] == 30.0
    tlcp = _tlcp_result(evidence)
    assert tlcp["measurements"]["connections"] == 1  # no connection opened once the time is up
    assert [f["code"] for f in tlcp["findings"]] == ["proto.probe.timeout"]
    assert result.exit_code == 4


@pytest.mark.parametrize("value", ["0.5", "3601", "soon"])
def test_time_limit_out_of_range_is_a_usage_error(value: str) -> None:
    result = run_cli(["proto", "probe", "127.0.0.1:1", "--tlcp", "--time-limit", value])
    assert result.exit_code == 2 and "--time-limit" in result.stderr and result.stdout == ""


def test_max_connections_bounds_the_whole_probe(tlcp_serve, server_files) -> None:
    server = tlcp_serve(*server_files, "--max-connections", "2")
    evidence = _probe(server.port, "--max-connections", "2")
    result = _tlcp_result(evidence)
    assert result["measurements"]["connections"] == 2
    assert "proto.probe.budget_exhausted" in [f["code"] for f in result["findings"]]
    _served(server)


@pytest.mark.parametrize(
    ("target", "problem"),
    [("127.0.0.1", "has no port"), ("127.0.0.1:99999", "not a number in 1-65535"), ("[::1", "unbalanced")],
)
def test_bad_target_is_an_input_error(target: str, problem: str) -> None:
    result = run_cli(["proto", "probe", target, "--tlcp"])
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.startswith("mptool: error: TARGET: ") and problem in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_incomplete_client_key_set_is_a_usage_error(sm2_pki) -> None:
    result = run_cli(["proto", "probe", "127.0.0.1:1", "--tlcp", "--client-sign-cert", str(sm2_pki / "client_sign.pem")])
    assert result.exit_code == 2 and "--client-sign-key" in result.stderr


def test_serve_rejects_a_key_that_does_not_match_its_certificate(sm2_pki, tmp_path) -> None:
    out = tmp_path / "serve.json"
    args = ["proto", "serve", "--tlcp", "--port", "0", "--sign-cert", str(sm2_pki / "server_sign.pem"), "--sign-key", str(sm2_pki / "server_enc.key"),
            "--enc-cert", str(sm2_pki / "server_enc.pem"), "--enc-key", str(sm2_pki / "server_enc.key"), "-o", str(out)]
    before = (sm2_pki / "server_enc.key").read_bytes()
    result = run_cli(args)
    assert result.exit_code == 3 and not out.exists()
    assert "server_enc.key: this key does not belong to the certificate" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (sm2_pki / "server_enc.key").read_bytes() == before


@pytest.mark.parametrize(
    ("which", "content", "problem"),
    [
        ("--sign-key", None, "no such file"),
        ("--sign-key", b"-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n", "not valid base64"),
        ("--enc-cert", b"hello", "not a DER X.509 certificate"),
    ],
)
def test_serve_bad_files_are_input_errors(sm2_pki, tmp_path, which: str, content: bytes | None, problem: str) -> None:
    files = {"--sign-cert": sm2_pki / "server_sign.pem", "--sign-key": sm2_pki / "server_sign.key", "--enc-cert": sm2_pki / "server_enc.pem", "--enc-key": sm2_pki / "server_enc.key"}
    bad = tmp_path / "bad"
    if content is not None:
        bad.write_bytes(content)
    files[which] = bad
    args = ["proto", "serve", "--tlcp", "--port", "0", "-o", str(tmp_path / "o.json")]
    for option, path in files.items():
        args += [option, str(path)]
    result = run_cli(args)
    assert result.exit_code == 3, result.stderr
    assert result.stderr.startswith(f"mptool: error: {bad}: ") and problem in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.json").exists()


def test_ecc_client_auth_with_signing_certificate_and_ca_only(tlcp_serve, server_files, sm2_pki) -> None:
    """GmSSL's ECC client sends its signing certificate and the CA, no encryption certificate."""
    from mptool.proto.probe.keys import load_certificates, load_private_key
    from mptool.proto.tls.transport import RecordStream
    from mptool.proto.tlcp.channel import Channel, Credentials
    from mptool.proto.tlcp.client import ClientLog, client_handshake

    server = tlcp_serve(*server_files, "--client-auth", "--suites", "E053", "--max-connections", "1")
    sign = load_private_key(str(sm2_pki / "client_sign.key")).d
    chain = load_certificates(str(sm2_pki / "client_sign.pem")).ders + load_certificates(str(sm2_pki / "ca.pem")).ders
    log = ClientLog([0xE053])
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        client_handshake(Channel(RecordStream(sock, time.monotonic() + 10)), log, credentials=Credentials(sign, sign, chain), application_data=b"GET / HTTP/1.0\r\n\r\n")
    assert log.completed and log.client_authenticated and log.application_data_received.startswith(b"HTTP/1.0 200 OK")
    served = _served(server)
    [client] = [r for r in served["results"] if r["check"] == "proto.serve.tlcp_client"]
    assert client["status"] == "pass" and client["measurements"]["client_certificate_count"] == 2
    checks = {r["check"]: r["status"] for r in served["results"] if r["subject"].startswith("connection 1 client certificates")}
    assert checks["cert.path.build"] == "pass" and "cert.pair.tlcp" not in checks


@pytest.mark.parametrize("server_order", ["server", "client"])
def test_ecdhe_initiator_order(tlcp_serve, server_files, client_files, server_order: str) -> None:
    """Tongsuo makes the server the SM2 key-exchange initiator; a server with the other order
    makes the probe retry once with it, and says so."""
    server = tlcp_serve(*server_files, "--suites", "E011", "--ecdhe-initiator", server_order, "--max-connections", "10")
    evidence = _probe(server.port, *client_files, "--max-connections", "5")
    [h] = _tlcp_result(evidence)["measurements"]["handshakes"]
    assert h["handshake_completed"] is True and h["ecdhe_initiator"] == server_order
    if server_order == "client":
        [earlier] = h["earlier_attempts"]
        assert earlier["ecdhe_initiator"] == "server" and earlier["flavour"] == "gmssl" and earlier["error"]["alert"] == "bad_record_mac"
    else:
        assert "earlier_attempts" not in h
    server.process.terminate()
    served = _served(server)
    done = [r["measurements"] for r in served["results"] if r["check"] == "proto.serve.tlcp_client" and r["measurements"]["handshake_completed"]]
    assert [d["ecdhe_initiator"] for d in done] == [server_order]


def test_server_auto_mode_recognises_a_client_initiator_client(tlcp_serve, server_files, sm2_pki) -> None:
    from mptool.proto.probe.keys import load_certificates, load_private_key
    from mptool.proto.tls.transport import RecordStream
    from mptool.proto.tlcp.channel import Channel, Credentials
    from mptool.proto.tlcp.client import ClientLog, client_handshake

    server = tlcp_serve(*server_files, "--suites", "E051", "--max-connections", "1")
    chain = load_certificates(str(sm2_pki / "client_sign.pem")).ders + load_certificates(str(sm2_pki / "client_enc.pem")).ders
    credentials = Credentials(load_private_key(str(sm2_pki / "client_sign.key")).d, load_private_key(str(sm2_pki / "client_enc.key")).d, chain)
    log = ClientLog([0xE051])
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        client_handshake(Channel(RecordStream(sock, time.monotonic() + 10)), log, credentials=credentials, application_data=b"x", ecdhe_initiator="client")
    assert log.completed
    served = _served(server)
    [client] = [r["measurements"] for r in served["results"] if r["check"] == "proto.serve.tlcp_client"]
    assert client["handshake_completed"] and client["ecdhe_initiator"] == "client"


@pytest.mark.parametrize("server_format", ["gmssl", "tongsuo"])
def test_probe_adapts_to_a_server_that_accepts_one_client_format(tlcp_serve, server_files, client_files, server_format: str) -> None:
    """Tongsuo's server reads the ECDHE ClientKeyExchange without GmSSL's outer length (and
    CertificateVerify over SM3 of the messages); a strict server makes the probe switch once."""
    server = tlcp_serve(*server_files, "--suites", "E051", "--client-format", server_format, "--max-connections", "10")
    evidence = _probe(server.port, *client_files, "--max-connections", "5")
    [h] = _tlcp_result(evidence)["measurements"]["handshakes"]
    assert h["handshake_completed"] is True and h["flavour"] == server_format, json.dumps(h)
    if server_format == "tongsuo":
        [earlier] = h["earlier_attempts"]
        assert earlier["flavour"] == "gmssl" and earlier["error"]["alert"] == "decode_error"
    else:
        assert "earlier_attempts" not in h
    server.process.terminate()
    served = _served(server)
    done = [r["measurements"] for r in served["results"] if r["check"] == "proto.serve.tlcp_client" and r["measurements"]["handshake_completed"]]
    assert [(d["client_key_exchange_format"], d["certificate_verify_format"]) for d in done] == [(server_format, {"gmssl": "messages", "tongsuo": "sm3_of_messages"}[server_format])]


def test_probe_finds_format_and_initiator_order_together(tlcp_serve, server_files, client_files) -> None:
    server = tlcp_serve(*server_files, "--suites", "E011", "--client-format", "tongsuo", "--ecdhe-initiator", "client", "--max-connections", "10")
    evidence = _probe(server.port, *client_files, "--max-connections", "6")
    [h] = _tlcp_result(evidence)["measurements"]["handshakes"]
    assert h["handshake_completed"] is True and (h["flavour"], h["ecdhe_initiator"]) == ("tongsuo", "client")
    assert [(e["flavour"], e["ecdhe_initiator"], e["error"]["alert"]) for e in h["earlier_attempts"]] == [
        ("gmssl", "server", "decode_error"),
        ("tongsuo", "server", "bad_record_mac"),
    ]
    server.process.terminate()
    _served(server)


def test_serve_stops_after_duration_and_writes_evidence(tlcp_serve, server_files) -> None:
    started = time.monotonic()
    server = tlcp_serve(*server_files, "--duration", "1")
    code, err = server.finish(timeout=15)
    assert code == 0 and time.monotonic() - started < 10, err
    served = validate_evidence(json.loads(server.evidence.read_text()))
    assert served["results"] == [] and served["summary"]["connections"] == 0
    assert served["parameters"]["duration"] == 1.0 and served["parameters"]["bound_port"] == server.port
    assert [i["name"].rsplit("/", 1)[-1] for i in served["inputs"]] == ["server_sign.pem", "server_sign.key", "server_enc.pem", "server_enc.key", "ca.pem"]


def test_ipv6_loopback(tlcp_serve, server_files) -> None:
    server = tlcp_serve(*server_files, "--host", "::1", "--suites", "E013", "--max-connections", "3")
    evidence = run_cli(["proto", "probe", f"[::1]:{server.port}", "--tlcp", "-f", "json"]).json()
    result = _tlcp_result(evidence)
    assert result["subject"] == f"::1:{server.port} TLCP" and result["measurements"]["handshake_completed"] is True
    assert evidence["parameters"]["host"] == "::1"
    _served(server)
