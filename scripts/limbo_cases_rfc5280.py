"""mptool's limbo-format cases for the ``rfc5280::*``, ``pathlen::*``, ``ee-pathlen::*``,
``pathological::*``, ``cve::*``, ``invalid::*`` and ``basic::*`` ids of C2SP/x509-limbo.

Each function builds, with mptool's own builder (scripts/limbo_build.py), a case with the same id,
expected result, validation kind, validation time and peer name as the upstream case definition
of that id (limbo/testcases/*.py, read for their behaviour; no upstream code copied).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from cryptography import x509
from limbo_build import FAR, Case, dns, ku, name, at, EPOCH

REGISTRY: list[tuple[str, str, Callable[[Case], None]]] = []
UNKNOWN = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55738.666.1"), b"")


def case(case_id: str, description: str) -> Callable[[Callable[[Case], None]], Callable[[Case], None]]:
    def wrap(func: Callable[[Case], None]) -> Callable[[Case], None]:
        REGISTRY.append((case_id, description, func))
        return func

    return wrap


def simple(c: Case, root_opts: dict | None = None, leaf_opts: dict | None = None) -> None:
    """root -> EE with the given overrides, root trusted."""
    root = c.root(**(root_opts or {}))
    c.trusted = [root]
    c.peer = c.leaf(root, **(leaf_opts or {}))


def chain(c: Case, ica_opts: dict | None = None, leaf_opts: dict | None = None, *, supply: bool = True) -> None:
    """root -> ICA -> EE, root trusted, ICA supplied (unless ``supply`` is false)."""
    root = c.root()
    ica = c.ica(root, **(ica_opts or {}))
    c.trusted = [root]
    c.untrusted = [ica] if supply else []
    c.peer = c.leaf(ica, **(leaf_opts or {}))


# --- rfc5280 ------------------------------------------------------------------------------------

@case("rfc5280::ee-empty-issuer", "EE with an empty issuer name")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"issuer": "", "subject": "CN=empty-issuer"})


@case("rfc5280::ca-empty-subject", "root CA with an empty subject")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, root_opts={"subject": ""})


@case("rfc5280::unknown-critical-extension-ee", "EE with an unknown critical extension")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"extra": [(UNKNOWN, True)]})


@case("rfc5280::unknown-critical-extension-root", "root with an unknown critical extension")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, root_opts={"extra": [(UNKNOWN, True)]})


@case("rfc5280::unknown-critical-extension-intermediate", "intermediate with an unknown critical extension")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    chain(c, {"pathlen": 0, "extra": [(UNKNOWN, True)]})


@case("rfc5280::chain-untrusted-root", "root -> ICA -> EE with the root untrusted; an unrelated root trusted")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    root = c.root()
    ica = c.ica(root, pathlen=0)
    c.peer = c.leaf(ica)
    c.trusted = [c.root(subject="CN=x509-limbo-unrelated-root")]
    c.untrusted = [root, ica]


@case("rfc5280::intermediate-ca-without-ca-bit", "intermediate with basicConstraints cA=FALSE")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    chain(c, {"bc": x509.BasicConstraints(False, None)})


@case("rfc5280::intermediate-ca-missing-basic-constraints", "intermediate without basicConstraints (not supplied)")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    chain(c, {"bc": None}, supply=False)


@case("rfc5280::root-missing-basic-constraints", "root without basicConstraints")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, root_opts={"bc": None})


@case("rfc5280::root-non-critical-basic-constraints", "root with non-critical basicConstraints")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, root_opts={"bc": (x509.BasicConstraints(True, None), False)})


@case("rfc5280::root-inconsistent-ca-extensions", "root cA=TRUE with keyUsage lacking keyCertSign")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, root_opts={"kus": ku("crl_sign")})


@case("rfc5280::ica-ku-keycertsign", "intermediate pathlen 0 without keyCertSign (not supplied)")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    chain(c, {"pathlen": 0, "kus": ku("crl_sign")}, supply=False)


@case("rfc5280::leaf-ku-keycertsign", "EE cA=FALSE with keyCertSign")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"bc": x509.BasicConstraints(False, None), "kus": ku("digital_signature", "key_cert_sign")})


def _aia(critical: bool) -> tuple[x509.AuthorityInformationAccess, bool]:
    return (x509.AuthorityInformationAccess([x509.AccessDescription(x509.OID_CA_ISSUERS, x509.DNSName("example.com"))]), critical)


@case("rfc5280::ee-aia", "EE with a non-critical AIA")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    simple(c, leaf_opts={"extra": [_aia(False)]})


@case("rfc5280::ee-critical-aia-invalid", "EE with a critical AIA")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"extra": [_aia(True)]})


@case("rfc5280::duplicate-extensions", "EE with two subjectAltName extensions")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"san": None, "unchecked": [(dns("example.com"), False), (dns("example.com"), False)]})


@case("rfc5280::no-keyusage", "EE without keyUsage")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    simple(c, leaf_opts={"kus": None})


@case("rfc5280::no-basicconstraints", "EE without basicConstraints")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    simple(c)


@case("rfc5280::mismatching-signature-algorithm", "root whose outer signatureAlgorithm differs from tbsCertificate.signature")
def _(c: Case) -> None:
    from limbo_der import swap_outer_algorithm

    c.expected = "FAILURE"
    simple(c)
    c.extra_pems["trusted"] = [swap_outer_algorithm(c.trusted[0].cert)]
    c.trusted = []


@case("rfc5280::ca-as-leaf", "a CA certificate in leaf position (valid under RFC 5280)")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    c.conflicts = ["webpki::ca-as-leaf"]
    root = c.root()
    c.trusted = [root]
    c.peer = c.ica(root, san=dns("ca.example.com"))
    c.peer_name = ("DNS", "ca.example.com")


@case("rfc5280::ca-as-leaf-wrong-san", "a CA certificate in leaf position with another SAN")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    root = c.root()
    c.trusted = [root]
    c.peer = c.ica(root, san=dns("ca.example.com"))
    c.peer_name = ("DNS", "some-other-ca.example.com")


@case("rfc5280::root-and-intermediate-swapped", "the ICA is trusted, the root is offered as an intermediate")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    root = c.root()
    ica = c.ica(root)
    c.trusted, c.untrusted, c.peer = [ica], [root], c.leaf(ica)


# --- rfc5280::aki / ski / eku / pc / san / serial ----------------------------------------------

@case("rfc5280::aki::critical-aki", "root with a critical AKI")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    key = c.key()
    simple(c, root_opts={"key": key, "aki": (x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), True)})


@case("rfc5280::aki::leaf-missing-aki", "EE without AKI")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"aki": None})


@case("rfc5280::aki::intermediate-missing-aki", "intermediate without AKI")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    chain(c, {"pathlen": 0, "aki": None})


@case("rfc5280::aki::self-signed-root-missing-aki", "self-signed root without AKI")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    simple(c)


@case("rfc5280::aki::cross-signed-root-missing-aki", "cross-signed root without AKI, trusted")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.features = ["pedantic-rfc5280"]
    signer = c.root()
    root = c.ica(signer, pathlen=0, aki=None)
    c.trusted, c.peer = [root], c.leaf(root)


@case("rfc5280::ski::critical-ski", "root with a critical SKI")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    key = c.key()
    simple(c, root_opts={"key": key, "ski": (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), True)})


@case("rfc5280::ski::root-missing-ski", "root without SKI")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, root_opts={"ski": None})


@case("rfc5280::ski::intermediate-missing-ski", "intermediate without SKI")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    chain(c, {"ski": None})


@case("rfc5280::eku::ee-wrong-eku", "EE with clientAuth only, serverAuth required")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.eku = ["serverAuth"]
    simple(c, leaf_opts={"eku": x509.ExtendedKeyUsage([x509.OID_CLIENT_AUTH])})


@case("rfc5280::eku::ee-without-eku", "EE without extKeyUsage")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    c.conflicts = ["webpki::eku::ee-without-eku"]
    c.peer_name = ("DNS", "example.com")
    simple(c, leaf_opts={"eku": None})


@case("rfc5280::pc::ica-noncritical-pc", "intermediate with a non-critical policyConstraints")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.features = ["has-policy-constraints"]
    chain(c, {"extra": [(x509.PolicyConstraints(require_explicit_policy=3, inhibit_policy_mapping=None), False)]})


@case("rfc5280::san::malformed", "EE whose subjectAltName is not DER")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"san": None, "extra": [(x509.UnrecognizedExtension(x509.OID_SUBJECT_ALTERNATIVE_NAME, b"example.com"), False)]})


@case("rfc5280::san::noncritical-with-empty-subject", "EE with an empty subject and a non-critical SAN")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"subject": None})


@case("rfc5280::serial::serial-number-too-long", "EE serial of 22 octets")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.features = ["pedantic-serial-number"]
    simple(c, leaf_opts={"serial": int.from_bytes(c.label("long")[:22], "big") | (1 << 175)})


@case("rfc5280::serial::serial-number-zero", "EE serial 0")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.features = ["pedantic-serial-number"]
    simple(c, leaf_opts={"serial": 0})


@case("rfc5280::serial::serial-number-negative", "self-signed EE-like certificate with a negative serial")
def _(c: Case) -> None:
    from limbo_der import negate_serial

    c.expected = "FAILURE"
    c.features = ["pedantic-serial-number"]
    c.time = at("2016-09-01T00:00:00Z")
    c.peer_name = ("DNS", "gov.us")
    root = c.root(subject="CN=gov.us", san=dns("gov.us"), nb=at("2016-01-01T00:00:00Z"), na=at("2017-01-01T00:00:00Z"))
    pem = negate_serial(root)
    c.extra_pems["trusted"], c.peer_pem = [pem], pem


# --- rfc5280::validity --------------------------------------------------------------------------

def _validity(c: Case, root: tuple[str, str], ica: tuple[str, str], leaf: tuple[str, str], when: _dt.datetime) -> None:
    r = c.root(nb=at(root[0]), na=at(root[1]))
    i = c.ica(r, nb=at(ica[0]), na=at(ica[1]))
    c.trusted, c.untrusted, c.peer, c.time = [r], [i], c.leaf(i, nb=at(leaf[0]), na=at(leaf[1])), when


Y16, Y18, Y20, Y21, Y23, Y26 = (f"20{y}-01-01T00:00:00Z" for y in ("16", "18", "20", "21", "23", "26"))


@case("rfc5280::validity::expired-root", "root expired at validation time")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    _validity(c, (Y16, Y20), (Y16, Y26), (Y18, Y23), at("2022-01-01T00:00:00Z"))


@case("rfc5280::validity::expired-intermediate", "intermediate expired at validation time")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    _validity(c, (Y16, Y26), (Y16, Y20), (Y18, Y23), at("2022-01-01T00:00:00Z"))


@case("rfc5280::validity::expired-leaf", "EE expired at validation time")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    _validity(c, (Y16, Y26), (Y16, Y26), (Y18, Y21), at("2022-01-01T00:00:00Z"))


MAR, APR = "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"


@case("rfc5280::validity::notbefore-exact", "validated exactly at notBefore")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    _validity(c, (MAR, APR), (MAR, APR), (MAR, APR), at(MAR))


@case("rfc5280::validity::notbefore-fractional", "validated 1 ms before notBefore")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    nb = "2024-03-01T00:00:01Z"
    _validity(c, (nb, APR), (nb, APR), (nb, APR), at(nb) - _dt.timedelta(milliseconds=1))


@case("rfc5280::validity::notafter-exact", "validated exactly at notAfter")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    _validity(c, (MAR, APR), (MAR, APR), (MAR, APR), at(APR))


@case("rfc5280::validity::notafter-fractional", "validated 5 ms after notAfter (second granularity)")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    _validity(c, (MAR, APR), (MAR, APR), (MAR, APR), at(APR) + _dt.timedelta(milliseconds=5))


# --- rfc5280::nc --------------------------------------------------------------------------------

def nc(permitted: list | None = None, excluded: list | None = None) -> x509.NameConstraints:
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=excluded)


def raw_nc(permitted: list | None, excluded: list | None) -> x509.NameConstraints:
    """Name constraints that bypass cryptography's checks (malformed on purpose)."""
    value = x509.NameConstraints(permitted_subtrees=[x509.DNSName("unrelated.example.net")], excluded_subtrees=None)
    value._permitted_subtrees = permitted
    value._excluded_subtrees = excluded
    return value


