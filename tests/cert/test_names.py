"""Name matching and name constraints, on the examples given in RFC 5280 §4.2.1.10 and RFC 6125 §6.4.3."""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace

import pytest
from cryptography import x509

from mptool.cert.x509.names import CertNames, constraint_violations, dns_matches


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("*.example.com", "foo.example.com", True),  # RFC 6125 §6.4.3
        ("*.example.com", "bar.foo.example.com", False),  # RFC 6125 §6.4.3
        ("*.example.com", "example.com", False),  # RFC 6125 §6.4.3
        ("bar.*.example.net", "bar.foo.example.net", False),  # RFC 6125 §6.4.3: not the left-most label
        ("baz*.example.net", "baz1.example.net", False),  # partial wildcards refused (CA/B BR)
        ("WWW.Example.COM", "www.example.com.", True),  # case-insensitive, trailing dot
        ("*.com", "example.com", False),
    ],
)
def test_dns_matches(pattern: str, host: str, expected: bool) -> None:
    assert dns_matches(pattern, host) is expected


def _nc(permitted: list | None, excluded: list | None = None) -> x509.NameConstraints:
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=excluded)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("host.example.com", True),
        ("www.host.example.com", True),  # RFC 5280 §4.2.1.10: "would satisfy the constraint"
        ("host1.example.com", False),  # RFC 5280 §4.2.1.10: "would not"
    ],
)
def test_rfc5280_dns_subtree_example(name: str, ok: bool) -> None:
    problems = constraint_violations(_nc([x509.DNSName("host.example.com")]), CertNames(dns=[name]))
    assert (not problems) is ok


def test_rfc5280_ip_subtree_example() -> None:
    """RFC 5280 §4.2.1.10: 192.0.2.0/24 is encoded as address and mask; 192.0.2.1 is inside."""
    nc = _nc([x509.IPAddress(ipaddress.ip_network("192.0.2.0/24"))])
    assert not constraint_violations(nc, CertNames(ip=[ipaddress.ip_address("192.0.2.1")]))
    assert constraint_violations(nc, CertNames(ip=[ipaddress.ip_address("192.0.3.1")]))


def test_rfc5280_email_subtrees() -> None:
    """RFC 5280 §4.2.1.10: a mailbox, a host, or '.example.com' for every host below it."""
    assert not constraint_violations(_nc([x509.RFC822Name("root@example.com")]), CertNames(email=["root@example.com"]))
    assert constraint_violations(_nc([x509.RFC822Name("root@example.com")]), CertNames(email=["admin@example.com"]))
    assert not constraint_violations(_nc([x509.RFC822Name("example.com")]), CertNames(email=["anyone@example.com"]))
    assert constraint_violations(_nc([x509.RFC822Name("example.com")]), CertNames(email=["anyone@mail.example.com"]))
    assert not constraint_violations(_nc([x509.RFC822Name(".example.com")]), CertNames(email=["anyone@mail.example.com"]))


def test_directory_name_subtree() -> None:
    base = x509.Name.from_rfc4514_string("O=Example,C=CN")
    inside = x509.Name.from_rfc4514_string("CN=server,O=Example,C=CN")
    outside = x509.Name.from_rfc4514_string("CN=server,O=Other,C=CN")
    nc = _nc([x509.DirectoryName(base)])
    assert not constraint_violations(nc, CertNames(dn=[inside]))
    assert constraint_violations(nc, CertNames(dn=[outside]))


def test_excluded_wins_and_wildcards_fail_closed() -> None:
    nc = _nc([x509.DNSName("example.com")], [x509.DNSName("secret.example.com")])
    assert constraint_violations(nc, CertNames(dns=["a.secret.example.com"]))
    assert constraint_violations(nc, CertNames(dns=["*.example.com"]))  # may stand for secret.example.com
    assert not constraint_violations(nc, CertNames(dns=["*.public.example.com"]))


def test_empty_name_constraints_fail_closed() -> None:
    empty = SimpleNamespace(permitted_subtrees=[], excluded_subtrees=[])
    assert constraint_violations(empty, CertNames(dns=["example.com"]))  # type: ignore[arg-type]
