"""One parsed certificate: original bytes, strict-DER verdict, cryptography and pyasn1 views.

cryptography gives names, extensions and RSA/ECDSA keys; what cryptography hides or refuses
(the SPKI of SM2 keys in named, SM2-OID and explicit-parameter encodings, string types of DN
attributes, unique IDs, the time types) is read by the strict DER walk of
:mod:`mptool.cert.x509.strict`, or, for a certificate the walk leaves to it, from pyasn1
(strict DER through pyasn1-fasder, BER through pyasn1's own decoder).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cryptography import x509

from mptool.cert.x509 import oids
from mptool.cert.x509.der import CertificateSlices, TLVError, slice_certificate
from mptool.cert.x509.strict import TbsFields, walk


class CertParseError(ValueError):
    """The bytes are not a certificate that can be parsed at all."""


@dataclass(frozen=True)
class PublicKeyInfo:
    """What the SPKI holds, as far as the checks need it."""

    kind: str  #: "sm2", "ec", "rsa" or "other"
    algorithm: str  #: SPKI algorithm OID
    curve: str | None  #: namedCurve OID, "explicit" or None
    point: bytes  #: subjectPublicKey BIT STRING content (without the unused-bits byte)
    unused_bits: int
    explicit_params: dict[str, int] | None = None  #: p, a, b, gx, gy, n of explicit parameters
    encoding_notes: tuple[str, ...] = ()  #: nonconforming-but-accepted encodings (FMT-008/009)


def _decode_strict(der: bytes) -> tuple[Any, str | None]:
    """Decode with pyasn1-fasder (rejects any non-DER encoding); returns (object, error)."""
    from pyasn1.error import PyAsn1Error
    from pyasn1_fasder import decode_der
    from pyasn1_modules import rfc5280

    try:
        decoded, _rest = decode_der(der, asn1Spec=rfc5280.Certificate())
        return decoded, None
    except (PyAsn1Error, ValueError, OverflowError) as exc:
        return None, str(exc) or type(exc).__name__


def _decode_lenient(der: bytes) -> Any:
    from pyasn1.codec.ber import decoder as ber_decoder
    from pyasn1.error import PyAsn1Error
    from pyasn1_modules import rfc5280

    try:
        decoded, rest = ber_decoder.decode(der, asn1Spec=rfc5280.Certificate())
    except (PyAsn1Error, ValueError, OverflowError) as exc:
        raise CertParseError(f"not an X.509 certificate: {exc}") from None
    if rest:
        raise CertParseError(f"{len(rest)} bytes after the certificate")
    return decoded


def _int_from_octets(value: Any) -> int:
    return int.from_bytes(bytes(value), "big")


def _explicit_curve(params_der: bytes) -> dict[str, int]:
    """p, a, b, gx, gy, n of explicit prime-field EC parameters (RFC 3279 §2.3.5)."""
    from pyasn1.codec.ber import decoder as ber_decoder
    from pyasn1_modules import rfc3279

    decoded, _ = ber_decoder.decode(params_der, asn1Spec=rfc3279.EcpkParameters())
    ec = decoded["ecParameters"]
    p_value, _ = ber_decoder.decode(bytes(ec["fieldID"]["parameters"]))
    base = bytes(ec["base"])
    size = (len(base) - 1) // 2
    if not base or base[0] != 4 or len(base) != 1 + 2 * size:
        raise CertParseError("explicit EC parameters: base point is not uncompressed")
    return {
        "p": int(p_value),
        "a": _int_from_octets(ec["curve"]["a"]),
        "b": _int_from_octets(ec["curve"]["b"]),
        "gx": int.from_bytes(base[1 : 1 + size], "big"),
        "gy": int.from_bytes(base[1 + size :], "big"),
        "n": int(ec["order"]),
    }


def _public_key_info(algorithm: str, params_der: bytes, raw: bytes, unused: int, curve_oid: str | None = None) -> PublicKeyInfo:
    """The key of an SPKI: algorithm OID, parameters TLV (b"" when absent), the BIT STRING
    content and unused bits; ``curve_oid``: the namedCurve already read from the parameters."""
    if algorithm == oids.SM2_CURVE:
        return PublicKeyInfo("sm2", algorithm, oids.SM2_CURVE, raw, unused, encoding_notes=("spki-oid-sm2",))
    if algorithm == oids.RSA_ENCRYPTION or algorithm == oids.RSA_PSS:
        return PublicKeyInfo("rsa", algorithm, None, raw, unused)
    if algorithm != oids.EC_PUBLIC_KEY:
        return PublicKeyInfo("other", algorithm, None, raw, unused)
    if params_der[:1] == b"\x06":
        if curve_oid is None:
            from pyasn1.codec.ber import decoder as ber_decoder

            curve, _ = ber_decoder.decode(params_der)
            curve_oid = str(curve)
        kind = "sm2" if curve_oid == oids.SM2_CURVE else "ec"
        return PublicKeyInfo(kind, algorithm, curve_oid, raw, unused)
    if params_der[:1] == b"\x30":
        from pyasn1.error import PyAsn1Error

        try:
            explicit = _explicit_curve(params_der)
        except (PyAsn1Error, ValueError, KeyError, OverflowError) as exc:
            raise CertParseError(f"explicit EC parameters cannot be decoded: {exc}") from None
        from mptool.algo.api import sm2

        curve = sm2.SM2P256V1
        is_sm2 = explicit == {"p": curve.p, "a": curve.a, "b": curve.b, "gx": curve.gx, "gy": curve.gy, "n": curve.n}
        return PublicKeyInfo("sm2" if is_sm2 else "ec", algorithm, "explicit", raw, unused, explicit, ("explicit-curve",))
    return PublicKeyInfo("other", algorithm, None, raw, unused)


def _spki_from_asn1(spki: Any) -> PublicKeyInfo:
    """:func:`_public_key_info` of a pyasn1 SubjectPublicKeyInfo (the path of non-DER input)."""
    params = spki["algorithm"]["parameters"]
    bits = spki["subjectPublicKey"]
    raw = bits.asOctets() if len(bits) % 8 == 0 else b""
    return _public_key_info(str(spki["algorithm"]["algorithm"]), bytes(params) if params.isValue else b"", raw, (8 - len(bits) % 8) % 8)


def _fields_from_asn1(asn1: Any) -> TbsFields:
    """The plain fields the rules read, from a pyasn1 Certificate (the path of non-DER input)."""
    tbs = asn1["tbsCertificate"]
    params = asn1["signatureAlgorithm"]["parameters"]
    exts = tbs["extensions"]
    validity = tbs["validity"]
    return TbsFields(
        version=int(tbs["version"]),
        serial=int(tbs["serialNumber"]),
        signature_parameters=bytes(params) if params.isValue else None,
        time_kinds=(validity["notBefore"].getName(), validity["notAfter"].getName()),
        issuer_values=tuple((str(atv["type"]), bytes(atv["value"])) for rdn in tbs["issuer"][0] for atv in rdn),
        subject_values=tuple((str(atv["type"]), bytes(atv["value"])) for rdn in tbs["subject"][0] for atv in rdn),
        unique_ids=tuple(name for name in ("issuerUniqueID", "subjectUniqueID") if tbs[name].isValue),
        extensions=tuple((str(e["extnID"]), bool(e["critical"]), bytes(e["extnValue"])) for e in exts) if exts.isValue else (),
    )


def normalise_name(name: x509.Name) -> tuple[frozenset[tuple[str, Any]], ...]:
    """A comparison key for a DN (RFC 5280 §7.1: case-insensitive, whitespace-folded strings)."""
    rdns = []
    for rdn in name.rdns:
        items = []
        for attr in rdn:
            value: Any = attr.value
            if isinstance(value, str):
                value = " ".join(value.split()).casefold()
            items.append((attr.oid.dotted_string, value))
        rdns.append(frozenset(items))
    return tuple(rdns)


@dataclass
class Cert:
    """A certificate as received, with every view the checks use."""

    der: bytes
    source: str
    x509: x509.Certificate
    slices: CertificateSlices
    der_error: str | None  #: why the encoding is not strict DER (None: it is)
    tbs_reencoded_equal: bool
    key: PublicKeyInfo
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def fields(self) -> TbsFields:
        """The tbsCertificate fields the rules read, as plain values (set by the strict walk, or
        read from the pyasn1 object on first use)."""
        return _fields_from_asn1(self.asn1)

    @cached_property
    def asn1(self) -> Any:
        """The pyasn1 rfc5280.Certificate (decoded on first use when the strict walk read the
        certificate: the lint rules need only :attr:`fields`)."""
        strict, _error = _decode_strict(self.der)
        return strict if strict is not None else _decode_lenient(self.der)

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the DER certificate (its identity in evidence)."""
        return hashlib.sha256(self.der).hexdigest()

    @cached_property
    def subject_key(self) -> tuple[frozenset[tuple[str, Any]], ...]:
        return normalise_name(self.x509.subject)

    @cached_property
    def issuer_key(self) -> tuple[frozenset[tuple[str, Any]], ...]:
        return normalise_name(self.x509.issuer)

    @property
    def self_issued(self) -> bool:
        """Subject and issuer DN are equal (RFC 5280 §3.3)."""
        return self.subject_key == self.issuer_key

    @cached_property
    def subject_text(self) -> str:
        return self.x509.subject.rfc4514_string()

    @cached_property
    def issuer_text(self) -> str:
        return self.x509.issuer.rfc4514_string()

    @cached_property
    def extensions(self) -> dict[str, x509.Extension[Any]]:
        """Extensions by OID (empty when cryptography cannot parse them; see :attr:`extension_error`)."""
        try:
            return {ext.oid.dotted_string: ext for ext in self.x509.extensions}
        except Exception:  # noqa: BLE001 - cryptography raises several types for bad extensions
            return {}

    @cached_property
    def extension_error(self) -> str | None:
        """Why cryptography refuses the extensions (duplicate or malformed), or None."""
        try:
            self.x509.extensions
        except Exception as exc:  # noqa: BLE001
            return f"{type(exc).__name__}: {exc}"
        return None

    def ext_value(self, oid: str) -> Any:
        """The parsed value of an extension, or None when absent."""
        ext = self.extensions.get(oid)
        return ext.value if ext is not None else None

    @cached_property
    def raw_extensions(self) -> list[tuple[str, bool, bytes]]:
        """(OID, critical, extnValue) for every extension, in order, as encoded (duplicates kept)."""
        return list(self.fields.extensions)

    @property
    def version(self) -> int:
        """The version field value (0 = v1, 2 = v3)."""
        return self.fields.version

    @property
    def serial(self) -> int:
        return self.fields.serial

    @cached_property
    def not_before(self) -> _dt.datetime:
        return self.x509.not_valid_before_utc

    @cached_property
    def not_after(self) -> _dt.datetime:
        return self.x509.not_valid_after_utc

    @cached_property
    def signature_algorithm(self) -> str:
        return self.x509.signature_algorithm_oid.dotted_string

    @property
    def is_ca(self) -> bool:
        bc = self.ext_value(oids.EXT_BC)
        return bool(bc is not None and bc.ca)

    def describe(self) -> dict[str, Any]:
        """Identity of the certificate for evidence."""
        return {"source": self.source, "subject": self.subject_text, "issuer": self.issuer_text, "sha256": self.sha256}


