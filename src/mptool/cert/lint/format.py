"""Format rules CERT-FMT-001..015 (cert-rules.md §2)."""

from __future__ import annotations

from mptool.cert.x509 import oids
from mptool.cert.lint.base import LintContext, Verdict, rule

GMT = "GM/T 0015-2012 and GM/T 0015-2023 (数字证书格式); GB/T 20518-2018"
SM2_SPKI = "RFC 5480 §2.1.1; GM/T 0006 (OIDs); " + GMT
PRINTABLE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")
#: attributes whose standard string type is IA5String (PKCS #9 emailAddress, RFC 4519 dc)
IA5_ATTRIBUTES = {"1.2.840.113549.1.9.1", "0.9.2342.19200300.100.1.25"}
STRING_TAGS = {0x0C: "UTF8String", 0x13: "PrintableString", 0x16: "IA5String", 0x14: "TeletexString", 0x1E: "BMPString", 0x1C: "UniversalString", 0x12: "NumericString"}


@rule("cert.format.der", "Certificate is strict DER", "CERT-FMT-001", "RFC 5280 §4.1 and ITU-T X.690 §10 (DER); " + GMT, findings={'not_der': 'not strict DER: …', 'tbs_reencoding': 're-encoding the parsed tbsCertificate does not give the received bytes', 'trailing': '… bytes after the certificate'})
def der_encoding(ctx: LintContext) -> Verdict:
    """The whole certificate must be DER: decoding with pyasn1-fasder (which rejects every BER
    liberty) succeeds, re-encoding the parsed tbsCertificate gives the received bytes, and
    nothing follows the certificate."""
    v = Verdict()
    cert = ctx.cert
    if cert.der_error:
        v.error("not_der", f"not strict DER: {cert.der_error}", observed=cert.der_error, expected="DER (X.690 §10)")
    if not cert.tbs_reencoded_equal:
        v.error("tbs_reencoding", "re-encoding the parsed tbsCertificate does not give the received bytes")
    if cert.slices.trailing:
        v.error("trailing", f"{cert.slices.trailing} bytes after the certificate", observed=cert.slices.trailing)
    return v


@rule("cert.format.version", "Version is v3 when extensions are present", "CERT-FMT-002", "RFC 5280 §4.1.2.1; " + GMT, findings={'not_v3': 'the certificate is not v3 although it has extensions or is an SM2 certificate'})
def version(ctx: LintContext) -> Verdict:
    """Version must be v3 (value 2) when extensions are present; SM2 certificates must be v3."""
    v = Verdict(measurements={"version": ctx.cert.version + 1})
    if ctx.cert.version != 2 and (ctx.cert.raw_extensions or ctx.cert.key.kind == "sm2"):
        why = "extensions are present" if ctx.cert.raw_extensions else "the SM2 certificate profile requires v3"
        v.error("not_v3", f"version v{ctx.cert.version + 1} but {why}", observed=ctx.cert.version, expected=2)
    return v


@rule("cert.format.serial", "Serial number positive and at most 20 octets", "CERT-FMT-003", "RFC 5280 §4.1.2.2; " + GMT, findings={'not_positive': 'serial number … is not positive', 'too_long': 'serial number is … octets, more than 20'})
def serial(ctx: LintContext) -> Verdict:
    """serialNumber must be a positive, non-zero INTEGER of at most 20 octets."""
    value = ctx.cert.serial
    octets = (value.bit_length() + 8) // 8 if value >= 0 else (value.bit_length() + 8) // 8
    v = Verdict(measurements={"serial": hex(value), "octets": octets})
    if value <= 0:
        v.error("not_positive", f"serial number {value} is not positive", observed=str(value))
    if octets > 20:
        v.error("too_long", f"serial number is {octets} octets, more than 20", observed=octets, expected="<= 20")
    return v


@rule("cert.format.sigalg_match", "signature and signatureAlgorithm are identical", "CERT-FMT-004", "RFC 5280 §4.1.1.2, §4.1.2.3; " + GMT, findings={'mismatch': 'tbsCertificate.signature differs from signatureAlgorithm'})
def sigalg_match(ctx: LintContext) -> Verdict:
    """The AlgorithmIdentifier inside tbsCertificate must equal the outer signatureAlgorithm."""
    v = Verdict()
    inner, outer = ctx.cert.slices.tbs_signature_algorithm, ctx.cert.slices.signature_algorithm
    if inner != outer:
        v.error("mismatch", "tbsCertificate.signature differs from signatureAlgorithm", observed=inner.hex(), expected=outer.hex())
    return v