def ip_san(*addrs: str) -> x509.SubjectAlternativeName:
    import ipaddress

    return x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(a)) for a in addrs])


def nc_root(c: Case, constraint: x509.NameConstraints, critical: bool = True, **leaf: object) -> None:
    simple(c, root_opts={"nc": (constraint, critical)}, leaf_opts=dict(leaf))


def nc_ica(c: Case, constraint: x509.NameConstraints, **leaf: object) -> None:
    chain(c, {"nc": constraint}, dict(leaf))


N = "rfc5280::nc::"
DN_FOO, DN_NOT_FOO = x509.DirectoryName(name("CN=foo")), x509.DirectoryName(name("CN=not-foo"))
NET24 = x509.IPAddress(IPv4Network("192.0.2.0/24"))
V6_1 = x509.IPAddress(IPv6Network("::1/128"))


@case(N + "permitted-dns-mismatch", "permitted example.com, SAN not-example.com")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    nc_root(c, nc([x509.DNSName("example.com")]), san=dns("not-example.com"))


@case(N + "excluded-dns-match", "intermediate excludes example.com, SAN example.com")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    nc_ica(c, nc(None, [x509.DNSName("example.com")]))


@case(N + "permitted-dns-match", "permitted example.com, SAN example.com")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    nc_root(c, nc([x509.DNSName("example.com")]))


