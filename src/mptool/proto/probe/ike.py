"""Probing an IKE responder over UDP: IKEv1 main mode and IKEv2 IKE_SA_INIT offers.

Like ike-scan, but the offers are enumerated and the answers recorded as evidence:

- IKEv1 (RFC 2408 §3, RFC 2409 §5): a main-mode first message whose single ISAKMP proposal
  carries every candidate transform; the responder picks one, it is removed, and the offer is
  repeated until the responder answers NO-PROPOSAL-CHOSEN (or nothing). Candidates are the
  usual RFC 2409 combinations plus GM/T 0022 ones (SM4-CBC 129, SM1 128, SM4 old 127, SM3 20,
  digital envelope 10, asymmetric algorithm SM2 in attribute 20), protocols.md §3.2.
- IKEv2 (RFC 7296 §1.2, §3.3): IKE_SA_INIT with one proposal per candidate combination;
  INVALID_KE_PAYLOAD is answered with a KE of the requested group, COOKIE by resending with
  the cookie (RFC 7296 §2.6), as a real initiator would.

Every request counts against the connection budget; each waits at most the timeout.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from dataclasses import dataclass, field
from itertools import product

from mptool.core.model import Severity
from mptool.proto.registry import ipsec as ids
from mptool.proto.probe.enumerate import Chosen, enumerate_preference
from mptool.proto.probe.report import ProtocolReport
from mptool.proto.ipsec.gm.codec import attribute as _attribute
from mptool.proto.ipsec.gm.codec import decode_attributes
from mptool.proto.ipsec.ike import sa_proposals
from mptool.proto.judge.ipsec import gm_envelope, judge_selected
from mptool.proto.judge.verdict import Judgement
from mptool.proto.wire import DecodeError, Reader

# ------------------------------------------------------------------ IKEv1 candidates

ENC_DES, ENC_3DES, ENC_AES, ENC_SM4_OLD, ENC_SM1, ENC_SM4 = 1, 5, 7, 127, 128, 129
HASH_MD5, HASH_SHA1, HASH_SHA256, HASH_SM3 = 1, 2, 4, 20
AUTH_PSK, AUTH_RSA_SIG, AUTH_GM_ENVELOPE = 1, 3, ids.GM_DIGITAL_ENVELOPE
ATTR_ENC, ATTR_HASH, ATTR_AUTH, ATTR_GROUP, ATTR_LIFE_TYPE, ATTR_LIFE, ATTR_KEY_LEN, ATTR_ASYM = 1, 2, 3, 4, 11, 12, 14, 20

WEAK_IKEV1 = {(ATTR_ENC, ENC_DES): "DES", (ATTR_ENC, ENC_3DES): "3DES", (ATTR_HASH, HASH_MD5): "MD5", (ATTR_HASH, HASH_SHA1): "SHA-1", (ATTR_GROUP, 1): "MODP-768", (ATTR_GROUP, 2): "MODP-1024"}


#: One IKEv1 phase-1 transform: its (attribute type, value) pairs.
Transform = tuple[tuple[int, int], ...]


def ikev1_candidates() -> list[Transform]:
    """Phase-1 transforms offered: standard combinations, then the GM/T 0022 ones."""
    out: list[Transform] = []
    ciphers = [((ATTR_ENC, ENC_AES), (ATTR_KEY_LEN, 256)), ((ATTR_ENC, ENC_AES), (ATTR_KEY_LEN, 128)), ((ATTR_ENC, ENC_3DES),), ((ATTR_ENC, ENC_DES),)]
    for cipher, hash_, auth, group in product(ciphers, (HASH_SHA256, HASH_SHA1, HASH_MD5), (AUTH_PSK, AUTH_RSA_SIG), (14, 2)):
        out.append((*cipher, (ATTR_HASH, hash_), (ATTR_AUTH, auth), (ATTR_GROUP, group), (ATTR_LIFE_TYPE, 1), (ATTR_LIFE, 28800)))
    for enc in (ENC_SM4, ENC_SM1, ENC_SM4_OLD):  # GM/T 0022: no DH group, digital envelope with SM2
        out.append(((ATTR_ENC, enc), (ATTR_HASH, HASH_SM3), (ATTR_AUTH, AUTH_GM_ENVELOPE), (ATTR_ASYM, 2), (ATTR_LIFE_TYPE, 1), (ATTR_LIFE, 28800)))
    return out


def _payload(next_payload: int, body: bytes) -> bytes:
    return struct.pack("!BBH", next_payload, 0, len(body) + 4) + body


def ikev1_main_mode(cookie: bytes, transforms: list[tuple[tuple[int, int], ...]]) -> bytes:
    """ISAKMP header + SA(DOI IPsec, identity only) with one proposal holding ``transforms``."""
    encoded = []
    for number, attrs in enumerate(transforms, 1):
        body = struct.pack("!BBH", number, 1, 0) + b"".join(_attribute(t, v) for t, v in attrs)  # KEY_IKE
        encoded.append(_payload(3 if number < len(transforms) else 0, body))
    proposal = _payload(0, struct.pack("!BBBB", 1, 1, 0, len(transforms)) + b"".join(encoded))
    sa = _payload(0, struct.pack("!II", 1, 1) + proposal)
    header = cookie + bytes(8) + struct.pack("!BBBBII", 1, 0x10, 2, 0, 0, 28 + len(sa))
    return header + sa


#: Attributes that identify a transform (life type/duration may be answered with the responder's own values).
ESSENTIAL = (ATTR_ENC, ATTR_KEY_LEN, ATTR_HASH, ATTR_AUTH, ATTR_GROUP, ATTR_ASYM)


def _essential(attrs: tuple[tuple[int, int], ...], *ignore: int) -> frozenset[tuple[int, int]]:
    return frozenset(a for a in attrs if a[0] in ESSENTIAL and a[0] not in ignore)


def _canonical(attrs: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Attributes in a stable order: the identifying ones first (ESSENTIAL order), then the rest."""
    rank = {t: i for i, t in enumerate(ESSENTIAL)}
    return tuple(sorted(attrs, key=lambda a: (rank.get(a[0], len(ESSENTIAL)), a[0])))


