"""Public API of the cert domain for other domains (e.g. ``proto`` checking TLCP/TLS certificates).

Stable functions, documented in docs/cert.md:

- :func:`check_certificates` — lint every certificate of a handshake's certificate list and
  validate the chain (leaf first) against optional trust anchors.
- :func:`check_tlcp_pair` — the TLCP signing/encryption certificate pair check.
- :func:`load_trust_anchors` — the one reader of ``--trust FILE|DIR`` for every command.

Both return :class:`mptool.core.model.CheckResult` objects in a deterministic order; the
caller adds them to its own :class:`~mptool.core.report.ReportBuilder`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.model import CheckResult, InputRecord

DEFAULT_SM2_ID = DEFAULT_USER_ID
PURPOSES = ("any", "server", "client", "codesign")


def check_certificates(
    der_list: Sequence[bytes],
    *,
    sm2_id: bytes = DEFAULT_SM2_ID,
    at: _dt.datetime | None = None,
    purpose: str = "server",
    trust: Sequence[bytes] = (),
    peer_name: str | None = None,
    subject: str = "handshake",
    lint: bool = True,
) -> list[CheckResult]:
    """Check the certificates a peer sent (``der_list``: DER, leaf first, as in a TLS/TLCP message).

    - ``lint``: per-certificate format/profile checks (cert-rules.md §2–§4), one result per rule.
    - Chain: every candidate path from the leaf through the other certificates is validated
      (RFC 5280 §6.1: signatures with SM2/ZA over the original TBS bytes or RSA/ECDSA, validity
      at ``at`` (default now, UTC), CA flags, pathLen, key usage for ``purpose``, critical
      extensions, name constraints). With ``trust`` (DER trust anchors) the path must end at an
      anchor; without it the chain is checked up to its last certificate and the anchor check
      is reported as not configured (status ``warn``), never as passed.
    - ``peer_name`` (DNS name or IP address) is matched against the leaf's subjectAltName
      (CN only when there is no SAN) when given.

    Certificates that cannot be parsed raise :class:`mptool.core.errors.InputError` whose
    source is ``f"{subject}[i]"``.
    """
    from mptool.cert.commands import check_der_certificates

    return check_der_certificates(
        der_list, sm2_id=sm2_id, at=at, purpose=purpose, trust=trust, peer_name=peer_name, subject=subject, lint=lint
    )


def check_tlcp_pair(
    sign_der: bytes,
    enc_der: bytes,
    *,
    at: _dt.datetime | None = None,
    subject: str = "tlcp pair",
) -> list[CheckResult]:
    """The TLCP pair check (cert-rules CERT-PATH-012) of a signing and an encryption certificate.

    Same issuer and subject DN, different keys, keyUsage per CERT-EXT-005 (signing) and
    CERT-EXT-006 (encryption), both within their validity at ``at`` (default now, UTC).
    Returns one ``cert.pair.tlcp`` result whose findings say which condition failed.
    """
    from mptool.cert.checks.pair import check_pair_der

    return check_pair_der(sign_der, enc_der, at=at, subject=subject)


def certificate_roles(der_list: Sequence[bytes], *, tlcp: bool) -> list[str]:
    """The role of each certificate of a handshake's list, from its content, not its position.

    ``ca`` for a CA (basicConstraints cA, or keyCertSign); in TLCP (GB/T 38636 §6.4.5.3) the
    end-entity certificates are ``enc`` when keyUsage has only encipherment/keyAgreement bits and
    ``sign`` when it has digitalSignature or nonRepudiation; otherwise (no keyUsage) by order,
    signing first. In TLS the first end-entity certificate is the ``leaf``, others ``other``.
    A certificate that cannot be parsed is ``unparsed``.
    """
    from mptool.cert.x509.parse import CertParseError, parse_certificate
    from mptool.cert.x509.profiles import ENCIPHER_BITS, key_usage_bits

    roles: list[str] = []
    for index, der in enumerate(der_list):
        try:
            cert = parse_certificate(der, f"certificate[{index}]")
        except CertParseError:
            roles.append("unparsed")
            continue
        bits = key_usage_bits(cert) or set()
        if cert.is_ca or "key_cert_sign" in bits:
            roles.append("ca")
        elif not tlcp:
            roles.append("other" if "leaf" in roles else "leaf")
        elif bits & {"digital_signature", "content_commitment"}:
            roles.append("sign")
        elif bits & ENCIPHER_BITS:
            roles.append("enc")
        else:
            roles.append("enc" if "sign" in roles else "sign")
    return roles


def tlcp_pair(der_list: Sequence[bytes]) -> tuple[bytes, bytes] | None:
    """The (signing, encryption) certificates of a TLCP list by :func:`certificate_roles`, or
    None when the list does not hold exactly one of each (e.g. a client that sent only its
    signing certificate and its CA)."""
    roles = certificate_roles(der_list, tlcp=True)
    if roles.count("sign") != 1 or roles.count("enc") != 1:
        return None
    return der_list[roles.index("sign")], der_list[roles.index("enc")]


def load_trust_anchors(paths: Sequence[str]) -> "tuple[list[bytes], list[InputRecord]]":
    """The DER trust anchors of ``--trust FILE|DIR ...`` and the input record of each file read.

    Files are PEM (bundles), DER, PKCS#7 or Base64 of DER; a directory is read recursively (a file
    in it that holds no certificate is an input error naming it: anchors are not guessed). Copies
    are dropped. Raises :class:`mptool.core.errors.InputError` naming the file at fault.
    """
    from mptool.cert.x509.loader import load_files

    loaded = load_files(paths)
    return [cert.der for cert in loaded.certs], loaded.records