@case(N + "permitted-dns-match-noncritical", "non-critical nameConstraints (RFC 5280 MUST be critical)")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.conflicts = ["webpki::nc::permitted-dns-match-noncritical"]
    c.features = ["rfc5280-incompatible-with-webpki"]
    nc_root(c, nc([x509.DNSName("example.com")]), critical=False)


@case(N + "permitted-dns-match-more", "permitted example.com, SAN foo.bar.example.com")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    c.peer_name = ("DNS", "foo.bar.example.com")
    nc_root(c, nc([x509.DNSName("example.com")]), san=dns("foo.bar.example.com"))


@case(N + "excluded-dns-match-second", "excluded name is the second SAN")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    nc_root(c, nc(None, [x509.DNSName("not-allowed.example.com")]), san=dns("example.com", "not-allowed.example.com"))


@case(N + "permitted-ip-mismatch", "permitted 192.0.2.0/24, SAN 192.0.3.1")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("IP", "192.0.3.1")
    nc_root(c, nc([NET24]), san=ip_san("192.0.3.1"))


@case(N + "excluded-ipv4-match", "excluded 192.0.2.0/24, SAN 192.0.2.1")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("IP", "192.0.2.1")
    nc_root(c, nc(None, [NET24]), san=ip_san("192.0.2.1"))


