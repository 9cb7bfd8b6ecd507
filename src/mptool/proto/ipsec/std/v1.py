"""The standard IKEv1 initiator: main mode (RFC 2409 §5) with a pre-shared key (§5.4) or RSA /
ECDSA signatures (§5.1, RFC 4754), then quick mode (§5.5) for one ESP SA, then the SAs deleted.

Message layout and the SA payload codec are the ISAKMP ones shared with the GM/T 0022 code
(:mod:`mptool.proto.ipsec.gm.codec`, header version 0x10 here). Encrypted messages use AES-CBC
under Ka, the IV chained as RFC 2409 Appendix B says: phase 1 starts at hash(g^xi | g^xr),
each message continues from the last ciphertext block of the one before; each phase-2 or
informational exchange starts at hash(last phase-1 block | M-ID).
"""

from __future__ import annotations

import os
import struct
import time
from typing import Any

from mptool.proto.ipsec.gm import codec
from mptool.proto.ipsec.gm.codec import Message, Proposal
from mptool.proto.ipsec.ike import sa_proposals
from mptool.proto.ipsec.std import crypto
from mptool.proto.wire import DecodeError
from mptool.proto.ipsec.std.esp import Sa, keymat_v1, suite_v1
from mptool.proto.ipsec.std.session import CERT_X509_SIGNATURE, Credentials, Failure, Selectors, StdLog, Transport, esp_echo, float_to_nat_t, peer_address, responder_certificate_key, run_steps, send_receive
from mptool.proto.registry import ipsec as ids

VERSION = 0x10
P_SA, P_KE, P_ID, P_CERT, P_CR, P_HASH, P_SIG, P_NONCE, P_N, P_D, P_VID = 1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
#: seconds between the ESP and the ISAKMP DELETE (see V1Initiator._delete)
DELETE_PAUSE = 0.2
NAMES = {1: "SA", 4: "KE", 5: "ID", 6: "CERT", 7: "CR", 8: "HASH", 9: "SIG", 10: "NONCE", 11: "N", 12: "D", 13: "VID", 20: "NAT-D"}
EXCH_MAIN, EXCH_INFO, EXCH_QUICK = 2, 5, 32

A_ENC, A_HASH, A_AUTH, A_GROUP, A_LIFE_TYPE, A_LIFE, A_KEY_LEN = 1, 2, 3, 4, 11, 12, 14
ENC_AES, HASH_SHA1, HASH_SHA256 = 7, 2, 4
HASH_NAMES = {HASH_SHA1: "sha1", HASH_SHA256: "sha256"}
AUTH_METHODS = {"psk": 1, "rsa": 3, "ecdsa": 9}  #: RFC 2409 App. A; 9 = ECDSA with SHA-256 on P-256 (RFC 4754)
ID_FQDN, ID_IPV4_SUBNET, ID_DER_ASN1_DN = 2, 4, 9

#: Quick-mode ESP attributes (RFC 2407 §4.5) and transform ids.
Q_LIFE_TYPE, Q_LIFE, Q_ENCAP, Q_AUTH, Q_KEY_LEN = 1, 2, 4, 5, 6
ESP_AES_CBC, ESP_AES_GCM_16 = 12, 20
Q_HMAC_SHA1, Q_HMAC_SHA256 = 2, 5
ENCAP_TUNNEL, ENCAP_UDP_TUNNEL = 1, 3  #: RFC 2407 §4.5, RFC 3947 §5.2
P_NAT_D = 20
VID_RFC3947 = bytes.fromhex("4a131c81070358455c5728f20e95452f")  #: MD5("RFC 3947")

#: Notify types that end the run with their own finding (RFC 2408 §3.14.1).
NOTIFY_KINDS = {14: "no_proposal_chosen", 24: "authentication_failed", 23: "authentication_failed", 16: "malformed", 4: "malformed"}


def phase1_transforms(method: str) -> tuple[tuple[int, tuple[tuple[int, int], ...]], ...]:
    """The phase-1 offer: AES-256/128-CBC x SHA2-256/SHA-1 x MODP-2048/ECP-256, one auth method."""
    out = []
    for hash_id in (HASH_SHA256, HASH_SHA1):
        for key_len in (256, 128):
            for group in (14, 19):
                attrs = ((A_ENC, ENC_AES), (A_KEY_LEN, key_len), (A_HASH, hash_id), (A_AUTH, AUTH_METHODS[method]), (A_GROUP, group), (A_LIFE_TYPE, 1), (A_LIFE, 28800))
                out.append((1, attrs))  # transform id KEY_IKE
    return tuple(out)