def _attr_name(attr_type: int, value: int, gm: bool = False) -> str:
    if gm and attr_type == ATTR_AUTH and value == ids.GM_DIGITAL_ENVELOPE:
        return ids.GM_DIGITAL_ENVELOPE_NAME
    table = ids.IKEV1_ATTRIBUTE_VALUES.get(attr_type)
    return ids.name_or_unknown(table, value) if table else str(value)


def describe_ikev1(attrs: tuple[tuple[int, int], ...]) -> dict[str, object]:
    """Evidence form of a phase-1 transform: ike-scan-like id and readable names."""
    gm = any(t == ATTR_ENC and v in (ENC_SM4, ENC_SM1, ENC_SM4_OLD) for t, v in attrs)
    return {
        "id": ",".join(f"{t}={v}" for t, v in attrs),
        "name": "/".join(_attr_name(t, v, gm) for t, v in attrs if t in ESSENTIAL),
        "attributes": {ids.IKEV1_ATTRIBUTES.get(t, str(t)): _attr_name(t, v, gm) for t, v in attrs},
        "gm": gm,
    }


# ------------------------------------------------------------------ IKEv2 candidates

T_ENCR, T_PRF, T_INTEG, T_DH = 1, 2, 3, 4
WEAK_IKEV2 = {(T_ENCR, 3): "3DES", (T_PRF, 2): "SHA-1", (T_INTEG, 2): "SHA-1", (T_DH, 2): "MODP-1024", (T_DH, 1): "MODP-768"}


