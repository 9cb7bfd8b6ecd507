"""TLS / TLCP identifier tables: versions, content types, handshake types, alerts, cipher suites,
extensions, groups and signature schemes, with their names and suite properties.

Sources (facts only; see docs/proto.md):

* IANA "TLS Parameters" registries (RFC 8446, RFC 5246, RFC 8447) for TLS values
  (the large tables live in :mod:`mptool.proto.registry._iana_tls`, generated).
* GB/T 38636-2020 (TLCP, formerly GM/T 0024-2014) for version 0x0101, the 0xE0xx suites
  and alerts 200-205; names as in the standard, with GmSSL/Tongsuo/OpenSSL-style aliases.
* RFC 8998 for TLS_SM4_GCM_SM3 (0x00C6), TLS_SM4_CCM_SM3 (0x00C7), sm2sig_sm3 (0x0708)
  and curveSM2 (41).

Names follow the registries' spelling; alert names are given in the ``snake_case`` form
scripts match on (``insufficient_security``). IKE/ESP tables: :mod:`mptool.proto.registry.ipsec`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from mptool.proto.registry._iana_tls import (
    IANA_CIPHER_SUITES,
    IANA_EXTENSIONS,
    IANA_GROUPS,
    IANA_SIGNATURE_SCHEMES,
)

# --------------------------------------------------------------------------- TLS / TLCP

SSL2, SSL3, TLS10, TLS11, TLS12, TLS13 = 0x0002, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304
TLCP_VERSION = 0x0101

#: Protocol versions as they appear in record headers, hellos and supported_versions.
VERSIONS: dict[int, str] = {
    SSL2: "SSL 2.0",
    SSL3: "SSL 3.0",
    TLS10: "TLS 1.0",
    TLS11: "TLS 1.1",
    TLS12: "TLS 1.2",
    TLS13: "TLS 1.3",
    TLCP_VERSION: "TLCP 1.1",
}

CONTENT_TYPES: dict[int, str] = {
    20: "change_cipher_spec",
    21: "alert",
    22: "handshake",
    23: "application_data",
    24: "heartbeat",
    80: "site2site",  # GM/T 0024 gateway-to-gateway record type (protocols.md §1.1)
}

HANDSHAKE_TYPES: dict[int, str] = {
    0: "hello_request",
    1: "client_hello",
    2: "server_hello",
    4: "new_session_ticket",
    5: "end_of_early_data",
    8: "encrypted_extensions",
    11: "certificate",
    12: "server_key_exchange",
    13: "certificate_request",
    14: "server_hello_done",
    15: "certificate_verify",
    16: "client_key_exchange",
    20: "finished",
    22: "certificate_status",
    24: "key_update",
    254: "message_hash",
}

ALERT_LEVELS: dict[int, str] = {1: "warning", 2: "fatal"}

#: Alert descriptions (RFC 8446 §6, RFC 5246 §7.2, RFC 6066, RFC 7301, GB/T 38636 200-205).
ALERTS: dict[int, str] = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    21: "decryption_failed",
    22: "record_overflow",
    30: "decompression_failure",
    40: "handshake_failure",
    41: "no_certificate",
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    49: "access_denied",
    50: "decode_error",
    51: "decrypt_error",
    60: "export_restriction",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    100: "no_renegotiation",
    109: "missing_extension",
    110: "unsupported_extension",
    111: "certificate_unobtainable",
    112: "unrecognized_name",
    113: "bad_certificate_status_response",
    114: "bad_certificate_hash_value",
    115: "unknown_psk_identity",
    116: "certificate_required",
    120: "no_application_protocol",
    200: "unsupported_site2site",
    201: "no_area",
    202: "unsupported_areatype",
    203: "bad_ibcparam",
    204: "unsupported_ibcparam",
    205: "identity_need",
}

#: GB/T 38636-2020 (TLCP) cipher suites, standard names (protocols.md §1.3).
TLCP_CIPHER_SUITES: dict[int, str] = {
    0xE001: "ECDHE_SM1_SM3",
    0xE003: "ECC_SM1_SM3",
    0xE005: "IBSDH_SM1_SM3",
    0xE007: "IBC_SM1_SM3",
    0xE009: "RSA_SM1_SM3",
    0xE00A: "RSA_SM1_SHA1",
    0xE011: "ECDHE_SM4_CBC_SM3",
    0xE013: "ECC_SM4_CBC_SM3",
    0xE015: "IBSDH_SM4_CBC_SM3",
    0xE017: "IBC_SM4_CBC_SM3",
    0xE019: "RSA_SM4_CBC_SM3",
    0xE01A: "RSA_SM4_CBC_SHA1",
    0xE01C: "RSA_SM4_CBC_SHA256",
    0xE051: "ECDHE_SM4_GCM_SM3",
    0xE053: "ECC_SM4_GCM_SM3",
    0xE055: "IBSDH_SM4_GCM_SM3",
    0xE057: "IBC_SM4_GCM_SM3",
    0xE059: "RSA_SM4_GCM_SM3",
    0xE05A: "RSA_SM4_GCM_SHA256",
}

#: Every cipher suite name by id (IANA plus TLCP).
CIPHER_SUITES: dict[int, str] = {**IANA_CIPHER_SUITES, **TLCP_CIPHER_SUITES}

#: Other names met in the wild (OpenSSL, Tongsuo, GmSSL 1/2, older GM/T 0024 text) -> id.
SUITE_ALIASES: dict[str, int] = {
    "ECDHE_SM4_SM3": 0xE011,
    "ECC_SM4_SM3": 0xE013,
    "IBSDH_SM4_SM3": 0xE015,
    "IBC_SM4_SM3": 0xE017,
    "RSA_SM4_SM3": 0xE019,
    "RSA_SM4_SHA1": 0xE01A,
    "ECDHE-SM2-SM4-CBC-SM3": 0xE011,
    "ECC-SM2-SM4-CBC-SM3": 0xE013,
    "IBSDH-SM9-SM4-CBC-SM3": 0xE015,
    "IBC-SM9-SM4-CBC-SM3": 0xE017,
    "RSA-SM4-CBC-SM3": 0xE019,
    "RSA-SM4-CBC-SHA256": 0xE01C,
    "ECDHE-SM2-SM4-GCM-SM3": 0xE051,
    "ECC-SM2-SM4-GCM-SM3": 0xE053,
    "IBSDH-SM9-SM4-GCM-SM3": 0xE055,
    "IBC-SM9-SM4-GCM-SM3": 0xE057,
    "RSA-SM4-GCM-SM3": 0xE059,
    "RSA-SM4-GCM-SHA256": 0xE05A,
    "ECC-SM2-WITH-SM4-SM3": 0xE013,
    "ECDHE-SM2-WITH-SM4-SM3": 0xE011,
    "SM2-WITH-SMS4-SM3": 0xE013,
    "SM2DHE-WITH-SMS4-SM3": 0xE011,
    "TLS_ECC_SM4_CBC_SM3": 0xE013,
    "TLS_ECDHE_SM4_CBC_SM3": 0xE011,
    "TLS_ECC_SM4_GCM_SM3": 0xE053,
    "TLS_ECDHE_SM4_GCM_SM3": 0xE051,
    "TLS_SM4_GCM_SM3": 0x00C6,
    "TLS_SM4_CCM_SM3": 0x00C7,
}

EXTENSIONS: dict[int, str] = dict(IANA_EXTENSIONS)

#: Supported groups: IANA plus the hybrid groups GmSSL/Tongsuo recognise (protocols.md §2).
GROUPS: dict[int, str] = {
    **IANA_GROUPS,
    0x11EB: "SecP256r1MLKEM768",
    0x11EC: "X25519MLKEM768",
    0x11ED: "SecP384r1MLKEM1024",
    0x11EE: "curveSM2MLKEM768",
}

SIGNATURE_SCHEMES: dict[int, str] = dict(IANA_SIGNATURE_SCHEMES)

CURVE_SM2 = 41  #: curveSM2 (RFC 8998; GmSSL 3, Tongsuo)
#: GmSSL 2.x sent SM2 as curve 30 in TLCP ECDHE (protocols.md §1.5); in TLS 30 is x448.
GMSSL2_CURVE_SM2 = 30
SM2SIG_SM3 = 0x0708

#: ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3): SHA-256("HelloRetryRequest").
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

#: TLS 1.3 suites whose whole algorithm set is SM (RFC 8998).
RFC8998_SUITES = frozenset({0x00C6, 0x00C7})


@functools.lru_cache(maxsize=4096)  # pure; the same few values recur in every connection
def hex_id(value: int, width: int = 4) -> str:
    """An identifier the way evidence writes it: ``0xE013`` (upper-case, zero-padded)."""
    return f"0x{value:0{width}X}"


def version_name(version: int) -> str:
    """``"TLS 1.2"``, ``"TLCP 1.1"``, or ``"unknown (0x7F1C)"``."""
    return VERSIONS.get(version, f"unknown ({hex_id(version)})")


def is_grease(value: int) -> bool:
    """Whether a 16-bit value is a GREASE code point (RFC 8701: 0x0A0A, 0x1A1A, … 0xFAFA)."""
    return (value & 0x0F0F) == 0x0A0A and (value >> 8) == (value & 0xFF)


def _lookup(table: dict[int, str], value: int, width: int = 4) -> str:
    if is_grease(value):
        return "GREASE"
    return table.get(value, f"unknown ({hex_id(value, width)})")


@functools.lru_cache(maxsize=4096)
def suite_name(suite: int) -> str:
    """Standard name of a cipher suite (GB/T name for 0xE0xx), or ``unknown (0x....)``."""
    return _lookup(CIPHER_SUITES, suite)


@functools.lru_cache(maxsize=4096)
def extension_name(ext: int) -> str:
    """IANA name of a TLS extension type."""
    return _lookup(EXTENSIONS, ext)


@functools.lru_cache(maxsize=4096)
def group_name(group: int) -> str:
    """IANA name of a supported group (``curveSM2`` for 41)."""
    return _lookup(GROUPS, group)


@functools.lru_cache(maxsize=4096)
def signature_scheme_name(scheme: int) -> str:
    """IANA name of a signature scheme (``sm2sig_sm3`` for 0x0708)."""
    return _lookup(SIGNATURE_SCHEMES, scheme)


def alert_name(code: int) -> str:
    """Standard (snake_case) name of an alert description."""
    return ALERTS.get(code, f"unknown ({code})")


@dataclass(frozen=True)
class SuiteInfo:
    """What a cipher suite's name says about its algorithms, for the verdict."""

    id: int
    name: str
    key_exchange: str  #: e.g. ECDHE, RSA, ECC (TLCP SM2 envelope), IBC, TLS13 (negotiated apart)
    authentication: str  #: e.g. RSA, ECDSA, SM2, SM9, anon, TLS13
    cipher: str  #: e.g. AES_128_GCM, SM4_CBC, 3DES_EDE_CBC
    mac: str  #: e.g. SHA256, SM3, SHA, MD5
    gm: bool = False  #: all algorithms are SM (GM) algorithms
    weak: tuple[str, ...] = field(default_factory=tuple)  #: reasons the suite is weak


