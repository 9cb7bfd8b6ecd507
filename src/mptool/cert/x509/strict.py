"""A strict DER walk of a certificate that builds no pyasn1 objects (issue 20: ``cert lint`` speed).

pyasn1-fasder is the authority on "is this strict DER" (CERT-FMT-001), but building its pyasn1
object tree is most of the time a lint takes. :func:`walk` reads a certificate with rules that
are stricter than fasder's: lengths in the shortest form, INTEGERs and OIDs minimal, BOOLEAN
TRUE as 0xFF and no DEFAULT value encoded, single-valued RDNs, no unique identifiers, zero
unused bits in the key and signature BIT STRINGs, UTCTime/GeneralizedTime in their only DER
forms, and every ANY value (algorithm parameters, DN attribute values) itself checked as DER of
a small set of universal types. When every rule holds, fasder accepts the bytes too and the
fields are read straight from them; when one does not, :func:`walk` returns None and the caller
takes fasder's verdict (and its message) as before. tests/cert/test_strict_walk.py checks both
directions on every bundled certificate and on random mutations of them.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from mptool.cert.x509.der import CertificateSlices

#: a limit on nesting inside ANY values (deeper: not walked, fasder decides)
MAX_DEPTH = 12
_PRINTABLE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")
_NUMERIC = frozenset(b"0123456789 ")
_DIGITS = frozenset(b"0123456789")
_OID_CACHE: dict[bytes, str] = {}


class _Reject(Exception):
    """Not certainly strict DER by this walk's rules: the caller asks pyasn1-fasder."""


@dataclass(frozen=True)
class TbsFields:
    """What the lint rules read from the tbsCertificate and the signatureAlgorithm, as plain values."""

    version: int  #: the version field value (0 = v1, 2 = v3)
    serial: int
    signature_parameters: bytes | None  #: Certificate.signatureAlgorithm parameters (TLV), None when absent
    time_kinds: tuple[str, str]  #: notBefore, notAfter: "utcTime" or "generalTime"
    issuer_values: tuple[tuple[str, bytes], ...]  #: (attribute type OID, value TLV) of the issuer DN, in order
    subject_values: tuple[tuple[str, bytes], ...]
    unique_ids: tuple[str, ...]  #: "issuerUniqueID" / "subjectUniqueID" when present
    extensions: tuple[tuple[str, bool, bytes], ...]  #: (OID, critical, extnValue), in order, duplicates kept


@dataclass(frozen=True)
class Walked:
    """A certificate read by :func:`walk`: its slices, tbs fields and subject public key."""

    slices: CertificateSlices
    fields: TbsFields
    key_algorithm: str  #: SPKI algorithm OID
    key_parameters: bytes  #: SPKI algorithm parameters TLV (b"" when absent)
    key_curve: str | None  #: the namedCurve OID when the parameters are an OID
    key_bits: bytes  #: subjectPublicKey content after the unused-bits octet (which is 0)


