"""Every capture of vectors/pcaps is reported as its SOURCES.md ground truth says."""

from __future__ import annotations

from support.proto_captures import PCAPS, analyze, channels, results


def _suites(evidence: dict) -> list[tuple[str, str, str]]:
    return [(c["protocol"], c["version"], c["cipher_suite"]["id"]) for c in channels(evidence)]


def test_tls12_tls13_openssl() -> None:
    """4 connections: TLS1.2 0xC02F, TLS1.2 0x003D, TLS1.3 0x1302, TLS1.3 0x1303, one HTTP GET each."""
    code, ev = analyze(str(PCAPS / "tls12_tls13_openssl.pcap"))
    assert _suites(ev) == [("TLS", "TLS 1.2", "0xC02F"), ("TLS", "TLS 1.2", "0x003D"), ("TLS", "TLS 1.3", "0x1302"), ("TLS", "TLS 1.3", "0x1303")]
    names = [c["cipher_suite"]["name"] for c in channels(ev)]
    assert names == ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
    for c in channels(ev):
        assert c["handshake_completed"] and c["application_data_flowed"]
        assert c["application_data"]["client_records"] >= 1  # the HTTP GET
        assert c["verdict"] == "strong_not_gm"
        assert c["server"].endswith((":14433", ":14434"))
    tls12 = channels(ev)[:2]
    assert all(c["certificates"][0]["key_type"] == "RSA-2048" and c["certificates"][0]["subject"] == c["certificates"][0]["issuer"] for c in tls12)
    tls13 = channels(ev)[2:]
    assert all(c["certificates"] == [] for c in tls13)  # encrypted in TLS 1.3
    # the ECDHE suite's SKE is signed with RSA and verifies against the certificate
    ske = results(ev, "proto.tls.ske_signature")
    assert [r["status"] for r in ske] == ["pass"]
    assert [r["status"] for r in results(ev, "proto.tls.channel")] == ["warn"] * 4  # strong but not GM
    assert code == 1  # the self-signed test certificates fail the cert lint (no AKI)