@case(N + "excluded-ipv6-match", "excluded ::1/128, SAN ::1")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("IP", "::1")
    nc_root(c, nc(None, [V6_1]), san=ip_san("::1"))


@case(N + "permitted-ipv4-match", "permitted 192.0.2.0/24, SAN 192.0.2.1")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    c.peer_name = ("IP", "192.0.2.1")
    nc_root(c, nc([NET24]), san=ip_san("192.0.2.1"))


@case(N + "permitted-ipv6-match", "permitted ::1/128, SAN ::1")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    c.peer_name = ("IP", "::1")
    nc_root(c, nc([V6_1]), san=ip_san("::1"))


def _dn_case(c: Case, constraint: x509.NameConstraints, subject: str, san_dn: x509.DirectoryName, expected: str) -> None:
    c.expected = expected
    c.features = ["name-constraint-dn"]
    nc_root(c, constraint, subject=subject, san=x509.SubjectAlternativeName([san_dn]))


@case(N + "permitted-dn-mismatch", "permitted CN=foo, subject and SAN CN=not-foo")
def _(c: Case) -> None:
    _dn_case(c, nc([DN_FOO]), "CN=not-foo", DN_NOT_FOO, "FAILURE")


@case(N + "excluded-dn-match", "excluded CN=foo, subject and SAN CN=foo")
def _(c: Case) -> None:
    _dn_case(c, nc(None, [DN_FOO]), "CN=foo", DN_FOO, "FAILURE")


@case(N + "permitted-dn-match", "permitted CN=foo, subject and SAN CN=foo")
def _(c: Case) -> None:
    _dn_case(c, nc([DN_FOO]), "CN=foo", DN_FOO, "SUCCESS")


@case(N + "permitted-dn-match-subject-san-mismatch", "permitted CN=foo matches the SAN but not the subject")
def _(c: Case) -> None:
    _dn_case(c, nc([DN_FOO]), "CN=not-foo", DN_FOO, "FAILURE")


@case(N + "excluded-dn-match-sub-mismatch", "excluded CN=foo matches the subject but not the SAN")
def _(c: Case) -> None:
    _dn_case(c, nc(None, [DN_FOO]), "CN=foo", DN_NOT_FOO, "FAILURE")


