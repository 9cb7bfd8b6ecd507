"""The cert domain's checks on certificates seen in a handshake (``mptool.cert.api``)."""

from __future__ import annotations

from collections.abc import Sequence

from mptool.core.model import CheckResult


def check_handshake_certificates(
    ders: Sequence[bytes],
    *,
    tlcp: bool,
    trust: Sequence[bytes],
    subject: str,
    purpose: str = "server",
    peer_name: str | None = None,
    lint: bool = True,
) -> list[CheckResult]:
    """Lint and chain-check a Certificate message's list; TLCP lists (sign, enc, CAs…) also get the pair check.

    For TLCP the signing certificate leads one chain and the encryption certificate another,
    both through the CA certificates that follow them. A TLCP list whose second certificate is a
    CA certificate (a client authenticating with its signing certificate only, as GmSSL's ECC
    client does) is checked as one chain.
    """
    from mptool.cert import api

    if not ders:
        return []
    if not tlcp or len(ders) < 2 or is_ca_certificate(ders[1]):  # e.g. an ECC client sends sign + CA only
        return api.check_certificates(list(ders), purpose=purpose, trust=trust, peer_name=peer_name, subject=subject, lint=lint)
    cas = list(ders[2:])
    return [
        *api.check_certificates([ders[0], *cas], purpose=purpose, trust=trust, peer_name=peer_name, subject=f"{subject} (signing)", lint=lint),
        *api.check_certificates([ders[1], *cas], purpose="any", trust=trust, subject=f"{subject} (encryption)", lint=lint),
        *api.check_tlcp_pair(ders[0], ders[1], subject=f"{subject} (pair)"),
    ]


def is_ca_certificate(der: bytes) -> bool:
    """Whether a DER certificate says basicConstraints cA=TRUE (False when unreadable)."""
    from cryptography import x509

    try:
        constraints = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(x509.BasicConstraints)
    except (ValueError, x509.ExtensionNotFound):
        return False
    return bool(constraints.value.ca)