@dataclass(frozen=True)
class V2Proposal:
    """One IKEv2 IKE proposal: (type, id, key length or 0) transforms."""

    transforms: tuple[tuple[int, int, int], ...]

    def encode(self, number: int, last: bool) -> bytes:
        """The proposal substructure (RFC 7296 §3.3.1)."""
        parts = []
        for i, (t, tid, key_len) in enumerate(self.transforms):
            attrs = struct.pack("!HH", 0x8000 | 14, key_len) if key_len else b""
            body = struct.pack("!BBH", t, 0, tid) + attrs
            parts.append(struct.pack("!BBH", 0 if i == len(self.transforms) - 1 else 3, 0, len(body) + 4) + body)
        body = struct.pack("!BBBB", number, 1, 0, len(self.transforms)) + b"".join(parts)
        return struct.pack("!BBH", 0 if last else 2, 0, len(body) + 4) + body

    @property
    def group(self) -> int:
        """The DH group of the proposal."""
        return next(tid for t, tid, _ in self.transforms if t == T_DH)

    def describe(self) -> dict[str, object]:
        """Evidence form: id like ``ENCR=12/256,PRF=5,INTEG=12,DH=14`` and names."""
        def one(t: int, tid: int, key_len: int) -> str:
            return f"{ids.IKEV2_TRANSFORM_TYPES[t]}={tid}" + (f"/{key_len}" if key_len else "")

        def name(t: int, tid: int, key_len: int) -> str:
            return ids.name_or_unknown(ids.IKEV2_TRANSFORM_VALUES[t], tid) + (f"_{key_len}" if key_len else "")

        return {"id": ",".join(one(*x) for x in self.transforms), "name": "/".join(name(*x) for x in self.transforms)}


def ikev2_candidates() -> list[V2Proposal]:
    """IKE proposals offered: AES-CBC/GCM (128/256) and 3DES with SHA-1/SHA-2 and four groups."""
    out = []
    for group in (14, 19, 31, 2):
        for encr, key_len in ((12, 256), (12, 128), (20, 256), (20, 128), (3, 0)):
            for prf, integ in ((5, 12), (6, 13), (2, 2)):
                transforms = [(T_ENCR, encr, key_len), (T_PRF, prf, 0)]
                if encr != 20:  # AEAD: no integrity transform
                    transforms.append((T_INTEG, integ, 0))
                transforms.append((T_DH, group, 0))
                out.append(V2Proposal(tuple(transforms)))
    return list(dict.fromkeys(out))


def ke_data(group: int) -> bytes:
    """A public value for ``group`` (random for MODP, a real point for ECP and Curve25519)."""
    from cryptography.hazmat.primitives.asymmetric import ec, x25519
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if group == 31:
        return x25519.X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    curves = {19: ec.SECP256R1(), 20: ec.SECP384R1(), 21: ec.SECP521R1()}
    if group in curves:
        point = ec.generate_private_key(curves[group]).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return point[1:]  # RFC 5903: x || y without the 04 prefix
    sizes = {1: 96, 2: 128, 5: 192, 14: 256, 15: 384, 16: 512, 17: 768, 18: 1024}
    size = sizes.get(group, 256)
    return bytes([0x5A]) + os.urandom(size - 1)  # below every MODP prime (they start with 0xFF)


def ikev2_sa_init(spi: bytes, proposals: list[V2Proposal], group: int, cookie: bytes | None = None) -> bytes:
    """IKE_SA_INIT request: [N(COOKIE)], SA, KE, Ni."""
    sa_body = b"".join(p.encode(i + 1, i == len(proposals) - 1) for i, p in enumerate(proposals))
    nonce = _payload(0, os.urandom(32))
    ke = _payload(40, struct.pack("!HH", group, 0) + ke_data(group))
    sa = _payload(34, sa_body)
    payloads = sa + ke + nonce
    first = 33
    if cookie is not None:
        payloads = _payload(33, struct.pack("!BBH", 0, 0, 16390) + cookie) + payloads
        first = 41
    header = spi + bytes(8) + struct.pack("!BBBBII", first, 0x20, 34, 0x08, 0, 28 + len(payloads))
    return header + payloads


# ------------------------------------------------------------------ responses


@dataclass
class IkeAnswer:
    """The decoded parts of a responder's answer."""

    status: str  #: sa, notify, timeout, error, malformed
    version: int = 0
    payloads: list[tuple[int, bytes]] = field(default_factory=list)
    notify: int | None = None
    notify_data: bytes = b""
    message: str = ""

    def first(self, payload_type: int) -> bytes | None:
        """The body of the first payload of a type."""
        return next((body for t, body in self.payloads if t == payload_type), None)