def _sm2_signed(ctx: LintContext) -> bool:
    alg = ctx.cert.signature_algorithm
    own_sm2 = ctx.cert.key.kind == "sm2" and ctx.cert.self_issued
    return alg in oids.SM2_SIGS or own_sm2


@rule("cert.format.sigalg_sm2", "SM2 signature algorithm is SM2-with-SM3 without parameters", "CERT-FMT-005", "GM/T 0006 (1.2.156.10197.1.501); " + GMT, findings={'not_sm2_sm3': 'signature algorithm … is not SM2-with-SM3', 'null_parameters': 'SM2-with-SM3 AlgorithmIdentifier carries NULL parameters (should be absent)', 'parameters': 'SM2-with-SM3 AlgorithmIdentifier carries parameters'})
def sigalg_sm2(ctx: LintContext) -> Verdict | None:
    """For an SM2-signed certificate the algorithm OID must be SM2-with-SM3 (1.2.156.10197.1.501)
    with parameters absent; a NULL parameter is tolerated with a warning."""
    if not _sm2_signed(ctx):
        return None
    v = Verdict(measurements={"signature_algorithm": ctx.cert.signature_algorithm})
    if ctx.cert.signature_algorithm != oids.SM2_WITH_SM3:
        v.error("not_sm2_sm3", f"signature algorithm {ctx.cert.signature_algorithm} is not SM2-with-SM3", observed=ctx.cert.signature_algorithm, expected=oids.SM2_WITH_SM3)
        return v
    raw = ctx.cert.fields.signature_parameters
    if raw is not None:
        if raw == b"\x05\x00":
            v.warn("null_parameters", "SM2-with-SM3 AlgorithmIdentifier carries NULL parameters (should be absent)")
        else:
            v.error("parameters", "SM2-with-SM3 AlgorithmIdentifier carries parameters", observed=raw.hex())
    return v


@rule("cert.format.sigalg_non_sm3", "No SM2-with-SHA* or ECDSA signature on SM2 keys", "CERT-FMT-006", "GM/T 0006; GM/T 0009; " + GMT, findings={'non_sm3': 'signature algorithm … (…) is not SM2-with-SM3'})
def sigalg_non_sm3(ctx: LintContext) -> Verdict | None:
    """SM2-with-SHA1 (…1.502), SM2-with-SHA256 (…1.503), or ecdsa-with-* in an SM2 certificate
    are reported: 密评 requires SM3 as the digest of SM2 signatures."""
    alg = ctx.cert.signature_algorithm
    if alg not in (oids.SM2_WITH_SHA1, oids.SM2_WITH_SHA256) and not (alg in oids.ECDSA_SIGS and ctx.cert.key.kind == "sm2"):
        return None if not _sm2_signed(ctx) else Verdict()
    v = Verdict(measurements={"signature_algorithm": alg})
    name = oids.SM2_SIGS.get(alg) or oids.ECDSA_SIGS.get(alg)
    v.error("non_sm3", f"signature algorithm {name} ({alg}) is not SM2-with-SM3", observed=alg, expected=oids.SM2_WITH_SM3)
    return v


@rule("cert.format.spki_algorithm", "SM2 key encoded as id-ecPublicKey with namedCurve sm2p256v1", "CERT-FMT-007", SM2_SPKI, findings={'not_named_curve': 'SM2 key not encoded as id-ecPublicKey + namedCurve sm2p256v1'})
def spki_algorithm(ctx: LintContext) -> Verdict | None:
    """An SM2 public key must be encoded as id-ecPublicKey (1.2.840.10045.2.1) with the namedCurve
    sm2p256v1 (1.2.156.10197.1.301). Other accepted encodings are reported by CERT-FMT-008/009."""
    key = ctx.cert.key
    if key.kind != "sm2":
        return None
    v = Verdict(measurements={"spki_algorithm": key.algorithm, "curve": key.curve})
    if key.algorithm != oids.EC_PUBLIC_KEY or key.curve != oids.SM2_CURVE:
        v.warn("not_named_curve", "SM2 key not encoded as id-ecPublicKey + namedCurve sm2p256v1 (see CERT-FMT-008/009)", observed={"algorithm": key.algorithm, "curve": key.curve})
    return v


