"""Checks the limbo harness applies on top of path validation: the case's required keyUsage,
extra peer names (client validation: rfc822Name, several names) and the S/MIME profile when the
case requires id-kp-emailProtection (CA/Browser Forum S/MIME Baseline Requirements)."""

from __future__ import annotations

from typing import Any

from cryptography import x509

from mptool.cert.path.model import Candidate
from mptool.cert.x509 import oids
from mptool.cert.x509.names import peer_name_matches
from mptool.cert.x509.parse import Cert

EKU_EMAIL = "1.3.6.1.5.5.7.3.4"
KEY_USAGE_ATTRS = {
    "digitalSignature": "digital_signature",
    "contentCommitment": "content_commitment",
    "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement",
    "keyCertSign": "key_cert_sign",
    "cRLSign": "crl_sign",
}


def extra_problems(case: dict[str, Any], valid: list[Candidate], names: list[dict[str, str]]) -> str | None:
    """None when some valid candidate passes every extra check, else the first problem found."""
    first: str | None = None
    for candidate in valid:
        problem = _problem(case, candidate, names)
        if problem is None:
            return None
        first = first or problem
    return first or "no valid path"


def _problem(case: dict[str, Any], candidate: Candidate, names: list[dict[str, str]]) -> str | None:
    leaf = candidate.certs[0]
    missing = missing_key_usage(leaf, case.get("key_usage") or [])
    if missing:
        return f"leaf keyUsage lacks {missing}"
    for peer in names:
        if not name_present(leaf, peer["kind"], peer["value"]):
            return f"peer name {peer['kind']}:{peer['value']} is not in the leaf's subjectAltName"
    if "emailProtection" in (case.get("extended_key_usage") or []):
        return smime_problem(candidate)
    return None


def missing_key_usage(leaf: Cert, usages: list[str]) -> list[str]:
    """Required keyUsage bits the leaf does not assert (a leaf without keyUsage allows all)."""
    ku = leaf.ext_value(oids.EXT_KU)
    if ku is None:
        return []
    return [u for u in usages if not getattr(ku, KEY_USAGE_ATTRS[u])]


def name_present(leaf: Cert, kind: str, value: str) -> bool:
    """RFC 6125 matching for DNS/IP; for RFC822 an rfc822Name SAN equal to ``value`` (local part
    exact, domain case-insensitive; RFC 5280 §4.2.1.6 and §7.5)."""
    if kind in ("DNS", "IP"):
        return peer_name_matches(leaf, value, cn_fallback=False)[0]
    san = leaf.ext_value(oids.EXT_SAN)
    if san is None or "@" not in value:
        return False
    local, _, domain = value.rpartition("@")
    for address in san.get_values_for_type(x509.RFC822Name):
        a_local, at, a_domain = address.rpartition("@")
        if at and a_local == local and a_domain.lower() == domain.lower():
            return True
    return False


def smime_problem(candidate: Candidate) -> str | None:
    """CA/B Forum S/MIME BR: the subscriber certificate is not a CA (7.1.2.3 (d)), carries
    keyUsage (7.1.2.3 (e)) and id-kp-emailProtection when extKeyUsage is present (7.1.2.3 (f));
    each subordinate CA asserts keyCertSign and cRLSign (7.1.2.2 (e))."""
    leaf = candidate.certs[0]
    if leaf.is_ca:
        return "S/MIME subscriber certificate is a CA (S/MIME BR 7.1.2.3 (d))"
    if leaf.ext_value(oids.EXT_KU) is None:
        return "S/MIME subscriber certificate lacks keyUsage (S/MIME BR 7.1.2.3 (e))"
    eku = leaf.ext_value(oids.EXT_EKU)
    if eku is None:
        return "S/MIME subscriber certificate lacks extKeyUsage (S/MIME BR 7.1.2.3 (f))"
    problem = _smime_eku(eku, "subscriber certificate", "7.1.2.3 (f)")
    if problem:
        return problem
    last = len(candidate.certs) - 1 if candidate.anchored else len(candidate.certs)
    for ca in candidate.certs[1:last]:
        ku = ca.ext_value(oids.EXT_KU)
        if ku is None or not (ku.key_cert_sign and ku.crl_sign):
            return f"S/MIME subordinate CA {ca.source} keyUsage lacks keyCertSign or cRLSign (S/MIME BR 7.1.2.2 (e))"
        ca_eku = ca.ext_value(oids.EXT_EKU)
        problem = _smime_eku(ca_eku, f"subordinate CA {ca.source}", "7.1.2.2 (g)") if ca_eku is not None else None
        if problem:
            return problem
    return None


#: purposes S/MIME BR 7.1.2.2 (g) and 7.1.2.3 (f) forbid beside id-kp-emailProtection
SMIME_FORBIDDEN = {oids.EKU_SERVER: "id-kp-serverAuth", oids.EKU_CODESIGN: "id-kp-codeSigning", "1.3.6.1.5.5.7.3.8": "id-kp-timeStamping", oids.EKU_ANY: "anyExtendedKeyUsage"}


def _smime_eku(eku: Any, who: str, clause: str) -> str | None:
    purposes = {p.dotted_string for p in eku}
    if EKU_EMAIL not in purposes:
        return f"S/MIME {who}: extKeyUsage lacks id-kp-emailProtection (S/MIME BR {clause})"
    bad = sorted(SMIME_FORBIDDEN[p] for p in purposes & set(SMIME_FORBIDDEN))
    return f"S/MIME {who}: extKeyUsage carries {', '.join(bad)} (S/MIME BR {clause})" if bad else None