def parse_answer(data: bytes, cookie: bytes) -> IkeAnswer:
    """Split an ISAKMP/IKEv2 message into payloads; it must answer our initiator cookie/SPI."""
    try:
        r = Reader(data, "IKE message")
        if r.take(8) != cookie:
            return IkeAnswer("malformed", message="answer for another initiator SPI")
        r.take(8)
        next_payload, version, _exchange, _flags, _msg_id, length = r.u8(), r.u8(), r.u8(), r.u8(), r.uint(4), r.uint(4)
        body = Reader(data[28:length], "IKE payloads")
        payloads = []
        while next_payload and body.remaining:
            current = next_payload
            next_payload = body.u8()
            body.u8()
            size = body.u16()
            payloads.append((current, body.take(size - 4)))
    except DecodeError as exc:
        return IkeAnswer("malformed", message=str(exc))
    answer = IkeAnswer("sa", version=version, payloads=payloads)
    notify_type = 11 if version >> 4 == 1 else 41
    notify = answer.first(notify_type)
    if notify is not None and answer.first(1 if version >> 4 == 1 else 33) is None:
        try:
            answer.notify, answer.notify_data = _notify_fields(notify, v1=version >> 4 == 1)
        except DecodeError as exc:  # a short notify is the peer's fault: a finding, never a crash
            return IkeAnswer("malformed", version=version, payloads=payloads, message=str(exc))
        answer.status = "notify"
    return answer


def _notify_fields(body: bytes, v1: bool) -> tuple[int, bytes]:
    """(notify message type, notification data) of a notify payload body.

    IKEv1 (RFC 2408 §3.14): DOI(4) protocol(1) SPI size(1) type(2) SPI data;
    IKEv2 (RFC 7296 §3.10): protocol(1) SPI size(1) type(2) SPI data.
    """
    r = Reader(body, "IKEv1 notify payload" if v1 else "IKEv2 notify payload")
    if v1:
        r.take(4)
    r.u8()
    spi_size = r.u8()
    notify_type = r.u16()
    r.take(spi_size)
    return notify_type, r.rest()


def chosen_ikev1(sa_body: bytes) -> tuple[tuple[int, int], ...]:
    """The attributes of the transform a responder chose (first transform of its SA payload)."""
    r = Reader(sa_body, "IKEv1 SA")
    r.take(8)  # DOI, situation
    r.take(2)  # proposal payload: next payload, reserved
    proposal = Reader(r.take(r.u16() - 4), "IKEv1 proposal")
    proposal.take(2)  # proposal number, protocol id
    spi_size, _count = proposal.u8(), proposal.u8()
    proposal.take(spi_size)
    proposal.take(2)  # transform payload: next payload, reserved
    transform = Reader(proposal.take(proposal.u16() - 4), "IKEv1 transform")
    transform.take(4)  # transform number, transform id, reserved
    return decode_attributes(transform)


def chosen_ikev2(sa_body: bytes) -> int:
    """The proposal number the responder chose."""
    return sa_body[4]


NAT_T_PORT = 4500
NON_ESP_MARKER = bytes(4)  #: RFC 3948 §2.2: IKE on the NAT-T port starts with four zero bytes


class Exchanger:
    """Sends UDP requests within the budget and waits for the matching answer."""

    def __init__(self, host: str, port: int, timeout: float, deadline: float, max_requests: int) -> None:
        self.address = (host, port)
        self.timeout = timeout
        self.deadline = deadline
        self.max_requests = max_requests
        self.used = 0

    def exchange(self, packet: bytes, cookie: bytes) -> IkeAnswer:
        """One request and its answer (status timeout when none came in time)."""
        if self.used >= self.max_requests or time.monotonic() >= self.deadline:
            return IkeAnswer("budget_exhausted", message="request or time limit reached")
        self.used += 1
        family = socket.AF_INET6 if ":" in self.address[0] else socket.AF_INET
        nat_t = self.address[1] == NAT_T_PORT
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            try:
                sock.sendto(NON_ESP_MARKER + packet if nat_t else packet, self.address)
            except OSError as exc:
                return IkeAnswer("error", message=f"cannot send: {exc.strerror or exc}")
            ends = min(self.deadline, time.monotonic() + self.timeout)
            while True:
                left = ends - time.monotonic()
                if left <= 0:
                    return IkeAnswer("timeout", message=f"no answer within {self.timeout:g} s")
                sock.settimeout(left)
                try:
                    data, _ = sock.recvfrom(65535)
                except socket.timeout:
                    continue
                except ConnectionRefusedError:
                    return IkeAnswer("refused", message="ICMP port unreachable: nothing listens on the IKE port")
                except OSError as exc:
                    return IkeAnswer("error", message=f"socket error: {exc.strerror or exc}")
                if nat_t and data.startswith(NON_ESP_MARKER):
                    data = data[len(NON_ESP_MARKER) :]
                answer = parse_answer(data, cookie)
                if answer.status != "malformed" or answer.message != "answer for another initiator SPI":
                    return answer