@rule("cert.format.spki_sm2_oid", "SPKI algorithm OID 1.2.156.10197.1.301 used directly", "CERT-FMT-008", SM2_SPKI, findings={'sm2_oid_as_algorithm': 'SPKI algorithm is 1.2.156.10197.1.301 instead of id-ecPublicKey'})
def spki_sm2_oid(ctx: LintContext) -> Verdict | None:
    """The SPKI algorithm is the SM2 curve OID itself instead of id-ecPublicKey (an encoding of
    OpenSSL 1.1.1/Tongsuo): accepted for parsing, reported as nonconforming."""
    if ctx.cert.key.kind != "sm2":
        return None
    v = Verdict()
    if "spki-oid-sm2" in ctx.cert.key.encoding_notes:
        v.warn("sm2_oid_as_algorithm", "SPKI algorithm is 1.2.156.10197.1.301 instead of id-ecPublicKey", observed=ctx.cert.key.algorithm, expected=oids.EC_PUBLIC_KEY)
    return v


@rule("cert.format.spki_explicit", "Explicit EC curve parameters instead of the named curve", "CERT-FMT-009", SM2_SPKI, findings={'explicit_parameters': 'EC parameters are explicit, not a named curve'})
def spki_explicit(ctx: LintContext) -> Verdict | None:
    """Explicit curve parameters instead of the named-curve OID are reported; when they equal the
    SM2 curve the key is treated as SM2 and the other checks continue."""
    key = ctx.cert.key
    if key.curve != "explicit":
        return None if key.kind not in ("sm2", "ec") else Verdict()
    v = Verdict(measurements={"explicit_equals_sm2": key.kind == "sm2"})
    v.warn("explicit_parameters", "EC parameters are explicit, not a named curve" + (" (they equal the SM2 curve)" if key.kind == "sm2" else ""))
    return v


@rule("cert.format.spki_point", "SM2 public key is an uncompressed point on the curve", "CERT-FMT-010", "GB/T 32918.1-2016 §4.2.9 (point encoding); " + SM2_SPKI, findings={'unused_bits': 'subjectPublicKey BIT STRING has unused bits', 'not_uncompressed': 'public key is … bytes starting …, expected 65 bytes 04||x||y', 'invalid_point': 'public key is not a valid SM2 point: …'})
def spki_point(ctx: LintContext) -> Verdict | None:
    """The SM2 public key must be a 65-byte uncompressed point 04‖x‖y on the SM2 curve, not the
    point at infinity (checked with mptool.algo.sm2.decode_public_key)."""
    from mptool.algo.api import sm2

    key = ctx.cert.key
    if key.kind != "sm2":
        return None
    v = Verdict(measurements={"length": len(key.point)})
    if key.unused_bits:
        v.error("unused_bits", "subjectPublicKey BIT STRING has unused bits")
    if len(key.point) != 65 or key.point[:1] != b"\x04":
        v.error("not_uncompressed", f"public key is {len(key.point)} bytes starting {key.point[:1].hex()}, expected 65 bytes 04||x||y", observed=len(key.point), expected=65)
    try:
        sm2.decode_public_key(key.point)
    except sm2.SM2Error as exc:
        v.error("invalid_point", f"public key is not a valid SM2 point: {exc}")
    return v


@rule("cert.format.validity", "Validity time types and order", "CERT-FMT-011", "RFC 5280 §4.1.2.5; " + GMT, findings={'order': 'notBefore is after notAfter', 'time_type': 'a validity time is not encoded as UTCTime up to 2049 and GeneralizedTime from 2050'})
def validity(ctx: LintContext) -> Verdict:
    """Dates through 2049 must be UTCTime and from 2050 GeneralizedTime; notBefore ≤ notAfter."""
    cert = ctx.cert
    v = Verdict(measurements={"not_before": cert.not_before.isoformat(), "not_after": cert.not_after.isoformat()})
    for name, moment, kind in (("notBefore", cert.not_before, cert.fields.time_kinds[0]), ("notAfter", cert.not_after, cert.fields.time_kinds[1])):
        expected = "utcTime" if moment.year < 2050 else "generalTime"
        if kind != expected:
            v.error("time_type", f"{name} {moment.isoformat()} is encoded as {kind}, expected {expected}", field=name, observed=kind, expected=expected)
    if cert.not_before > cert.not_after:
        v.error("order", "notBefore is after notAfter", observed={"not_before": cert.not_before.isoformat(), "not_after": cert.not_after.isoformat()})
    return v