def test_tlcp_gmssl_4suites() -> None:
    """4 TLCP connections, E013/E053 server-auth, E011/E051 mutual, 3 certs, curve 41 in ECDHE SKE."""
    code, ev = analyze(str(PCAPS / "tlcp_gmssl_4suites.pcap"), "--trust", str(PCAPS / "tlcp_lab_root_ca.pem"))
    chans = channels(ev)
    assert [(c["protocol"], c["version"], c["cipher_suite"]["id"], c["server"].rsplit(":", 1)[1]) for c in chans] == [
        ("TLCP", "TLCP 1.1", "0xE013", "14431"),
        ("TLCP", "TLCP 1.1", "0xE053", "14432"),
        ("TLCP", "TLCP 1.1", "0xE011", "14433"),
        ("TLCP", "TLCP 1.1", "0xE051", "14434"),
    ]
    assert [c["cipher_suite"]["name"] for c in chans] == ["ECC_SM4_CBC_SM3", "ECC_SM4_GCM_SM3", "ECDHE_SM4_CBC_SM3", "ECDHE_SM4_GCM_SM3"]
    for c in chans:
        assert len(c["certificates"]) == 3
        sign, enc, ca = c["certificates"]
        assert (sign["role"], enc["role"], ca["role"]) == ("sign", "enc", "ca")
        assert sign["subject"] == enc["subject"] and "lab TLCP server" in sign["subject"]
        assert sign["key_type"] == "SM2" and sign["signature_algorithm"] == "SM2-with-SM3"
        assert len(sign["sha256"]) == 64
        assert c["handshake_completed"] and c["application_data_flowed"]
        assert c["verdict"] == "gm_compliant"
        assert "certificate_request" in c if c["cipher_suite"]["id"] in ("0xE011", "0xE051") else "certificate_request" not in c
    for c in chans[2:]:  # ECDHE: CertificateRequest + client sign/enc certs + CertificateVerify
        assert c["server_key_exchange"]["named_curve"] == {"id": 41, "name": "curveSM2"}
        assert c["certificate_request"]["certificate_types"]
        assert len(c["client_certificates"]) >= 2
        assert "certificate_verify" in c["handshake_messages"]["client"]
        assert c["client_key_exchange"] == {"length": 71, "form": "ecdh_public_point", "named_curve": 41, "point_length": 65}
    for c in chans[:2]:
        assert c["server_key_exchange"]["form"] == "tlcp_ecc"
        assert c["client_certificates"] == []
        # the 48-byte pre-master secret SM2-encrypted to the encryption certificate (uint16 0x009c + DER)
        assert c["client_key_exchange"] == {"length": 2 + 0x9C, "form": "sm2_ciphertext_asn1", "c1_on_curve": True, "c3_length": 32, "c2_length": 48}
    ske = results(ev, "proto.tls.ske_signature")
    assert [(r["status"], r["measurements"]["outcome"]) for r in ske] == [("pass", "verified")] * 4
    # ECDHE connections: the client's CertificateVerify (GmSSL form: SM2 over the messages) verifies
    cv = results(ev, "proto.tls.certificate_verify")
    assert [(r["status"], r["measurements"]["signed"]) for r in cv] == [("pass", "messages")] * 2
    assert all("lab TLCP client" in r["measurements"]["signer"] for r in cv)
    # chain and pair checks run once per distinct certificate list (the server's on #1, the client's on #3)
    pairs = results(ev, "cert.pair.tlcp")
    assert [p["subject"].split(" ", 1)[1] for p in pairs] == ["#1 server TLCP pair", "#3 client TLCP pair"] and all(r["status"] == "pass" for r in pairs)
    anchors = [r for r in results(ev, "cert.path.anchor") if "server" in r["subject"]]
    assert len(anchors) == 1 and all(r["status"] == "pass" for r in anchors)
    assert code in (0, 1)  # the lab certificates lack AKI/SKI: the cert lint reports that


def test_tls12_sm_gmssl() -> None:
    """TLS 1.2 (record 0x0303) with SM suites E011/E051: keyed on the version, not the suite."""
    _, ev = analyze(str(PCAPS / "tls12_sm_gmssl.pcap"), "--no-cert-checks")
    assert _suites(ev) == [("TLS", "TLS 1.2", "0xE011"), ("TLS", "TLS 1.2", "0xE051")]
    for c in channels(ev):
        assert c["server_key_exchange"]["named_curve"]["name"] == "curveSM2"
        assert c["server_key_exchange"]["signature_algorithm"] == {"id": "0x0708", "name": "sm2sig_sm3"}
        assert "curveSM2" in c["offered"]["supported_groups"]
        assert "sm2sig_sm3" in c["offered"]["signature_algorithms"]
        assert c["verdict"] == "gm_compliant"
    assert [r["measurements"]["outcome"] for r in results(ev, "proto.tls.ske_signature")] == ["verified", "verified"]


def test_rfc8998_tls13() -> None:
    """TLS 1.3 with TLS_SM4_GCM_SM3 (0x00C6) and TLS_SM4_CCM_SM3 (0x00C7), key share curveSM2."""
    _, ev = analyze(str(PCAPS / "rfc8998_tls13_sm_gmssl.pcap"))
    assert _suites(ev) == [("TLS", "TLS 1.3", "0x00C6"), ("TLS", "TLS 1.3", "0x00C7")]
    for c in channels(ev):
        assert c["key_share_group"] == "curveSM2"
        assert "sm2sig_sm3" in c["offered"]["signature_algorithms"]
        assert c["verdict"] == "gm_compliant"
        assert c["handshake_completed"]