def _notify_name(version: int, code: int | None) -> str:
    if code is None:
        return "none"
    table = ids.IKEV1_NOTIFY if version == 1 else ids.IKEV2_NOTIFY
    return table.get(code, f"unknown ({code})")


def _judge_v1_transform(attrs: tuple[tuple[int, int], ...]) -> Judgement:
    """The analyzer's judgement (``judge/ipsec.py``) of an accepted phase-1 transform, read back
    from its own SA payload by the analyzer's decoder."""
    sa = ikev1_main_mode(bytes(8), [attrs])[28:]
    proposals = sa_proposals(sa[4:], v2=False)
    gm_envelope(proposals)
    return judge_selected(Judgement(), "IKEv1", proposals[0])


def probe_ikev1(ex: Exchanger, subject: str) -> ProtocolReport:
    """Enumerate the phase-1 transforms the responder accepts in main mode."""
    report = ProtocolReport("IKEv1", subject)
    answers: list[str] = []
    start = ex.used

    def ask(remaining: list[Transform], first: bool) -> IkeAnswer:
        cookie = os.urandom(8)
        answer = ex.exchange(ikev1_main_mode(cookie, remaining), cookie)
        answers.append(answer.status if answer.status != "notify" else _notify_name(1, answer.notify))
        _malformed(report, answer)
        return answer

    def choose(answer: IkeAnswer, remaining: list[Transform], first: bool) -> Chosen[Transform] | None:
        sa = answer.first(1) if answer.status == "sa" else None
        if sa is None:
            return None
        try:
            chosen = chosen_ikev1(sa)
        except DecodeError as exc:
            report.finding("proto.probe.ike.malformed", Severity.ERROR, f"IKEv1 SA answer cannot be read: {exc}")
            return None
        # strongSwan picks by cipher/hash/group and answers with the auth method it is configured for
        same = [t for t in remaining if _essential(t, ATTR_AUTH) == _essential(chosen, ATTR_AUTH)]
        if not same:
            report.finding("proto.probe.ike.transform_not_offered", Severity.ERROR, "the responder chose a transform that was not offered", attributes=[list(a) for a in chosen])
            return None
        if not any(_essential(t) == _essential(chosen) for t in same):
            report.finding("proto.probe.ike.auth_method_rewritten", Severity.INFO, "the responder accepted an offered cipher/hash/group but answered with another authentication method", chosen=describe_ikev1(chosen)["id"])
        report.extra.setdefault("vendor_ids", sorted({body.hex() for t, body in answer.payloads if t == 13}))
        return Chosen(_canonical(chosen), same)

    accepted, _ = enumerate_preference(ikev1_candidates(), ask, choose)
    _finish(report, answers, start, ex)
    report.accepted_suites = [describe_ikev1(t) for t in accepted]
    report.judge([(entry, _judge_v1_transform(t)) for entry, t in zip(report.accepted_suites, accepted)])
    weak = sorted({WEAK_IKEV1[a] for t in accepted for a in t if a in WEAK_IKEV1})
    if weak:
        report.finding("proto.probe.ike.weak_transform", Severity.WARN, "the responder accepts weak IKEv1 transforms", algorithms=weak)
    return report