@rule("cert.format.dn_present", "CA certificates have non-empty issuer and subject DNs", "CERT-FMT-012", "RFC 5280 §4.1.2.4, §4.1.2.6; " + GMT, profiles=("root", "subca"), findings={'empty_subject': 'subject DN is empty', 'empty_issuer': 'issuer DN is empty', 'no_country': 'subject DN has no country (C) attribute'})
def dn_present(ctx: LintContext) -> Verdict:
    """CA certificates must carry non-empty issuer and subject DNs; the subject should carry the
    country (C) attribute (not confirmed in the standard's text: reported as a warning)."""
    cert = ctx.cert
    v = Verdict()
    if not cert.x509.subject.rdns:
        v.error("empty_subject", "subject DN is empty")
    if not cert.x509.issuer.rdns:
        v.error("empty_issuer", "issuer DN is empty")
    countries = [a for a in cert.x509.subject if a.oid.dotted_string == "2.5.4.6"]
    if cert.x509.subject.rdns and not countries:
        v.warn("no_country", "subject DN has no country (C) attribute (not confirmed in the standard's text)")
    return v


def _name_strings(values: tuple[tuple[str, bytes], ...]) -> list[tuple[str, str, bytes]]:
    return [(oid, STRING_TAGS.get(raw[0], "other") if raw else "other", raw) for oid, raw in values]


def _printable_text(raw: bytes) -> str:
    """The characters of a PrintableString TLV (read directly when it is short-form DER with
    ASCII content, else through pyasn1 as before)."""
    if len(raw) >= 2 and raw[1] < 0x80 and raw[1] == len(raw) - 2 and raw.isascii():
        return raw[2:].decode("latin-1")
    from pyasn1.codec.ber import decoder

    return bytes(decoder.decode(raw)[0]).decode("latin-1")


@rule("cert.format.dn_strings", "DN strings are PrintableString or UTF8String", "CERT-FMT-013", "RFC 5280 §4.1.2.4 (DirectoryString); " + GMT, findings={'string_type': '… attribute … is a …, expected PrintableString or UTF8String', 'printable_charset': '… attribute …: PrintableString holds characters outside its set: …'})
def dn_strings(ctx: LintContext) -> Verdict:
    """DN attribute values should be PrintableString or UTF8String (IA5String for emailAddress
    and domainComponent); non-ASCII (Chinese) names must be UTF8String; a PrintableString may
    only hold the PrintableString characters."""
    v = Verdict()
    fields = ctx.cert.fields
    for field_name, values in (("issuer", fields.issuer_values), ("subject", fields.subject_values)):
        for oid, kind, raw in _name_strings(values):
            if kind in ("UTF8String",) or (kind == "IA5String" and oid in IA5_ATTRIBUTES):
                continue
            if kind == "PrintableString":
                text = _printable_text(raw)
                bad = sorted(set(text) - PRINTABLE)
                if bad:
                    v.warn("printable_charset", f"{field_name} attribute {oid}: PrintableString holds characters outside its set: {''.join(bad)!r}", field=field_name, oid=oid)
                continue
            if kind == "other" and raw[:1] in (b"\x30", b"\x31", b"\x03", b"\x04"):
                continue  # non-string attribute values (not a DirectoryString)
            v.warn("string_type", f"{field_name} attribute {oid} is a {kind}, expected PrintableString or UTF8String", field=field_name, oid=oid, observed=kind)
    return v


@rule("cert.format.unique_ids", "issuerUniqueID and subjectUniqueID absent", "CERT-FMT-014", "RFC 5280 §4.1.2.8; " + GMT + " (verify)", findings={'present': 'issuerUniqueID or subjectUniqueID is present'})
def unique_ids(ctx: LintContext) -> Verdict:
    """issuerUniqueID and subjectUniqueID should not be used (GM/T 0015, not confirmed in the
    standard's text; RFC 5280 says conforming CAs must not generate them)."""
    v = Verdict()
    for name in ctx.cert.fields.unique_ids:
        v.warn("present", f"{name} is present", field=name)
    return v


