"""A small x509-limbo-format suite built for mptool's tests (ECDSA P-256 PKI made with cryptography).

Each case states its expected result from RFC 5280 §6.1 / Web-PKI rules (the same semantics
as the upstream x509-limbo cases of the same names); ids are namespaced ``mptool::…``.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

T0 = _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)
NOW = "2025-01-01T00:00:00Z"


@dataclass
class Node:
    """A certificate and its key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def ku(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(not ca, False, False, False, False, ca, ca, False, False)


def make(
    cn: str,
    issuer: Node | None,
    *,
    ca: bool,
    path_length: int | None = None,
    san: list[x509.GeneralName] | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    key_usage: x509.KeyUsage | None | bool = True,
    basic_constraints: bool = True,
    not_before: _dt.datetime = T0,
    not_after: _dt.datetime = T0 + _dt.timedelta(days=3650),
    extra: list[tuple[x509.ExtensionType, bool]] | None = None,
    issuer_name: x509.Name | None = None,
    key: ec.EllipticCurvePrivateKey | None = None,
    signing_key: ec.EllipticCurvePrivateKey | None = None,
) -> Node:
    """Build one certificate (self-signed when ``issuer`` is None)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = _name(cn)
    b = x509.CertificateBuilder().subject_name(subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
    b = b.issuer_name(issuer_name or (issuer.cert.subject if issuer else subject)).not_valid_before(not_before).not_valid_after(not_after)
    if basic_constraints:
        b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
    if key_usage is True:
        b = b.add_extension(ku(ca=ca), critical=True)
    elif isinstance(key_usage, x509.KeyUsage):
        b = b.add_extension(key_usage, critical=True)
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if issuer is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    for ext, critical in extra or []:
        b = b.add_extension(ext, critical=critical)
    signer = signing_key or (issuer.key if issuer else key)
    return Node(b.sign(signer, hashes.SHA256()), key)


def _without_aki(node: Node, issuer: Node) -> x509.Certificate:
    """``node``'s certificate rebuilt without authorityKeyIdentifier, signed by ``issuer``."""
    cert = node.cert
    b = x509.CertificateBuilder().subject_name(cert.subject).issuer_name(cert.issuer).public_key(cert.public_key())
    b = b.serial_number(cert.serial_number).not_valid_before(cert.not_valid_before_utc).not_valid_after(cert.not_valid_after_utc)
    for ext in cert.extensions:
        if ext.oid != x509.oid.ExtensionOID.AUTHORITY_KEY_IDENTIFIER:
            b = b.add_extension(ext.value, critical=ext.critical)
    return b.sign(issuer.key, hashes.SHA256())


def _rename(node: Node, subject: x509.Name) -> x509.Certificate:
    """A self-signed ``node`` re-issued with another subject (and issuer) name."""
    cert = node.cert
    b = x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(cert.public_key())
    b = b.serial_number(cert.serial_number).not_valid_before(cert.not_valid_before_utc).not_valid_after(cert.not_valid_after_utc)
    for ext in cert.extensions:
        b = b.add_extension(ext.value, critical=ext.critical)
    return b.sign(node.key, hashes.SHA256())


def dns(*names: str) -> list[x509.GeneralName]:
    return [x509.DNSName(n) for n in names]


SERVER = [ExtendedKeyUsageOID.SERVER_AUTH]


def case(
    id: str, expected: str, leaf: Node, chain: list[Node], roots: list[Node], *, peer: str | None = "example.com", kind: str = "DNS", **extra: Any
) -> dict[str, Any]:
    """One limbo test case."""
    return {
        "id": f"mptool::{id}",
        "conflicts_with": [],
        "features": extra.pop("features", []),
        "importance": "high",
        "description": id,
        "validation_kind": extra.pop("validation_kind", "SERVER"),
        "trusted_certs": [r.pem for r in roots],
        "untrusted_intermediates": [c.pem for c in chain],
        "peer_certificate": leaf.pem,
        "peer_certificate_key": None,
        "validation_time": extra.pop("validation_time", NOW),
        "signature_algorithms": [],
        "key_usage": extra.pop("key_usage", []),
        "extended_key_usage": extra.pop("extended_key_usage", ["serverAuth"]),
        "expected_result": expected,
        "expected_peer_name": {"kind": kind, "value": peer} if peer else None,
        "expected_peer_names": [],
        "max_chain_depth": None,
        "crls": extra.pop("crls", []),
    }


def crl_pem(
    issuer: Node,
    revoked: list[x509.Certificate],
    *,
    this_update: _dt.datetime = T0,
    next_update: _dt.datetime | None = None,
    signer: ec.EllipticCurvePrivateKey | None = None,
    revocation_date: _dt.datetime | None = None,
    extension: tuple[x509.ExtensionType, bool] | None = None,
    crl_number: int | None = 1,
) -> str:
    b = x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject).last_update(this_update).next_update(next_update or this_update + _dt.timedelta(days=3650))
    if crl_number is not None:
        b = b.add_extension(x509.CRLNumber(crl_number), critical=False)
    for cert in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(revocation_date or this_update).build())
    if extension is not None:
        b = b.add_extension(extension[0], critical=extension[1])
    return b.sign(signer or issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def build_suite() -> dict[str, Any]:
    """The suite: about 30 cases, about a third expected SUCCESS."""
    root = make("root", None, ca=True)
    ica = make("ica", root, ca=True)
    leaf = make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER)
    cases = [
        case("valid-chain", "SUCCESS", leaf, [ica], [root]),
        case("valid-chain-no-eku-required", "SUCCESS", leaf, [ica], [root], extended_key_usage=[]),
        case("wrong-peer-name", "FAILURE", leaf, [ica], [root], peer="example.org"),
        case("missing-intermediate", "FAILURE", leaf, [], [root]),
        case("untrusted-root", "FAILURE", leaf, [ica, root], []),
        case("expired-at-validation-time", "FAILURE", leaf, [ica], [root], validation_time="2034-06-01T00:00:00Z"),
        case("not-yet-valid", "FAILURE", leaf, [ica], [root], validation_time="2023-06-01T00:00:00Z"),
    ]
    wild = make("wild", ica, ca=False, san=dns("*.example.com"), eku=SERVER)
    partial = make("partial", ica, ca=False, san=dns("f*.example.com"), eku=SERVER)
    cases += [
        case("wildcard-one-label", "SUCCESS", wild, [ica], [root], peer="foo.example.com"),
        case("wildcard-two-labels", "FAILURE", wild, [ica], [root], peer="a.foo.example.com"),
        case("wildcard-apex", "FAILURE", wild, [ica], [root], peer="example.com"),
        case("partial-wildcard", "FAILURE", partial, [ica], [root], peer="foo.example.com"),
    ]
    ip_leaf = make("ip", ica, ca=False, san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))], eku=SERVER)
    cn_only = make("example.com", ica, ca=False, eku=SERVER)
    cases += [
        case("ip-san", "SUCCESS", ip_leaf, [ica], [root], peer="127.0.0.1", kind="IP"),
        case("ip-san-mismatch", "FAILURE", ip_leaf, [ica], [root], peer="127.0.0.2", kind="IP"),
        case("cn-without-san", "FAILURE", cn_only, [ica], [root]),
    ]
    no_bc = make("ica-no-bc", root, ca=True, basic_constraints=False)
    leaf_no_bc = make("leaf", no_bc, ca=False, san=dns("example.com"), eku=SERVER)
    no_certsign = make("ica-no-certsign", root, ca=True, key_usage=x509.KeyUsage(True, False, False, False, False, False, True, False, False))
    leaf_no_certsign = make("leaf", no_certsign, ca=False, san=dns("example.com"), eku=SERVER)
    ica_not_ca = make("ica-not-ca", root, ca=False, key_usage=ku(ca=True))
    leaf_not_ca = make("leaf", ica_not_ca, ca=False, san=dns("example.com"), eku=SERVER)
    cases += [
        case("intermediate-without-basic-constraints", "FAILURE", leaf_no_bc, [no_bc], [root]),
        case("intermediate-without-keycertsign", "FAILURE", leaf_no_certsign, [no_certsign], [root]),
        case("intermediate-ca-false", "FAILURE", leaf_not_ca, [ica_not_ca], [root]),
    ]
    root_pl0 = make("root-pl0", None, ca=True, path_length=0)
    ica_pl = make("ica", root_pl0, ca=True)
    leaf_pl = make("leaf", ica_pl, ca=False, san=dns("example.com"), eku=SERVER)
    root_pl1 = make("root-pl1", None, ca=True, path_length=1)
    ica_pl1 = make("ica", root_pl1, ca=True)
    leaf_pl1 = make("leaf", ica_pl1, ca=False, san=dns("example.com"), eku=SERVER)
    cases += [
        case("pathlen-0-exceeded", "FAILURE", leaf_pl, [ica_pl], [root_pl0]),
        case("pathlen-1-ok", "SUCCESS", leaf_pl1, [ica_pl1], [root_pl1]),
        case("pathlen-0-direct-leaf", "SUCCESS", make("leaf", root_pl0, ca=False, san=dns("example.com"), eku=SERVER), [], [root_pl0]),
    ]
    nc = x509.NameConstraints(permitted_subtrees=[x509.DNSName("example.com")], excluded_subtrees=[x509.DNSName("bad.example.com")])
    ica_nc = make("ica-nc", root, ca=True, extra=[(nc, True)])
    ip_nc = x509.NameConstraints(permitted_subtrees=[x509.IPAddress(ipaddress.ip_network("10.0.0.0/8"))], excluded_subtrees=None)
    ica_ipnc = make("ica-ipnc", root, ca=True, extra=[(ip_nc, True)])
    cases += [
        case("nc-permitted", "SUCCESS", make("leaf", ica_nc, ca=False, san=dns("www.example.com"), eku=SERVER), [ica_nc], [root], peer="www.example.com"),
        case("nc-outside-permitted", "FAILURE", make("leaf", ica_nc, ca=False, san=dns("www.example.com", "evil.com"), eku=SERVER), [ica_nc], [root], peer="www.example.com"),
        case("nc-excluded", "FAILURE", make("leaf", ica_nc, ca=False, san=dns("x.bad.example.com"), eku=SERVER), [ica_nc], [root], peer="x.bad.example.com"),
        case("nc-ip-outside", "FAILURE", make("leaf", ica_ipnc, ca=False, san=[x509.IPAddress(ipaddress.ip_address("192.0.2.1"))], eku=SERVER), [ica_ipnc], [root], peer="192.0.2.1", kind="IP"),
    ]
    client_only = make("leaf", ica, ca=False, san=dns("example.com"), eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    leaf_is_ca = make("leaf", ica, ca=True, san=dns("example.com"), eku=SERVER)
    crit = make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER, extra=[(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55738.1"), b"\x05\x00"), True)])
    cases += [
        case("eku-client-only-for-server", "FAILURE", client_only, [ica], [root]),
        case("eku-client-for-client", "SUCCESS", client_only, [ica], [root], peer=None, validation_kind="CLIENT", extended_key_usage=["clientAuth"]),
        case("leaf-is-ca", "FAILURE", leaf_is_ca, [ica], [root]),
        case("unknown-critical-extension", "FAILURE", crit, [ica], [root]),
    ]
    other_key = ec.generate_private_key(ec.SECP256R1())
    forged = make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER, signing_key=other_key)
    ica_twin = make("ica", root, ca=True)  # same DN as ica, another key
    expired_root = make("root-old", None, ca=True, not_after=T0 + _dt.timedelta(days=200))
    cases += [
        case("bad-signature", "FAILURE", forged, [ica], [root]),
        case("same-dn-intermediates", "SUCCESS", leaf, [ica_twin, ica], [root]),
        case("expired-trust-anchor", "FAILURE", make("leaf", expired_root, ca=False, san=dns("example.com"), eku=SERVER), [], [expired_root]),
    ]
    cases += [
        case("crl-revoked-leaf", "FAILURE", leaf, [ica], [root], crls=[crl_pem(ica, [leaf.cert])], features=["has-crl"]),
        case("crl-not-revoked", "SUCCESS", leaf, [ica], [root], crls=[crl_pem(ica, [ica_twin.cert])], features=["has-crl"]),
        case("crl-bad-signature", "FAILURE", leaf, [ica], [root], crls=[crl_pem(ica, [], signer=other_key)], features=["has-crl"]),
        case("crl-expired", "FAILURE", leaf, [ica], [root], crls=[crl_pem(ica, [], next_update=T0 + _dt.timedelta(days=30))], features=["has-crl"]),
        case("crl-unknown-critical-extension", "FAILURE", leaf, [ica], [root], crls=[crl_pem(ica, [], extension=(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55738.666.1"), b""), True))], features=["has-crl"]),
        case("crl-unknown-noncritical-extension", "SUCCESS", leaf, [ica], [root], crls=[crl_pem(ica, [], extension=(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55738.666.1"), b""), False))], features=["has-crl"]),
        case("crl-duplicate-serial", "FAILURE", leaf, [ica], [root], crls=[crl_pem(ica, [ica_twin.cert, ica_twin.cert])], features=["has-crl"]),
        case("crl-revocation-date-in-future", "FAILURE", leaf, [ica], [root], crls=[crl_pem(ica, [leaf.cert], revocation_date=T0 + _dt.timedelta(days=3000))], features=["has-crl"]),
        case("policy-constraints-any-policy", "SUCCESS", leaf, [ica], [root], features=["has-policy-constraints"]),
        # crl::crlnumber-missing: RFC 5280 §5.2.3, cRLNumber MUST be present
        case("crl-crlnumber-missing", "FAILURE", leaf, [ica], [root], crls=[crl_pem(ica, [ica_twin.cert], crl_number=None)], features=["has-crl"]),
        case("crl-crlnumber-critical", "FAILURE", leaf, [ica], [root], crls=[crl_pem(ica, [], crl_number=None, extension=(x509.CRLNumber(5), True))], features=["has-crl"]),
    ]
    # rfc5280::pc: requireExplicitPolicy 0 in the intermediate, no certificatePolicies below it
    pc_ica = make("ica-pc", root, ca=True, extra=[(x509.PolicyConstraints(require_explicit_policy=0, inhibit_policy_mapping=None), True)])
    policy = x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("1.3.6.1.4.1.55738.7.1"), None)])
    pc_ica_pol = make("ica-pc-pol", root, ca=True, extra=[(x509.PolicyConstraints(require_explicit_policy=0, inhibit_policy_mapping=None), True), (policy, False)])
    cases += [
        case("pc-require-explicit-no-policies", "FAILURE", make("leaf", pc_ica, ca=False, san=dns("example.com"), eku=SERVER), [pc_ica], [root], features=["has-policy-constraints"]),
        case("pc-require-explicit-with-policies", "SUCCESS", make("leaf", pc_ica_pol, ca=False, san=dns("example.com"), eku=SERVER, extra=[(policy, False)]), [pc_ica_pol], [root], features=["has-policy-constraints", "has-cert-policies"]),
    ]
    # pathological::nc-dos-*: many SANs against many subtrees is refused within the work bound
    many = x509.NameConstraints(permitted_subtrees=[x509.DNSName(f"p{i}.example.com") for i in range(256)], excluded_subtrees=[x509.DNSName(f"x{i}.example.com") for i in range(256)])
    dos_ica = make("ica-dos", root, ca=True, extra=[(many, True)])
    dos_leaf = make("leaf", dos_ica, ca=False, san=dns(*(f"h{i}.p{i % 256}.example.com" for i in range(1024))), eku=SERVER)
    cases += [case("nc-dos-many-names", "FAILURE", dos_leaf, [dos_ica], [root], peer="h1.p1.example.com", features=["denial-of-service"])]
    # webpki::forbidden-p192-root, webpki::explicit-curve family: weak or unusual keys are refused in Web-PKI mode
    try:
        p192_root = make("root-p192", None, ca=True, key=ec.generate_private_key(ec.SECP192R1()))
        cases += [case("webpki-forbidden-p192-root", "FAILURE", make("leaf", p192_root, ca=False, san=dns("example.com"), eku=SERVER), [], [p192_root])]
    except Exception:  # noqa: BLE001, S110 - an OpenSSL without P-192 cannot build the case
        pass
    k1_root = make("root-k1", None, ca=True, key=ec.generate_private_key(ec.SECP256K1()))
    cases += [case("webpki-forbidden-secp256k1-root", "FAILURE", make("leaf", k1_root, ca=False, san=dns("example.com"), eku=SERVER), [], [k1_root])]
    from cryptography.x509.oid import AuthorityInformationAccessOID

    root_bc_noncrit = make("root-bc", None, ca=True, basic_constraints=False, extra=[(x509.BasicConstraints(ca=True, path_length=None), False)])
    aia = x509.AuthorityInformationAccess([x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier("http://example.com/ca"))])
    no_aki = make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER)
    no_aki = Node(_without_aki(no_aki, ica), no_aki.key)
    empty_root = make("placeholder", None, ca=True)
    empty_root = Node(_rename(empty_root, x509.Name([])), empty_root.key)
    cases += [
        case("webpki-root-bc-not-critical", "FAILURE", make("leaf", root_bc_noncrit, ca=False, san=dns("example.com"), eku=SERVER), [], [root_bc_noncrit]),
        case("critical-aia", "FAILURE", make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER, extra=[(aia, True)]), [ica], [root]),
        case("non-critical-aia", "SUCCESS", make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER, extra=[(aia, False)]), [ica], [root]),
        case("leaf-missing-aki", "FAILURE", no_aki, [ica], [root]),
        case("leaf-keycertsign-not-ca", "FAILURE", make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER, key_usage=x509.KeyUsage(True, False, False, False, False, True, False, False, False)), [ica], [root]),
        case("ca-empty-subject", "FAILURE", make("leaf", empty_root, ca=False, san=dns("example.com"), eku=SERVER, issuer_name=x509.Name([])), [], [empty_root]),
        case("critical-san-nonempty-subject", "FAILURE", make("leaf", ica, ca=False, eku=SERVER, extra=[(x509.SubjectAlternativeName(dns("example.com")), True)]), [ica], [root]),
        case("pedantic-feature-skipped", "FAILURE", leaf, [ica], [root], features=["pedantic-mptool-unimplemented"]),
    ]
    leading_period = x509.NameConstraints(permitted_subtrees=[x509.DNSName("unrelated.example.org")], excluded_subtrees=None)
    leading_period._permitted_subtrees = [x509.DNSName(".example.com")]  # bypass cryptography's check: malformed on purpose
    ica_bad_nc = make("ica-bad-nc", root, ca=True, extra=[(leading_period, True)])
    ica_excl = make("ica-excl", root, ca=True, extra=[(x509.NameConstraints(permitted_subtrees=None, excluded_subtrees=[x509.DNSName("secret.example.com")]), True)])
    cases += [
        case("nc-malformed-leading-period", "FAILURE", make("leaf", ica_bad_nc, ca=False, san=dns("www.example.com"), eku=SERVER), [ica_bad_nc], [root], peer="www.example.com"),
        case("nc-malformed-san-under-constraint", "FAILURE", make("leaf", ica_nc, ca=False, san=dns(".example.com", "www.example.com"), eku=SERVER), [ica_nc], [root], peer="www.example.com"),
        case("nc-wildcard-covers-excluded", "FAILURE", make("leaf", ica_excl, ca=False, san=dns("*.example.com"), eku=SERVER), [ica_excl], [root], peer="www.example.com"),
        case("nc-in-end-entity", "FAILURE", make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER, extra=[(nc, False)]), [ica], [root]),
    ]
    t1 = T0 + _dt.timedelta(days=30)
    short = make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER, not_before=T0 + _dt.timedelta(seconds=1), not_after=t1)
    cases += [
        case("notafter-fractional", "SUCCESS", short, [ica], [root], validation_time=(t1 + _dt.timedelta(milliseconds=5)).isoformat().replace("+00:00", "Z")),
        case("notbefore-fractional", "FAILURE", short, [ica], [root], validation_time=(T0 + _dt.timedelta(milliseconds=999)).isoformat().replace("+00:00", "Z")),
        case("notafter-exact", "SUCCESS", short, [ica], [root], validation_time=t1.isoformat().replace("+00:00", "Z")),
    ]
    def cn_leaf(cn: str, san: list[x509.GeneralName]) -> Node:
        node = make("placeholder", ica, ca=False, san=san, eku=SERVER)
        cert = node.cert
        b = x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(cert.issuer).public_key(cert.public_key())
        b = b.serial_number(cert.serial_number).not_valid_before(cert.not_valid_before_utc).not_valid_after(cert.not_valid_after_utc)
        for ext in cert.extensions:
            b = b.add_extension(ext.value, critical=ext.critical)
        return Node(b.sign(ica.key, hashes.SHA256()), node.key)

    v6 = [x509.IPAddress(ipaddress.ip_address("2001:db8::1"))]
    cases += [
        case("cn-copy-of-san", "SUCCESS", cn_leaf("example.com", dns("example.com")), [ica], [root]),
        case("cn-case-differs-from-san", "FAILURE", cn_leaf("Example.COM", dns("example.com")), [ica], [root]),
        case("cn-not-in-san", "FAILURE", cn_leaf("other.example.com", dns("example.com")), [ica], [root]),
        case("cn-ipv6-not-rfc5952", "FAILURE", cn_leaf("2001:0db8:0000:0000:0000:0000:0000:0001", v6), [ica], [root], peer="2001:db8::1", kind="IP"),
        case("cn-ipv6-rfc5952", "SUCCESS", cn_leaf("2001:db8::1", v6), [ica], [root], peer="2001:db8::1", kind="IP"),
    ]
    from cryptography.hazmat.primitives.asymmetric import ed25519

    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_root_cert = (
        x509.CertificateBuilder().subject_name(_name("ed root")).issuer_name(_name("ed root")).public_key(ed_key.public_key())
        .serial_number(1).not_valid_before(T0).not_valid_after(T0 + _dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).add_extension(ku(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ed_key.public_key()), critical=False)
        .sign(ed_key, None)
    )
    ed_root = Node(ed_root_cert, ed_key)  # type: ignore[arg-type]
    ed_leaf_key = ec.generate_private_key(ec.SECP256R1())
    ed_leaf = (
        x509.CertificateBuilder().subject_name(_name("ed leaf")).issuer_name(_name("ed root")).public_key(ed_leaf_key.public_key())
        .serial_number(2).not_valid_before(T0).not_valid_after(T0 + _dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(dns("example.com")), critical=False)
        .add_extension(x509.ExtendedKeyUsage(SERVER), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ed_key.public_key()), critical=False)
        .sign(ed_key, None)
    )
    cases += [case("ed25519-root", "SUCCESS", Node(ed_leaf, ed_leaf_key), [], [ed_root])]
    garbage = dict(case("malformed-peer", "FAILURE", leaf, [ica], [root]))
    garbage["peer_certificate"] = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n"
    cases.append(garbage)
    return {"version": 1, "testcases": cases}
