"""IKE / IPsec identifier tables: IKEv1 and IKEv2 exchanges, payloads, transforms, attributes,
notify messages, DH groups and ESP transforms, with their names.

Sources (facts only; see docs/proto.md): RFC 2407/2408/2409 and the IANA "IPSEC Registry" for
IKEv1, RFC 7296 and the IANA "IKEv2 Parameters" registry for IKEv2, GM/T 0022-2014 (as
reported in docs/proto.md) for the SM values of IKEv1. Notify names are given in the
``snake_case`` form scripts match on (``no_proposal_chosen``). TLS/TLCP tables:
:mod:`mptool.proto.registry.tls`.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- IKE / IPsec

ISAKMP_PORTS = (500, 4500)

IKEV1_EXCHANGES: dict[int, str] = {
    1: "Base",
    2: "Identity Protection (Main Mode)",
    3: "Authentication Only",
    4: "Aggressive",
    5: "Informational",
    6: "Transaction (Mode Config)",
    32: "Quick Mode",
    33: "New Group Mode",
}

IKEV2_EXCHANGES: dict[int, str] = {
    34: "IKE_SA_INIT",
    35: "IKE_AUTH",
    36: "CREATE_CHILD_SA",
    37: "INFORMATIONAL",
    38: "IKE_SESSION_RESUME",
    43: "IKE_INTERMEDIATE",
    44: "IKE_FOLLOWUP_KE",
}

IKEV1_PAYLOADS: dict[int, str] = {
    1: "SA", 2: "P", 3: "T", 4: "KE", 5: "ID", 6: "CERT", 7: "CR", 8: "HASH", 9: "SIG",
    10: "NONCE", 11: "N", 12: "D", 13: "VID", 14: "ATTR", 15: "SAK", 20: "NAT-D", 21: "NAT-OA",
    130: "NAT-D (draft)", 131: "NAT-OA (draft)", 132: "FRAG",
}

#: GM/T 0022 (ISAKMP version 1.1): payload 128 is the symmetric-key payload (Sk under the peer's SM2 encryption key).
GM_SYMMETRIC_KEY_PAYLOAD = 128
GM_IKEV1_PAYLOADS: dict[int, str] = {**IKEV1_PAYLOADS, GM_SYMMETRIC_KEY_PAYLOAD: "SK (symmetric key, GM/T 0022)"}
#: GM/T 0022 CERT encodings: 4 signing certificate, 5 encryption certificate.
GM_CERT_ENCODINGS: dict[int, str] = {4: "signing", 5: "encryption"}

IKEV2_PAYLOADS: dict[int, str] = {
    33: "SA", 34: "KE", 35: "IDi", 36: "IDr", 37: "CERT", 38: "CERTREQ", 39: "AUTH",
    40: "Nonce", 41: "N", 42: "D", 43: "V", 44: "TSi", 45: "TSr", 46: "SK", 47: "CP",
    48: "EAP", 49: "GSPM", 53: "SKF",
}

PROTOCOL_IDS: dict[int, str] = {1: "ISAKMP", 2: "AH", 3: "ESP", 4: "IPCOMP"}

#: IKEv1 phase-1 attribute types (RFC 2409 App. A; 20 from GM/T 0022).
IKEV1_ATTRIBUTES: dict[int, str] = {
    1: "Encryption Algorithm",
    2: "Hash Algorithm",
    3: "Authentication Method",
    4: "Group Description",
    5: "Group Type",
    6: "Group Prime/Irreducible Polynomial",
    7: "Group Generator One",
    8: "Group Generator Two",
    9: "Group Curve A",
    10: "Group Curve B",
    11: "Life Type",
    12: "Life Duration",
    13: "PRF",
    14: "Key Length",
    15: "Field Size",
    16: "Group Order",
    20: "Asymmetric Cryptographic Algorithm Type",
}

IKEV1_ENCRYPTION: dict[int, str] = {
    1: "DES-CBC",
    2: "IDEA-CBC",
    3: "Blowfish-CBC",
    4: "RC5-R16-B64-CBC",
    5: "3DES-CBC",
    6: "CAST-CBC",
    7: "AES-CBC",
    8: "CAMELLIA-CBC",
    127: "SM4-CBC (deprecated GM value)",
    128: "SM1-CBC",
    129: "SM4-CBC",
}

IKEV1_HASH: dict[int, str] = {
    1: "MD5", 2: "SHA", 3: "Tiger", 4: "SHA2-256", 5: "SHA2-384", 6: "SHA2-512", 20: "SM3",
}

#: Authentication methods. 10 is "ECDSA with SHA-384" (RFC 4754) in the IANA registry and the
#: digital-envelope method in GM/T 0022; which one applies depends on the other attributes.
IKEV1_AUTH_METHODS: dict[int, str] = {
    1: "pre-shared key",
    2: "DSS signatures",
    3: "RSA signatures",
    4: "Encryption with RSA",
    5: "Revised encryption with RSA",
    8: "ECDSA with SHA-256 (deprecated value)",
    9: "ECDSA with SHA-256",
    10: "ECDSA with SHA-384",
    11: "ECDSA with SHA-512",
    64221: "HybridInitRSA",
    64222: "HybridRespRSA",
    64223: "HybridInitDSS",
    64224: "HybridRespDSS",
    65001: "XAUTHInitPreShared",
    65002: "XAUTHRespPreShared",
    65003: "XAUTHInitDSS",
    65004: "XAUTHRespDSS",
    65005: "XAUTHInitRSA",
    65006: "XAUTHRespRSA",
    65007: "XAUTHInitRSAEncryption",
    65008: "XAUTHRespRSAEncryption",
    65009: "XAUTHInitRSARevisedEncryption",
    65010: "XAUTHRespRSARevisedEncryption",
}
GM_DIGITAL_ENVELOPE = 10
GM_DIGITAL_ENVELOPE_NAME = "digital envelope (GM/T 0022)"

IKEV1_ASYMMETRIC: dict[int, str] = {1: "RSA", 2: "SM2"}

IKEV1_LIFE_TYPES: dict[int, str] = {1: "seconds", 2: "kilobytes"}

#: Diffie-Hellman groups (IKEv1 Group Description and IKEv2 transform type 4 share the registry).
DH_GROUPS: dict[int, str] = {
    0: "NONE",
    1: "MODP_768",
    2: "MODP_1024",
    5: "MODP_1536",
    14: "MODP_2048",
    15: "MODP_3072",
    16: "MODP_4096",
    17: "MODP_6144",
    18: "MODP_8192",
    19: "ECP_256",
    20: "ECP_384",
    21: "ECP_521",
    22: "MODP_1024_160",
    23: "MODP_2048_224",
    24: "MODP_2048_256",
    25: "ECP_192",
    26: "ECP_224",
    27: "ECP_224_BP",
    28: "ECP_256_BP",
    29: "ECP_384_BP",
    30: "ECP_512_BP",
    31: "CURVE_25519",
    32: "CURVE_448",
    33: "GOST3410_2012_256",
    34: "GOST3410_2012_512",
    35: "ML_KEM_512",
    36: "ML_KEM_768",
    37: "ML_KEM_1024",
}

#: IPsec DOI phase-2 attribute types (RFC 2407 §4.5).
IPSEC_ATTRIBUTES: dict[int, str] = {
    1: "SA Life Type",
    2: "SA Life Duration",
    3: "Group Description",
    4: "Encapsulation Mode",
    5: "Authentication Algorithm",
    6: "Key Length",
    7: "Key Rounds",
    8: "Compress Dictionary Size",
    9: "Compress Private Algorithm",
    10: "ECN Tunnel",
    11: "Extended (64-bit) Sequence Number",
}

#: Phase-2 Authentication Algorithm values; 20 HMAC-SM3 is reported for GM/T 0022, unconfirmed.
IPSEC_AUTH_ALGORITHMS: dict[int, str] = {
    1: "HMAC-MD5",
    2: "HMAC-SHA",
    3: "DES-MAC",
    4: "KPDK",
    5: "HMAC-SHA2-256",
    6: "HMAC-SHA2-384",
    7: "HMAC-SHA2-512",
    8: "HMAC-RIPEMD",
    9: "AES-XCBC-MAC",
    10: "SIG-RSA",
    11: "AES-128-GMAC",
    12: "AES-192-GMAC",
    13: "AES-256-GMAC",
    20: "HMAC-SM3 (GM/T 0022, reported)",
}

ENCAPSULATION_MODES: dict[int, str] = {
    1: "Tunnel",
    2: "Transport",
    3: "UDP-Encapsulated-Tunnel",
    4: "UDP-Encapsulated-Transport",
    61443: "UDP-Encapsulated-Tunnel (draft)",
    61444: "UDP-Encapsulated-Transport (draft)",
}

#: ESP transform ids of the IPsec DOI (RFC 2407 §4.4.4 and IANA); 127/128/130 GM values reported.
ESP_TRANSFORMS: dict[int, str] = {
    1: "ESP_DES_IV64",
    2: "ESP_DES",
    3: "ESP_3DES",
    4: "ESP_RC5",
    5: "ESP_IDEA",
    6: "ESP_CAST",
    7: "ESP_BLOWFISH",
    8: "ESP_3IDEA",
    9: "ESP_DES_IV32",
    10: "ESP_RC4",
    11: "ESP_NULL",
    12: "ESP_AES-CBC",
    13: "ESP_AES-CTR",
    14: "ESP_AES-CCM_8",
    15: "ESP_AES-CCM_12",
    16: "ESP_AES-CCM_16",
    18: "ESP_AES-GCM_8",
    19: "ESP_AES-GCM_12",
    20: "ESP_AES-GCM_16",
    21: "ESP_NULL_AUTH_AES-GMAC",
    22: "ESP_CAMELLIA",
    127: "ESP_SM4-CBC (GM/T 0022, reported)",
    128: "ESP_SM1 (GM/T 0022, reported)",
    130: "ESP_SM4-GCM (GM/T 0022, reported)",
}

#: IKEv1 notify message types (RFC 2408 §3.14.1, RFC 2407 §4.6.3, RFC 3706).
IKEV1_NOTIFY: dict[int, str] = {
    1: "invalid_payload_type",
    2: "doi_not_supported",
    3: "situation_not_supported",
    4: "invalid_cookie",
    5: "invalid_major_version",
    6: "invalid_minor_version",
    7: "invalid_exchange_type",
    8: "invalid_flags",
    9: "invalid_message_id",
    10: "invalid_protocol_id",
    11: "invalid_spi",
    12: "invalid_transform_id",
    13: "attributes_not_supported",
    14: "no_proposal_chosen",
    15: "bad_proposal_syntax",
    16: "payload_malformed",
    17: "invalid_key_information",
    18: "invalid_id_information",
    19: "invalid_cert_encoding",
    20: "invalid_certificate",
    21: "cert_type_unsupported",
    22: "invalid_cert_authority",
    23: "invalid_hash_information",
    24: "authentication_failed",
    25: "invalid_signature",
    26: "address_notification",
    27: "notify_sa_lifetime",
    28: "certificate_unavailable",
    29: "unsupported_exchange_type",
    30: "unequal_payload_lengths",
    16384: "connected",
    24576: "responder_lifetime",
    24577: "replay_status",
    24578: "initial_contact",
    36136: "r_u_there",
    36137: "r_u_there_ack",
}

#: IKEv2 notify message types (RFC 7296 §3.10.1 and the IANA IKEv2 registry).
IKEV2_NOTIFY: dict[int, str] = {
    1: "unsupported_critical_payload",
    4: "invalid_ike_spi",
    5: "invalid_major_version",
    7: "invalid_syntax",
    9: "invalid_message_id",
    11: "invalid_spi",
    14: "no_proposal_chosen",
    17: "invalid_ke_payload",
    24: "authentication_failed",
    34: "single_pair_required",
    35: "no_additional_sas",
    36: "internal_address_failure",
    37: "failed_cp_required",
    38: "ts_unacceptable",
    39: "invalid_selectors",
    40: "unacceptable_addresses",
    41: "unexpected_nat_detected",
    42: "use_assigned_hoa",
    43: "temporary_failure",
    44: "child_sa_not_found",
    45: "invalid_group_id",
    46: "authorization_failed",
    47: "state_not_found",
    16384: "initial_contact",
    16385: "set_window_size",
    16386: "additional_ts_possible",
    16387: "ipcomp_supported",
    16388: "nat_detection_source_ip",
    16389: "nat_detection_destination_ip",
    16390: "cookie",
    16391: "use_transport_mode",
    16392: "http_cert_lookup_supported",
    16393: "rekey_sa",
    16394: "esp_tfc_padding_not_supported",
    16395: "non_first_fragments_also",
    16396: "mobike_supported",
    16397: "additional_ip4_address",
    16398: "additional_ip6_address",
    16399: "no_additional_addresses",
    16400: "update_sa_addresses",
    16401: "cookie2",
    16402: "no_nats_allowed",
    16403: "auth_lifetime",
    16404: "multiple_auth_supported",
    16405: "another_auth_follows",
    16406: "redirect_supported",
    16407: "redirect",
    16408: "redirected_from",
    16409: "ticket_lt_opaque",
    16410: "ticket_request",
    16411: "ticket_ack",
    16412: "ticket_nack",
    16413: "ticket_opaque",
    16414: "link_id",
    16415: "use_wesp_mode",
    16416: "rohc_supported",
    16417: "eap_only_authentication",
    16418: "childless_ikev2_supported",
    16419: "quick_crash_detection",
    16420: "ikev2_message_id_sync_supported",
    16421: "ipsec_replay_counter_sync_supported",
    16422: "ikev2_message_id_sync",
    16423: "ipsec_replay_counter_sync",
    16424: "secure_password_methods",
    16425: "psk_persist",
    16426: "psk_confirm",
    16427: "erx_supported",
    16428: "ifom_capability",
    16429: "sender_request_id",
    16430: "ikev2_fragmentation_supported",
    16431: "signature_hash_algorithms",
    16432: "clone_ike_sa_supported",
    16433: "clone_ike_sa",
    16434: "puzzle",
    16435: "use_ppk",
    16436: "ppk_identity",
    16437: "no_ppk_auth",
    16438: "intermediate_exchange_supported",
    16439: "ip4_allowed",
    16440: "ip6_allowed",
    16441: "additional_key_exchange",
    16442: "use_aggfrag",
}

IKEV2_TRANSFORM_TYPES: dict[int, str] = {1: "ENCR", 2: "PRF", 3: "INTEG", 4: "DH", 5: "ESN"}

IKEV2_ENCR: dict[int, str] = {
    1: "ENCR_DES_IV64",
    2: "ENCR_DES",
    3: "ENCR_3DES",
    4: "ENCR_RC5",
    5: "ENCR_IDEA",
    6: "ENCR_CAST",
    7: "ENCR_BLOWFISH",
    8: "ENCR_3IDEA",
    9: "ENCR_DES_IV32",
    11: "ENCR_NULL",
    12: "ENCR_AES_CBC",
    13: "ENCR_AES_CTR",
    14: "ENCR_AES_CCM_8",
    15: "ENCR_AES_CCM_12",
    16: "ENCR_AES_CCM_16",
    18: "ENCR_AES_GCM_8",
    19: "ENCR_AES_GCM_12",
    20: "ENCR_AES_GCM_16",
    21: "ENCR_NULL_AUTH_AES_GMAC",
    23: "ENCR_CAMELLIA_CBC",
    24: "ENCR_CAMELLIA_CTR",
    25: "ENCR_CAMELLIA_CCM_8",
    26: "ENCR_CAMELLIA_CCM_12",
    27: "ENCR_CAMELLIA_CCM_16",
    28: "ENCR_CHACHA20_POLY1305",
}

IKEV2_PRF: dict[int, str] = {
    1: "PRF_HMAC_MD5",
    2: "PRF_HMAC_SHA1",
    3: "PRF_HMAC_TIGER",
    4: "PRF_AES128_XCBC",
    5: "PRF_HMAC_SHA2_256",
    6: "PRF_HMAC_SHA2_384",
    7: "PRF_HMAC_SHA2_512",
    8: "PRF_AES128_CMAC",
}

IKEV2_INTEG: dict[int, str] = {
    0: "NONE",
    1: "AUTH_HMAC_MD5_96",
    2: "AUTH_HMAC_SHA1_96",
    3: "AUTH_DES_MAC",
    4: "AUTH_KPDK_MD5",
    5: "AUTH_AES_XCBC_96",
    6: "AUTH_HMAC_MD5_128",
    7: "AUTH_HMAC_SHA1_160",
    8: "AUTH_AES_CMAC_96",
    9: "AUTH_AES_128_GMAC",
    10: "AUTH_AES_192_GMAC",
    11: "AUTH_AES_256_GMAC",
    12: "AUTH_HMAC_SHA2_256_128",
    13: "AUTH_HMAC_SHA2_384_192",
    14: "AUTH_HMAC_SHA2_512_256",
}

IKEV2_ESN: dict[int, str] = {0: "NO_ESN", 1: "ESN"}

IKEV2_TRANSFORM_VALUES: dict[int, dict[int, str]] = {
    1: IKEV2_ENCR,
    2: IKEV2_PRF,
    3: IKEV2_INTEG,
    4: DH_GROUPS,
    5: IKEV2_ESN,
}

IKEV2_AUTH_METHODS: dict[int, str] = {
    1: "RSA Digital Signature",
    2: "Shared Key Message Integrity Code",
    3: "DSS Digital Signature",
    9: "ECDSA with SHA-256 on the P-256 curve",
    10: "ECDSA with SHA-384 on the P-384 curve",
    11: "ECDSA with SHA-512 on the P-521 curve",
    12: "Generic Secure Password Authentication Method",
    13: "NULL Authentication",
    14: "Digital Signature",
}

#: IKEv1 phase-1 attribute type -> its value table (attributes without one are plain numbers).
IKEV1_ATTRIBUTE_VALUES: dict[int, dict[int, str]] = {
    1: IKEV1_ENCRYPTION,
    2: IKEV1_HASH,
    3: IKEV1_AUTH_METHODS,
    4: DH_GROUPS,
    11: IKEV1_LIFE_TYPES,
    20: IKEV1_ASYMMETRIC,
}

#: IPsec DOI phase-2 attribute type -> its value table.
IPSEC_ATTRIBUTE_VALUES: dict[int, dict[int, str]] = {
    1: IKEV1_LIFE_TYPES,
    3: DH_GROUPS,
    4: ENCAPSULATION_MODES,
    5: IPSEC_AUTH_ALGORITHMS,
}


def name_or_unknown(table: dict[int, str], value: int) -> str:
    """The table's name for ``value`` or ``private/unknown (N)`` (protocols.md §3.2)."""
    return table.get(value, f"private/unknown ({value})")
