"""Demo runs of ``mptool proto analyze`` on the bundled captures (vectors/pcaps)."""

from __future__ import annotations

from mptool.core.demo import DemoRun
from mptool.core.bundled import data_path


def demo_runs() -> list[DemoRun]:
    """An analyze run on the GmSSL TLCP capture (4 suites, SM2 pair, SKE signatures), one on IKE/ESP,
    one on SSH and one on the GM/T 0022 lab capture with its key log."""
    pcaps = data_path("pcaps")
    return [
        DemoRun(
            "proto-analyze-tlcp",
            "TLCP capture: 4 connections (ECC/ECDHE, SM4-CBC/GCM), SM2 certificates, SKE signatures verified",
            ["proto", "analyze", str(pcaps / "tlcp_gmssl_4suites.pcap"), "--trust", str(pcaps / "tlcp_lab_root_ca.pem")],
        ),
        DemoRun(
            "proto-analyze-ipsec",
            "IKEv1 main/quick mode with ESP-in-UDP, and a GM/T 0022-style IKEv1 offer",
            ["proto", "analyze", str(pcaps / "ikev1_main_psk_esp_natt.pcap"), str(pcaps / "ikev1_gm0022_style_proposal_ike-scan.pcap")],
        ),
        DemoRun(
            "proto-analyze-ssh",
            "SSH capture: OpenSSH with default algorithms and with DH group 1 / ssh-rsa / CBC (DEV-RMGT, DEV-AUTH)",
            ["proto", "analyze", str(pcaps / "ssh_openssh_modern_legacy.pcap")],
        ),
        DemoRun(
            "proto-analyze-gm-ipsec",
            "GM/T 0022 IPSec VPN (mptool's own lab: serve --ike / probe --ike --full): envelope, SM2 certificates, HASHes verified and ESP decrypted with the key log",
            ["proto", "analyze", str(pcaps / "gm0022_lab_ike_esp.pcap"), "--ike-keylog", str(pcaps / "gm0022_lab_ike_esp.keys")],
        ),
    ]