def parse_certificate(der: bytes, source: str) -> Cert:
    """Parse one certificate; :class:`CertParseError` when it cannot be read at all.

    Every certificate-parsing entry point comes through here: whatever a parser raises on
    hostile bytes (pyasn1's lenient decoder an AttributeError or OverflowError, the
    tbsCertificate re-encode a PyAsn1Error, cryptography its own types; issue 21) becomes a
    CertParseError, which callers report as an input error or a finding, never a crash.
    """
    try:
        return _parse_certificate(der, source)
    except CertParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on these bytes is "not parseable"
        raise CertParseError(f"not a parseable X.509 certificate: {type(exc).__name__}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else "no detail"


def _parse_certificate(der: bytes, source: str) -> Cert:
    walked = walk(der)
    if walked is not None:
        # strict DER by rules stricter than pyasn1-fasder's (mptool.cert.x509.strict): fasder
        # would accept it, and re-encoding would give the same bytes
        cert = _load_x509(der)
        key = _public_key_info(walked.key_algorithm, walked.key_parameters, walked.key_bits, 0, walked.key_curve)
        parsed = Cert(der, source, cert, walked.slices, None, True, key)
        parsed.__dict__["fields"] = walked.fields
        return parsed
    from pyasn1.codec.der import encoder as der_encoder
    from pyasn1.error import PyAsn1Error

    strict, der_error = _decode_strict(der)
    asn1 = strict if strict is not None else _decode_lenient(der)
    canonical = der if strict is not None else der_encoder.encode(asn1)
    try:
        slices = slice_certificate(der)
    except TLVError as exc:
        if strict is not None:
            raise CertParseError(f"cannot split the certificate: {exc}") from None
        slices = slice_certificate(canonical)
    # pyasn1-fasder accepted only DER (no explicit DEFAULTs, SET OF in order, zero BIT STRING
    # padding): re-encoding would give the same bytes, so it is done for the lenient path only.
    tbs_equal = strict is not None or der_encoder.encode(asn1["tbsCertificate"]) == slices.tbs
    cert = _load_x509(canonical)
    try:
        key = _spki_from_asn1(asn1["tbsCertificate"]["subjectPublicKeyInfo"])
    except (PyAsn1Error, ValueError, OverflowError) as exc:
        raise CertParseError(f"subjectPublicKeyInfo cannot be decoded: {exc}") from None
    parsed = Cert(der, source, cert, slices, der_error, tbs_equal, key)
    parsed.__dict__["asn1"] = asn1
    return parsed


def _load_x509(der: bytes) -> x509.Certificate:
    """cryptography's view; the fields every caller reads are parsed here, once."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cert = x509.load_der_x509_certificate(der)
            cert.subject, cert.issuer, cert.not_valid_before_utc, cert.not_valid_after_utc  # noqa: B018
        except Exception as exc:  # noqa: BLE001 - cryptography raises ValueError and Rust errors
            raise CertParseError(f"not a parseable X.509 certificate: {exc}") from None
    return cert