def esp_transforms(udp: bool = False) -> tuple[tuple[int, tuple[tuple[int, int], ...]], ...]:
    """The quick-mode offer: AES-CBC 128/256 with HMAC-SHA2-256 or HMAC-SHA-1, AES-GCM-16 128; tunnel
    mode (UDP-encapsulated tunnel when NAT-T is in use)."""
    life = ((Q_LIFE_TYPE, 1), (Q_LIFE, 3600), (Q_ENCAP, ENCAP_UDP_TUNNEL if udp else ENCAP_TUNNEL))
    return (
        (ESP_AES_CBC, (*life, (Q_AUTH, Q_HMAC_SHA256), (Q_KEY_LEN, 128))),
        (ESP_AES_CBC, (*life, (Q_AUTH, Q_HMAC_SHA256), (Q_KEY_LEN, 256))),
        (ESP_AES_CBC, (*life, (Q_AUTH, Q_HMAC_SHA1), (Q_KEY_LEN, 128))),
        (ESP_AES_GCM_16, (*life, (Q_KEY_LEN, 128))),
    )


def _id_body(id_type: int, data: bytes) -> bytes:
    return struct.pack("!BBH", id_type, 0, 0) + data


def _pad(data: bytes) -> bytes:
    return data + bytes(-len(data) % 16)


