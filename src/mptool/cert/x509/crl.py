"""Supplied CRLs (offline revocation, cert-rules CERT-PATH-010; RFC 5280 §6.3, simplified).

A CRL counts for a certificate when its issuer DN equals the certificate's issuer DN, its
signature verifies with the issuer's key (SM2 with ZA, RSA or ECDSA), and it is current at the
validation time (thisUpdate ≤ t ≤ nextUpdate).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from mptool.cert.x509.der import TLVError, slice_signed
from mptool.cert.x509.loader import MAX_CERT_FILE, _PEM
from mptool.cert.x509.parse import Cert, normalise_name
from mptool.cert.x509.signature import SignatureVerdict, verify_signed
from mptool.core.errors import InputError
from mptool.core.inputs import read_input
from mptool.core.model import InputRecord


IDP = "2.5.29.28"
#: CRL extensions that may be critical and are understood: AKI, cRLNumber
CRL_EXTENSIONS = {"2.5.29.35", "2.5.29.20"}
#: CRL entry extensions understood: reasonCode, invalidityDate
ENTRY_EXTENSIONS = {"2.5.29.21", "2.5.29.24"}


@dataclass
class Crl:
    """One parsed CRL with its original signed bytes."""

    source: str
    crl: x509.CertificateRevocationList
    tbs: bytes
    signature_bits: bytes
    cache: dict[str, SignatureVerdict] = field(default_factory=dict)

    @property
    def issuer_key(self) -> tuple[Any, ...]:
        return normalise_name(self.crl.issuer)

    def verify(self, issuer: Cert, user_id: bytes) -> SignatureVerdict:
        """The CRL's signature checked with ``issuer``'s key (cached)."""
        key = f"{issuer.sha256}:{user_id.hex()}"
        if key not in self.cache:
            self.cache[key] = verify_signed(self.tbs, self.signature_bits, self.crl.signature_algorithm_oid.dotted_string, self.crl, issuer, user_id)
        return self.cache[key]

    def current_at(self, at: _dt.datetime) -> bool:
        """thisUpdate ≤ at ≤ nextUpdate (a CRL without nextUpdate is never current)."""
        next_update = self.crl.next_update_utc
        return self.crl.last_update_utc <= at and next_update is not None and at <= next_update

    def is_revoked(self, serial: int) -> bool:
        return self.crl.get_revoked_certificate_by_serial_number(serial) is not None

    def problems(self) -> list[str]:
        """Why this CRL must not be used (RFC 5280 §5.2, §5.3; fail closed), empty when usable."""
        found: list[str] = []
        try:
            for ext in self.crl.extensions:
                oid = ext.oid.dotted_string
                if oid == IDP:
                    found.append("issuingDistributionPoint is not interpreted")
                elif ext.critical and oid not in CRL_EXTENSIONS:
                    found.append(f"unknown critical CRL extension {oid}")
            serials: set[int] = set()
            for entry in self.crl:
                if entry.serial_number in serials:
                    found.append(f"serial {entry.serial_number:#x} listed twice")
                serials.add(entry.serial_number)
                for ext in entry.extensions:
                    if ext.critical and ext.oid.dotted_string not in ENTRY_EXTENSIONS:
                        found.append(f"unknown critical entry extension {ext.oid.dotted_string}")
        except ValueError as exc:
            found.append(f"malformed CRL extensions: {exc}")
        return found


def parse_crl(der: bytes, source: str) -> Crl:
    """Parse one DER CRL (:class:`InputError` naming ``source`` when it is not one)."""
    try:
        crl = x509.load_der_x509_crl(der)
        tbs, bits = slice_signed(der)
        crl.issuer  # noqa: B018 - force parsing
    except (ValueError, TLVError) as exc:
        raise InputError(source, f"not a parseable CRL: {exc}") from None
    return Crl(source, crl, tbs, bits)


def load_crls(paths: Iterable[str]) -> tuple[list[Crl], list[InputRecord]]:
    """Read CRLs from PEM (``X509 CRL`` blocks) or DER files."""
    import base64

    crls: list[Crl] = []
    records: list[InputRecord] = []
    for path in paths:
        data, record = read_input(path, max_size=MAX_CERT_FILE)
        records.append(record)
        if b"-----BEGIN" in data:
            blocks = [m.group(2) for m in _PEM.finditer(data) if m.group(1) == b"X509 CRL"]
            if not blocks:
                raise InputError(record.name, "PEM file holds no X509 CRL block")
            for index, body in enumerate(blocks):
                try:
                    der = base64.b64decode(b"".join(body.split()), validate=True)
                except ValueError:
                    raise InputError(record.name, "X509 CRL block is not valid base64") from None
                crls.append(parse_crl(der, record.name if len(blocks) == 1 else f"{record.name}#{index + 1}"))
        else:
            crls.append(parse_crl(data, record.name))
    return crls, records