@rule("cert.format.extensions", "No duplicate extensions, no unknown critical extension", "CERT-FMT-015", "RFC 5280 §4.2; " + GMT, findings={'malformed': 'extensions cannot be parsed: …', 'duplicate': 'extension … appears more than once', 'unknown_critical': 'unknown critical extension …'})
def extensions(ctx: LintContext) -> Verdict:
    """Each extension OID may appear once; a critical extension the checker does not recognise
    means the certificate must be rejected; cryptography must be able to parse every extension."""
    from mptool.cert.x509.extensions import KNOWN_EXTENSIONS

    v = Verdict(measurements={"extensions": [oid for oid, _c, _v in ctx.cert.raw_extensions]})
    seen: set[str] = set()
    for oid, critical, _value in ctx.cert.raw_extensions:
        if oid in seen:
            v.error("duplicate", f"extension {oid} appears more than once", oid=oid)
        seen.add(oid)
        if critical and oid not in KNOWN_EXTENSIONS:
            v.error("unknown_critical", f"unknown critical extension {oid}", oid=oid)
    if ctx.cert.extension_error and not any(p[1] == "duplicate" for p in v.problems):
        v.error("malformed", f"extensions cannot be parsed: {ctx.cert.extension_error}")
    return v


@rule(
    "cert.format.key_strength",
    "Public key strength (security bits)",
    "CERT-FMT-016",
    "NIST SP 800-57 Part 1 Rev. 5 §5.6.1 (strength table, as used for Ra by assess); RFC 5480 §2.1.1 (namedCurve); RFC 8017 §3.1",
    findings={
        "broken": "the key gives less than 80 bits of security (e.g. RSA-768)",
        "weak": "the key gives 80 to 111 bits of security (e.g. RSA-1024, P-192)",
        "odd_size": "the RSA modulus is not a whole number of bytes",
        "explicit_curve": "the EC key carries explicit curve parameters instead of a named curve",
    },
)
def key_strength(ctx: LintContext) -> Verdict:
    """The security strength of the subject public key, by the table the assess domain uses for
    Ra: ≥ 112 bits passes, 80–111 bits (RSA-1024, P-192, DSA-1024) is a warning, below 80 bits
    (RSA-768 and smaller) an error; an RSA modulus that is not a whole number of bytes and explicit
    EC parameters are warnings (cert chain in Web-PKI mode refuses them)."""
    from mptool.cert.x509.strength import key_strength as strength_of, strength_problems

    strength = strength_of(ctx.cert)
    v = Verdict(measurements={"key": strength.algorithm, "bits": strength.bits, "level": strength.level})
    for code, severity, message in strength_problems(strength, webpki=False):
        (v.error if severity == "error" else v.warn)(code, message, observed=strength.algorithm, bits=strength.bits)
    return v


@rule(
    "cert.format.validity_at",
    "Certificate valid at the time given (--at)",
    "CERT-FMT-017",
    "RFC 5280 §4.1.2.5 (validity), §6.1.3 (a)(2); " + GMT,
    findings={
        "expired": "the certificate's notAfter is before the time given with --at",
        "not_yet_valid": "the certificate's notBefore is after the time given with --at",
    },
)
def validity_at(ctx: LintContext) -> Verdict | None:
    """With ``cert lint --at TIME``: the certificate must be within its validity period at TIME
    (notBefore ≤ TIME ≤ notAfter, RFC 5280 §4.1.2.5); an expired or not yet valid certificate is a
    warning (a report on a past or planned state cites the time it was judged at). Without --at
    the rule does not apply: lint judges the format, ``cert chain`` the validity now."""
    if ctx.at is None:
        return None
    cert = ctx.cert
    v = Verdict(measurements={"at": ctx.at.isoformat(), "not_before": cert.not_before.isoformat(), "not_after": cert.not_after.isoformat()})
    if ctx.at > cert.not_after:
        days = (ctx.at - cert.not_after).days
        v.warn("expired", f"expired at {ctx.at.isoformat()}: notAfter {cert.not_after.isoformat()} ({days} days before)", at=ctx.at.isoformat(), not_after=cert.not_after.isoformat())
    elif ctx.at < cert.not_before:
        days = (cert.not_before - ctx.at).days
        v.warn("not_yet_valid", f"not yet valid at {ctx.at.isoformat()}: notBefore {cert.not_before.isoformat()} ({days} days later)", at=ctx.at.isoformat(), not_before=cert.not_before.isoformat())
    return v