@case(N + "permitted-self-issued", "self-issued intermediate outside the root's permitted subtree")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    other = "CN=not-example.com"
    root = c.root(subject=other, san=dns("not-example.com"), nc=nc([x509.DNSName("example.com")]))
    ica = c.ica(root, subject=other, issuer=other, san=dns("not-example.com"))
    c.trusted, c.untrusted, c.peer = [root], [ica], c.leaf(ica)


@case(N + "excluded-self-issued-leaf", "self-issued leaf outside the permitted subtree")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    other = "CN=not-example.com"
    root = c.root(nc=nc([x509.DNSName("example.com")]))
    ica = c.ica(root, subject=other, san=dns("not-example.com"))
    c.trusted, c.untrusted = [root], [ica]
    c.peer = c.leaf(ica, issuer=other, subject=other, san=dns("not-example.com"))
    c.peer_name = ("DNS", "not-example.com")


@case(N + "excluded-match-permitted-and-excluded", "example.com both permitted and excluded")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    nc_root(c, nc([x509.DNSName("example.com")], [x509.DNSName("example.com")]))


@case(N + "permitted-different-constraint-type", "IP constraint, DNS SAN")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    nc_root(c, nc([NET24]))


@case(N + "excluded-different-constraint-type", "excluded IP constraint, DNS SAN")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    nc_root(c, nc(None, [NET24]))


@case(N + "invalid-dnsname-wildcard", "permitted subtree *.example.com (malformed)")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("DNS", "foo.example.com")
    nc_root(c, raw_nc([x509.DNSName("*.example.com")], None), san=dns("foo.example.com"))


@case(N + "invalid-dnsname-leading-period", "permitted subtree .example.com (malformed for dNSName)")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("DNS", "foo.example.com")
    nc_root(c, raw_nc([x509.DNSName(".example.com")], None), san=dns("foo.example.com"))


@case(N + "invalid-ipv4-address", "permitted iPAddress without a mask")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("IP", "127.0.0.1")
    nc_root(c, raw_nc([x509.IPAddress(IPv4Address("127.0.0.1"))], None), san=ip_san("127.0.0.1"))


@case(N + "invalid-ipv6-address", "permitted IPv6 iPAddress without a mask")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("IP", "::1")
    nc_root(c, raw_nc([x509.IPAddress(IPv6Address("::1"))], None), san=ip_san("::1"))


def email_client(c: Case, address: list[str]) -> None:
    c.kind = "CLIENT"
    c.eku = ["clientAuth"]
    c.peer_names = [("RFC822", a) for a in address]


@case(N + "invalid-email-address", "permitted rfc822Name invalid@invalid@example.com (malformed)")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    email_client(c, ["example@example.com"])
    bad = x509.RFC822Name._init_without_validation("invalid@invalid@example.com")
    nc_root(c, raw_nc([bad], None), san=x509.SubjectAlternativeName([x509.RFC822Name("example@example.com")]), eku=x509.ExtendedKeyUsage([x509.OID_CLIENT_AUTH]))


@case(N + "not-allowed-in-ee-noncritical", "non-critical nameConstraints in an EE")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"extra": [(nc([x509.DNSName("example.com")]), False)]})


@case(N + "not-allowed-in-ee-critical", "critical nameConstraints in an EE")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"extra": [(nc([x509.DNSName("example.com")]), True)]})


PERMITTED, FORBIDDEN = "permitted.example.com", "forbidden.example.com"


def _two_icas(c: Case, on_root: bool) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("DNS", PERMITTED)
    constraint = nc([x509.DNSName(PERMITTED)], [x509.DNSName(FORBIDDEN)])
    root = c.root(nc=constraint if on_root else None)
    ica1 = c.ica(root, nc=None if on_root else constraint)
    ica2 = c.ica(ica1, san=dns(FORBIDDEN))
    c.trusted, c.untrusted, c.peer = [root], [ica1, ica2], c.leaf(ica2, san=dns(PERMITTED))


@case(N + "intermediate-with-san-rejected-by-intermediate-nc", "ICA2's SAN is excluded by ICA1's constraints")
def _(c: Case) -> None:
    _two_icas(c, on_root=False)


@case(N + "intermediate-with-san-rejected-by-root-nc", "ICA2's SAN is excluded by the root's constraints")
def _(c: Case) -> None:
    _two_icas(c, on_root=True)


