"""``mptool proto probe --ike`` against strongSwan charon in network namespaces the test creates.

The responder runs in the east namespace (tests/support/ipsec.py); the probe, ike-scan (the
outside oracle) and tcpdump run in the west namespace. The probe's own IKEv1 offer is read
back from the capture with scapy's ISAKMP dissector to check the GM/T 0022 attribute encoding.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import validate_evidence
from support.ipsec import charon, ike_connection, netns_pair, psk_secret, swanctl_text
from support.peers import require

pytestmark = pytest.mark.network

#: The responder's configured IKE proposals (the ground truth of the probe test).
PROPOSALS = {1: "aes256-sha256-modp2048, aes128-sha1-modp2048", 2: "aes256-sha256-modp2048, aes128gcm16-prfsha256-ecp256"}


def responder_conf(local: str, net: str) -> str:
    """swanctl.conf: one PSK connection per IKE version with PROPOSALS."""
    connections = {f"v{v}": ike_connection(v, local, p, {"auth": "psk", "id": "east"}, {"auth": "psk"}, {"c": {"local_ts": net}}) for v, p in PROPOSALS.items()}
    return swanctl_text({"connections": connections, "secrets": psk_secret("mptool probe test, namespaces only")})


def _probe_in(netns: str, target: str, *extra: str) -> tuple[int, dict, str]:
    cmd = ["ip", "netns", "exec", netns, sys.executable, "-m", "mptool", "proto", "probe", target, "--ike", "--timeout", "2", "-f", "json", *extra]
    done = subprocess.run(cmd, capture_output=True, timeout=120)
    return done.returncode, validate_evidence(done.stdout.decode()), done.stderr.decode()


def _ike_scan(netns: str, target: str, transform: str, ikev2: bool = False) -> str:
    require("ike-scan")
    cmd = ["ip", "netns", "exec", netns, "ike-scan", "--sport=0", "--retry=2", "--timeout=1000"]
    cmd += ["--ikev2", f"--trans={transform}"] if ikev2 else ["-M", f"--trans={transform}"]
    return subprocess.run([*cmd, target], capture_output=True, text=True, timeout=60).stdout


@pytest.fixture(scope="module")
def responder(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("ike")
    with netns_pair("mpa") as pair:
        conf = responder_conf(pair.east_ip, f"{pair.east_net}/24")
        # Every accepted offer leaves a half-open SA; strongSwan drops a peer with more than
        # block_threshold (default 5) of them, which would hide the ike-scan cross-checks.
        with charon(pair.east, workdir / "east", conf, options="    block_threshold = 100"):
            yield pair, workdir


def test_ike_probe_lists_what_charon_accepts(responder) -> None:
    pair, workdir = responder
    code, evidence, err = _probe_in(pair.west, pair.east_ip)
    assert code == 0, err
    v1, v2 = [r for r in evidence["results"] if r["check"] == "proto.probe.ike"]
    assert v1["subject"] == f"{pair.east_ip}:500 IKEv1" and v2["subject"] == f"{pair.east_ip}:500 IKEv2"
    # IKEv1: the two configured proposals, each answered with PSK, in the responder's order
    assert v1["measurements"]["protocol"] == "IKEv1" and v1["measurements"]["versions"] == ["IKEv1"]
    assert [s["id"].split(",11=")[0] for s in v1["measurements"]["accepted_suites"]] == ["1=7,14=256,2=4,3=1,4=14", "1=7,14=128,2=2,3=1,4=14"]
    assert v1["measurements"]["answers"][-1] == "no_proposal_chosen"
    assert [f["code"] for f in v1["findings"] if f["code"] == "proto.probe.ike.weak_transform"] == ["proto.probe.ike.weak_transform"]  # SHA-1
    assert v1["status"] == "warn"
    # IKEv2: both configured proposals (the ECP-256 one after INVALID_KE_PAYLOAD)
    assert sorted(s["id"] for s in v2["measurements"]["accepted_suites"]) == ["ENCR=12/256,PRF=5,INTEG=12,DH=14", "ENCR=20/128,PRF=5,DH=19"]
    assert "INVALID_KE_PAYLOAD" in v2["measurements"]["answers"] and v2["measurements"]["answers"][-1] == "no_proposal_chosen"
    # one vocabulary (issue 14): AES/SHA-2 is strong but not GM, as proto analyze says; PSK/SHA-1 IKEv1 too
    assert v2["status"] == "warn" and v2["measurements"]["verdict"] == "strong_not_gm"
    assert {s["verdict"] for s in v2["measurements"]["accepted_suites"]} == {"strong_not_gm"}
    assert {i["id"]: i["verdict"] for i in v2["measurements"]["indicators"]}["NET-CONF"] == "strong_not_gm"
    assert v1["measurements"]["verdict"] == "strong_not_gm"
    assert "NET-AUTH: pre-shared key: no certificate-based (SM2) authentication" in v1["measurements"]["reasons"]
    assert all(r["measurements"]["handshake_completed"] is False for r in (v1, v2))

    # Oracle: ike-scan agrees on what is accepted and what is not.
    assert "Main Mode Handshake returned" in _ike_scan(pair.west, pair.east_ip, "7/256,4,1,14")
    assert "Main Mode Handshake returned" in _ike_scan(pair.west, pair.east_ip, "7/128,2,1,14")
    assert "NO-PROPOSAL-CHOSEN" in _ike_scan(pair.west, pair.east_ip, "5,1,1,2")
    assert "NO-PROPOSAL-CHOSEN" in _ike_scan(pair.west, pair.east_ip, "129,20,10,14")


def test_ikev1_offer_decodes_with_scapy() -> None:
    """The IKEv1 offer as scapy's ISAKMP dissector reads it: every candidate, GM/T 0022 ones included."""
    from scapy.all import ISAKMP, ISAKMP_payload_Transform  # type: ignore[attr-defined]

    from mptool.proto.probe.ike import ikev1_candidates, ikev1_main_mode

    message = ISAKMP(ikev1_main_mode(b"\x01" * 8, ikev1_candidates()))
    assert message.version == 0x10 and message.exch_type == 2 and message.resp_cookie == b"\x00" * 8
    assert message.payload.doi == 1 and message.payload.prop.trans_nb == 51
    transforms = []
    transform = message.payload.prop.trans
    while isinstance(transform, ISAKMP_payload_Transform):
        transforms.append(dict(transform.transforms))
        transform = transform.payload
    assert len(transforms) == 51
    assert transforms[0] == {"Encryption": "AES-CBC", "KeyLength": 256, "Hash": "SHA2-256", "Authentication": "PSK", "GroupDesc": "2048MODPgr", "LifeType": "Seconds", "LifeDuration": 28800}
    gm = [t for t in transforms if t.get("Encryption") in (127, 128, 129)]  # scapy has no names for the SM values
    assert [t["Encryption"] for t in gm] == [129, 128, 127]
    assert all(t["Hash"] == 20 and t["Authentication"] == 10 and t[20] == 2 and "GroupDesc" not in t for t in gm)


