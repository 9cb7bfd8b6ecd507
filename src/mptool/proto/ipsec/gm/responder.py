"""The GM/T 0022 responder: main mode (6 messages), quick mode (3) and ESP echo, per initiator cookie.

:meth:`Responder.handle_ike` takes one IKE datagram (without the non-ESP marker) and returns the
answers; :meth:`Responder.handle_esp` one ESP packet. A message the responder cannot accept is
answered with an informational notify (RFC 2408 §3.14, e.g. INVALID-SIGNATURE) and recorded in
the session's log; nothing a peer sends raises out of these methods except a bug.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from mptool.proto.ipsec.gm import codec, crypto
from mptool.proto.ipsec.gm.codec import GmDecodeError, Message, Proposal
from mptool.proto.ipsec.gm.esp import EspError
from mptool.proto.ipsec.gm.session import Credentials, ExchangeLog, IkeSA, PeerError, esp_material, kind_of, new_spi, peer_certificates, public_key

MAX_SESSIONS = 256


@dataclass
class Session:
    """One initiator's IKE SA at the responder."""

    number: int
    peer: str
    ike: IkeSA
    log: ExchangeLog = field(default_factory=ExchangeLog)
    last_in: bytes = b""
    last_out: list[bytes] = field(default_factory=list)
    peer_sign_public: tuple[int, int] | None = None
    peer_enc_public: tuple[int, int] | None = None
    qm: dict[int, dict[str, bytes]] = field(default_factory=dict)
    failed: bool = False
    closed: bool = False  #: the initiator deleted the SA or rejected us
    last_seen: float = 0.0

    @property
    def done(self) -> bool:
        """Nothing more is expected from this initiator."""
        return self.failed or self.closed


