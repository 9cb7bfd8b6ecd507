"""Object identifiers used by the certificate checks (GM/T 0006, RFC 5280, RFC 5480, RFC 8017)."""

from __future__ import annotations

SM2_CURVE = "1.2.156.10197.1.301"
SM2_WITH_SM3 = "1.2.156.10197.1.501"
SM2_WITH_SHA1 = "1.2.156.10197.1.502"
SM2_WITH_SHA256 = "1.2.156.10197.1.503"
SM3_WITH_RSA = "1.2.156.10197.1.504"
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
RSA_PSS = "1.2.840.113549.1.1.10"

ECDSA_SIGS = {
    "1.2.840.10045.4.1": "ecdsa-with-SHA1",
    "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
    "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
    "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
    "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
}
RSA_SIGS = {
    "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
    "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
    "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
    "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
    "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
    RSA_PSS: "RSASSA-PSS",
}
DSA_SIGS = {"1.2.840.10040.4.3": "dsa-with-SHA1", "2.16.840.1.101.3.4.3.1": "dsa-with-SHA224", "2.16.840.1.101.3.4.3.2": "dsa-with-SHA256"}
SM2_SIGS = {SM2_WITH_SM3: "SM2-with-SM3", SM2_WITH_SHA1: "SM2-with-SHA1", SM2_WITH_SHA256: "SM2-with-SHA256"}
#: signature algorithms too weak to accept on a validated link (collisions are practical)
WEAK_SIGS = {"1.2.840.113549.1.1.2", "1.2.840.113549.1.1.4", "1.2.840.113549.1.1.5", "1.2.840.10045.4.1", "1.2.840.10040.4.3", SM2_WITH_SHA1}

# extensions (RFC 5280 §4.2)
EXT_SKI = "2.5.29.14"
EXT_KU = "2.5.29.15"
EXT_SAN = "2.5.29.17"
EXT_IAN = "2.5.29.18"
EXT_BC = "2.5.29.19"
EXT_NC = "2.5.29.30"
EXT_CRLDP = "2.5.29.31"
EXT_CP = "2.5.29.32"
EXT_PM = "2.5.29.33"
EXT_AKI = "2.5.29.35"
EXT_PC = "2.5.29.36"
EXT_EKU = "2.5.29.37"
EXT_INHIBIT_ANY = "2.5.29.54"
EXT_AIA = "1.3.6.1.5.5.7.1.1"
EXT_SIA = "1.3.6.1.5.5.7.1.11"
EXT_SCT = "1.3.6.1.4.1.11129.2.4.2"

#: extensions whose meaning the path validation processes (a critical one is understood)
#: policy extensions (RFC 5280 §6.1 policy processing, CERT-PATH-009)
POLICY_EXTENSIONS = {EXT_PM, EXT_PC, EXT_INHIBIT_ANY}
PROCESSED_EXTENSIONS = {EXT_SKI, EXT_KU, EXT_SAN, EXT_BC, EXT_NC, EXT_AKI, EXT_EKU, EXT_CP, EXT_CRLDP, EXT_AIA, EXT_IAN} | POLICY_EXTENSIONS
ANY_POLICY = "2.5.29.32.0"

#: GM/T 0015 private extensions (cert-rules CERT-EXT-013, OIDs marked "verify" there)
GMT0015_PRIVATE_ARC = "1.2.156.10260.4.1."

EKU_SERVER = "1.3.6.1.5.5.7.3.1"
EKU_CLIENT = "1.3.6.1.5.5.7.3.2"
EKU_CODESIGN = "1.3.6.1.5.5.7.3.3"
EKU_ANY = "2.5.29.37.0"
PURPOSE_EKU = {"server": EKU_SERVER, "client": EKU_CLIENT, "codesign": EKU_CODESIGN}