def test_tls_tcp_frag_reassembly() -> None:
    """gzip pcap: ServerHello/Certificate/SKE/ServerHelloDone split across segments, suite 0xC027."""
    _, ev = analyze(str(PCAPS / "tls_tcp_frag.pcap.gz"), "--no-cert-checks")
    (c,) = channels(ev)
    assert c["cipher_suite"] == {"id": "0xC027", "name": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"}
    assert c["handshake_messages"]["server"] == ["server_hello", "certificate", "server_key_exchange", "server_hello_done"]
    assert len(c["certificates"]) == 2
    assert c["server"].endswith(":443")
    assert c["verdict"] == "undetermined"  # the capture stops before the handshake completes
    (summary,) = results(ev, "proto.capture.summary")
    assert summary["measurements"]["format"] == "pcap (gzip)"


def test_tls_new_session_ticket() -> None:
    """12 server-side packets of TLS 1.2 session-ticket handshakes: no hellos, so undetermined."""
    _, ev = analyze(str(PCAPS / "tls_new-session-ticket.pcap"))
    chans = channels(ev)
    assert len(chans) == 12
    for c in chans:
        assert c["server"].endswith(":443")
        assert c["handshake_messages"]["server"] == ["new_session_ticket"]
        assert c["record_versions"] == ["TLS 1.2"]
        assert c["verdict"] == "undetermined"


def _ike(ev: dict) -> list[dict]:
    return [r["measurements"] for r in results(ev, "proto.ike.exchange")]


def test_ikev2_psk_esp_natt() -> None:
    """IKEv2: AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, IKE_AUTH on 4500, ESP in UDP, 3 ping pairs."""
    _, ev = analyze(str(PCAPS / "ikev2_psk_esp_natt.pcap"))
    (ike,) = _ike(ev)
    assert ike["protocol"] == "IKEv2" and ike["established"] and ike["nat_traversal"]
    selected = {(t["type"], t["name"], t.get("key_length")) for t in ike["selected"][0]["transforms"]}
    assert selected == {("ENCR", "ENCR_AES_CBC", 256), ("INTEG", "AUTH_HMAC_SHA2_256_128", None), ("PRF", "PRF_HMAC_SHA2_256", None), ("DH", "MODP_2048", None)}
    exchanges = [e["exchange"] for e in ike["exchanges"]]
    assert exchanges[:2] == ["IKE_SA_INIT", "IKE_AUTH"] and "INFORMATIONAL" in exchanges
    assert ike["verdict"] == "strong_not_gm"
    (esp,) = [r for r in results(ev, "proto.esp.channel")]
    m = esp["measurements"]
    assert m["encapsulation"] == "UDP 4500 (RFC 3948)"
    assert len(m["spis"]) == 2 and all(s["packets"] == 3 for s in m["spis"])
    assert m["ike_exchange"] == ike["initiator_spi"]
    assert m["randomness"]["outcome"] == "random" and esp["status"] == "pass"


def test_ikev1_main_psk_esp_natt() -> None:
    """IKEv1 Main Mode PSK (AES-128 / SHA1 / group 14), Quick Mode, ESP in UDP 4500, delete notifications."""
    _, ev = analyze(str(PCAPS / "ikev1_main_psk_esp_natt.pcap"))
    (ike,) = _ike(ev)
    assert ike["protocol"] == "IKEv1" and ike["mode"] == "main" and ike["quick_mode"] and ike["established"]
    attrs = {a["name"]: a.get("value_name", a["value"]) for a in ike["selected"][0]["transforms"][0]["attributes"]}
    assert attrs["Encryption Algorithm"] == "AES-CBC" and attrs["Key Length"] == 128
    assert attrs["Hash Algorithm"] == "SHA" and attrs["Group Description"] == "MODP_2048"
    assert attrs["Authentication Method"] == "pre-shared key"
    (esp,) = [r["measurements"] for r in results(ev, "proto.esp.channel")]
    assert sorted(s["packets"] for s in esp["spis"]) == [3, 3]


def test_ike_scan_main_handshake() -> None:
    """One main-mode offer and the responder's SA reply (AES-128, SHA1, PSK, group 14, 28800 s) + XAUTH, DPD VIDs."""
    _, ev = analyze(str(PCAPS / "ike-scan_main_handshake.pcap"))
    (ike,) = _ike(ev)
    attrs = {a["name"]: a.get("value_name", a["value"]) for a in ike["selected"][0]["transforms"][0]["attributes"]}
    assert attrs == {
        "Encryption Algorithm": "AES-CBC",
        "Key Length": 128,
        "Hash Algorithm": "SHA",
        "Authentication Method": "pre-shared key",
        "Group Description": "MODP_2048",
        "Life Type": "seconds",
        "Life Duration": 28800,
    }
    assert {v["name"] for v in ike["vendor_ids"]} >= {"XAUTH", "Dead Peer Detection v1.0"}


def test_ike_scan_probes() -> None:
    """NO-PROPOSAL-CHOSEN (v1 and v2) and AUTHENTICATION-FAILED for the aggressive probe."""
    _, ev = analyze(str(PCAPS / "ike-scan_probes_vs_charon.pcap"))
    got = [(m["protocol"], m.get("mode"), [n["name"] for n in m["notifies"]]) for m in _ike(ev)]
    assert got == [
        ("IKEv1", "main", ["no_proposal_chosen"]),
        ("IKEv1", "main", ["no_proposal_chosen"]),
        ("IKEv1", "aggressive", ["authentication_failed"]),
        ("IKEv2", None, ["no_proposal_chosen"]),
    ]
    assert all(m["verdict"] == "undetermined" and not m["established"] for m in _ike(ev))


def test_gm_style_ikev1_proposal() -> None:
    """Synthetic GM/T 0022-style offer: SM4-CBC (129) / SM1-CBC (128), SM3 (20), envelope (10), SM2 (attr 20 = 2)."""
    _, ev = analyze(str(PCAPS / "ikev1_gm0022_style_proposal_ike-scan.pcap"))
    (ike,) = _ike(ev)
    transforms = ike["proposals"][0]["transforms"]
    assert len(transforms) == 2
    named = [{a["name"]: a.get("value_name", a["value"]) for a in t["attributes"]} for t in transforms]
    assert [n["Encryption Algorithm"] for n in named] == ["SM4-CBC", "SM1-CBC"]
    for n in named:
        assert n["Hash Algorithm"] == "SM3"
        assert n["Authentication Method"] == "digital envelope (GM/T 0022)"
        assert n["Asymmetric Cryptographic Algorithm Type"] == "SM2"
        assert n["Life Duration"] == 28800
    assert [n["name"] for n in ike["notifies"]] == ["no_proposal_chosen"]
    assert ike["verdict"] == "undetermined"
    assert any("GM/T 0022" in r for r in ike["reasons"])


def test_ikev2_notify_redirect() -> None:
    """IKEv2 IKE_SA_INIT with REDIRECT notifies (scapy test capture)."""
    _, ev = analyze(str(PCAPS / "ikev2_notify_redirect.pcap"))
    notifies = [n["name"] for m in _ike(ev) for n in m["notifies"]]
    assert "redirect_supported" in notifies and "redirect" in notifies and "redirected_from" in notifies


def test_several_captures_in_one_run() -> None:
    """Several captures: each is an input with its own digest, results in input order."""
    files = [str(PCAPS / "tls12_sm_gmssl.pcap"), str(PCAPS / "ikev1_main_psk_esp_natt.pcap")]
    _, ev = analyze(*files, "--no-cert-checks")
    assert [i["name"] for i in ev["inputs"]] == files
    assert ev["summary"]["tls_connections"] == 2 and ev["summary"]["ike_exchanges"] == 1 and ev["summary"]["esp_channels"] == 1
    summaries = results(ev, "proto.capture.summary")
    assert [s["subject"] for s in summaries] == files