def _head(d: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the element at ``pos``, in DER form only."""
    if pos + 2 > end:
        raise _Reject
    tag = d[pos]
    if tag & 0x1F == 0x1F:
        raise _Reject
    n = d[pos + 1]
    pos += 2
    if n < 0x80:
        length = n
    else:
        count = n & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise _Reject
        length = int.from_bytes(d[pos : pos + count], "big")
        if length < 0x80 or (count > 1 and length >> (8 * (count - 1)) == 0):
            raise _Reject  # not the shortest length form
        pos += count
    stop = pos + length
    if stop > end:
        raise _Reject
    return tag, pos, stop


def _element(d: bytes, pos: int, end: int, tag: int) -> tuple[int, int]:
    """(content start, content end) of the element at ``pos``, which must have ``tag``."""
    t, s, e = _head(d, pos, end)
    if t != tag:
        raise _Reject
    return s, e


def _integer(c: bytes) -> int:
    if not c or (len(c) > 1 and ((c[0] == 0 and c[1] < 0x80) or (c[0] == 0xFF and c[1] >= 0x80))):
        raise _Reject
    return int.from_bytes(c, "big", signed=True)


def _oid(c: bytes) -> str:
    """Dotted text of OID content: at least three arcs, the first sub-identifier below 120 and
    every sub-identifier in at most four octets (fasder refuses fewer arcs, a second arc of 40 or
    more under 2, and arcs beyond 32 bits)."""
    text = _OID_CACHE.get(c)
    if text is not None:
        return text
    if len(c) < 2 or c[0] >= 120 or c[-1] & 0x80:
        raise _Reject
    arcs: list[int] = []
    value = 0
    octets = 0
    for b in c:
        if octets == 0 and b == 0x80:
            raise _Reject  # a sub-identifier with a leading 0x80 octet
        value = (value << 7) | (b & 0x7F)
        octets += 1
        if not b & 0x80:
            arcs.append(value)
            value = octets = 0
        elif octets == 4:
            raise _Reject
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    text = ".".join(map(str, head + arcs[1:]))
    if len(_OID_CACHE) < 4096:
        _OID_CACHE[c] = text
    return text


def _bit_string(c: bytes) -> None:
    if not c or c[0] > 7 or (len(c) == 1 and c[0]) or (len(c) > 1 and c[-1] & ((1 << c[0]) - 1)):
        raise _Reject


def _string(allowed: frozenset[int]) -> object:
    def check(c: bytes) -> None:
        if not allowed.issuperset(c):
            raise _Reject

    return check


def _utf8(c: bytes) -> None:
    try:
        c.decode("utf-8")
    except UnicodeDecodeError:
        raise _Reject from None


def _boolean(c: bytes) -> None:
    if c not in (b"\x00", b"\xff"):
        raise _Reject


def _null(c: bytes) -> None:
    if c:
        raise _Reject


#: checks of primitive universal types allowed inside an ANY value
_PRIMITIVE = {
    0x01: _boolean,
    0x02: _integer,
    0x03: _bit_string,
    0x04: lambda c: None,  # OCTET STRING: any content
    0x05: _null,
    0x06: _oid,
    0x0C: _utf8,
    0x12: _string(_NUMERIC),
    0x13: _string(_PRINTABLE),
    0x16: _string(frozenset(range(0x80))),
}


def _any(d: bytes, tag: int, start: int, stop: int, depth: int) -> None:
    """Check one element of an ANY value (its content by its tag)."""
    if tag & 0x20:
        if depth >= MAX_DEPTH or not (tag in (0x30, 0x31) or tag & 0xC0 == 0x80):
            raise _Reject
        pos, prev = start, b""
        while pos < stop:
            t, s, e = _head(d, pos, stop)
            _any(d, t, s, e, depth + 1)
            if tag == 0x31:
                raw = d[pos:e]
                if raw < prev:
                    raise _Reject  # SET (OF) elements not in DER order
                prev = raw
            pos = e
        return
    check = _PRIMITIVE.get(tag)
    if check is None:
        if tag & 0xC0 != 0x80:
            raise _Reject
        return  # context-specific primitive: opaque content
    check(d[start:stop])  # type: ignore[operator]


def _algorithm(d: bytes, start: int, stop: int) -> tuple[str, bytes | None]:
    """(algorithm OID, parameters TLV or None) of an AlgorithmIdentifier's content."""
    s, e = _element(d, start, stop, 0x06)
    oid = _oid(d[s:e])
    if e == stop:
        return oid, None
    pt, ps, pe = _head(d, e, stop)
    if pe != stop:
        raise _Reject
    _any(d, pt, ps, pe, 0)
    return oid, d[e:pe]


def _name(d: bytes, start: int, stop: int) -> tuple[tuple[str, bytes], ...]:
    """(type, value TLV) of a Name's single-valued RDNs."""
    values = []
    pos = start
    while pos < stop:
        s, e = _element(d, pos, stop, 0x31)
        as_, ae = _element(d, s, e, 0x30)
        if ae != e:
            raise _Reject  # a multi-valued RDN: left to fasder
        os_, oe = _element(d, as_, ae, 0x06)
        vt, vs, ve = _head(d, oe, ae)
        if ve != ae:
            raise _Reject
        _any(d, vt, vs, ve, 0)
        values.append((_oid(d[os_:oe]), d[oe:ve]))
        pos = e
    return tuple(values)


def _time(d: bytes, pos: int, stop: int) -> tuple[str, int]:
    t, s, e = _head(d, pos, stop)
    c = d[s:e]
    if t == 0x17 and len(c) == 13:
        year = int(c[:2]) + (2000 if c[:2] < b"50" else 1900)
        kind = "utcTime"
    elif t == 0x18 and len(c) == 15 and c[:4] >= b"2050":
        year = int(c[:4])
        kind = "generalTime"
        c = c[2:]
    else:
        raise _Reject
    if c[-1:] != b"Z" or not _DIGITS.issuperset(c[:-1]):
        raise _Reject
    try:
        _dt.datetime(year, int(c[2:4]), int(c[4:6]), int(c[6:8]), int(c[8:10]), int(c[10:12]))
    except ValueError:
        raise _Reject from None
    return kind, e


def _extensions(d: bytes, start: int, stop: int) -> tuple[tuple[str, bool, bytes], ...]:
    s, e = _element(d, start, stop, 0x30)
    if e != stop or s == e:
        raise _Reject
    found = []
    pos = s
    while pos < e:
        xs, xe = _element(d, pos, e, 0x30)
        os_, oe = _element(d, xs, xe, 0x06)
        nt, ns, ne = _head(d, oe, xe)
        critical = nt == 0x01
        if critical:
            if d[ns:ne] != b"\xff":
                raise _Reject  # FALSE is the DEFAULT: DER leaves it out
            nt, ns, ne = _head(d, ne, xe)
        if nt != 0x04 or ne != xe:
            raise _Reject
        found.append((_oid(d[os_:oe]), critical, d[ns:ne]))
        pos = xe
    return tuple(found)


def walk(der: bytes) -> Walked | None:
    """The certificate's fields when it is strict DER by the rules above, else None."""
    try:
        return _walk(der)
    except (_Reject, IndexError, ValueError):
        return None


def _walk(d: bytes) -> Walked:
    end = len(d)
    s, e = _element(d, 0, end, 0x30)
    ts, te = _element(d, s, e, 0x30)  # tbsCertificate
    as_, ae = _element(d, te, e, 0x30)  # signatureAlgorithm
    bs, be = _element(d, ae, e, 0x03)  # signatureValue
    if e != end or be != e or bs == be or d[bs] != 0:
        raise _Reject
    _oid_outer, outer_params = _algorithm(d, as_, ae)

    t, cs, ce = _head(d, ts, te)
    version = 0
    if t == 0xA0:
        vs, ve = _element(d, cs, ce, 0x02)
        if ve != ce or d[vs:ve] not in (b"\x01", b"\x02"):
            raise _Reject  # v1 encoded (a DEFAULT) or an unusual value: left to fasder
        version = d[vs]
        t, cs, ce = _head(d, ce, te)
    if t != 0x02:
        raise _Reject
    serial = _integer(d[cs:ce])
    signature_start = ce
    cs, ce = _element(d, signature_start, te, 0x30)  # signature
    _algorithm(d, cs, ce)
    inner_algorithm = d[signature_start:ce]
    cs, ce = _element(d, ce, te, 0x30)  # issuer
    issuer = _name(d, cs, ce)
    cs, ce = _element(d, ce, te, 0x30)  # validity
    before, pos = _time(d, cs, ce)
    after, pos = _time(d, pos, ce)
    if pos != ce:
        raise _Reject
    cs, ce = _element(d, ce, te, 0x30)  # subject
    subject = _name(d, cs, ce)
    cs, ce = _element(d, ce, te, 0x30)  # subjectPublicKeyInfo
    ks, ke = _element(d, cs, ce, 0x30)
    key_algorithm, key_params = _algorithm(d, ks, ke)
    ks, kb = _element(d, ke, ce, 0x03)
    if kb != ce or ks == kb or d[ks] != 0:
        raise _Reject
    curve = None
    if key_params is not None and key_params[0] == 0x06:
        os_, oe = _element(key_params, 0, len(key_params), 0x06)
        curve = _oid(key_params[os_:oe])
    extensions: tuple[tuple[str, bool, bytes], ...] = ()
    if ce < te:
        xs, xe = _element(d, ce, te, 0xA3)  # unique identifiers or anything else: left to fasder
        if xe != te:
            raise _Reject
        extensions = _extensions(d, xs, xe)
    slices = CertificateSlices(tbs=d[s:te], tbs_signature_algorithm=inner_algorithm, signature_algorithm=d[te:ae], signature_bits=d[bs:be], trailing=0)
    fields = TbsFields(version, serial, outer_params, (before, after), issuer, subject, (), extensions)
    return Walked(slices, fields, key_algorithm, key_params or b"", curve, d[ks + 1 : kb])


def walk_signature_value(body: bytes) -> tuple[int, int] | None:
    """(r, s) of a DER SEQUENCE{r INTEGER, s INTEGER} (RFC 3279 Ecdsa-Sig-Value) read by the same
    rules, or None: then fasder decides (and words the CERT-SIG-002 finding)."""
    try:
        s, e = _element(body, 0, len(body), 0x30)
        rs, re = _element(body, s, e, 0x02)
        ss, se = _element(body, re, e, 0x02)
        if e != len(body) or se != e:
            return None
        return _integer(body[rs:re]), _integer(body[ss:se])
    except (_Reject, IndexError, ValueError):
        return None
