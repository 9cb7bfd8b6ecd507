"""The GM/T 0022 initiator: main mode, quick mode and ESP echo packets over a datagram transport.

:func:`run_initiator` drives the exchange through a :class:`Transport` (send a datagram, wait
for the next one at most ``timeout`` seconds) and returns the :class:`ExchangeLog`; a wrong or
missing answer ends the run with a recorded problem, never an exception (except a bug).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import Protocol

from mptool.proto.ipsec.gm import codec, crypto
from mptool.proto.ipsec.gm.codec import GmDecodeError, Message
from mptool.proto.ipsec.gm.esp import EspError
from mptool.proto.ipsec.gm.session import Credentials, ExchangeLog, IkeSA, PeerError, esp_material, kind_of, new_spi, peer_certificates, public_key

#: Test-only deviations an initiator can be told to make (each must be caught by the responder).
TAMPERS = frozenset({"sig", "cert_roles", "envelope_key", "hash", "esp_replay", "esp_icv"})


class Transport(Protocol):
    """A datagram channel to the responder (IKE and ESP told apart by the transport's framing)."""

    def send_ike(self, data: bytes) -> None: ...

    def send_esp(self, data: bytes) -> None: ...

    def receive(self, timeout: float) -> tuple[str, bytes] | None:
        """("ike" | "esp", datagram) or None on timeout."""
        ...


class Stop(Exception):
    """The run ends; the reason is already in the log."""


@dataclass
class InitiatorOptions:
    """What the initiator does: ESP transform, ESP packets, timeouts, test deviations."""

    gcm: bool = False
    esp_packets: int = 3
    timeout: float = 5.0
    retries: int = 2
    tamper: frozenset[str] = frozenset()


class Initiator:
    """One run of the initiator."""

    def __init__(self, creds: Credentials, transport: Transport, options: InitiatorOptions) -> None:
        self.creds = creds
        self.t = transport
        self.o = options
        self.log = ExchangeLog()
        self.ike = IkeSA(os.urandom(8))
        self.peer_sign: tuple[int, int] | None = None
        self.peer_enc: tuple[int, int] | None = None

    # ------------------------------------------------------------------ plumbing

    def _exchange(self, data: bytes, number: str, expect_exchange: int) -> tuple[Message, int]:
        """Send ``data`` (resending on timeout) and return the answer's header and first payload type."""
        for _ in range(self.o.retries + 1):
            self.t.send_ike(data)
            while True:
                got = self.t.receive(self.o.timeout)
                if got is None:
                    break
                kind, answer = got
                if kind != "ike":
                    continue
                try:
                    msg, first = codec.decode_header(answer)
                except GmDecodeError as exc:
                    self._fail("malformed", f"answer to message {number} cannot be read: {exc}")
                if msg.icookie != self.ike.icookie:
                    continue
                if msg.exchange == codec.EXCH_INFO:
                    self._peer_notify(msg, first, number)
                if msg.exchange != expect_exchange:
                    self._fail("unexpected_exchange", f"answer to message {number} has exchange type {msg.exchange}")
                return msg, first
        self._fail("timeout", f"no answer to message {number} within {self.o.timeout:g} s ({self.o.retries + 1} tries)")
        raise AssertionError  # unreachable

    def _peer_notify(self, msg: Message, first: int, number: str) -> None:
        try:
            msg.payloads = codec.decode_payloads(first, msg.raw_body) if not msg.flags & codec.FLAG_ENCRYPTED else []
            notify = codec.decode_notify(msg.need(codec.P_NOTIFY))
        except GmDecodeError as exc:
            self._fail("malformed", f"informational answer to message {number} cannot be read: {exc}")
        name = codec.NOTIFY_NAMES.get(notify, f"notify {notify}")
        self.log.peer_notify = name
        self.log.message("in", msg, f"notify {name}")
        self._fail("peer_notify", f"the responder answered message {number} with {name}")

    def _fail(self, kind: str, message: str) -> None:
        self.log.problem(kind, message)
        raise Stop(message)

    # ------------------------------------------------------------------ the exchange

    def run(self) -> ExchangeLog:
        """Phase 1, quick mode, ESP; the log says how far it got."""
        try:
            self._phase1()
            self._quick_mode()
            self._esp()
            self._delete()
        except (GmDecodeError, PeerError) as exc:
            self.log.problem(kind_of(exc), str(exc))
            self._reject(exc.notify)
        except Stop:
            pass
        return self.log

    def _reject(self, notify: int) -> None:
        """Tell the responder why we stopped (an unencrypted informational notify)."""
        if self.ike.rcookie == bytes(8):
            return
        msg = Message(self.ike.icookie, self.ike.rcookie, codec.EXCH_INFO, payloads=[(codec.P_NOTIFY, codec.notify_payload(notify))])
        self.log.message("out", msg, "notify " + codec.NOTIFY_NAMES.get(notify, str(notify)))
        self.t.send_ike(codec.encode(msg))

    def _delete(self) -> None:
        """Delete the IKE SA (encrypted informational exchange with HASH(1) and DELETE)."""
        ike = self.ike
        assert ike.keys is not None
        msgid = struct.unpack("!I", os.urandom(4))[0] | 1
        body = codec.delete_payload(ike.icookie, ike.rcookie)
        msg = Message(ike.icookie, ike.rcookie, codec.EXCH_INFO, msgid=msgid, payloads=[(codec.P_HASH, crypto.info_hash(ike.keys, msgid, body)), (codec.P_DELETE, body)])
        self.t.send_ike(ike.seal(msg))
        self.log.message("out", msg, "delete")

    def _phase1(self) -> None:
        ike = self.ike
        m1 = Message(ike.icookie, bytes(8), codec.EXCH_MAIN, payloads=[(codec.P_SA, codec.encode_sa(codec.phase1_proposal()))])
        ike.sa_i = m1.payloads[0][1]
        self.log.message("out", m1, "1")
        m2, first = self._exchange(codec.encode(m1), "1", codec.EXCH_MAIN)
        m2.payloads = codec.decode_payloads(first, m2.raw_body)
        self.log.message("in", m2, "2")
        ike.rcookie = m2.rcookie
        chosen = codec.decode_sa(m2.need(codec.P_SA)).transforms[0]
        if chosen[1] != codec.PHASE1:
            raise PeerError("transform_not_offered", f"the responder chose {chosen}, not the offered GM/T 0022 transform")
        self.log.transforms["phase1"] = dict(chosen[1])
        sign_der, enc_der = peer_certificates(m2, self.log, "responder")
        self.peer_sign, self.peer_enc = public_key(sign_der, "responder signing certificate"), public_key(enc_der, "responder encryption certificate")

        ike.sk_i, ike.ni, ike.id_i = os.urandom(crypto.SK_LENGTH), os.urandom(32), self.creds.id_body
        signature = crypto.sign(self.creds.sign_d, crypto.signed_data(ike.sk_i, ike.ni, ike.id_i, self.creds.enc_cert))
        tamper = self.o.tamper
        if "sig" in tamper:
            signature = signature[:-1] + bytes([signature[-1] ^ 1])
        envelope_to = self.peer_enc if "envelope_key" not in tamper else self.peer_sign  # the wrong key: the signing one
        certs = [(codec.CERT_SIGN, self.creds.sign_cert), (codec.CERT_ENC, self.creds.enc_cert)]
        if "cert_roles" in tamper:
            certs = [(codec.CERT_SIGN, self.creds.enc_cert), (codec.CERT_ENC, self.creds.sign_cert)]
        m3 = Message(
            ike.icookie,
            ike.rcookie,
            codec.EXCH_MAIN,
            payloads=[
                (codec.P_SK, crypto.envelope_key(envelope_to, ike.sk_i)),
                (codec.P_NONCE, crypto.seal_field(ike.sk_i, ike.ni)),
                (codec.P_ID, crypto.seal_field(ike.sk_i, ike.id_i)),
                *((codec.P_CERT, codec.cert_payload(e, der)) for e, der in certs),
                (codec.P_SIG, signature),
            ],
        )
        self.log.message("out", m3, "3")
        m4, first = self._exchange(codec.encode(m3), "3", codec.EXCH_MAIN)
        m4.payloads = codec.decode_payloads(first, m4.raw_body)
        self.log.message("in", m4, "4")
        ike.sk_r = crypto.open_envelope_key(self.creds.enc_d, m4.need(codec.P_SK))
        ike.nr = crypto.open_field(ike.sk_r, m4.need(codec.P_NONCE), "nonce")
        ike.id_r = crypto.open_field(ike.sk_r, m4.need(codec.P_ID), "ID")
        if not crypto.verify(self.peer_sign, crypto.signed_data(ike.sk_r, ike.nr, ike.id_r, enc_der), m4.need(codec.P_SIG)):
            raise PeerError("bad_signature", "the responder's SIG does not verify with its signing certificate", codec.N_INVALID_SIGNATURE)
        ike.derive()
        assert ike.keys is not None
        hash_i = crypto.hash_i(ike.keys, ike.icookie, ike.rcookie, ike.sa_i, ike.id_i)
        if "hash" in tamper:
            hash_i = bytes([hash_i[0] ^ 1]) + hash_i[1:]
        m5 = Message(ike.icookie, ike.rcookie, codec.EXCH_MAIN, payloads=[(codec.P_HASH, hash_i)])
        data = ike.seal(m5)
        self.log.message("out", m5, "5")
        m6, first = self._exchange(data, "5", codec.EXCH_MAIN)
        ike.open(m6, first)
        self.log.message("in", m6, "6")
        if m6.need(codec.P_HASH) != crypto.hash_r(ike.keys, ike.icookie, ike.rcookie, ike.sa_i, ike.id_r):
            raise PeerError("bad_hash", "HASH_R of message 6 does not match", codec.N_INVALID_HASH_INFORMATION)
        self.log.phase1_completed = True

    def _quick_mode(self) -> None:
        ike = self.ike
        assert ike.keys is not None
        msgid = struct.unpack("!I", os.urandom(4))[0] | 1
        spi_i, ni = new_spi(), os.urandom(32)
        sa = codec.encode_sa(codec.esp_proposal(spi_i, gcm=self.o.gcm))
        q1 = Message(ike.icookie, ike.rcookie, codec.EXCH_QUICK, msgid=msgid, payloads=[(codec.P_HASH, crypto.qm_hash1(ike.keys, msgid, ni, sa)), (codec.P_SA, sa), (codec.P_NONCE, ni)])
        data = ike.seal(q1)
        self.log.message("out", q1, "QM1")
        q2, first = self._exchange(data, "QM1", codec.EXCH_QUICK)
        ike.open(q2, first)
        self.log.message("in", q2, "QM2")
        sa_r, nr = q2.need(codec.P_SA), q2.need(codec.P_NONCE)
        ids = b"".join(q2.all(codec.P_ID))
        if q2.need(codec.P_HASH) != crypto.qm_hash2(ike.keys, msgid, ni, sa_r, nr, ids):
            raise PeerError("bad_hash", "quick-mode HASH(2) does not match", codec.N_INVALID_HASH_INFORMATION)
        chosen = codec.decode_sa(sa_r)
        transform = chosen.transforms[0]
        if len(chosen.spi) != 4 or chosen.protocol != codec.PROTO_ESP or transform[0] != (codec.ESP_SM4_GCM if self.o.gcm else codec.ESP_SM4_CBC):
            raise PeerError("transform_not_offered", f"the responder chose ESP transform {transform[0]} / SPI {chosen.spi.hex()}, not what was offered")
        self.log.transforms["esp"] = {"transform_id": transform[0], "attributes": dict(transform[1])}
        q3 = Message(ike.icookie, ike.rcookie, codec.EXCH_QUICK, msgid=msgid, payloads=[(codec.P_HASH, crypto.qm_hash3(ike.keys, msgid, ni, nr))])
        self.t.send_ike(ike.seal(q3))
        self.log.message("out", q3, "QM3")
        ike.ni_qm, ike.nr_qm = ni, nr
        ike.esp_in, ike.esp_out = esp_material(ike, transform[0], spi_i, chosen.spi)
        self.log.spis = {"initiator": spi_i.hex(), "responder": chosen.spi.hex()}
        self.log.phase2_completed = True

    def _esp(self) -> None:
        ike = self.ike
        assert ike.esp_out is not None and ike.esp_in is not None
        for number in range(1, self.o.esp_packets + 1):
            payload = f"mptool GM/T 0022 ESP echo {number}".encode() + os.urandom(16)
            seq = 1 if "esp_replay" in self.o.tamper and number > 1 else None
            packet = ike.esp_out.seal(payload, seq=seq)
            if "esp_icv" in self.o.tamper:
                packet = packet[:-1] + bytes([packet[-1] ^ 1])
            self.t.send_esp(packet)
            self.log.esp_sent += 1
            got = self._next_esp()
            if got is None:
                continue
            try:
                _seq, _nh, echoed = ike.esp_in.open(got)
            except EspError as exc:
                self.log.drop(exc.kind)
                self.log.problem(f"esp_{exc.kind}", f"echo of packet {number}: {exc}")
                continue
            if echoed == payload:
                self.log.esp_answered += 1
            else:
                self.log.problem("esp_echo_mismatch", f"echo of packet {number} carries other data")

    def _next_esp(self) -> bytes | None:
        while True:
            got = self.t.receive(self.o.timeout)
            if got is None:
                return None
            if got[0] == "esp":
                return got[1]


def run_initiator(creds: Credentials, transport: Transport, options: InitiatorOptions) -> tuple[ExchangeLog, IkeSA]:
    """Run the initiator once; the log and the IKE SA (keys for the key log)."""
    initiator = Initiator(creds, transport, options)
    return initiator.run(), initiator.ike