def _narrow(c: Case, first: list[str], second: list[str]) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("DNS", "foo.example.com")
    root = c.root()
    ica1 = c.ica(root, nc=nc([x509.DNSName(n) for n in first]))
    ica2 = c.ica(ica1, nc=nc([x509.DNSName(n) for n in second]))
    c.trusted, c.untrusted, c.peer = [root], [ica1, ica2], c.leaf(ica2, san=dns("foo.example.com"))


@case(N + "restrictive-permits-in-intermediates-narrows", "ICA2 narrows ICA1's permitted set; EE outside it")
def _(c: Case) -> None:
    _narrow(c, ["foo.example.com", "bar.example.com"], ["bar.example.com"])


@case(N + "restrictive-permits-in-intermediates-widens", "ICA2 tries to widen ICA1's permitted set")
def _(c: Case) -> None:
    _narrow(c, ["bar.example.com"], ["foo.example.com", "bar.example.com"])


@case(N + "nc-permits-invalid-dns-san", "SAN .example.com under a permitted example.com")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("DNS", "foo.example.com")
    nc_ica(c, nc([x509.DNSName("example.com")]), san=x509.SubjectAlternativeName([x509.DNSName(".example.com"), x509.DNSName("foo.example.com")]))


@case(N + "nc-permits-invalid-ip-san", "SAN iPAddress carrying a CIDR range")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("IP", "192.0.2.1")
    nc_ica(c, nc([NET24]), san=x509.SubjectAlternativeName([x509.IPAddress(IPv4Network("192.0.2.0/24")), x509.IPAddress(IPv4Address("192.0.2.1"))]))


@case(N + "nc-permits-invalid-email-san", "malformed rfc822Name SAN under a permitted example.com")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    email_client(c, ["good@example.com", "alsogood@example.com"])
    names = [x509.RFC822Name("good@example.com"), x509.RFC822Name("alsogood@example.com"), x509.RFC822Name._init_without_validation("invalid@address@example.com")]
    nc_ica(c, nc([x509.RFC822Name("example.com")]), san=x509.SubjectAlternativeName(names), eku=x509.ExtendedKeyUsage([x509.OID_CLIENT_AUTH]))


@case(N + "nc-forbids-alternate-chain-ica", "one issuer path is excluded by constraints, another is valid")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    c.peer_name = ("DNS", PERMITTED)
    discarded, trusted = c.root(san=None), c.root(san=None)
    ica_a = c.ica(trusted, nc=nc([x509.DNSName(PERMITTED)], [x509.DNSName(FORBIDDEN)]), san=None)
    key = c.key()
    b1 = c.ica(discarded, key=key, subject="CN=an-intermediate", san=dns(FORBIDDEN))
    b2 = c.ica(ica_a, key=key, subject="CN=an-intermediate", san=None)
    c.trusted, c.untrusted = [trusted], [ica_a, b1, b2]
    c.peer = c.leaf(b1, subject=f"CN={PERMITTED}", san=dns(PERMITTED))


@case(N + "nc-forbids-same-chain-ica", "the constrained path fails, the unconstrained one to another root is valid")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    c.peer_name = ("DNS", "unconstrained.example.com")
    root_a, root_b = c.root(san=None), c.root(san=None)
    ica_a = c.ica(root_a, nc=nc(None, [x509.DNSName(FORBIDDEN)]), san=None)
    key = c.key()
    b1 = c.ica(ica_a, key=key, subject="CN=an-intermediate", san=dns(FORBIDDEN))
    b2 = c.ica(root_b, key=key, subject="CN=an-intermediate", san=dns("unconstrained-ica.example.com"))
    c.trusted, c.untrusted = [root_a, root_b], [ica_a, b1, b2]
    c.peer = c.leaf(b1, subject="CN=unconstrained.example.com", san=dns("unconstrained.example.com"))


@case(N + "nc-permits-email-exact", "permitted mailbox foo@example.com")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    email_client(c, ["foo@example.com"])
    chain(c, {"nc": nc([x509.RFC822Name("foo@example.com")]), "san": None}, {"san": x509.SubjectAlternativeName([x509.RFC822Name("foo@example.com")]), "eku": x509.ExtendedKeyUsage([x509.OID_CLIENT_AUTH])})


@case(N + "nc-permits-email-domain", "permitted mail host example.com")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    email_client(c, ["foo@example.com"])
    chain(c, {"nc": nc([x509.RFC822Name("example.com")]), "san": None}, {"san": x509.SubjectAlternativeName([x509.RFC822Name("foo@example.com")]), "eku": x509.ExtendedKeyUsage([x509.OID_CLIENT_AUTH])})