@dataclass
class Responder:
    """State of every session; ``tamper`` (tests only): ``sig``, ``esp_icv``."""

    creds: Credentials
    tamper: frozenset[str] = frozenset()
    sessions: "OrderedDict[bytes, Session]" = field(default_factory=OrderedDict)
    by_spi: dict[bytes, Session] = field(default_factory=dict)
    count: int = 0
    stray: list[str] = field(default_factory=list)  #: problems not tied to a session

    # ------------------------------------------------------------------ IKE

    def handle_ike(self, data: bytes, peer: str) -> list[bytes]:
        """Answers to one IKE datagram."""
        try:
            msg, first = codec.decode_header(data)
        except GmDecodeError as exc:
            self.stray.append(f"{peer}: {exc}")
            return []
        session = self.sessions.get(msg.icookie)
        if session is None:
            if msg.rcookie != bytes(8) or msg.exchange != codec.EXCH_MAIN:
                self.stray.append(f"{peer}: message for an unknown IKE SA {msg.icookie.hex()}")
                return []
            session = self._new_session(msg.icookie, peer)
        session.last_seen = time.monotonic()
        if data == session.last_in:  # a retransmission: answer it again
            return list(session.last_out)
        if session.done:
            return []
        session.last_in = data
        try:
            out = self._step(session, msg, first)
        except (GmDecodeError, PeerError) as exc:
            kind = kind_of(exc)
            session.log.problem(kind, str(exc))
            session.failed = True
            out = [self._notify(session, exc.notify)]
        session.last_out = out
        return out

    def _new_session(self, icookie: bytes, peer: str) -> Session:
        self.count += 1
        session = Session(self.count, peer, IkeSA(icookie, rcookie=os.urandom(8)))
        self.sessions[icookie] = session
        while len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)
        return session

    def _notify(self, session: Session, notify: int) -> bytes:
        msg = Message(session.ike.icookie, session.ike.rcookie, codec.EXCH_INFO, payloads=[(codec.P_NOTIFY, codec.notify_payload(notify))])
        session.log.message("out", msg, "notify " + codec.NOTIFY_NAMES.get(notify, str(notify)))
        return codec.encode(msg)

    def _step(self, session: Session, msg: Message, first: int) -> list[bytes]:
        ike = session.ike
        if msg.exchange == codec.EXCH_MAIN and ike.state == "start":
            return [self._m2(session, msg, first)]
        if msg.exchange == codec.EXCH_MAIN and ike.state == "m2":
            return [self._m4(session, msg, first)]
        if msg.exchange == codec.EXCH_MAIN and ike.state == "m4":
            return [self._m6(session, ike.open(msg, first))]
        if msg.exchange == codec.EXCH_QUICK and ike.state == "established":
            return self._quick(session, ike.open(msg, first))
        if msg.exchange == codec.EXCH_INFO:
            return self._informational(session, msg, first)
        raise GmDecodeError(f"exchange {msg.exchange} not expected in state {ike.state}", codec.N_INVALID_EXCHANGE)

    def _informational(self, session: Session, msg: Message, first: int) -> list[bytes]:
        """A notify (the initiator rejected us) or, once established, an encrypted delete."""
        ike = session.ike
        if msg.flags & codec.FLAG_ENCRYPTED:
            ike.open(msg, first)
            assert ike.keys is not None
            body = msg.need(codec.P_DELETE)
            if msg.need(codec.P_HASH) != crypto.info_hash(ike.keys, msg.msgid, body):
                raise PeerError("bad_hash", "informational HASH(1) does not match", codec.N_INVALID_HASH_INFORMATION)
            session.log.message("in", msg, "delete")
            session.closed = True
            return []
        msg.payloads = codec.decode_payloads(first, msg.raw_body)
        notify = codec.decode_notify(msg.need(codec.P_NOTIFY))
        name = codec.NOTIFY_NAMES.get(notify, f"notify {notify}")
        session.log.peer_notify = name
        session.log.message("in", msg, f"notify {name}")
        session.log.problem("peer_notify", f"the initiator rejected our message with {name}")
        session.closed = True
        return []

    def _m2(self, session: Session, msg: Message, first: int) -> bytes:
        msg.payloads = codec.decode_payloads(first, msg.raw_body)
        session.log.message("in", msg, "1")
        sa_body = msg.need(codec.P_SA)
        proposal = codec.decode_sa(sa_body)
        chosen = next((t for t in proposal.transforms if _is_gm(t[1])), None)
        if chosen is None:
            raise GmDecodeError("no GM/T 0022 transform (SM4 129, SM3 20, envelope 10, SM2) offered", codec.N_NO_PROPOSAL_CHOSEN)
        session.ike.sa_i = sa_body
        session.log.transforms["phase1"] = dict(chosen[1])
        reply = Message(
            msg.icookie,
            session.ike.rcookie,
            codec.EXCH_MAIN,
            payloads=[
                (codec.P_SA, codec.encode_sa(Proposal(codec.PROTO_ISAKMP, b"", (chosen,)))),
                (codec.P_CERT, codec.cert_payload(codec.CERT_SIGN, self.creds.sign_cert)),
                (codec.P_CERT, codec.cert_payload(codec.CERT_ENC, self.creds.enc_cert)),
            ],
        )
        session.ike.state = "m2"
        session.log.message("out", reply, "2")
        return codec.encode(reply)

    def _m4(self, session: Session, msg: Message, first: int) -> bytes:
        ike = session.ike
        msg.payloads = codec.decode_payloads(first, msg.raw_body)
        session.log.message("in", msg, "3")
        sign_der, enc_der = peer_certificates(msg, session.log, "initiator")
        session.peer_sign_public, session.peer_enc_public = public_key(sign_der, "initiator signing certificate"), public_key(enc_der, "initiator encryption certificate")
        ike.sk_i = crypto.open_envelope_key(self.creds.enc_d, msg.need(codec.P_SK))
        ike.ni = crypto.open_field(ike.sk_i, msg.need(codec.P_NONCE), "nonce")
        ike.id_i = crypto.open_field(ike.sk_i, msg.need(codec.P_ID), "ID")
        if not crypto.verify(session.peer_sign_public, crypto.signed_data(ike.sk_i, ike.ni, ike.id_i, enc_der), msg.need(codec.P_SIG)):
            raise PeerError("bad_signature", "the initiator's SIG does not verify with its signing certificate", codec.N_INVALID_SIGNATURE)
        ike.sk_r, ike.nr, ike.id_r = os.urandom(crypto.SK_LENGTH), os.urandom(32), self.creds.id_body
        signature = crypto.sign(self.creds.sign_d, crypto.signed_data(ike.sk_r, ike.nr, ike.id_r, self.creds.enc_cert))
        if "sig" in self.tamper:
            signature = signature[:-1] + bytes([signature[-1] ^ 1])
        reply = Message(
            ike.icookie,
            ike.rcookie,
            codec.EXCH_MAIN,
            payloads=[
                (codec.P_SK, crypto.envelope_key(session.peer_enc_public, ike.sk_r)),
                (codec.P_NONCE, crypto.seal_field(ike.sk_r, ike.nr)),
                (codec.P_ID, crypto.seal_field(ike.sk_r, ike.id_r)),
                (codec.P_SIG, signature),
            ],
        )
        ike.derive()
        ike.state = "m4"
        session.log.message("out", reply, "4")
        return codec.encode(reply)

    def _m6(self, session: Session, msg: Message) -> bytes:
        ike = session.ike
        assert ike.keys is not None
        session.log.message("in", msg, "5")
        if msg.need(codec.P_HASH) != crypto.hash_i(ike.keys, ike.icookie, ike.rcookie, ike.sa_i, ike.id_i):
            raise PeerError("bad_hash", "HASH_I of message 5 does not match", codec.N_INVALID_HASH_INFORMATION)
        reply = Message(ike.icookie, ike.rcookie, codec.EXCH_MAIN, payloads=[(codec.P_HASH, crypto.hash_r(ike.keys, ike.icookie, ike.rcookie, ike.sa_i, ike.id_r))])
        data = ike.seal(reply)
        ike.state = "established"
        session.log.phase1_completed = True
        session.log.message("out", reply, "6")
        return data

    def _quick(self, session: Session, msg: Message) -> list[bytes]:
        ike = session.ike
        assert ike.keys is not None
        state = session.qm.get(msg.msgid)
        if state is None:
            session.log.message("in", msg, "QM1")
            ni, sa_body = msg.need(codec.P_NONCE), msg.need(codec.P_SA)
            ids = b"".join(msg.all(codec.P_ID))
            if msg.need(codec.P_HASH) != crypto.qm_hash1(ike.keys, msg.msgid, ni, sa_body, ids):
                raise PeerError("bad_hash", "quick-mode HASH(1) does not match", codec.N_INVALID_HASH_INFORMATION)
            proposal = codec.decode_sa(sa_body)
            if proposal.protocol != codec.PROTO_ESP or len(proposal.spi) != 4:
                raise GmDecodeError("quick mode must propose ESP with a 4-byte SPI", codec.N_NO_PROPOSAL_CHOSEN)
            chosen = next((t for t in proposal.transforms if _is_gm_esp(t)), None)
            if chosen is None:
                raise GmDecodeError("no SM4-CBC/HMAC-SM3 (127/20) or SM4-GCM (130) ESP transform offered", codec.N_NO_PROPOSAL_CHOSEN)
            spi = new_spi()
            nr = os.urandom(32)
            sa_r = codec.encode_sa(Proposal(codec.PROTO_ESP, spi, (chosen,)))
            payloads = [(codec.P_HASH, crypto.qm_hash2(ike.keys, msg.msgid, ni, sa_r, nr, ids)), (codec.P_SA, sa_r), (codec.P_NONCE, nr)]
            payloads += [(codec.P_ID, body) for body in msg.all(codec.P_ID)]
            session.qm[msg.msgid] = {"ni": ni, "nr": nr, "spi_i": proposal.spi, "spi_r": spi, "transform": bytes([chosen[0]])}
            session.log.transforms["esp"] = {"transform_id": chosen[0], "attributes": dict(chosen[1])}
            reply = Message(ike.icookie, ike.rcookie, codec.EXCH_QUICK, msgid=msg.msgid, payloads=payloads)
            data = ike.seal(reply)
            session.log.message("out", reply, "QM2")
            return [data]
        session.log.message("in", msg, "QM3")
        if msg.need(codec.P_HASH) != crypto.qm_hash3(ike.keys, msg.msgid, state["ni"], state["nr"]):
            raise PeerError("bad_hash", "quick-mode HASH(3) does not match", codec.N_INVALID_HASH_INFORMATION)
        ike.ni_qm, ike.nr_qm = state["ni"], state["nr"]
        ike.esp_in, ike.esp_out = esp_material(ike, state["transform"][0], state["spi_r"], state["spi_i"])
        session.log.spis = {"initiator": state["spi_i"].hex(), "responder": state["spi_r"].hex()}
        session.log.phase2_completed = True
        self.by_spi[state["spi_r"]] = session
        return []

    # ------------------------------------------------------------------ ESP

    def handle_esp(self, packet: bytes, peer: str) -> list[bytes]:
        """The echo of one ESP packet, or nothing when it is dropped (ICV, replay, unknown SPI)."""
        session = self.by_spi.get(packet[:4])
        if session is None or session.ike.esp_in is None or session.ike.esp_out is None:
            self.stray.append(f"{peer}: ESP for unknown SPI {packet[:4].hex()}")
            return []
        session.log.esp_received += 1
        session.last_seen = time.monotonic()
        try:
            _seq, next_header, payload = session.ike.esp_in.open(packet)
        except EspError as exc:
            session.log.drop(exc.kind)
            session.log.problem(f"esp_{exc.kind}", str(exc))
            return []
        reply = session.ike.esp_out.seal(payload, next_header)
        if "esp_icv" in self.tamper:
            reply = reply[:-1] + bytes([reply[-1] ^ 1])
        session.log.esp_answered += 1
        return [reply]


def _is_gm(attrs: tuple[tuple[int, int], ...]) -> bool:
    values = dict(attrs)
    return values.get(codec.A_ENC) == codec.ENC_SM4 and values.get(codec.A_HASH) == codec.HASH_SM3 and values.get(codec.A_AUTH) == codec.AUTH_ENVELOPE and values.get(codec.A_ASYM, codec.ASYM_SM2) == codec.ASYM_SM2


def _is_gm_esp(transform: tuple[int, tuple[tuple[int, int], ...]]) -> bool:
    tid, attrs = transform
    values = dict(attrs)
    if tid == codec.ESP_SM4_CBC:
        return values.get(codec.QA_AUTH) == codec.AUTH_HMAC_SM3
    return tid == codec.ESP_SM4_GCM and codec.QA_AUTH not in values