_WEAK_MARKERS: tuple[tuple[str, str], ...] = (
    ("EXPORT", "export-grade cipher suite"),
    ("RC4", "RC4 stream cipher"),
    ("3DES", "3DES (64-bit block)"),
    ("DES_CBC", "single DES"),
    ("DES40", "single DES"),
    ("IDEA", "IDEA (64-bit block)"),
    ("RC2", "RC2"),
    ("NULL", "no encryption (NULL cipher)"),
    ("anon", "anonymous key exchange (no authentication)"),
)


@functools.lru_cache(maxsize=1024)
def suite_info(suite: int) -> SuiteInfo:
    """Decompose a suite into key exchange, authentication, cipher and MAC from its name
    (cached: a capture's connections mostly share a few suites; :class:`SuiteInfo` is frozen)."""
    name = suite_name(suite)
    if suite in TLCP_CIPHER_SUITES:
        parts = name.split("_")
        kx = parts[0]
        auth = {"ECDHE": "SM2", "ECC": "SM2", "IBSDH": "SM9", "IBC": "SM9", "RSA": "RSA"}[kx]
        cipher = "_".join(parts[1:-1])
        mac = parts[-1]
        gm = auth in ("SM2", "SM9") and mac == "SM3"
        weak = ("SHA-1 MAC",) if mac == "SHA1" else ()
        return SuiteInfo(suite, name, kx, auth, cipher, mac, gm, weak)
    if name.startswith("unknown") or name == "GREASE":
        return SuiteInfo(suite, name, "unknown", "unknown", "unknown", "unknown")
    body = name.split("_", 1)[1] if "_" in name else name
    if "_WITH_" not in body:  # TLS 1.3: TLS_<AEAD>_<HASH>
        cipher, _, mac = body.rpartition("_")
        gm = suite in RFC8998_SUITES
        return SuiteInfo(suite, name, "TLS13", "TLS13", cipher, mac, gm)
    kx_auth, _, rest = body.partition("_WITH_")
    cipher, _, mac = rest.rpartition("_")
    if mac in ("POLY1305",) or not mac:
        cipher, mac = rest, "AEAD"
    kx, _, auth = kx_auth.partition("_")
    auth = auth.replace("EXPORT1024", "").replace("EXPORT", "").strip("_") or kx
    weak = tuple(dict.fromkeys(reason for marker, reason in _WEAK_MARKERS if marker in name))
    if mac == "MD5":
        weak += ("MD5 MAC",)
    return SuiteInfo(suite, name, kx, auth, cipher, mac, False, weak)


def suite_id(name: str) -> int | None:
    """The id of a suite given by any known name (standard, IANA or alias), else None."""
    wanted = name.strip()
    if wanted in SUITE_ALIASES:
        return SUITE_ALIASES[wanted]
    for table in (TLCP_CIPHER_SUITES, IANA_CIPHER_SUITES):
        for value, known in table.items():
            if known == wanted:
                return value
    return None


#: Certificate types in CertificateRequest (RFC 5246 §7.4.4, GB/T 38636 ibc_params).
CLIENT_CERT_TYPES: dict[int, str] = {
    1: "rsa_sign",
    2: "dss_sign",
    3: "rsa_fixed_dh",
    4: "dss_fixed_dh",
    64: "ecdsa_sign",
    65: "rsa_fixed_ecdh",
    66: "ecdsa_fixed_ecdh",
    80: "ibc_params",
}