class V1Initiator:
    """One run: main mode, quick mode, delete. Problems end the run and are logged."""

    def __init__(self, creds: Credentials, transport: Transport, timeout: float, retries: int = 1, identity: bytes = b"mptool-probe", encap: bool = False, selectors: Selectors = Selectors(), esp_packets: int = 0) -> None:
        self.creds = creds
        self.esp_packets = esp_packets
        self.selectors = selectors
        self.encap = encap  #: announce a NAT (a NAT-D hash that cannot match) so the responder encapsulates ESP in UDP
        self.nat_t = False
        self.t = transport
        self.timeout = timeout
        self.retries = retries
        self.identity = identity
        self.log = StdLog("IKEv1")
        self.icookie, self.rcookie = os.urandom(8), bytes(8)
        self.iv = b""
        self.phase1_last = b""
        self.hash_name = "sha1"
        self.keys: crypto.V1Keys | None = None
        self.chosen_sa = b""

    # ------------------------------------------------------------------ plumbing

    def _msg(self, exchange_type: int, payloads: list[tuple[int, bytes]], msgid: int = 0) -> Message:
        return Message(self.icookie, self.rcookie, exchange_type, msgid=msgid, payloads=payloads, version=VERSION)

    def _record(self, direction: str, number: str, msg: Message) -> None:
        self.log.message(direction, number, ids.IKEV1_EXCHANGES.get(msg.exchange, str(msg.exchange)), [NAMES.get(t, str(t)) for t, _ in msg.payloads], bool(msg.flags & codec.FLAG_ENCRYPTED))

    def _encrypt(self, msg: Message, iv: bytes) -> tuple[bytes, bytes]:
        """(datagram, last ciphertext block) of ``msg`` encrypted under Ka with ``iv``."""
        assert self.keys is not None
        msg.flags |= codec.FLAG_ENCRYPTED
        ciphertext = crypto.aes_cbc(self.keys.enc_key, iv, _pad(codec.encode_payloads(msg.payloads)))
        return codec.encode(msg, ciphertext), ciphertext[-16:]

    def _decrypt(self, msg: Message, first: int, iv: bytes) -> bytes:
        """Decrypt ``msg`` in place with ``iv``; returns its last ciphertext block."""
        assert self.keys is not None
        if not msg.flags & codec.FLAG_ENCRYPTED:
            raise Failure("unexpected_exchange", f"{ids.IKEV1_EXCHANGES.get(msg.exchange)} message is not encrypted")
        body = msg.raw_body
        if not body or len(body) % 16:
            raise Failure("malformed", f"encrypted body of {len(body)} bytes is not a whole number of AES blocks")
        msg.payloads = codec.decode_payloads(first, crypto.aes_cbc(self.keys.enc_key, iv, body, decrypt=True))
        return body[-16:]

    def _accept(self, exchange_type: int, msgid: int = 0) -> Any:
        """A filter for :func:`exchange`: the answer of our SA with that exchange type and M-ID."""

        def accept(data: bytes) -> tuple[Message, int] | None:
            msg, first = codec.decode_header(data)
            if msg.icookie != self.icookie:
                return None
            if msg.exchange == EXCH_INFO:
                self._informational(msg, first)
                return None
            if msg.exchange != exchange_type or msg.msgid != msgid:
                return None
            return msg, first

        return accept

    def _informational(self, msg: Message, first: int) -> None:
        """An informational message: an error notify ends the run, status notifies are ignored."""
        if msg.flags & codec.FLAG_ENCRYPTED:
            if self.keys is None:
                return  # cannot be read before the keys exist
            # before message 6 the responder's "last phase-1 block" is the last one of message 5
            self._decrypt(msg, first, crypto.qm_iv(self.hash_name, self.phase1_last or self.iv, msg.msgid))
        else:
            msg.payloads = codec.decode_payloads(first, msg.raw_body)
        self._record("in", "informational", msg)
        body = msg.first(P_N)
        if body is None:
            if msg.first(P_D) is not None:
                raise Failure("peer_notify", "the responder deleted the SA")
            return
        notify = codec.decode_notify(body)
        if notify >= 8192:  # status types (RFC 2408 §3.14.1), e.g. INITIAL-CONTACT
            return
        name = ids.IKEV1_NOTIFY.get(notify, f"notify {notify}")
        self.log.peer_notify = name
        raise Failure(NOTIFY_KINDS.get(notify, "peer_notify"), f"the responder answered with {name}")

    def _send_receive(self, data: bytes, exchange_type: int, what: str, msgid: int = 0) -> tuple[Message, int]:
        return send_receive(self.t, data, self._accept(exchange_type, msgid), self.timeout, self.retries, what)

    # ------------------------------------------------------------------ the run

    def run(self) -> StdLog:
        """Main mode, quick mode, delete; the log says how far it got."""
        return run_steps(self.log, self._main_mode, self._quick_mode, self._esp_echo, self._delete)

    def _esp_echo(self) -> None:
        esp_echo(self.t, self.log, self.esp_packets, self.timeout, self.selectors, self.nat_t, self._esp_sas)

    def _esp_sas(self) -> tuple[Sa, Sa] | None:
        """(outbound, inbound) ESP SAs from KEYMAT (RFC 2409 §5.5), or None for a suite not supported."""
        assert self.keys is not None
        tid, attrs, spi_i, spi_r, ni, nr = self.esp
        suite = suite_v1(tid, attrs)
        if suite is None:
            return None
        out = keymat_v1(self.hash_name, self.keys.d, spi_r, ni, nr, suite.material)
        inn = keymat_v1(self.hash_name, self.keys.d, spi_i, ni, nr, suite.material)
        return Sa.from_material(spi_r, suite, out), Sa.from_material(spi_i, suite, inn)

    def _main_mode(self) -> None:
        method = self.creds.method
        sa_i = codec.encode_sa(Proposal(codec.PROTO_ISAKMP, b"", phase1_transforms(method)))
        m1 = self._msg(EXCH_MAIN, [(P_SA, sa_i), (P_VID, VID_RFC3947)])
        self._record("out", "1", m1)
        m2, first = self._send_receive(codec.encode(m1), EXCH_MAIN, "main mode message 1")
        m2.payloads = codec.decode_payloads(first, m2.raw_body)
        self._record("in", "2", m2)
        self.rcookie = m2.rcookie
        self.chosen_sa = m2.need(P_SA)
        attrs = dict(codec.decode_sa(self.chosen_sa).transforms[0][1])
        offered = [dict(a) for _, a in phase1_transforms(method)]
        essential = (A_ENC, A_KEY_LEN, A_HASH, A_AUTH, A_GROUP)
        if not any(all(attrs.get(k) == o[k] for k in essential) for o in offered):
            raise Failure("transform_not_offered", f"the responder chose phase-1 attributes {sorted(attrs.items())}, which were not offered")
        self.log.transforms["phase1"] = sa_proposals(self.chosen_sa, v2=False)[0]  # the analyzer's form, named
        self.hash_name = HASH_NAMES[attrs[A_HASH]]
        group, key_len = attrs[A_GROUP], attrs[A_KEY_LEN] // 8

        dh = crypto.DiffieHellman(group)
        ni = os.urandom(32)
        m3_payloads = [(P_KE, dh.public), (P_NONCE, ni)]
        if method != "psk":
            m3_payloads.append((P_CR, bytes([CERT_X509_SIGNATURE])))  # any CA (RFC 2408 §3.10)
        peer_nat_t = VID_RFC3947 in m2.all(P_VID)
        if self.encap and peer_nat_t:  # RFC 3947 §3.2: HASH(CKY-I | CKY-R | IP | Port), the peer's first
            where = peer_address(self.t) + struct.pack("!H", self.t.address[1])
            m3_payloads += [(P_NAT_D, crypto.digest(self.hash_name, self.icookie + self.rcookie + where)), (P_NAT_D, os.urandom(len(crypto.digest(self.hash_name, b""))))]
        m3 = self._msg(EXCH_MAIN, m3_payloads)
        self._record("out", "3", m3)
        m4, first = self._send_receive(codec.encode(m3), EXCH_MAIN, "main mode message 3")
        m4.payloads = codec.decode_payloads(first, m4.raw_body)
        self._record("in", "4", m4)
        gxr, nr = m4.need(P_KE), m4.need(P_NONCE)
        if self.encap and peer_nat_t and m4.all(P_NAT_D):
            float_to_nat_t(self.t)
            self.nat_t = True
        self.log.transforms["nat_traversal"] = self.nat_t
        try:
            gxy = dh.shared(gxr)
        except ValueError as exc:
            raise Failure("malformed", f"the responder's KE: {exc}") from None
        if method == "psk":
            skeyid = crypto.skeyid_psk(self.hash_name, self.creds.psk, ni, nr)
        else:
            skeyid = crypto.skeyid_sig(self.hash_name, ni, nr, gxy)
        self.keys = crypto.derive_v1(self.hash_name, skeyid, gxy, self.icookie, self.rcookie, key_len, dh.public, gxr)
        self.iv = self.keys.iv
        self.log.transforms["dh_group"] = group

        auth_prf = "sha256" if method == "ecdsa" else self.hash_name  # RFC 4754 §7: the curve's hash for HASH_I/R
        if method == "psk":
            id_i = _id_body(ID_FQDN, self.identity)
        else:
            from mptool.proto.ipsec.gm.session import subject_der

            id_i = _id_body(ID_DER_ASN1_DN, subject_der(self.creds.certs[0]))
        sa_body = sa_i[0:]  # SAi_b: the SA payload body we sent
        hash_i = crypto.v1_hash(auth_prf, skeyid, dh.public, gxr, self.icookie, self.rcookie, sa_body, id_i)
        if method == "psk":
            m5 = self._msg(EXCH_MAIN, [(P_ID, id_i), (P_HASH, hash_i)])
        else:
            sign = crypto.rsa_sign_raw if method == "rsa" else crypto.ecdsa_sign_hash
            m5 = self._msg(EXCH_MAIN, [(P_ID, id_i), (P_CERT, bytes([CERT_X509_SIGNATURE]) + self.creds.certs[0]), (P_SIG, sign(self.creds.key, hash_i))])
        data, self.iv = self._encrypt(m5, self.iv)
        self._record("out", "5", m5)
        try:
            m6, first = self._send_receive(data, EXCH_MAIN, "main mode message 5")
        except Failure as exc:
            if exc.kind != "timeout":
                raise
            # the responder answered 1-4 but not 5: it could not decrypt or verify message 5 (RFC 2409
            # gives no notify for it; strongSwan drops it): with a PSK, the keys differ
            raise Failure("authentication_failed", f"{exc}; the responder answered messages 1-4, so it rejected message 5 (a different pre-shared key or an unaccepted certificate)") from None
        self.iv = self.phase1_last = self._decrypt(m6, first, self.iv)
        self._record("in", "6", m6)
        id_r = m6.need(P_ID)
        self.log.peer_id = describe_id(id_r)
        hash_r = crypto.v1_hash(auth_prf, skeyid, gxr, dh.public, self.rcookie, self.icookie, sa_body, id_r)
        if method == "psk":
            if m6.need(P_HASH) != hash_r:
                raise Failure("bad_hash", "HASH_R of message 6 does not match (the responder used another pre-shared key?)")
        else:
            self._check_signature(m6, hash_r, method)
        self.log.phase1_completed = True

    def _check_signature(self, m6: Message, hash_r: bytes, method: str) -> None:
        """SIG_R of message 6 against the public key of the responder's certificate."""
        public = responder_certificate_key(list(m6.all(P_CERT)), self.log, "message 6")
        verify = crypto.rsa_verify_raw if method == "rsa" else crypto.ecdsa_verify_hash
        try:
            good = verify(public, hash_r, m6.need(P_SIG))
        except (TypeError, AttributeError):
            good = False  # a key of the other kind
        if not good:
            raise Failure("bad_signature", f"the responder's SIG_R does not verify with the {method.upper()} key of its certificate")

    def _quick_mode(self) -> None:
        assert self.keys is not None
        msgid = struct.unpack("!I", os.urandom(4))[0] | 1
        spi_i, ni = os.urandom(4), os.urandom(32)
        sa = codec.encode_sa(Proposal(codec.PROTO_ESP, spi_i, esp_transforms(self.nat_t)))
        rest = [(P_SA, sa), (P_NONCE, ni)]
        nets = self.selectors.networks()
        if nets:  # IDci, IDcr: ID_IPV4_ADDR_SUBNET (RFC 2407 §4.6.2.1)
            rest += [(P_ID, _id_body(ID_IPV4_SUBNET, n.network_address.packed + n.netmask.packed)) for n in nets]
        hash1 = crypto.prf(self.hash_name, self.keys.a, msgid.to_bytes(4, "big") + codec.encode_payloads(rest))
        q1 = self._msg(EXCH_QUICK, [(P_HASH, hash1), *rest], msgid)
        data, iv = self._encrypt(q1, crypto.qm_iv(self.hash_name, self.phase1_last, msgid))
        self._record("out", "QM1", q1)
        q2, first = self._send_receive(data, EXCH_QUICK, "quick mode message 1", msgid)
        iv = self._decrypt(q2, first, iv)
        self._record("in", "QM2", q2)
        if not q2.payloads or q2.payloads[0][0] != P_HASH:
            raise Failure("malformed", "quick mode message 2 does not start with HASH(2)")
        nr = q2.need(P_NONCE)
        hash2 = crypto.prf(self.hash_name, self.keys.a, msgid.to_bytes(4, "big") + ni + codec.encode_payloads(q2.payloads[1:]))
        if q2.payloads[0][1] != hash2:
            raise Failure("bad_hash", "quick-mode HASH(2) does not match")
        chosen = codec.decode_sa(q2.need(P_SA))
        tid, attrs = chosen.transforms[0]
        if chosen.protocol != codec.PROTO_ESP or len(chosen.spi) != 4 or (tid, tuple(sorted(attrs))) not in {(t, tuple(sorted(a))) for t, a in esp_transforms(self.nat_t)}:
            raise Failure("transform_not_offered", f"the responder chose ESP transform {tid} {sorted(attrs)} / SPI {chosen.spi.hex()}, not what was offered")
        self.log.transforms["esp"] = sa_proposals(q2.need(P_SA), v2=False)[0]
        hash3 = crypto.prf(self.hash_name, self.keys.a, b"\x00" + msgid.to_bytes(4, "big") + ni + nr)
        q3 = self._msg(EXCH_QUICK, [(P_HASH, hash3)], msgid)
        data, _ = self._encrypt(q3, iv)
        self.t.send_ike(data)
        self._record("out", "QM3", q3)
        self.log.spis = {"initiator_cookie": self.icookie.hex(), "responder_cookie": self.rcookie.hex(), "esp_initiator": spi_i.hex(), "esp_responder": chosen.spi.hex()}
        self.spi_i = spi_i
        self.esp = (tid, dict(attrs), spi_i, chosen.spi, ni, nr)
        self.log.phase2_completed = True
        self._settle(chosen.spi)

    def _settle(self, spi_r: bytes) -> None:
        """After HASH(3) nothing is answered (RFC 2409 §5.5); the responder installs the SA now. Listen
        for a moment (at most 1 s, within --timeout): a DELETE of the new SA says it could not keep it;
        and our own deletes must not overtake HASH(3) in the responder's queue."""
        import time

        ends = time.monotonic() + min(self.timeout, 1.0)
        while (left := ends - time.monotonic()) > 0:
            got = self.t.receive(left)
            if got is None:
                return
            try:
                msg, first = codec.decode_header(got[1])
                if msg.icookie != self.icookie or msg.exchange != EXCH_INFO or not msg.flags & codec.FLAG_ENCRYPTED:
                    continue
                self._decrypt(msg, first, crypto.qm_iv(self.hash_name, self.phase1_last, msg.msgid))
            except (DecodeError, Failure):
                continue
            self._record("in", "informational", msg)
            for body in msg.all(P_D):
                if len(body) >= 12 and body[4] == codec.PROTO_ESP and spi_r in {body[8 + 4 * i : 12 + 4 * i] for i in range((len(body) - 8) // 4)}:
                    self.log.problem("child_sa_deleted", "the responder deleted the new ESP SA right after quick mode (it could not install it?)")
                    return

    def _informational_out(self, payload: tuple[int, bytes], what: str) -> None:
        assert self.keys is not None
        msgid = struct.unpack("!I", os.urandom(4))[0] | 1
        hash1 = crypto.prf(self.hash_name, self.keys.a, msgid.to_bytes(4, "big") + codec.encode_payloads([payload]))
        msg = self._msg(EXCH_INFO, [(P_HASH, hash1), payload], msgid)
        data, _ = self._encrypt(msg, crypto.qm_iv(self.hash_name, self.phase1_last, msgid))
        self.t.send_ike(data)
        self._record("out", what, msg)

    def _delete(self) -> None:
        """Delete the ESP SA (our inbound SPI) and the ISAKMP SA (RFC 2408 §3.15); no answer is expected."""
        self._informational_out((P_D, struct.pack("!IBBH", 1, codec.PROTO_ESP, 4, 1) + self.spi_i), "delete ESP")
        # a responder may handle the two messages in parallel: the ISAKMP delete first would leave
        # the ESP delete without its SA, and the ESP SA closed without a word (charon did so once
        # on a loaded machine); a moment between them keeps the order
        time.sleep(DELETE_PAUSE)
        self._informational_out((P_D, codec.delete_payload(self.icookie, self.rcookie)), "delete ISAKMP")
        self.log.deleted = True


ID_TYPES = {1: "IPV4_ADDR", 2: "FQDN", 3: "USER_FQDN", 5: "IPV6_ADDR", 9: "DER_ASN1_DN", 11: "KEY_ID"}


def describe_id(body: bytes) -> str:
    """An ID payload body (IKEv1 RFC 2407 §4.6.2, IKEv2 RFC 7296 §3.5: type, 3 bytes, data) for the evidence."""
    if len(body) < 4:
        return body.hex()
    id_type, data = body[0], body[4:]
    name = ID_TYPES.get(id_type, str(id_type))
    if id_type in (2, 3):
        return f"{name}:{data.decode('ascii', 'replace')}"
    if id_type == 1 and len(data) == 4:
        return f"{name}:" + ".".join(str(b) for b in data)
    if id_type == 9:
        return f"{name}:{_dn_text(data)}"
    return f"{name}:{data.hex()}"


def _dn_text(der: bytes) -> str:
    """RFC 4514 text of a DER Name (hex when it cannot be read)."""
    from pyasn1.codec.der import decoder
    from pyasn1.error import PyAsn1Error
    from pyasn1_modules import rfc5280

    try:
        name, _ = decoder.decode(der, asn1Spec=rfc5280.Name())
    except (PyAsn1Error, ValueError, TypeError):
        return der.hex()
    parts = []
    for rdn in name[0]:
        for atv in rdn:
            try:
                value, _ = decoder.decode(bytes(atv["value"]))
                parts.append(f"{atv['type']}={value}")
            except (PyAsn1Error, ValueError, TypeError):
                parts.append(f"{atv['type']}=#{bytes(atv['value']).hex()}")
    return ",".join(parts)