ON_OID = x509.ObjectIdentifier("1.3.6.1.4.1.55738.666.3")


@case(N + "nc-forbids-othername", "excluded private otherName present in the SAN")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    constraint = nc([x509.DNSName("example.com")], [x509.OtherName(ON_OID, b"\x05\x00")])
    chain(c, {"nc": constraint, "san": None}, {"san": x509.SubjectAlternativeName([x509.DNSName("example.com"), x509.OtherName(ON_OID, b"\x05\x00")])})


@case(N + "nc-forbids-othername-noop", "excluded private otherName absent from the SAN")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    constraint = nc([x509.DNSName("example.com")], [x509.OtherName(ON_OID, b"\x05\x00")])
    chain(c, {"nc": constraint, "san": None})


# --- pathlen, ee-pathlen ------------------------------------------------------------------------

def _pathlen_chain(c: Case, lens: list[int | None], *, leaf: bool = True, self_issued_second: bool = False) -> None:
    root = c.root()
    parent, icas = root, []
    for n, pl in enumerate(lens):
        subject = icas[0].cert.subject.rfc4514_string() if (self_issued_second and n == 1) else None
        node = c.ica(parent, pathlen=pl, subject=subject)
        icas.append(node)
        parent = node
    c.trusted = [root]
    if leaf:
        c.untrusted, c.peer = icas, c.leaf(parent)
    else:
        c.untrusted, c.peer = icas[:-1], icas[-1]


for _n in (0, 1, 2):
    def _make(n: int, ns: str, client: bool) -> Callable[[Case], None]:
        def build(c: Case) -> None:
            c.expected = "SUCCESS"
            if client:
                c.kind = "CLIENT"
            _pathlen_chain(c, [n])

        return build

    REGISTRY.append((f"pathlen::ee-with-intermediate-pathlen-{_n}", f"root -> ICA (pathlen {_n}) -> EE", _make(_n, "pathlen", False)))
    REGISTRY.append((f"ee-pathlen::ee-with-intermediate-pathlen-{_n}", f"root -> ICA (pathlen {_n}) -> EE, client validation", _make(_n, "ee-pathlen", True)))


@case("pathlen::validation-ignores-pathlen-in-leaf", "root -> ICA (pathlen 0) -> ICA (pathlen 0) in leaf position")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    _pathlen_chain(c, [0, 0], leaf=False)


@case("pathlen::intermediate-violates-pathlen-0", "root -> ICA (pathlen 0) -> ICA (pathlen 0) -> EE")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    _pathlen_chain(c, [0, 0])


@case("pathlen::intermediate-pathlen-may-increase", "root -> ICA (pathlen 1) -> ICA (pathlen 2) -> EE")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    _pathlen_chain(c, [1, 2])


@case("pathlen::intermediate-pathlen-too-long", "root -> ICA (1) -> ICA (0) -> ICA (0) -> EE")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    _pathlen_chain(c, [1, 0, 0])


@case("pathlen::self-issued-certs-pathlen", "root -> ICA' (1) -> ICA' self-issued (1) -> ICA'' (0) -> EE")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    _pathlen_chain(c, [1, 1, 0], self_issued_second=True)


# --- pathological, cve, invalid, basic ----------------------------------------------------------

@case("pathological::multiple-chains-expired-intermediate", "chain of pain: an expired cross-certificate beside a valid root")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    root = c.root()
    root2 = c.root(subject="CN=x509-limbo-root-2")
    expired = c.ica(root2, pathlen=1, subject=ROOT_SUBJECT, key=root.key, na=at("1988-11-25T00:00:00Z"))
    c.trusted, c.untrusted, c.peer = [root, root2], [expired], c.leaf(root)


ROOT_SUBJECT = "CN=x509-limbo-root"


def _cycle(c: Case, names: tuple[str, str], with_ku: bool, depth: int | None = None) -> None:
    from limbo_build import CA_KU, Node

    c.expected = "FAILURE"
    c.max_depth = depth
    root = c.root()
    k1, k2 = c.key(), c.key()
    extra = [(CA_KU, False)] if with_ku else []

    def make(subject: str, issuer: str, key: object, signer: object) -> Node:
        exts = [(x509.BasicConstraints(True, None), True), *extra, (x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), False), (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)]  # type: ignore[attr-defined]
        return Node(c._cert(name(issuer), name(subject), key, signer, EPOCH, FAR, exts, None), key)

    ica1 = make(names[0], names[1], k1, k2)
    ica2 = make(names[1], names[0], k2, k1)
    c.trusted, c.untrusted, c.peer = [root], [ica1, ica2], c.leaf(ica1)


