"""Fresh IKE/ESP captures with real peers: strongSwan charon in two network namespaces, ike-scan.

Known answers come from the peers themselves: the IKE and CHILD_SA proposals and the ESP SPIs
that ``swanctl --initiate`` prints, and the attributes ike-scan was told to send.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from support.proto_captures import analyze, results
from support.ipsec import charon, netns_pair, swanctl_conf
from support.peers import require, tcpdump

pytestmark = pytest.mark.network

PROFILES = {
    1: ("aes128-sha1-modp2048", "aes128-sha256"),
    2: ("aes256-sha256-modp2048", "aes128gcm16"),
}


def _net(addr: str) -> str:
    return addr.rsplit(".", 1)[0] + ".0/24"


@pytest.fixture(params=[1, 2], ids=["ikev1", "ikev2"])
def ipsec_capture(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[int, Path, str, Path | None]:
    """Initiate IKEv1 or IKEv2 + ESP between two namespaces, ping through the tunnel, capture on the veth.

    For IKEv1 also capture an ike-scan GM/T 0022-style offer against the responder.
    """
    version = request.param
    ike, esp = PROFILES[version]
    with netns_pair(f"mpa{version}") as p:
        east_conf = swanctl_conf(version, p.east_ip, p.west_ip, "east", "west", _net(p.east_net), _net(p.west_net), ike, esp)
        west_conf = swanctl_conf(version, p.west_ip, p.east_ip, "west", "east", _net(p.west_net), _net(p.east_net), ike, esp)
        pcap = tmp_path / f"ikev{version}.pcap"
        with charon(p.east, tmp_path / "east", east_conf), charon(p.west, tmp_path / "west", west_conf) as west:
            with tcpdump(pcap, "udp or esp", interface=p.west_if, netns=p.west):
                initiated = west.swanctl("--initiate", "--child", "net")
                assert initiated.returncode == 0, initiated.stdout.decode(errors="replace")[-2000:]
                ping = subprocess.run(["ip", "netns", "exec", p.west, "ping", "-c", "3", "-i", "0.2", "-I", p.west_net, p.east_net], capture_output=True, timeout=30)
                assert ping.returncode == 0, ping.stdout
                west.swanctl("--terminate", "--ike", "net")
            gm_pcap = None
            if version == 1:
                gm_pcap = tmp_path / "gm_offer.pcap"
                require("ike-scan")
                with tcpdump(gm_pcap, "udp port 500", interface=p.west_if, netns=p.west):
                    scan = subprocess.run(
                        ["ip", "netns", "exec", p.west, "ike-scan", "--sport=0", "-M",
                         "--trans=(1=129,2=20,3=10,20=2,11=1,12=28800)", "--trans=(1=128,2=20,3=10,20=2,11=1,12=28800)", p.east_ip],
                        capture_output=True, timeout=60,
                    )
                    assert b"NO-PROPOSAL-CHOSEN" in scan.stdout, scan.stdout
        return version, pcap, initiated.stdout.decode(errors="replace"), gm_pcap


def test_ike_and_esp_from_charon(ipsec_capture: tuple[int, Path, str, Path | None]) -> None:
    version, pcap, log, gm_pcap = ipsec_capture
    _, ev = analyze(str(pcap))
    (ike,) = [r["measurements"] for r in results(ev, "proto.ike.exchange")]
    assert ike["protocol"] == f"IKEv{version}" and ike["established"] and ike["nat_traversal"]
    # the IKE proposal charon selected, as it printed it
    selected_ike = re.search(r"selected proposal: IKE:(\S+)", log).group(1)  # type: ignore[union-attr]
    transforms = ike["selected"][0]["transforms"]
    if version == 2:
        names = {t["name"] + (f"_{t['key_length']}" if "key_length" in t else "") for t in transforms}
        expected = {"ENCR_" + selected_ike.split("/")[0], "AUTH_" + selected_ike.split("/")[1], selected_ike.split("/")[2], selected_ike.split("/")[3]}
        assert names == expected, (names, selected_ike)
        assert [e["exchange"] for e in ike["exchanges"]][:2] == ["IKE_SA_INIT", "IKE_AUTH"]
    else:
        assert selected_ike == "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048"
        attrs = {a["name"]: a.get("value_name", a["value"]) for a in transforms[0]["attributes"]}
        assert (attrs["Encryption Algorithm"], attrs["Key Length"], attrs["Hash Algorithm"], attrs["Group Description"]) == ("AES-CBC", 128, "SHA", "MODP_2048")
        assert ike["mode"] == "main" and ike["quick_mode"]
    assert ike["verdict"] == "strong_not_gm"
    # the ESP SPIs charon printed: "CHILD_SA net{1} established with SPIs 8059f832_i 040f6f6d_o"
    spis = re.search(r"with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o", log)
    assert spis, log[-1000:]
    (esp,) = results(ev, "proto.esp.channel")
    m = esp["measurements"]
    assert {s["spi"] for s in m["spis"]} == {f"0x{spis.group(1).upper()}", f"0x{spis.group(2).upper()}"}
    assert all(s["packets"] >= 1 for s in m["spis"])
    assert m["encapsulation"] == "UDP 4500 (RFC 3948)"
    assert m["ike_exchange"] == ike["initiator_spi"]
    assert m["randomness"]["outcome"] == "random" and esp["status"] == "pass"
    if gm_pcap is not None:
        _, gm = analyze(str(gm_pcap))
        (offer,) = [r["measurements"] for r in results(gm, "proto.ike.exchange")]
        named = [{a["name"]: a.get("value_name", a["value"]) for a in t["attributes"]} for t in offer["proposals"][0]["transforms"]]
        assert [n["Encryption Algorithm"] for n in named] == ["SM4-CBC", "SM1-CBC"]
        assert all(n["Hash Algorithm"] == "SM3" and n["Authentication Method"] == "digital envelope (GM/T 0022)" and n["Asymmetric Cryptographic Algorithm Type"] == "SM2" for n in named)
        assert [n["name"] for n in offer["notifies"]] == ["no_proposal_chosen"]
        assert offer["verdict"] == "undetermined"
