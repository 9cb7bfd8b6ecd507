"""Re-signing certificates with SM2: derive test certificates from a real template.

Used by the benchmark (a 5-certificate SM2 chain) and by tests that need a certificate the
real data lacks (another key under the same DN, a moved validity). The template's TBS is
changed with pyasn1 (subject, issuer, key, validity, AKI/SKI) and signed with
:func:`mptool.algo.sm2.sign` over SM3(ZA ‖ TBS).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ, useful
from pyasn1_modules import rfc5280

from mptool.algo.api import DEFAULT_USER_ID
from mptool.cert.x509 import oids
from mptool.cert.x509.parse import Cert


@dataclass(frozen=True)
class Sm2Key:
    """An SM2 key pair."""

    d: int
    point: tuple[int, int]

    @property
    def encoded(self) -> bytes:
        return b"\x04" + self.point[0].to_bytes(32, "big") + self.point[1].to_bytes(32, "big")

    @property
    def key_id(self) -> bytes:
        """RFC 5280 §4.2.1.2 method (1): SHA-1 of the public key bits."""
        return hashlib.sha1(self.encoded).digest()  # noqa: S324 - key identifier, not security


def sm2_key(d: int) -> Sm2Key:
    """The key pair of private key ``d``."""
    from mptool.algo.api import sm2

    return Sm2Key(d, sm2.public_key_from_private(d))


def _name(name: x509.Name) -> rfc5280.Name:
    value, _ = decoder.decode(name.public_bytes(), asn1Spec=rfc5280.Name())
    return value


def _time(moment: _dt.datetime) -> rfc5280.Time:
    time = rfc5280.Time()
    if moment.year < 2050:
        time["utcTime"] = useful.UTCTime(moment.strftime("%y%m%d%H%M%SZ"))
    else:
        time["generalTime"] = useful.GeneralizedTime(moment.strftime("%Y%m%d%H%M%SZ"))
    return time


def _set_extension(tbs: rfc5280.TBSCertificate, oid: str, value: x509.ExtensionType) -> None:
    for ext in tbs["extensions"]:
        if str(ext["extnID"]) == oid:
            ext["extnValue"] = univ.OctetString(value.public_bytes())
            return


def resign(
    template: Cert,
    *,
    subject: x509.Name,
    issuer: x509.Name,
    subject_key: Sm2Key,
    issuer_key: Sm2Key,
    serial: int | None = None,
    not_before: _dt.datetime | None = None,
    not_after: _dt.datetime | None = None,
    user_id: bytes = DEFAULT_USER_ID,
    basic_constraints: x509.BasicConstraints | None = None,
) -> bytes:
    """A DER certificate like ``template`` with the given names and keys, signed by ``issuer_key``."""
    from mptool.algo.api import sm2

    cert, _ = decoder.decode(template.der, asn1Spec=rfc5280.Certificate())
    tbs = cert["tbsCertificate"]
    tbs["subject"] = _name(subject)
    tbs["issuer"] = _name(issuer)
    if serial is not None:
        tbs["serialNumber"] = serial
    if not_before is not None:
        tbs["validity"]["notBefore"] = _time(not_before)
    if not_after is not None:
        tbs["validity"]["notAfter"] = _time(not_after)
    tbs["subjectPublicKeyInfo"]["subjectPublicKey"] = univ.BitString.fromOctetString(subject_key.encoded)
    _set_extension(tbs, oids.EXT_SKI, x509.SubjectKeyIdentifier(subject_key.key_id))
    _set_extension(tbs, oids.EXT_AKI, x509.AuthorityKeyIdentifier(issuer_key.key_id, None, None))
    if basic_constraints is not None:
        _set_extension(tbs, oids.EXT_BC, basic_constraints)
    tbs_der = encoder.encode(tbs)
    r, s = sm2.sign(issuer_key.d, tbs_der, user_id)
    cert["signature"] = univ.BitString.fromOctetString(sm2.encode_signature_der(r, s))
    return encoder.encode(cert)


def sm2_chain(root_template: Cert, ca_template: Cert, leaf_template: Cert, length: int, *, seed: int = 1) -> list[bytes]:
    """A chain of ``length`` SM2 certificates, leaf first: root, ``length - 2`` CAs, leaf."""
    keys = [sm2_key(0x1234_5678_9ABC_DEF0 * (seed + i) + 7) for i in range(length)]
    names = [x509.Name([x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(x509.NameOID.COMMON_NAME, f"mptool synthetic SM2 {i}")]) for i in range(length)]
    ders: list[bytes] = []
    for i in range(length):
        template = root_template if i == 0 else leaf_template if i == length - 1 else ca_template
        issuer = max(i - 1, 0)
        ders.append(resign(template, subject=names[i], issuer=names[issuer], subject_key=keys[i], issuer_key=keys[issuer], serial=1000 + i, basic_constraints=x509.BasicConstraints(ca=True, path_length=None) if i < length - 1 else None))
    return list(reversed(ders))


def sm2_crl(
    issuer: x509.Name,
    issuer_key: Sm2Key,
    revoked_serials: list[int],
    *,
    this_update: _dt.datetime,
    next_update: _dt.datetime,
    user_id: bytes = DEFAULT_USER_ID,
    crl_number: int | None = 1,
) -> bytes:
    """A DER v2 CRL signed with SM2-with-SM3 by ``issuer_key`` (RFC 5280 §5.1), with a cRLNumber
    unless ``crl_number`` is None."""
    from mptool.algo.api import sm2

    tbs = rfc5280.TBSCertList()
    tbs["version"] = rfc5280.Version(1)
    algorithm = rfc5280.AlgorithmIdentifier()
    algorithm["algorithm"] = univ.ObjectIdentifier(oids.SM2_WITH_SM3)
    tbs["signature"] = algorithm
    tbs["issuer"] = _name(issuer)
    tbs["thisUpdate"] = _time(this_update)
    tbs["nextUpdate"] = _time(next_update)
    if revoked_serials:
        entries = tbs["revokedCertificates"]
        for serial in revoked_serials:
            entry = entries.componentType.clone()
            entry["userCertificate"] = serial
            entry["revocationDate"] = _time(this_update)
            entries.append(entry)
    if crl_number is not None:
        ext = tbs["crlExtensions"].componentType.clone()
        ext["extnID"] = univ.ObjectIdentifier("2.5.29.20")
        ext["extnValue"] = univ.OctetString(encoder.encode(univ.Integer(crl_number)))
        tbs["crlExtensions"].append(ext)
    tbs_der = encoder.encode(tbs)
    r, s = sm2.sign(issuer_key.d, tbs_der, user_id)
    crl = rfc5280.CertificateList()
    crl["tbsCertList"] = tbs
    crl["signatureAlgorithm"] = algorithm
    crl["signature"] = univ.BitString.fromOctetString(sm2.encode_signature_der(r, s))
    return encoder.encode(crl)
