"""ID tables against the values the standards define (RFC 8998, 8446, 5246, 8701, 2408, 7296,
2409, GB/T 38636 as listed in docs/proto.md)."""

from __future__ import annotations

import pytest

from mptool.proto.registry import ipsec
from mptool.proto.registry import tls as ids


@pytest.mark.parametrize(
    ("suite", "name"),
    [
        (0x00C6, "TLS_SM4_GCM_SM3"),  # RFC 8998 §3.1
        (0x00C7, "TLS_SM4_CCM_SM3"),
        (0x1301, "TLS_AES_128_GCM_SHA256"),  # RFC 8446 B.4
        (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),  # RFC 5289
        (0xE001, "ECDHE_SM1_SM3"),  # GB/T 38636 (protocols.md §1.3)
        (0xE013, "ECC_SM4_CBC_SM3"),
        (0xE051, "ECDHE_SM4_GCM_SM3"),
        (0xE05A, "RSA_SM4_GCM_SHA256"),
    ],
)
def test_suite_names(suite: int, name: str) -> None:
    assert ids.suite_name(suite) == name
    assert ids.suite_id(name) == suite


def test_every_tlcp_suite_of_the_spec() -> None:
    assert sorted(ids.TLCP_CIPHER_SUITES) == [
        0xE001, 0xE003, 0xE005, 0xE007, 0xE009, 0xE00A, 0xE011, 0xE013, 0xE015, 0xE017, 0xE019, 0xE01A, 0xE01C,
        0xE051, 0xE053, 0xE055, 0xE057, 0xE059, 0xE05A,
    ]
    assert all(ids.suite_info(s).gm for s in (0xE011, 0xE013, 0xE051, 0xE053, 0xE001, 0xE015, 0xE057))
    assert not any(ids.suite_info(s).gm for s in (0xE019, 0xE01A, 0xE01C, 0xE059, 0xE05A))  # RSA: not SM2


def test_aliases_map_to_ids() -> None:
    assert ids.suite_id("ECC-SM2-SM4-GCM-SM3") == 0xE053  # Tongsuo
    assert ids.suite_id("SM2-WITH-SMS4-SM3") == 0xE013  # GmSSL 2
    assert ids.suite_id("ECDHE_SM4_SM3") == 0xE011  # older GM/T 0024 text


def test_other_tables() -> None:
    assert ids.version_name(0x0101) == "TLCP 1.1" and ids.version_name(0x0304) == "TLS 1.3"
    assert ids.group_name(41) == "curveSM2" and ids.group_name(0x001E) == "x448"
    assert ids.signature_scheme_name(0x0708) == "sm2sig_sm3"
    assert ids.extension_name(0) == "server_name" and ids.extension_name(43) == "supported_versions"
    assert [ids.alert_name(c) for c in (0, 40, 42, 70, 71, 200, 205)] == [
        "close_notify", "handshake_failure", "bad_certificate", "protocol_version", "insufficient_security", "unsupported_site2site", "identity_need",
    ]
    assert ids.is_grease(0x0A0A) and ids.is_grease(0xFAFA) and not ids.is_grease(0x0A0B)
    assert ipsec.IKEV1_NOTIFY[14] == ipsec.IKEV2_NOTIFY[14] == "no_proposal_chosen"
    assert ipsec.IKEV1_NOTIFY[24] == ipsec.IKEV2_NOTIFY[24] == "authentication_failed"
    assert ipsec.IKEV1_ENCRYPTION[129] == "SM4-CBC" and ipsec.IKEV1_ENCRYPTION[128] == "SM1-CBC" and ipsec.IKEV1_HASH[20] == "SM3"
    assert ipsec.IKEV1_ASYMMETRIC == {1: "RSA", 2: "SM2"}
    assert ipsec.IKEV2_ENCR[12] == "ENCR_AES_CBC" and ipsec.IKEV2_INTEG[12] == "AUTH_HMAC_SHA2_256_128" and ipsec.DH_GROUPS[14] == "MODP_2048"
    assert ipsec.name_or_unknown(ipsec.IKEV1_ENCRYPTION, 65006) == "private/unknown (65006)"
