"""Certificate profiles of GM/T 0015 Annex C (our reading, cert-rules.md): root, sub-CA, signing
leaf, encryption leaf; detected from the certificate or chosen by the user."""

from __future__ import annotations

from mptool.cert.x509 import oids
from mptool.cert.x509.parse import Cert

PROFILES = ("root", "subca", "ee-sign", "ee-enc")
EDITIONS = "GM/T 0015-2012 and GM/T 0015-2023 Annex C; GB/T 20518-2018"


def key_usage_bits(cert: Cert) -> set[str] | None:
    """The keyUsage bits set, by name, or None when the extension is absent."""
    ku = cert.ext_value(oids.EXT_KU)
    if ku is None:
        return None
    names = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign"]
    bits = {name for name in names if getattr(ku, name)}
    if ku.key_agreement:
        if ku.encipher_only:
            bits.add("encipher_only")
        if ku.decipher_only:
            bits.add("decipher_only")
    return bits


ENCIPHER_BITS = {"key_encipherment", "data_encipherment", "key_agreement"}


def detect_profile(cert: Cert) -> str:
    """root (self-issued CA), subca (other CA), ee-enc (encipherment usage only) or ee-sign."""
    if cert.is_ca or (cert.version == 0 and cert.self_issued):
        return "root" if cert.self_issued else "subca"
    bits = key_usage_bits(cert) or set()
    if bits & ENCIPHER_BITS and "digital_signature" not in bits and "content_commitment" not in bits:
        return "ee-enc"
    return "ee-sign"