def probe_ikev2(ex: Exchanger, subject: str) -> ProtocolReport:
    """Enumerate the IKE proposals the responder accepts in IKE_SA_INIT."""
    report = ProtocolReport("IKEv2", subject)
    answers: list[str] = []
    start = ex.used

    def ask(remaining: list[V2Proposal], first: bool) -> IkeAnswer:
        spi = os.urandom(8)
        group, cookie = remaining[0].group, None
        for _ in range(3):  # INVALID_KE_PAYLOAD and COOKIE each need one more round trip
            answer = ex.exchange(ikev2_sa_init(spi, remaining, group, cookie), spi)
            if answer.status == "notify" and answer.notify == 17 and len(answer.notify_data) == 2:
                group = struct.unpack("!H", answer.notify_data)[0]
                answers.append("INVALID_KE_PAYLOAD")
                continue
            if answer.status == "notify" and answer.notify == 16390:
                cookie = answer.notify_data
                answers.append("COOKIE")
                continue
            break
        answers.append(answer.status if answer.status != "notify" else _notify_name(2, answer.notify))
        _malformed(report, answer)
        return answer

    def choose(answer: IkeAnswer, remaining: list[V2Proposal], first: bool) -> Chosen[V2Proposal] | None:
        sa = answer.first(33) if answer.status == "sa" else None
        if sa is None or len(sa) < 5:
            return None
        number = chosen_ikev2(sa)
        if not 1 <= number <= len(remaining):
            report.finding("proto.probe.ike.transform_not_offered", Severity.ERROR, f"the responder chose proposal {number}, which was not offered")
            return None
        report.extra.setdefault("vendor_ids", sorted({body.hex() for t, body in answer.payloads if t == 43}))
        return Chosen(remaining[number - 1], [remaining[number - 1]])

    accepted, _ = enumerate_preference(ikev2_candidates(), ask, choose)
    _finish(report, answers, start, ex)
    report.accepted_suites = [p.describe() for p in accepted]
    report.judge([(entry, judge_selected(Judgement(), "IKEv2", sa_proposals(p.encode(1, True), v2=True)[0])) for entry, p in zip(report.accepted_suites, accepted)])
    weak = sorted({WEAK_IKEV2[(t, tid)] for p in accepted for t, tid, _ in p.transforms if (t, tid) in WEAK_IKEV2})
    if weak:
        report.finding("proto.probe.ike.weak_transform", Severity.WARN, "the responder accepts weak IKEv2 transforms", algorithms=weak)
    return report


def _malformed(report: ProtocolReport, answer: IkeAnswer) -> None:
    """A malformed answer is recorded once per distinct problem."""
    if answer.status != "malformed":
        return
    message = f"{report.protocol} answer cannot be read: {answer.message}"
    if all(f.message != message for f in report.findings):
        report.finding("proto.probe.ike.malformed", Severity.ERROR, message)


def _finish(report: ProtocolReport, answers: list[str], start: int, ex: Exchanger) -> None:
    report.connections = ex.used - start
    report.extra["answers"] = answers
    first = answers[0] if answers else "none"
    if first in ("timeout", "refused", "error") and len(answers) == 1:
        report.problem = "timeout" if first == "timeout" else "refused" if first == "refused" else "socket_error"
        report.finding(f"proto.probe.{report.problem}", Severity.ERROR, f"no {report.protocol} answer: {first}")
    elif first not in ("timeout", "refused", "error", "budget_exhausted", "malformed"):
        report.versions = [report.protocol]  # the responder speaks this version (it answered)
    if len(answers) > 1 and answers[-1] == "timeout":
        report.finding(
            "proto.probe.ike.stopped_answering",
            Severity.WARN,
            "the responder answered earlier offers but not the last one (a per-peer half-open limit such as strongSwan's block_threshold?); the list may be incomplete",
        )
    if "budget_exhausted" in answers:
        report.finding("proto.probe.budget_exhausted", Severity.WARN, "IKE enumeration stopped at the request or time limit")


def probe_ike(host: str, port: int, timeout: float, time_limit: float, max_requests: int) -> list[ProtocolReport]:
    """IKEv1 then IKEv2 reports for one responder."""
    ex = Exchanger(host, port, timeout, time.monotonic() + time_limit, max_requests)
    subject = f"{host}:{port}"
    return [probe_ikev1(ex, subject), probe_ikev2(ex, subject)]