@case("pathological::intermediate-cycle-distinct-cas", "two CAs that sign for each other, neither under the root")
def _(c: Case) -> None:
    _cycle(c, ("CN=intermediate-cycle-distinct-ca1", "CN=intermediate-cycle-distinct-ca2"), True)


@case("pathological::intermediate-cycle-distinct-cas-max-depth", "the same cycle with max_chain_depth 255")
def _(c: Case) -> None:
    _cycle(c, ("CN=intermediate-cycle-distinct-ca1", "CN=intermediate-cycle-distinct-ca2"), True, depth=255)


@case("pathological::intermediate-cycle-same-logical-ca", "two keys of one CA name that sign for each other")
def _(c: Case) -> None:
    _cycle(c, ("CN=intermediate-cycle-same-logical-ca", "CN=intermediate-cycle-same-logical-ca"), False)


@case("pathological::nc-dos-1", "1,027 name constraints against 514 SANs (quadratic work)")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.features = ["denial-of-service"]
    c.peer_name = ("DNS", "t0.test")
    permitted = [x509.DNSName(f"t{i}.test") for i in range(513)] + [x509.DNSName._init_without_validation(".test")]
    excluded = [x509.DNSName(f"x{i}.test") for i in range(513)]
    nc_root(c, raw_nc(permitted, excluded), subject=None, san=(x509.SubjectAlternativeName(permitted), True))


@case("cve::cve-2024-0567", "GnuTLS CVE-2024-0567: cross-signed cycle A <-> B <-> C with A trusted")
def _(c: Case) -> None:
    from limbo_build import Node

    c.expected = "SUCCESS"
    c.peer_name = ("DNS", "cve-2024-0567.example.com")
    root = c.root(subject="CN=Root A")
    keys = {"A": root.key, "B": c.key(), "C": c.key()}
    bc_ku = [(x509.BasicConstraints(True, None), True), (ku("key_cert_sign"), False)]

    def make(subject: str, key: object, issuer: str) -> Node:
        signer = keys[issuer]
        exts = [*bc_ku, (x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), False), (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)]  # type: ignore[attr-defined]
        return Node(c._cert(name(f"CN=Root {issuer}"), name(subject), key, signer, EPOCH, FAR, exts, None), key)

    a1 = make("CN=Intermediate A1", c.key(), "A")
    others = [make("CN=Root A", keys["A"], "B"), make("CN=Root A", keys["A"], "C"), make("CN=Intermediate B1", c.key(), "B"), make("CN=Root B", keys["B"], "A"),
              make("CN=Root B", keys["B"], "C"), make("CN=Intermediate C1", c.key(), "C"), make("CN=Root C", keys["C"], "A"), make("CN=Root C", keys["C"], "B")]
    c.trusted, c.untrusted = [root], [a1, *others]
    c.peer = c.leaf(a1, subject=None, san=(dns("cve-2024-0567.example.com"), True))


@case("cve::cve-2025-61727", "wildcard SAN *.example.com under an excluded bar.example.com, peer bar.example.com")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("DNS", "bar.example.com")
    chain(c, {"nc": nc([x509.DNSName("example.com")], [x509.DNSName("bar.example.com")]), "san": None}, {"san": dns("*.example.com")})


@case("cve::cve-2025-61727-nc-permits-variant", "wildcard SAN *.example.com under a permitted foo.example.com")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.peer_name = ("DNS", "foo.example.com")
    chain(c, {"nc": nc([x509.DNSName("foo.example.com")]), "san": None}, {"san": dns("*.example.com")})


@case("invalid::invalid-issuer-key", "intermediate with an unusable RSA key, under an untrusted root")
def _(c: Case) -> None:
    from limbo_der import broken_rsa_intermediate

    c.expected = "FAILURE"
    root1, root2 = c.root(), c.root()
    ica_pem, ica_node = broken_rsa_intermediate(c, root2)
    c.trusted = [root1]
    c.extra_pems["untrusted"] = [ica_pem]
    c.peer = c.leaf(ica_node)


@case("basic::duplicate-extensions", "EE with subjectAltName twice")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"unchecked": [(dns("example.com"), False)]})

