"""Names: peer-name matching (RFC 6125 §6.4, RFC 5280 §4.2.1.6) and name constraints (RFC 5280 §4.2.1.10)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from mptool.cert.x509 import oids
from mptool.cert.x509.parse import Cert, normalise_name

EMAIL_ATTRIBUTE = "1.2.840.113549.1.9.1"


def _dns(name: str) -> str:
    return name.rstrip(".").lower()


def dns_matches(pattern: str, host: str) -> bool:
    """Whether a SAN dNSName ``pattern`` (possibly ``*.`` wildcard) matches ``host``.

    Only a whole left-most ``*`` label is a wildcard, it stands for exactly one label, and
    it needs at least two labels after it (no ``*.com``).
    """
    pattern, host = _dns(pattern), _dns(host)
    if not pattern or not host:
        return False
    if "*" not in pattern:
        return pattern == host
    labels = pattern.split(".")
    if labels[0] != "*" or "*" in ".".join(labels[1:]) or len(labels) < 3:
        return False
    host_labels = host.split(".")
    return len(host_labels) == len(labels) and host_labels[1:] == labels[1:] and host_labels[0] != ""


def parse_peer_name(value: str) -> tuple[str, Any]:
    """("ip", address) for an IP literal, else ("dns", lower-case name)."""
    try:
        return "ip", ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return "dns", _dns(value)


def peer_name_matches(cert: Cert, peer: str, *, cn_fallback: bool) -> tuple[bool, dict[str, Any]]:
    """Match ``peer`` against the leaf's SAN (and the CN when there is no SAN and allowed)."""
    kind, value = parse_peer_name(peer)
    san = cert.ext_value(oids.EXT_SAN)
    observed: dict[str, Any] = {"peer": peer}
    if san is not None:
        if kind == "ip":
            ips = san.get_values_for_type(x509.IPAddress)
            observed["san_ip"] = [str(ip) for ip in ips]
            return any(ip == value for ip in ips), observed
        names = san.get_values_for_type(x509.DNSName)
        observed["san_dns"] = names
        return any(dns_matches(n, value) for n in names), observed
    observed["san"] = None
    if not cn_fallback or kind == "ip":
        return False, observed
    cns = [a.value for a in cert.x509.subject if a.oid.dotted_string == "2.5.4.3" and isinstance(a.value, str)]
    observed["subject_cn"] = cns
    return any(dns_matches(cn, value) for cn in cns), observed


def _dns_in_subtree(name: str, base: str) -> bool:
    name, base = _dns(name), _dns(base)
    if not base:
        return True
    return name == base or name.endswith("." + base)


def _email_in_subtree(address: str, base: str) -> bool:
    address, base = address.lower(), base.lower()
    if "@" in base:
        return address == base
    host = address.rsplit("@", 1)[-1]
    if base.startswith("."):
        return host.endswith(base)
    return host == base


def _dn_in_subtree(name: x509.Name, base: x509.Name) -> bool:
    subject, prefix = normalise_name(name), normalise_name(base)
    return subject[: len(prefix)] == prefix


@dataclass
class CertNames:
    """The names of a certificate that name constraints apply to."""

    dns: list[str] = field(default_factory=list)
    email: list[str] = field(default_factory=list)
    ip: list[Any] = field(default_factory=list)
    dn: list[x509.Name] = field(default_factory=list)
    uri: list[str] = field(default_factory=list)
    other_name: list[x509.OtherName] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  #: types we do not constrain (registeredID, x400, ediParty)


def cert_names(cert: Cert) -> CertNames:
    """Subject DN, SAN entries, and emailAddress attributes of the subject (RFC 5280 §4.2.1.10)."""
    names = CertNames()
    if cert.x509.subject.rdns:
        names.dn.append(cert.x509.subject)
    names.email += [str(a.value) for a in cert.x509.subject if a.oid.dotted_string == EMAIL_ATTRIBUTE]
    san = cert.ext_value(oids.EXT_SAN)
    if san is not None:
        for gn in san:
            if isinstance(gn, x509.DNSName):
                names.dns.append(gn.value)
            elif isinstance(gn, x509.RFC822Name):
                names.email.append(gn.value)
            elif isinstance(gn, x509.IPAddress):
                names.ip.append(gn.value)
            elif isinstance(gn, x509.DirectoryName):
                names.dn.append(gn.value)
            elif isinstance(gn, x509.UniformResourceIdentifier):
                names.uri.append(gn.value)
            elif isinstance(gn, x509.OtherName):
                names.other_name.append(gn)
            else:
                names.other.append(type(gn).__name__)
    return names


def _in_subtree(kind: str, value: Any, base: x509.GeneralName) -> bool | None:
    """Whether ``value`` of ``kind`` is inside ``base``; None when ``base`` is another type."""
    if kind == "dns" and isinstance(base, x509.DNSName):
        return _dns_in_subtree(value, base.value)
    if kind == "email" and isinstance(base, x509.RFC822Name):
        return _email_in_subtree(value, base.value)
    if kind == "ip" and isinstance(base, x509.IPAddress):
        network = base.value
        return isinstance(network, (ipaddress.IPv4Network, ipaddress.IPv6Network)) and value.version == network.version and value in network
    if kind == "dn" and isinstance(base, x509.DirectoryName):
        return _dn_in_subtree(value, base.value)
    if kind == "uri" and isinstance(base, x509.UniformResourceIdentifier):
        host = uri_host(value)
        return host is not None and _uri_host_in_subtree(host, base.value)
    if kind == "other" and isinstance(base, x509.OtherName):
        return value.type_id == base.type_id and value.value == base.value
    return None