def test_ikev2_offer_decodes_with_scapy() -> None:
    from scapy.contrib.ikev2 import IKEv2, IKEv2_KE, IKEv2_Proposal, IKEv2_SA, IKEv2_Transform  # type: ignore[import-untyped]

    from mptool.proto.probe.ike import ikev2_candidates, ikev2_sa_init

    candidates = ikev2_candidates()
    message = IKEv2(ikev2_sa_init(b"\x02" * 8, candidates, 19))
    assert message.exch_type == 34 and message.flags == 0x08
    proposals = []
    proposal = message[IKEv2_SA].prop
    while isinstance(proposal, IKEv2_Proposal):
        transforms, transform = [], proposal.trans
        while isinstance(transform, IKEv2_Transform):
            transforms.append((transform.getfieldval("transform_type"), transform.getfieldval("transform_id"), transform.getfieldval("key_length")))
            transform = transform.payload
        proposals.append((proposal.proposal, transforms))
        proposal = proposal.payload
    assert [number for number, _ in proposals] == list(range(1, len(candidates) + 1))
    assert [(t, i) for t, i, _ in proposals[0][1]] == [(1, 12), (2, 5), (3, 12), (4, 14)]
    assert proposals[0][1][0][2] == 0x800E0100  # scapy keeps the whole TV attribute: Key Length (14) = 256
    assert message[IKEv2_KE].group == 19 and len(message[IKEv2_KE].ke) == 64  # ECP-256 x || y


def test_ike_probe_of_a_silent_port_is_an_error(responder) -> None:
    pair, _ = responder
    code, evidence, _ = _probe_in(pair.west, f"{pair.east_ip}:4999", "--time-limit", "10")
    assert code == 4
    for result in evidence["results"]:
        assert result["status"] == "error"
        assert [f["code"] for f in result["findings"]] in (["proto.probe.refused"], ["proto.probe.timeout"])


def test_ike_with_tls_is_a_usage_error() -> None:
    from conftest import run_cli

    result = run_cli(["proto", "probe", "127.0.0.1", "--ike", "--tls"])
    assert result.exit_code == 2 and "--ike" in result.stderr


def test_ike_evidence_json_is_valid(responder) -> None:
    pair, _ = responder
    _, evidence, _ = _probe_in(pair.west, pair.east_ip, "--max-connections", "1")
    json.dumps(evidence)
    v1 = [r for r in evidence["results"] if r["measurements"]["protocol"] == "IKEv1"][0]
    assert v1["measurements"]["connections"] == 1
    assert "proto.probe.budget_exhausted" in [f["code"] for f in evidence["results"][1]["findings"]]


