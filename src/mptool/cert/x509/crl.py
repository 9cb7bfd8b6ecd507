"""Supplied CRLs (offline revocation, cert-rules CERT-PATH-010; RFC 5280 §5, §6.3).

One parsed CRL with what revocation processing (:mod:`mptool.cert.path.revocation`) needs: its
signature check (SM2 with ZA, RSA, ECDSA), currency, cRLNumber, deltaCRLIndicator,
issuingDistributionPoint, and the entries (serial, reason, certificate issuer of indirect CRLs).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from mptool.core.pem import PemError, is_pem, pem_blocks
from mptool.cert.x509.der import TLVError, slice_signed
from mptool.cert.x509.loader import MAX_CERT_FILE
from mptool.cert.x509.parse import Cert, normalise_name
from mptool.cert.x509.signature import SignatureVerdict, verify_signed
from mptool.core.errors import InputError
from mptool.core.inputs import read_input
from mptool.core.model import InputRecord


IDP = "2.5.29.28"
CRL_NUMBER = "2.5.29.20"
DELTA_INDICATOR = "2.5.29.27"
FRESHEST_CRL = "2.5.29.46"
CERTIFICATE_ISSUER = "2.5.29.29"
#: CRL extensions that are understood when critical: AKI, issuingDistributionPoint, deltaCRLIndicator
CRL_EXTENSIONS = {"2.5.29.35", IDP, DELTA_INDICATOR}
#: CRL extensions RFC 5280 §5.2 requires to be non-critical
NON_CRITICAL = {CRL_NUMBER: "cRLNumber", FRESHEST_CRL: "freshestCRL", "2.5.29.35": "authorityKeyIdentifier"}
#: CRL entry extensions understood: reasonCode, invalidityDate, certificateIssuer
ENTRY_EXTENSIONS = {"2.5.29.21", "2.5.29.24", CERTIFICATE_ISSUER}


@dataclass(frozen=True)
class Entry:
    """One revoked-certificate entry."""

    serial: int
    reason: str | None  #: cryptography ReasonFlags value (e.g. "keyCompromise", "removeFromCRL")
    issuer: tuple[Any, ...] | None  #: certificate issuer (indirect CRLs), None: the CRL issuer
    revoked_at: _dt.datetime


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

    def _extension(self, oid: str) -> Any:
        try:
            for ext in self.crl.extensions:
                if ext.oid.dotted_string == oid:
                    return ext.value
        except Exception:  # noqa: BLE001 - malformed extensions (reported by problems())
            return None
        return None

    @property
    def number(self) -> int | None:
        value = self._extension(CRL_NUMBER)
        return None if value is None else value.crl_number

    @property
    def delta_base(self) -> int | None:
        """BaseCRLNumber of a delta CRL (None: a complete CRL)."""
        value = self._extension(DELTA_INDICATOR)
        return None if value is None else value.crl_number

    @property
    def idp(self) -> x509.IssuingDistributionPoint | None:
        return self._extension(IDP)

    @property
    def idp_der(self) -> bytes | None:
        value = self.idp
        return None if value is None else value.public_bytes()

    def entries(self) -> dict[int, Entry]:
        """The entries by serial (cached); negative serials are kept as they are (RFC 5280 §5.3)."""
        cached = self.cache.get("entries")
        if cached is None:
            cached = {}
            current_issuer: tuple[Any, ...] | None = None
            for revoked in self.crl:
                reason = None
                for ext in revoked.extensions:
                    oid = ext.oid.dotted_string
                    if oid == "2.5.29.21":
                        reason = ext.value.reason.value
                    elif oid == CERTIFICATE_ISSUER:
                        names = [n.value for n in ext.value if isinstance(n, x509.DirectoryName)]
                        current_issuer = normalise_name(names[0]) if names else ()
                cached[revoked.serial_number] = Entry(revoked.serial_number, reason, current_issuer, revoked.revocation_date_utc)
            self.cache["entries"] = cached
        return cached  # type: ignore[no-any-return]

    def is_revoked(self, serial: int) -> bool:
        return serial in self.entries()

    def problems(self) -> list[str]:
        """Why this CRL must not be used (RFC 5280 §5.2, §5.3; fail closed), empty when usable."""
        found: list[str] = []
        try:
            for ext in self.crl.extensions:
                oid = ext.oid.dotted_string
                if ext.critical and oid in NON_CRITICAL:
                    found.append(f"{NON_CRITICAL[oid]} is marked critical (RFC 5280 §5.2 MUST be non-critical)")
                elif ext.critical and oid not in CRL_EXTENSIONS and oid not in NON_CRITICAL:
                    found.append(f"unknown critical CRL extension {oid}")
            if self.number is None:
                found.append("cRLNumber is missing (RFC 5280 §5.2.3 MUST)")
            serials: set[int] = set()
            for entry in self.crl:
                if entry.serial_number in serials:
                    found.append(f"serial {entry.serial_number:#x} listed twice")
                serials.add(entry.serial_number)
                for ext in entry.extensions:
                    if ext.critical and ext.oid.dotted_string not in ENTRY_EXTENSIONS:
                        found.append(f"unknown critical entry extension {ext.oid.dotted_string}")
            self.entries()
        except Exception as exc:  # noqa: BLE001 - ValueError, DuplicateExtension, TypeError, … (issue 21)
            found.append(f"malformed CRL extensions or entries: {type(exc).__name__}: {str(exc)[:200]}")
        return found


def parse_crl(der: bytes, source: str) -> Crl:
    """Parse one DER CRL (:class:`InputError` naming ``source`` when it is not one)."""
    try:
        crl = x509.load_der_x509_crl(der)
        tbs, bits = slice_signed(der)
        crl.issuer, crl.last_update_utc, crl.next_update_utc, crl.signature_algorithm_oid  # noqa: B018 - force parsing
        normalise_name(crl.issuer)
    except Exception as exc:  # noqa: BLE001 - ValueError, TLVError, InvalidVersion, TypeError, … (issue 21)
        raise InputError(source, f"not a parseable CRL: {type(exc).__name__}: {str(exc)[:200]}") from None
    return Crl(source, crl, tbs, bits)


def load_crls(paths: Iterable[str]) -> tuple[list[Crl], list[InputRecord]]:
    """Read CRLs from PEM (``X509 CRL`` blocks) or DER files; copies (same SHA-256) are parsed once."""
    crls: list[Crl] = []
    records: list[InputRecord] = []
    seen: set[bytes] = set()

    def add(der: bytes, source: str) -> None:
        digest = hashlib.sha256(der).digest()
        if digest not in seen:
            seen.add(digest)
            crls.append(parse_crl(der, source))

    for path in paths:
        data, record = read_input(path, max_size=MAX_CERT_FILE)
        records.append(record)
        if is_pem(data):
            try:
                blocks = [block.der for block in pem_blocks(data, frozenset({"X509 CRL"}))]
            except PemError as exc:
                raise InputError(record.name, str(exc)) from None
            if not blocks:
                raise InputError(record.name, "PEM file holds no X509 CRL block")
            for index, der in enumerate(blocks):
                add(der, record.name if len(blocks) == 1 else f"{record.name}#{index + 1}")
        else:
            add(data, record.name)
    return crls, records