def _same_kind(kind: str, value: Any, base: x509.GeneralName) -> bool:
    """Whether ``base`` constrains names of ``kind`` (an otherName only those of its type-id)."""
    if not isinstance(base, _KIND_TYPES[kind]):
        return False
    return kind != "other" or base.type_id == value.type_id


def uri_host(uri: str) -> str | None:
    """The host part of a URI (RFC 3986 authority without userinfo and port), or None."""
    from urllib.parse import urlsplit

    try:
        host = urlsplit(uri).hostname
    except ValueError:
        return None
    return host or None


def _uri_host_in_subtree(host: str, base: str) -> bool:
    """RFC 5280 §4.2.1.10: a URI constraint is a host; a leading period means any host below it."""
    host, base = _dns(host), _dns(base)
    if base.startswith("."):
        return host.endswith(base)
    return host == base


_KIND_TYPES = {
    "dns": x509.DNSName,
    "email": x509.RFC822Name,
    "ip": x509.IPAddress,
    "dn": x509.DirectoryName,
    "uri": x509.UniformResourceIdentifier,
    "other": x509.OtherName,
}
SUPPORTED_CONSTRAINT_TYPES = tuple(_KIND_TYPES.values())


_LABEL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$")


def valid_dns(name: str, *, wildcard: bool) -> bool:
    """An ASCII host name with non-empty labels (a whole ``*`` left-most label when allowed)."""
    if not name or not name.isascii():
        return False
    labels = name.rstrip(".").split(".") if name != "." else [""]
    if wildcard and labels[0] == "*" and len(labels) > 1:
        labels = labels[1:]
    return all(_LABEL.match(label) for label in labels)


def _valid_constraint(base: x509.GeneralName) -> bool:
    value = base.value
    if isinstance(base, x509.DNSName):
        return value == "" or valid_dns(value, wildcard=False)
    if isinstance(base, x509.RFC822Name):
        return value.count("@") <= 1 and valid_dns(value.rsplit("@", 1)[-1].lstrip("."), wildcard=False)
    if isinstance(base, x509.IPAddress):
        return isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network))
    if isinstance(base, x509.UniformResourceIdentifier):
        return value != "" and "/" not in value and ":" not in value and valid_dns(value.lstrip("."), wildcard=False)
    return True


def _valid_name(kind: str, value: Any) -> bool:
    if kind == "dns":
        return valid_dns(value, wildcard=True)
    if kind == "email":
        return value.count("@") == 1 and valid_dns(value.split("@")[1], wildcard=False)
    if kind == "ip":
        return isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address))
    if kind == "uri":
        return uri_host(value) is not None
    return True


def _wildcard_hits_excluded(name: str, base: x509.GeneralName) -> bool:
    """A ``*.X`` name may stand for a host inside an excluded subtree below X (fail closed)."""
    if not isinstance(base, x509.DNSName) or not name.startswith("*."):
        return False
    rest, excluded = _dns(name[2:]), _dns(base.value)
    return excluded == rest or excluded.endswith("." + rest)


def constraint_violations(nc: x509.NameConstraints, names: CertNames, budget: list[int] | None = None) -> list[str]:
    """Violations of one nameConstraints extension by one certificate's names.

    Malformed constraints (a wildcard or leading period in a dNSName, a mailbox with two
    '@', an iPAddress that is not address+mask, a URI constraint that is not a host) and
    malformed names under a constraint of their type are violations: the check fails closed.
    ``budget`` (a one-element list) bounds the name × subtree comparisons of a whole path: when it
    runs out the check fails (name-constraint denial of service, e.g. thousands of SANs × subtrees).
    """
    problems: list[str] = []
    permitted = list(nc.permitted_subtrees or [])
    excluded = list(nc.excluded_subtrees or [])
    if not permitted and not excluded:
        problems.append("nameConstraints has neither permitted nor excluded subtrees (RFC 5280 §4.2.1.10)")
    for base in permitted + excluded:
        if not isinstance(base, SUPPORTED_CONSTRAINT_TYPES):
            problems.append(f"name constraint of unsupported type {type(base).__name__}")
        elif not _valid_constraint(base):
            problems.append(f"malformed name constraint {base.value!r}")
    items: list[tuple[str, Any]] = (
        [("dns", n) for n in names.dns] + [("email", n) for n in names.email] + [("ip", n) for n in names.ip] + [("dn", n) for n in names.dn]
        + [("uri", n) for n in names.uri] + [("other", n) for n in names.other_name]
    )
    if budget is not None:
        budget[0] -= len(items) * max(len(permitted) + len(excluded), 1)
        if budget[0] < 0:
            return problems + [f"name-constraint work limit exceeded: {len(items)} names x {len(permitted) + len(excluded)} subtrees (denial-of-service guard)"]
    for kind, value in items:
        text = value.rfc4514_string() if kind == "dn" else f"{value.type_id.dotted_string}:{value.value.hex()}" if kind == "other" else str(value)
        same_type = [b for b in permitted if _same_kind(kind, value, b)]
        same_excluded = [b for b in excluded if _same_kind(kind, value, b)]
        if (same_type or same_excluded) and not _valid_name(kind, value):
            problems.append(f"malformed {kind} name {text!r} under {kind} name constraints")
            continue
        for base in excluded:
            if _in_subtree(kind, value, base) or (kind == "dns" and _wildcard_hits_excluded(value, base)):
                problems.append(f"{kind} {text!r} is inside excluded subtree {base.value}")
        if same_type and not any(_in_subtree(kind, value, b) for b in same_type):
            problems.append(f"{kind} {text!r} is outside every permitted {kind} subtree")
    return problems
