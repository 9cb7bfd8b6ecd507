"""mptool's limbo-format cases for the ``webpki::*``, ``crl::*``, ``smime::*`` and ``rfc9881::*``
ids of C2SP/x509-limbo (behaviours read from the upstream case definitions; no upstream code copied)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from limbo_build import Case, at, dns, ku, name
from limbo_cases_rfc5280 import REGISTRY, case, chain, ip_san, nc, nc_root, raw_nc, simple



def peer(c: Case, kind: str, value: str) -> None:
    c.peer_name = (kind, value)


# --- webpki (top level) -------------------------------------------------------------------------

@case("webpki::explicit-curve", "root and EE with explicit-curve EC keys")
def _(c: Case) -> None:
    from limbo_der import with_explicit_curve

    c.expected = "FAILURE"
    c.time = at("2024-03-13T00:00:00Z")
    root = c.root()
    leaf = c.leaf(root)
    c.extra_pems["trusted"] = [with_explicit_curve(root, root.key)]
    c.peer_pem = with_explicit_curve(leaf, root.key)


def _three(c: Case, *, supply: bool) -> None:
    c.time = at("2023-07-10T00:00:00Z")
    c.key_usage = ["digitalSignature"]
    peer(c, "DNS", "cryptography.io")
    nb, na = at("2023-01-01T00:00:00Z"), at("2024-01-01T00:00:00Z")
    root = c.root(subject="CN=mptool-limbo Root X1,O=mptool-limbo", san=None)
    ica = c.ica(root, pathlen=0, subject="CN=mptool-limbo R3,O=mptool-limbo", san=None, nb=nb)
    leaf = c.leaf(ica, subject="CN=cryptography.io", san=dns("cryptography.io", "www.cryptography.io"), nb=nb, na=na, eku=x509.ExtendedKeyUsage([EKU.SERVER_AUTH, EKU.CLIENT_AUTH]))
    c.trusted, c.untrusted, c.peer = [root], [ica] if supply else [], leaf


@case("webpki::cryptographydotio-chain", "a web-style root -> R3 -> cryptography.io chain (built by mptool)")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    _three(c, supply=True)


@case("webpki::cryptographydotio-chain-missing-intermediate", "the same chain without its intermediate")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    _three(c, supply=False)


@case("webpki::malformed-aia", "EE whose AIA is not DER")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"extra": [(x509.UnrecognizedExtension(x509.OID_AUTHORITY_INFORMATION_ACCESS, b"malformed"), False)]})


def _key_case(c: Case, key: object, *, in_root: bool, feature: str | None = None) -> None:
    c.expected = "FAILURE"
    if feature:
        c.features = [feature]
    if in_root:
        simple(c, root_opts={"key": key})
    else:
        simple(c, leaf_opts={"key": key})


SUB = "pedantic-webpki-subscriber-key"
KEY_CASES: list[tuple[str, Callable[[Case], object], bool, str | None]] = [
    ("forbidden-p192-root", lambda c: c.key(ec.SECP192R1()), True, None),
    ("forbidden-p192-leaf", lambda c: c.key(ec.SECP192R1()), False, SUB),
    ("forbidden-dsa-root", lambda c: c.dsa(), True, None),
    ("forbidden-dsa-leaf", lambda c: c.dsa(), False, SUB),
    ("forbidden-weak-rsa-key-in-root", lambda c: c.rsa(1024), True, None),
    ("forbidden-weak-rsa-in-leaf", lambda c: c.rsa(1024), False, SUB),
    ("forbidden-rsa-not-divisable-by-8-in-root", lambda c: c.rsa(2052), True, None),
    ("forbidden-rsa-key-not-divisable-by-8-in-leaf", lambda c: c.rsa(2052), False, SUB),
]


def _keyed(make: Callable[[Case], object], in_root: bool, feature: str | None) -> Callable[[Case], None]:
    return lambda c: _key_case(c, make(c), in_root=in_root, feature=feature)


for _id, _make, _root, _feature in KEY_CASES:
    REGISTRY.append((f"webpki::{_id}", f"{'root' if _root else 'EE'} key not allowed by CA/B BR 6.1.5", _keyed(_make, _root, _feature)))


@case("webpki::v1-cert", "X.509 v1 EE")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"version": x509.Version.v1})


@case("webpki::ee-basicconstraints-ca", "EE with cA=TRUE and no keyCertSign")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"bc": x509.BasicConstraints(True, None)})


@case("webpki::ca-as-leaf", "a CA certificate in leaf position (forbidden by CA/B BR 7.1.2.7.8)")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    c.conflicts = ["rfc5280::ca-as-leaf"]
    peer(c, "DNS", "ca.example.com")
    root = c.root()
    c.trusted, c.peer = [root], c.ica(root, san=dns("ca.example.com"))


@case("webpki::ku::ee-rsa-without-any-usages", "RSA EE with a keyUsage that sets no bit")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"key": c.rsa(2048), "kus": (ku(), True)})


# --- webpki::aki --------------------------------------------------------------------------------

def _root_aki(c: Case, make: Callable[[ec.EllipticCurvePrivateKey], x509.AuthorityKeyIdentifier], key: ec.EllipticCurvePrivateKey | None = None) -> None:
    c.expected = "FAILURE"
    key = key or c.key()
    simple(c, root_opts={"key": key, "aki": (make(key), False)})


MY_CN = [x509.DirectoryName(name("CN=myCN"))]


def _aki_issuer_only(key: ec.EllipticCurvePrivateKey) -> x509.AuthorityKeyIdentifier:
    value = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
    value._authority_cert_issuer = MY_CN
    return value


def _aki_serial_only(key: ec.EllipticCurvePrivateKey) -> x509.AuthorityKeyIdentifier:
    value = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
    value._authority_cert_serial_number = 1234
    return value


@case("webpki::aki::root-with-aki-missing-keyidentifier", "root AKI without keyIdentifier")
def _(c: Case) -> None:
    _root_aki(c, lambda k: x509.AuthorityKeyIdentifier(None, None, None))


@case("webpki::aki::root-with-aki-authoritycertissuer", "root AKI with authorityCertIssuer")
def _(c: Case) -> None:
    _root_aki(c, _aki_issuer_only)


@case("webpki::aki::root-with-aki-authoritycertserialnumber", "root AKI with authorityCertSerialNumber")
def _(c: Case) -> None:
    _root_aki(c, _aki_serial_only)


@case("webpki::aki::root-with-aki-all-fields", "root AKI with every field")
def _(c: Case) -> None:
    _root_aki(c, lambda k: x509.AuthorityKeyIdentifier(x509.AuthorityKeyIdentifier.from_issuer_public_key(k.public_key()).key_identifier, MY_CN, 1234))


@case("webpki::aki::root-with-aki-ski-mismatch", "self-signed root whose AKI differs from its SKI")
def _(c: Case) -> None:
    other = c.key()
    _root_aki(c, lambda k: x509.AuthorityKeyIdentifier.from_issuer_public_key(other.public_key()))


# --- webpki::cn ---------------------------------------------------------------------------------

CN_CASES = [
    ("cabf-cn-ipv4-hex-mismatch", "0xC0A80101", ip_san("192.168.1.1"), ("IP", "192.168.1.1")),
    ("cabf-cn-ipv4-leading-zeros-mismatch", "192.168.001.001", ip_san("192.168.1.1"), ("IP", "192.168.1.1")),
    ("cabf-cn-ipv6-uppercase-mismatch", "2001:DB8::8A2E:370:7334", ip_san("2001:db8::8a2e:370:7334"), ("IP", "2001:db8::8a2e:370:7334")),
    ("cabf-cn-ipv6-uncompressed-mismatch", "2001:0db8:0000:0000:0000:0000:0000:0001", ip_san("2001:db8::1"), ("IP", "2001:db8::1")),
    ("cabf-cn-ipv6-non-rfc5952-mismatch", "2001:db8:0:0:1:0:0:1", ip_san("2001:db8::1:0:0:1"), ("IP", "2001:db8::1:0:0:1")),
    ("cabf-cn-punycode-not-in-san", "xn--nxasmq6b.com", dns("xn--n3h.com"), ("DNS", "xn--n3h.com")),
    ("cabf-cn-utf8-vs-punycode-mismatch", "test-\u6e2c\u8a66.com", dns("xn--test--wg5h0h.com"), ("DNS", "xn--test--wg5h0h.com")),
    ("cabf-cn-not-in-san", "notinsan.example.com", dns("valid.example.com", "another.example.com"), ("DNS", "valid.example.com")),
    ("cabf-cn-case-mismatch", "Example.COM", dns("example.com"), ("DNS", "example.com")),
]


def _cn(cn: str, san: x509.SubjectAlternativeName, peer_name: tuple[str, str]) -> Callable[[Case], None]:
    def build(c: Case) -> None:
        c.expected = "FAILURE"
        c.peer_name = peer_name
        root = c.root()
        subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, cn)])
        c.trusted = [root]
        c.peer = c.leaf(root, subject=subject.rfc4514_string(), san=san)

    return build


for _id, _cn_value, _san, _peer in CN_CASES:
    REGISTRY.append((f"webpki::cn::{_id}", f"subject CN {_cn_value!r} is not a copy of a SAN value (CA/B BR 7.1.4.3)", _cn(_cn_value, _san, _peer)))


# --- webpki::eku --------------------------------------------------------------------------------

PRECERT = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.4")
PEDANTIC_EKU = "pedantic-webpki-eku"


def _eku(expected: str, oids: list[x509.ObjectIdentifier] | None, *, critical: bool = False, feature: bool = True, required: bool = True, root_eku: bool = False) -> Callable[[Case], None]:
    def build(c: Case) -> None:
        c.expected = expected
        c.features = [PEDANTIC_EKU] if feature else []
        c.eku = ["serverAuth"] if required else []
        leaf_eku = (x509.ExtendedKeyUsage(oids), critical) if oids is not None else None
        root_opts = {"extra": [(x509.ExtendedKeyUsage([EKU.SERVER_AUTH]), False)]} if root_eku else {}
        simple(c, root_opts=root_opts, leaf_opts={"eku": leaf_eku} if not root_eku else {})

    return build


EKU_CASES = [
    ("ee-anyeku", "FAILURE", [EKU.SERVER_AUTH, EKU.ANY_EXTENDED_KEY_USAGE], {}),
    ("ee-critical-eku", "FAILURE", [EKU.SERVER_AUTH], {"critical": True}),
    ("ee-without-eku", "FAILURE", None, {"required": False}),
    ("root-has-eku", "FAILURE", [EKU.SERVER_AUTH], {"root_eku": True}),
    ("ee-clientauth-only", "FAILURE", [EKU.CLIENT_AUTH], {}),
    ("ee-precertificate-only", "FAILURE", [PRECERT], {}),
    ("ee-precertificate-with-serverauth", "FAILURE", [EKU.SERVER_AUTH, PRECERT], {}),
    ("ee-serverauth-with-additional", "SUCCESS", [EKU.SERVER_AUTH, EKU.CLIENT_AUTH], {}),
    ("ee-codesigning-with-serverauth", "FAILURE", [EKU.SERVER_AUTH, EKU.CODE_SIGNING], {}),
    ("ee-emailprotection-with-serverauth", "FAILURE", [EKU.SERVER_AUTH, EKU.EMAIL_PROTECTION], {}),
    ("ee-timestamping-with-serverauth", "FAILURE", [EKU.SERVER_AUTH, EKU.TIME_STAMPING], {}),
    ("ee-ocspsigning-with-serverauth", "FAILURE", [EKU.SERVER_AUTH, EKU.OCSP_SIGNING], {}),
]
for _id, _expected, _oids, _opts in EKU_CASES:
    _builder = _eku(_expected, _oids, **_opts)
    if _id == "ee-without-eku":
        def _builder(c: Case, _inner: Callable[[Case], None] = _builder) -> None:  # noqa: F811
            _inner(c)
            c.conflicts = ["rfc5280::eku::ee-without-eku"]
    REGISTRY.append((f"webpki::eku::{_id}", f"extKeyUsage case {_id} (CA/B BR 7.1.2.7.10)", _builder))


# --- webpki::nc ---------------------------------------------------------------------------------

@case("webpki::nc::permitted-dns-match-noncritical", "non-critical nameConstraints (allowed by CA/B BR)")
def _(c: Case) -> None:
    c.expected = "SUCCESS"
    c.conflicts = ["rfc5280::nc::permitted-dns-match-noncritical"]
    nc_root(c, nc([x509.DNSName("example.com")]), critical=False)


@case("webpki::nc::intermediate-permitted-excluded-subtrees-both-null", "nameConstraints with neither subtree")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    chain(c, {"nc": raw_nc(None, None)})


@case("webpki::nc::intermediate-permitted-excluded-subtrees-both-empty-sequences", "nameConstraints with two empty subtrees")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    chain(c, {"nc": raw_nc([], [])})


# --- webpki::san --------------------------------------------------------------------------------

SAN_CASES = [
    ("exact-dns-san", "SUCCESS", dns("example.com"), ("DNS", "example.com"), None),
    ("exact-localhost-ip-san", "SUCCESS", ip_san("127.0.0.1"), ("IP", "127.0.0.1"), None),
    ("mismatch-domain-san", "FAILURE", dns("example.com"), ("DNS", "example2.com"), None),
    ("mismatch-subdomain-san", "FAILURE", dns("abc.example.com"), ("DNS", "def.example.com"), None),
    ("mismatch-subdomain-apex-san", "FAILURE", dns("example.com"), ("DNS", "abc.example.com"), None),
    ("mismatch-apex-subdomain-san", "FAILURE", dns("abc.example.com"), ("DNS", "example.com"), None),
    ("public-suffix-wildcard-san", "FAILURE", dns("*.com"), ("DNS", "example.com"), "pedantic-public-suffix-wildcard"),
    ("leftmost-wildcard-san", "SUCCESS", dns("*.example.com"), ("DNS", "foo.example.com"), None),
    ("wildcard-embedded-leftmost-san", "FAILURE", dns("ba*.example.com"), ("DNS", "baz.example.com"), None),
    ("wildcard-not-in-leftmost-san", "FAILURE", dns("foo.*.example.com"), ("DNS", "foo.bar.example.com"), None),
    ("wildcard-match-across-labels-san", "FAILURE", dns("*.example.com"), ("DNS", "foo.bar.example.com"), None),
    ("wildcard-embedded-ulabel-san", "FAILURE", dns("xn--*-1b3c148a.example.com"), ("DNS", "xn--bliss-1b3c148a.example.com"), None),
    ("unicode-emoji-san", "FAILURE", x509.SubjectAlternativeName([x509.DNSName._init_without_validation("\U0001f61c.example.com")]), ("DNS", "xn--628h.example.com"), None),
]


def _san(expected: str, san: x509.SubjectAlternativeName, peer_name: tuple[str, str], feature: str | None) -> Callable[[Case], None]:
    def build(c: Case) -> None:
        c.expected, c.peer_name = expected, peer_name
        c.features = [feature] if feature else []
        simple(c, leaf_opts={"san": san})

    return build


for _id, _expected, _value, _peer, _feature in SAN_CASES:
    REGISTRY.append((f"webpki::san::{_id}", f"subjectAltName matching: {_id}", _san(_expected, _value, _peer, _feature)))


@case("webpki::san::no-san", "EE without SAN, CN=example.com")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"san": None})


@case("webpki::san::san-critical-with-nonempty-subject", "critical SAN with a non-empty subject")
def _(c: Case) -> None:
    c.expected = "FAILURE"
    simple(c, leaf_opts={"subject": "CN=something-else", "san": (dns("example.com"), True)})


@case("webpki::crl::crl-duplicate-revoked-serial", "CRL listing one serial twice")
def _(c: Case) -> None:
    _crl_duplicate(c)


# --- crl ----------------------------------------------------------------------------------------

T = at("2024-01-01T00:00:00Z")
DAY = _dt.timedelta(days=1)


def crl_case(c: Case, expected: str) -> None:
    c.expected = expected
    c.features = ["has-crl"]
    c.time = T


def _crl_duplicate(c: Case) -> None:
    crl_case(c, "FAILURE")
    simple(c)
    entry = c.revoked(when=T - DAY)
    c.crls = [c.crl(c.trusted[0], [entry, entry])]


def _named_leaf(c: Case, host: str, *, root_kus: object = None) -> None:
    root = c.root(kus=root_kus) if root_kus is not None else c.root()
    c.trusted = [root]
    c.peer = c.leaf(root, subject=f"CN={host}", san=dns(host))
    c.peer_name = ("DNS", host)


@case("crl::revoked-certificate-with-crl", "the EE is on its issuer's CRL")
def _(c: Case) -> None:
    crl_case(c, "FAILURE")
    _named_leaf(c, "revoked.example.com")
    c.crls = [c.crl(c.trusted[0], [c.revoked(c.peer.cert.serial_number, T - DAY)])]  # type: ignore[union-attr]


def _crlnumber(c: Case, host: str, number: object) -> None:
    crl_case(c, "FAILURE")
    _named_leaf(c, host)
    nb = c.peer.cert.not_valid_before_utc  # type: ignore[union-attr]
    c.time = nb + _dt.timedelta(seconds=2)
    c.crls = [c.crl(c.trusted[0], [c.revoked(when=nb + _dt.timedelta(seconds=1))], number=number)]


@case("crl::crlnumber-missing", "CRL without cRLNumber (RFC 5280 §5.2.3 MUST)")
def _(c: Case) -> None:
    _crlnumber(c, "missing-crlnumber.example.com", None)


@case("crl::crlnumber-critical", "CRL with a critical cRLNumber")
def _(c: Case) -> None:
    _crlnumber(c, "crlnumber-critical.example.com", (x509.CRLNumber(12345), True))


@case("crl::certificate-not-on-crl", "the EE is not on the CRL")
def _(c: Case) -> None:
    crl_case(c, "SUCCESS")
    simple(c)
    c.crls = [c.crl(c.trusted[0], [c.revoked(when=T - DAY), c.revoked(when=T - 2 * DAY)])]


@case("crl::certificate-serial-on-crl-different-issuer", "the EE serial is on another CA's CRL")
def _(c: Case) -> None:
    crl_case(c, "SUCCESS")
    r1, r2 = c.root(subject="CN=Root CA 1"), c.root(subject="CN=Root CA 2")
    c.trusted, c.peer = [r1, r2], c.leaf(r1)
    c.crls = [c.crl(r1, []), c.crl(r2, [c.revoked(c.peer.cert.serial_number, T - DAY)])]


def _issuer_ku(c: Case, host: str, kus: object, expected: str) -> None:
    crl_case(c, expected)
    _named_leaf(c, host, root_kus=kus)
    c.crls = [c.crl(c.trusted[0], [c.revoked(when=T - DAY)])]


@case("crl::issuer-missing-crlsign", "CRL issuer keyUsage lacks cRLSign")
def _(c: Case) -> None:
    _issuer_ku(c, "issuer-missing-crlsign.example.com", ku("key_cert_sign"), "FAILURE")


@case("crl::issuer-no-keyusage-extension", "CRL issuer without keyUsage (RFC 5280 §6.3.3 (f) is conditional)")
def _(c: Case) -> None:
    crl_case(c, "SUCCESS")
    root = c.root(kus=None)
    c.trusted = [root]
    c.peer = c.leaf(root, subject="CN=issuer-no-keyusage.example.com", san=dns("issuer-no-keyusage.example.com"))
    c.peer_name = ("DNS", "issuer-no-keyusage.example.com")
    c.crls = [c.crl(root, [c.revoked(when=T - DAY)])]


@case("crl::issuer-valid-crlsign-and-keycertsign", "CRL issuer with keyCertSign and cRLSign")
def _(c: Case) -> None:
    _issuer_ku(c, "issuer-valid-crlsign.example.com", ku("key_cert_sign", "crl_sign"), "SUCCESS")


def cdp(*names: x509.GeneralName) -> tuple[x509.CRLDistributionPoints, bool]:
    return (x509.CRLDistributionPoints([x509.DistributionPoint(full_name=list(names), relative_name=None, reasons=None, crl_issuer=None)]), False)


def idp(*, full: list[x509.GeneralName] | None = None, relative: x509.RelativeDistinguishedName | None = None, user: bool = False, ca: bool = False,
        attr: bool = False, reasons: frozenset | None = None, indirect: bool = False) -> tuple[x509.IssuingDistributionPoint, bool]:
    return (x509.IssuingDistributionPoint(full_name=full, relative_name=relative, only_contains_user_certs=user, only_contains_ca_certs=ca, only_some_reasons=reasons,
                                          indirect_crl=indirect, only_contains_attribute_certs=attr), True)


URI = x509.UniformResourceIdentifier
PART = "http://example.com/partition.crl"


def _idp_case(c: Case, expected: str, leaf_cdp: tuple | None, crl_idp: tuple, revoke_other: bool = False) -> None:
    crl_case(c, expected)
    simple(c, leaf_opts={"extra": [leaf_cdp]} if leaf_cdp else {})
    c.crls = [c.crl(c.trusted[0], [c.revoked(when=T - DAY)] if revoke_other else [], extra=crl_idp)]


@case("crl::cabf::idp-name-relative-to-crl-issuer", "partitioned CRL IDP with nameRelativeToCRLIssuer")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", None, idp(relative=x509.RelativeDistinguishedName([x509.NameAttribute(x509.NameOID.COMMON_NAME, "partition")])))


@case("crl::cabf::idp-fullname-non-uri-generalname", "partitioned CRL IDP fullName with a dNSName")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", cdp(URI(PART)), idp(full=[URI(PART), x509.DNSName("example.com")]))


@case("crl::cabf::idp-indirect-crl", "partitioned CRL asserting indirectCRL")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", cdp(URI(PART)), idp(full=[URI(PART)], indirect=True))


@case("crl::cabf::idp-only-some-reasons-no-complete-crl", "partitioned CRL with onlySomeReasons and no complete CRL")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", cdp(URI(PART)), idp(full=[URI(PART)], reasons=frozenset([x509.ReasonFlags.key_compromise])))


@case("crl::cabf::idp-uri-not-byte-identical", "IDP URI equal to the CDP URI only after percent-decoding")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", cdp(URI("http://example.com/crls/%73hard.crl")), idp(full=[URI("http://example.com/crls/shard.crl")]))


@case("crl::idp::idp-cdp-scope-mismatch", "IDP name differs from the EE's CDP")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", cdp(URI("http://example.com/cdp.crl")), idp(full=[URI("http://example.com/other.crl")]))


@case("crl::idp::idp-cdp-scope-match", "IDP name equals the EE's CDP")
def _(c: Case) -> None:
    _idp_case(c, "SUCCESS", cdp(URI(PART)), idp(full=[URI(PART)]))


@case("crl::idp::idp-only-contains-user-certs-ca-target", "root CRL scoped to user certificates, the intermediate is a CA")
def _(c: Case) -> None:
    crl_case(c, "FAILURE")
    chain(c, {"kus": ku("key_cert_sign", "crl_sign")})
    c.crls = [c.crl(c.trusted[0], [], extra=idp(user=True)), c.crl(c.untrusted[0], [])]


@case("crl::idp::idp-only-contains-ca-certs-ee-target", "CRL scoped to CA certificates, the target is an EE")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", None, idp(ca=True))


@case("crl::idp::idp-present-certificate-missing-cdp", "IDP-scoped CRL, the EE has no CDP")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", None, idp(full=[URI(PART)]))


@case("crl::idp::idp-present-certificate-cdp-non-uri-generalname", "the EE's CDP carries a dNSName besides the URI")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", cdp(URI(PART), x509.DNSName("example.com")), idp(full=[URI(PART)]))


@case("crl::idp::idp-only-contains-attribute-certs", "CRL scoped to attribute certificates")
def _(c: Case) -> None:
    _idp_case(c, "FAILURE", None, idp(attr=True), revoke_other=True)


@case("crl::structure::crl-invalid-signature", "CRL naming the root but signed by another key")
def _(c: Case) -> None:
    crl_case(c, "FAILURE")
    simple(c)
    root = c.trusted[0]
    c.crls = [c.crl(root, [c.revoked(when=T - DAY)], key=c.key())]


@case("crl::structure::crl-wrong-signing-key", "CRL naming root 1, signed by trusted root 2")
def _(c: Case) -> None:
    crl_case(c, "FAILURE")
    r1, r2 = c.root(subject="CN=Root CA 1"), c.root(subject="CN=Root CA 2")
    c.trusted, c.peer = [r1, r2], c.leaf(r1)
    c.crls = [c.crl(r2, [c.revoked(when=T - DAY)], issuer=r1.cert.subject, aki=False)]


@case("crl::structure::crl-empty", "empty CRL")
def _(c: Case) -> None:
    crl_case(c, "SUCCESS")
    simple(c)
    c.crls = [c.crl(c.trusted[0], [])]


@case("crl::structure::crl-very-large", "CRL with 10,000 entries")
def _(c: Case) -> None:
    crl_case(c, "SUCCESS")
    simple(c)
    c.crls = [c.crl(c.trusted[0], [c.revoked() for _ in range(10_000)])]


UNKNOWN = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55738.666.1"), b"")


@case("crl::structure::crl-unknown-critical-extension", "CRL with an unknown critical extension")
def _(c: Case) -> None:
    crl_case(c, "FAILURE")
    simple(c)
    c.crls = [c.crl(c.trusted[0], [c.revoked(when=T - DAY)], extra=(UNKNOWN, True))]


@case("crl::structure::crl-unknown-noncritical-extension", "CRL with an unknown non-critical extension")
def _(c: Case) -> None:
    crl_case(c, "SUCCESS")
    simple(c)
    c.crls = [c.crl(c.trusted[0], [c.revoked(when=T - DAY)], extra=(UNKNOWN, False))]


@case("crl::structure::crl-duplicate-revoked-serial", "CRL listing one serial twice")
def _(c: Case) -> None:
    _crl_duplicate(c)


def _window(c: Case, this: _dt.datetime, nxt: _dt.datetime, revoke: _dt.datetime | None = None, leaf_window: tuple[_dt.datetime, _dt.datetime] | None = None) -> None:
    crl_case(c, "FAILURE")
    root = c.root()
    opts: dict = {}
    if leaf_window:
        opts = {"nb": leaf_window[0], "na": leaf_window[1]}
    c.trusted, c.peer = [root], c.leaf(root, **opts)
    entries = [c.revoked(c.peer.cert.serial_number, revoke)] if revoke else []
    c.crls = [c.crl(root, entries, this=this, nxt=nxt)]


@case("crl::temporal::this-update-in-future", "CRL thisUpdate after the validation time")
def _(c: Case) -> None:
    _window(c, T + DAY, T + 30 * DAY)


@case("crl::temporal::next-update-in-past", "CRL nextUpdate before the validation time")
def _(c: Case) -> None:
    _window(c, T - 60 * DAY, T - 30 * DAY)


@case("crl::temporal::revocation-date-in-future", "EE revoked with a future revocationDate")
def _(c: Case) -> None:
    _window(c, T - DAY, T + 30 * DAY, revoke=T + DAY)


@case("crl::temporal::revocation-date-before-not-before", "EE revoked before its notBefore")
def _(c: Case) -> None:
    _window(c, T - DAY, T + 30 * DAY, revoke=T - 60 * DAY, leaf_window=(T - 30 * DAY, FAR_))


FAR_ = at("2969-05-02T00:00:00Z")


@case("crl::temporal::crl-validity-no-overlap", "CRL window entirely before the EE's validity")
def _(c: Case) -> None:
    _window(c, T - 365 * DAY, T - 180 * DAY, leaf_window=(T - 30 * DAY, T + 30 * DAY))


# --- smime --------------------------------------------------------------------------------------

USER = "user@example.com"
EMAIL_EKU = x509.ExtendedKeyUsage([EKU.EMAIL_PROTECTION])


def mail(*addresses: str) -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName([x509.RFC822Name(a) for a in addresses])


def smime(c: Case, expected: str, *, peer_value: str = USER, feature: str | None = None) -> None:
    c.expected = expected
    c.kind = "CLIENT"
    c.eku = ["emailProtection"]
    c.peer_names = [("RFC822", peer_value)]
    c.features = [feature] if feature else []


def smime_simple(c: Case, expected: str, *, root_opts: dict | None = None, feature: str | None = None, peer_value: str = USER, **leaf: object) -> None:
    smime(c, expected, peer_value=peer_value, feature=feature)
    leaf.setdefault("san", mail(USER))
    leaf.setdefault("eku", EMAIL_EKU)
    simple(c, root_opts=root_opts, leaf_opts=leaf)


def smime_ica(c: Case, expected: str, ica: dict, feature: str | None = None) -> None:
    smime(c, expected, feature=feature)
    chain(c, {"pathlen": 0, **ica}, {"san": mail(USER), "eku": EMAIL_EKU})


CA_EMAIL = [(EMAIL_EKU, False)]
SM = "smime::"
PED_KEY, PED_EKU = "pedantic-smime-subscriber-key", "pedantic-smime-eku"

REGISTRY.extend([
    (SM + "valid-smime-chain", "valid S/MIME root -> EE", lambda c: smime_simple(c, "SUCCESS")),
    (SM + "valid-smime-chain-with-intermediate", "valid S/MIME root -> ICA -> EE", lambda c: smime_ica(c, "SUCCESS", {"kus": (ku("key_cert_sign", "crl_sign"), True), "extra": CA_EMAIL})),
    (SM + "v1-cert", "X.509 v1 EE", lambda c: smime_simple(c, "FAILURE", version=x509.Version.v1)),
    (SM + "ee-basicconstraints-ca-true", "EE with cA=TRUE", lambda c: smime_simple(c, "FAILURE", bc=x509.BasicConstraints(True, None))),
    (SM + "ee-basicconstraints-pathlen-present", "EE with a pathLenConstraint", lambda c: smime_simple(c, "FAILURE", bc=x509.BasicConstraints(True, 0))),
    (SM + "forbidden-p192-leaf", "EE with a P-192 key", lambda c: smime_simple(c, "FAILURE", feature=PED_KEY, key=c.key(ec.SECP192R1()))),
    (SM + "forbidden-p192-root", "root with a P-192 key", lambda c: smime_simple(c, "FAILURE", root_opts={"key": c.key(ec.SECP192R1())})),
    (SM + "forbidden-dsa-leaf", "EE with a DSA key", lambda c: smime_simple(c, "FAILURE", feature=PED_KEY, key=c.dsa())),
    (SM + "forbidden-dsa-root", "root with a DSA key", lambda c: smime_simple(c, "FAILURE", root_opts={"key": c.dsa()})),
    (SM + "forbidden-weak-rsa-key-in-root", "root with RSA-1024", lambda c: smime_simple(c, "FAILURE", root_opts={"key": c.rsa(1024)})),
    (SM + "forbidden-weak-rsa-in-leaf", "EE with RSA-1024", lambda c: smime_simple(c, "FAILURE", feature=PED_KEY, key=c.rsa(1024))),
    (SM + "forbidden-rsa-not-divisible-by-8-in-root", "root with RSA-2052", lambda c: smime_simple(c, "FAILURE", root_opts={"key": c.rsa(2052)})),
    (SM + "forbidden-rsa-key-not-divisible-by-8-in-leaf", "EE with RSA-2052", lambda c: smime_simple(c, "FAILURE", feature=PED_KEY, key=c.rsa(2052))),
])


@case(SM + "ca-as-leaf", "a CA certificate as the S/MIME EE")
def _(c: Case) -> None:
    smime(c, "FAILURE", peer_value="ca@example.com")
    root = c.root()
    c.trusted, c.peer = [root], c.ica(root, san=mail("ca@example.com"))


EKU_SMIME = [
    ("ee-email-protection", "SUCCESS", [EKU.EMAIL_PROTECTION], None),
    ("ee-missing-email-protection", "FAILURE", [EKU.CLIENT_AUTH], None),
    ("ee-without-eku", "FAILURE", None, PED_EKU),
    ("ee-has-server-auth", "FAILURE", [EKU.EMAIL_PROTECTION, EKU.SERVER_AUTH], PED_EKU),
    ("ee-has-code-signing", "FAILURE", [EKU.EMAIL_PROTECTION, EKU.CODE_SIGNING], PED_EKU),
    ("ee-has-time-stamping", "FAILURE", [EKU.EMAIL_PROTECTION, EKU.TIME_STAMPING], PED_EKU),
    ("ee-has-any-eku", "FAILURE", [EKU.EMAIL_PROTECTION, EKU.ANY_EXTENDED_KEY_USAGE], PED_EKU),
]


def _smime_eku(expected: str, oids: list | None, feature: str | None) -> Callable[[Case], None]:
    return lambda c: smime_simple(c, expected, feature=feature, eku=x509.ExtendedKeyUsage(oids) if oids else None)


for _id, _expected, _oids, _feature in EKU_SMIME:
    REGISTRY.append((f"smime::eku::{_id}", f"S/MIME EE extKeyUsage: {_id}", _smime_eku(_expected, _oids, _feature)))
REGISTRY.append(("smime::eku::root-has-eku", "S/MIME root with extKeyUsage", lambda c: smime_simple(c, "FAILURE", feature=PED_EKU, root_opts={"extra": CA_EMAIL})))
for _id, _oids in [("intermediate-missing-email-protection", [EKU.SERVER_AUTH]), ("intermediate-has-server-auth", [EKU.EMAIL_PROTECTION, EKU.SERVER_AUTH]),
                   ("intermediate-has-any-eku", [EKU.EMAIL_PROTECTION, EKU.ANY_EXTENDED_KEY_USAGE]), ("intermediate-has-code-signing", [EKU.EMAIL_PROTECTION, EKU.CODE_SIGNING]),
                   ("intermediate-has-time-stamping", [EKU.EMAIL_PROTECTION, EKU.TIME_STAMPING])]:
    REGISTRY.append((f"smime::eku::{_id}", f"S/MIME intermediate extKeyUsage: {_id}", lambda c, o=_oids: smime_ica(c, "FAILURE", {"extra": [(x509.ExtendedKeyUsage(o), False)]}, feature=PED_EKU)))

KU_SMIME = [
    ("signing-only-rsa-digital-signature", "SUCCESS", True, ("digital_signature",), True),
    ("signing-only-rsa-with-nonrepudiation", "SUCCESS", True, ("digital_signature", "content_commitment"), True),
    ("key-management-only-rsa", "SUCCESS", True, ("key_encipherment",), True),
    ("dual-use-rsa", "SUCCESS", True, ("digital_signature", "key_encipherment"), True),
    ("signing-only-ec", "SUCCESS", False, ("digital_signature",), True),
    ("key-management-only-ec", "SUCCESS", False, ("key_agreement",), True),
    ("ee-key-cert-sign", "FAILURE", False, ("digital_signature", "key_cert_sign"), True),
]


def _smime_ku(expected: str, use_rsa: bool, bits: tuple[str, ...], critical: bool) -> Callable[[Case], None]:
    def build(c: Case) -> None:
        opts: dict = {"kus": (ku(*bits), critical)}
        if use_rsa:
            opts["key"] = c.rsa(2048)
        smime_simple(c, expected, **opts)

    return build


for _id, _expected, _rsa, _bits, _critical in KU_SMIME:
    REGISTRY.append((f"smime::ku::{_id}", f"S/MIME EE keyUsage: {_id}", _smime_ku(_expected, _rsa, _bits, _critical)))
REGISTRY.extend([
    ("smime::ku::ee-missing-key-usage", "S/MIME EE without keyUsage", lambda c: smime_simple(c, "FAILURE", kus=None)),
    ("smime::ku::ee-key-usage-not-critical", "S/MIME EE keyUsage not critical", lambda c: smime_simple(c, "FAILURE", feature=PED_EKU, kus=(ku("digital_signature"), False))),
    ("smime::ku::intermediate-missing-key-cert-sign", "S/MIME ICA without keyCertSign", lambda c: smime_ica(c, "FAILURE", {"kus": (ku("crl_sign"), True), "extra": CA_EMAIL})),
    ("smime::ku::intermediate-missing-crl-sign", "S/MIME ICA without cRLSign", lambda c: smime_ica(c, "FAILURE", {"kus": (ku("key_cert_sign"), True), "extra": CA_EMAIL})),
])

SAN_SMIME = [
    ("exact-rfc822-san", "SUCCESS", {}, USER),
    ("no-san", "FAILURE", {"subject": f"CN={USER}", "san": None}, USER),
    ("san-without-rfc822name", "FAILURE", {"san": dns("example.com")}, USER),
    ("san-critical-with-nonempty-subject", "FAILURE", {"subject": f"CN={USER}", "san": (mail(USER), True)}, USER),
    ("san-critical-with-empty-subject", "SUCCESS", {"subject": None, "san": (mail(USER), True)}, USER),
    ("mismatch-rfc822-san", "FAILURE", {}, "other@example.com"),
    ("mismatch-domain-rfc822-san", "FAILURE", {}, "user@example.org"),
    ("multiple-rfc822-sans", "SUCCESS", {"san": mail("other@example.com", USER)}, USER),
]
for _id, _expected, _opts, _peer_value in SAN_SMIME:
    REGISTRY.append((f"smime::san::{_id}", f"S/MIME subjectAltName: {_id}", lambda c, e=_expected, o=_opts, p=_peer_value: smime_simple(c, e, peer_value=p, **o)))


# --- rfc9881 (ML-DSA) ---------------------------------------------------------------------------

def _mldsa_case(level: int, expected: str, *, bad_sig: bool = False, bits: tuple[str, ...] | None = None) -> Callable[[Case], None]:
    def build(c: Case) -> None:
        c.expected = expected
        c.features = ["has-mldsa"] + (["pedantic-rfc5280"] if bits else [])
        root = c.root(key=c.mldsa(level))
        c.trusted = [root]
        opts: dict = {"key": c.mldsa(level)}
        if bits:
            opts["kus"] = ku(*bits)
        if bad_sig:
            opts["signer"] = c.mldsa(level)
        c.peer = c.leaf(root, **opts)

    return build


REGISTRY.extend([
    ("rfc9881::ml-dsa-44", "ML-DSA-44 root -> EE", _mldsa_case(44, "SUCCESS")),
    ("rfc9881::ml-dsa-65", "ML-DSA-65 root -> EE", _mldsa_case(65, "SUCCESS")),
    ("rfc9881::ml-dsa-87", "ML-DSA-87 root -> EE", _mldsa_case(87, "SUCCESS")),
    ("rfc9881::ml-dsa-44-bad-signature", "ML-DSA-44 EE signed by another key", _mldsa_case(44, "FAILURE", bad_sig=True)),
    ("rfc9881::ml-dsa-44-key-encipherment", "ML-DSA-44 EE asserting keyEncipherment", _mldsa_case(44, "FAILURE", bits=("digital_signature", "key_encipherment"))),
    ("rfc9881::ml-dsa-44-key-agreement", "ML-DSA-44 EE asserting keyAgreement", _mldsa_case(44, "FAILURE", bits=("digital_signature", "key_agreement"))),
])

