"""The IKEv2 initiator (RFC 7296): IKE_SA_INIT (SA, KE, Ni; INVALID_KE_PAYLOAD and COOKIE
answered, §1.2, §2.6), SKEYSEED and SK_* by prf+ (§2.13, §2.14), IKE_AUTH inside an SK payload
(§3.14: AES-CBC with HMAC-SHA2-256-128 / HMAC-SHA1-96, or AES-GCM-16, RFC 5282) with AUTH by
shared key or by an RSA / ECDSA P-256 certificate (§2.15, §3.6-3.8: CERT and CERTREQ; RFC 7427
Digital Signature with SHA-256 when the responder announces SIGNATURE_HASH_ALGORITHMS, else
methods 1 and 9, RFC 4754) and one CHILD SA (ESP), then the IKE SA deleted (INFORMATIONAL).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from typing import Any

from mptool.proto.ipsec.gm import codec
from mptool.proto.ipsec.ike import sa_proposals
from mptool.proto.ipsec.std import crypto
from mptool.proto.ipsec.std.esp import Sa, suite_v2
from mptool.proto.ipsec.std.session import CERT_X509_SIGNATURE, Credentials, Failure, Selectors, StdLog, Transport, esp_echo, exchange, float_to_nat_t, peer_address, responder_certificate_key, run_steps, send_receive
from mptool.proto.ipsec.std.v1 import describe_id
from mptool.proto.registry import ipsec as ids
from mptool.proto.wire import DecodeError

VERSION = 0x20
IKE_SA_INIT, IKE_AUTH, INFORMATIONAL = 34, 35, 37
F_INITIATOR, F_RESPONSE = 0x08, 0x20
P_SA, P_KE, P_IDI, P_IDR, P_CERT, P_CERTREQ, P_AUTH, P_NONCE, P_N, P_D, P_TSI, P_TSR, P_SK = 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 44, 45, 46
T_ENCR, T_PRF, T_INTEG, T_DH, T_ESN = 1, 2, 3, 4, 5
ENCR_AES_CBC, ENCR_AES_GCM_16 = 12, 20
PRFS = {2: "sha1", 5: "sha256"}
INTEGS = {2: ("sha1", 20, 12), 12: ("sha256", 32, 16)}  #: id: (hash, key length, ICV length)
AUTH_SHARED_KEY = 2
ID_FQDN, ID_DER_ASN1_DN = 2, 9
N_SIGNATURE_HASH_ALGORITHMS = 16431  #: RFC 7427 §4; hash ids 2, 3, 4 = SHA2-256/384/512 (RFC 7427 §7)
N_INVALID_KE, N_COOKIE, N_AUTHENTICATION_FAILED, N_NO_PROPOSAL_CHOSEN = 17, 16390, 24, 14
N_NAT_SOURCE, N_NAT_DESTINATION = 16388, 16389
NOTIFY_KINDS = {N_AUTHENTICATION_FAILED: "authentication_failed", N_NO_PROPOSAL_CHOSEN: "no_proposal_chosen", 7: "malformed", 1: "malformed"}

Transform = tuple[int, int, int]  #: (type, id, key length in bits or 0)

#: IKE SA offer, one DH group per proposal (the KE is for the first; INVALID_KE_PAYLOAD picks another).
IKE_PROPOSALS: tuple[tuple[Transform, ...], ...] = (
    ((T_ENCR, ENCR_AES_CBC, 256), (T_PRF, 5, 0), (T_INTEG, 12, 0), (T_DH, 14, 0)),
    ((T_ENCR, ENCR_AES_CBC, 128), (T_PRF, 5, 0), (T_INTEG, 12, 0), (T_DH, 19, 0)),
    ((T_ENCR, ENCR_AES_GCM_16, 128), (T_PRF, 5, 0), (T_DH, 19, 0)),
    ((T_ENCR, ENCR_AES_GCM_16, 256), (T_PRF, 5, 0), (T_DH, 14, 0)),
    ((T_ENCR, ENCR_AES_CBC, 128), (T_PRF, 2, 0), (T_INTEG, 2, 0), (T_DH, 14, 0)),
)
#: CHILD SA (ESP) offer.
ESP_PROPOSALS: tuple[tuple[Transform, ...], ...] = (
    ((T_ENCR, ENCR_AES_CBC, 128), (T_INTEG, 12, 0), (T_ESN, 0, 0)),
    ((T_ENCR, ENCR_AES_GCM_16, 128), (T_ESN, 0, 0)),
    ((T_ENCR, ENCR_AES_CBC, 256), (T_INTEG, 12, 0), (T_ESN, 0, 0)),
    ((T_ENCR, ENCR_AES_CBC, 128), (T_INTEG, 2, 0), (T_ESN, 0, 0)),
)


def encode_proposals(protocol: int, spi: bytes, proposals: tuple[tuple[Transform, ...], ...]) -> bytes:
    """SA payload body (RFC 7296 §3.3): numbered proposals of ``protocol`` with ``spi``."""
    out = []
    for number, transforms in enumerate(proposals, 1):
        parts = []
        for i, (ttype, tid, key_len) in enumerate(transforms):
            body = struct.pack("!BBH", ttype, 0, tid) + (struct.pack("!HH", 0x800E, key_len) if key_len else b"")
            parts.append(struct.pack("!BBH", 3 if i + 1 < len(transforms) else 0, 0, len(body) + 4) + body)
        body = struct.pack("!BBBB", number, protocol, len(spi), len(transforms)) + spi + b"".join(parts)
        out.append(struct.pack("!BBH", 2 if number < len(proposals) else 0, 0, len(body) + 4) + body)
    return b"".join(out)


def traffic_selectors(network: Any = None) -> bytes:
    """TSi/TSr body (RFC 7296 §3.13): one TS_IPV4_ADDR_RANGE, ``network`` or every IPv4 address (the responder narrows it, §2.9)."""
    low, high = (network.network_address.packed, network.broadcast_address.packed) if network is not None else (bytes(4), b"\xff" * 4)
    return struct.pack("!B3x", 1) + struct.pack("!BBHHH", 7, 0, 16, 0, 65535) + low + high


@dataclass
class Message2:
    """A decoded IKEv2 message: header fields, payloads, the raw datagram."""

    spi_i: bytes
    spi_r: bytes
    exchange: int
    flags: int
    msgid: int
    first: int
    body: bytes
    raw: bytes
    payloads: list[tuple[int, bytes]]


def decode(data: bytes) -> Message2:
    """Header and (cleartext) payload chain; DecodeError when it does not fit."""
    if len(data) < 28:
        raise DecodeError(f"IKEv2 message of {len(data)} bytes is shorter than its header")
    spi_i, spi_r = data[:8], data[8:16]
    first, version, exch, flags, msgid, length = struct.unpack("!BBBBII", data[16:28])
    if version >> 4 != 2:
        raise DecodeError(f"IKE major version {version >> 4}, expected 2")
    if not 28 <= length <= len(data):
        raise DecodeError(f"IKEv2 length {length} does not fit the {len(data)}-byte datagram")
    body = data[28:length]
    payloads = codec.decode_payloads(first, body) if first != P_SK else [(P_SK, body[4:])]
    return Message2(spi_i, spi_r, exch, flags, msgid, first, body, data[:length], payloads)


def _notify(body: bytes) -> tuple[int, bytes]:
    if len(body) < 4 or len(body) < 4 + body[1]:
        raise DecodeError("IKEv2 notify payload too short")
    return struct.unpack("!H", body[2:4])[0], body[4 + body[1] :]


class V2Initiator:
    """One run: IKE_SA_INIT, IKE_AUTH (PSK) with a CHILD SA, INFORMATIONAL delete."""

    def __init__(self, creds: Credentials, transport: Transport, timeout: float, retries: int = 1, identity: bytes = b"mptool-probe", encap: bool = False, selectors: Selectors = Selectors(), esp_packets: int = 0) -> None:
        self.creds = creds
        self.esp_packets = esp_packets
        self.selectors = selectors
        self.encap = encap  #: announce a NAT (NAT_DETECTION_SOURCE_IP that cannot match) so the responder encapsulates ESP in UDP
        self.t = transport
        self.timeout = timeout
        self.retries = retries
        self.identity = identity
        self.log = StdLog("IKEv2")
        self.spi_i, self.spi_r = os.urandom(8), bytes(8)
        self.keys: crypto.V2Keys | None = None
        self.prf_name = "sha256"
        self.encr = (ENCR_AES_CBC, 16)
        self.integ: tuple[str, int, int] | None = None
        self.digital_signature = False  #: the responder announced RFC 7427 hash algorithms incl. SHA2-256

    def _record(self, direction: str, number: str, exch: int, payloads: list[int], encrypted: bool) -> None:
        self.log.message(direction, number, ids.IKEV2_EXCHANGES.get(exch, str(exch)), [ids.IKEV2_PAYLOADS.get(t, str(t)) for t in payloads], encrypted)

    def _header(self, exch: int, msgid: int, first: int, length: int) -> bytes:
        return self.spi_i + self.spi_r + struct.pack("!BBBBII", first, VERSION, exch, F_INITIATOR, msgid, length)

    def run(self) -> StdLog:
        """The exchanges; the log says how far they got."""
        return run_steps(self.log, self._sa_init, self._auth, self._esp_echo, self._delete)

    def _esp_echo(self) -> None:
        esp_echo(self.t, self.log, self.esp_packets, self.timeout, self.selectors, self.t.framed, self._esp_sas)

    def _esp_sas(self) -> tuple[Sa, Sa] | None:
        """(outbound, inbound) ESP SAs from KEYMAT = prf+(SK_d, Ni | Nr) (RFC 7296 §2.17), or None."""
        assert self.keys is not None
        suite = suite_v2(self.log.transforms["esp"]["transforms"])
        if suite is None:
            return None
        material = crypto.prf_plus(self.prf_name, self.keys.d, self.ni + self.nr, 2 * suite.material)
        spi_r = bytes.fromhex(self.log.transforms["esp"]["spi"])
        return Sa.from_material(spi_r, suite, material[: suite.material]), Sa.from_material(self.child_spi, suite, material[suite.material :])

    # ------------------------------------------------------------------ IKE_SA_INIT

    def _accept(self, exch: int, msgid: int) -> Any:
        def accept(data: bytes) -> Message2 | None:
            msg = decode(data)
            if msg.spi_i != self.spi_i or msg.exchange != exch or msg.msgid != msgid or not msg.flags & F_RESPONSE:
                return None
            return msg

        return accept

    def _send_receive(self, data: bytes, exch: int, msgid: int, what: str) -> Message2:
        return send_receive(self.t, data, self._accept(exch, msgid), self.timeout, self.retries, what)

    def _sa_init(self) -> None:
        sa = encode_proposals(1, b"", IKE_PROPOSALS)
        group = IKE_PROPOSALS[0][-1][1]
        cookie: bytes | None = None
        for _ in range(4):  # INVALID_KE_PAYLOAD and COOKIE each cost one more round trip
            dh = crypto.DiffieHellman(group)
            ni = os.urandom(32)
            payloads = [(P_SA, sa), (P_KE, struct.pack("!HH", group, 0) + dh.public), (P_NONCE, ni)]
            if self.encap:  # RFC 7296 §2.23: SHA-1(SPIi | SPIr | IP | Port); ours is random, the responder's real
                where = peer_address(self.t) + struct.pack("!H", self.t.address[1])
                payloads += [(P_N, struct.pack("!BBH", 0, 0, N_NAT_SOURCE) + os.urandom(20)), (P_N, struct.pack("!BBH", 0, 0, N_NAT_DESTINATION) + hashlib.sha1(self.spi_i + bytes(8) + where).digest())]
            if self.creds.method != "psk":
                payloads.append((P_N, struct.pack("!BBH", 0, 0, N_SIGNATURE_HASH_ALGORITHMS) + struct.pack("!HHH", 2, 3, 4)))
            if cookie is not None:
                payloads.insert(0, (P_N, struct.pack("!BBH", 0, 0, N_COOKIE) + cookie))
            chain = codec.encode_payloads(payloads)
            request = self._header(IKE_SA_INIT, 0, payloads[0][0], 28 + len(chain)) + chain
            self._record("out", "IKE_SA_INIT request", IKE_SA_INIT, [t for t, _ in payloads], False)
            answer = self._send_receive(request, IKE_SA_INIT, 0, "IKE_SA_INIT")
            self._record("in", "IKE_SA_INIT response", IKE_SA_INIT, [t for t, _ in answer.payloads], False)
            notifies = [_notify(body) for t, body in answer.payloads if t == P_N]
            errors = [(n, data) for n, data in notifies if n < 16384]
            if any(t == P_SA for t, _ in answer.payloads):
                break
            if errors and errors[0][0] == N_INVALID_KE and len(errors[0][1]) == 2:
                wanted = struct.unpack("!H", errors[0][1])[0]
                if wanted not in {p[-1][1] for p in IKE_PROPOSALS}:
                    raise Failure("invalid_ke", f"the responder asks for DH group {wanted}, which was not offered")
                group = wanted
                continue
            cookie_data = next((data for n, data in notifies if n == N_COOKIE), None)
            if cookie_data is not None:
                cookie = cookie_data
                continue
            self._peer_error(errors)
            raise Failure("malformed", "IKE_SA_INIT response without SA or an error notify")
        else:
            raise Failure("invalid_ke", "IKE_SA_INIT did not settle on a DH group and cookie after 4 tries")
        self.spi_r = answer.spi_r
        chosen = sa_proposals(next(body for t, body in answer.payloads if t == P_SA), v2=True)
        if not chosen:
            raise Failure("malformed", "the responder's SA payload holds no proposal")
        picked = tuple((_TYPE_IDS.get(t["type"], -1), t["id"], t.get("key_length", 0)) for t in chosen[0]["transforms"])
        offered = {tuple(sorted(p)) for p in IKE_PROPOSALS}
        if tuple(sorted(picked)) not in offered:
            raise Failure("transform_not_offered", f"the responder chose IKE transforms {picked}, which were not offered together")
        self.log.transforms["ike"] = chosen[0]
        by_type = {t: (tid, kl) for t, tid, kl in picked}
        self.prf_name = PRFS[by_type[T_PRF][0]]
        encr_id, key_bits = by_type[T_ENCR]
        self.encr = (encr_id, key_bits // 8 + (4 if encr_id == ENCR_AES_GCM_16 else 0))
        self.integ = INTEGS[by_type[T_INTEG][0]] if T_INTEG in by_type else None
        if by_type[T_DH][0] != group:
            raise Failure("invalid_ke", f"the responder chose DH group {by_type[T_DH][0]} but our KE was for group {group}")
        ke = next((body for t, body in answer.payloads if t == P_KE), None)
        nr = next((body for t, body in answer.payloads if t == P_NONCE), None)
        if ke is None or nr is None or len(ke) < 4:
            raise Failure("malformed", "IKE_SA_INIT response without KE or Nr")
        try:
            gir = dh.shared(ke[4:])
        except ValueError as exc:
            raise Failure("malformed", f"the responder's KE: {exc}") from None
        seed = crypto.skeyseed(self.prf_name, ni, nr, gir)
        self.keys = crypto.derive_v2(self.prf_name, seed, ni, nr, self.spi_i, self.spi_r, self.integ[1] if self.integ else 0, self.encr[1])
        self.ni, self.nr, self.msg1, self.msg2 = ni, nr, request, answer.raw
        self.log.transforms["dh_group"] = group
        nat_t = self.encap and any(n == N_NAT_SOURCE for n, _ in notifies)
        if nat_t:
            float_to_nat_t(self.t)
        self.log.transforms["nat_traversal"] = nat_t
        hashes = next((data for n, data in notifies if n == N_SIGNATURE_HASH_ALGORITHMS), b"")
        self.digital_signature = 2 in struct.unpack(f"!{len(hashes) // 2}H", hashes[: len(hashes) // 2 * 2])

    def _peer_error(self, errors: list[tuple[int, bytes]]) -> None:
        if errors:
            notify = errors[0][0]
            name = ids.IKEV2_NOTIFY.get(notify, f"notify {notify}")
            self.log.peer_notify = name
            raise Failure(NOTIFY_KINDS.get(notify, "peer_notify"), f"the responder answered with {name}")

    # ------------------------------------------------------------------ the SK payload

    def _seal(self, exch: int, msgid: int, payloads: list[tuple[int, bytes]]) -> bytes:
        """The request with ``payloads`` inside an SK payload (RFC 7296 §3.14, RFC 5282)."""
        assert self.keys is not None
        inner = codec.encode_payloads(payloads)
        first = payloads[0][0] if payloads else 0
        if self.encr[0] == ENCR_AES_GCM_16:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            iv, plain = os.urandom(8), inner + b"\x00"
            size = 4 + 8 + len(plain) + 16
            head = self._header(exch, msgid, P_SK, 28 + size) + struct.pack("!BBH", first, 0, size)
            return head + iv + AESGCM(self.keys.ei[:-4]).encrypt(self.keys.ei[-4:] + iv, plain, head)
        assert self.integ is not None
        pad = -(len(inner) + 1) % 16
        iv = os.urandom(16)
        ciphertext = crypto.aes_cbc(self.keys.ei, iv, inner + bytes(pad) + bytes([pad]))
        size = 4 + 16 + len(ciphertext) + self.integ[2]
        head = self._header(exch, msgid, P_SK, 28 + size) + struct.pack("!BBH", first, 0, size)
        signed = head + iv + ciphertext
        return signed + hmac.new(self.keys.ai, signed, crypto.HASHES[self.integ[0]]).digest()[: self.integ[2]]

    def _open(self, msg: Message2) -> list[tuple[int, bytes]]:
        """The payloads inside a response's SK payload; a bad ICV or padding is a failure."""
        assert self.keys is not None
        if msg.first != P_SK or len(msg.body) < 4:
            raise Failure("malformed", f"{ids.IKEV2_EXCHANGES.get(msg.exchange)} response is not an SK payload")
        inner_first = msg.body[0]
        head, body = msg.raw[:32], msg.body[4:]
        if self.encr[0] == ENCR_AES_GCM_16:
            from cryptography.exceptions import InvalidTag
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            if len(body) < 8 + 16 + 1:
                raise Failure("malformed", "SK payload too short for AES-GCM")
            try:
                plain = AESGCM(self.keys.er[:-4]).decrypt(self.keys.er[-4:] + body[:8], body[8:], head)
            except InvalidTag:
                raise Failure("bad_icv", "the AES-GCM tag of the responder's SK payload does not verify") from None
        else:
            assert self.integ is not None
            icv_len = self.integ[2]
            if len(body) < 16 + 16 + icv_len or (len(body) - 16 - icv_len) % 16:
                raise Failure("malformed", f"SK payload of {len(body)} bytes does not hold IV, whole AES blocks and the ICV")
            expected = hmac.new(self.keys.ar, msg.raw[: len(msg.raw) - icv_len], crypto.HASHES[self.integ[0]]).digest()[:icv_len]
            if not hmac.compare_digest(expected, body[-icv_len:]):
                raise Failure("bad_icv", "the integrity checksum of the responder's SK payload does not verify")
            plain = crypto.aes_cbc(self.keys.er, body[:16], body[16:-icv_len], decrypt=True)
        pad = plain[-1] if plain else 0
        if pad + 1 > len(plain):
            raise Failure("malformed", "SK payload padding length exceeds its plaintext")
        return codec.decode_payloads(inner_first, plain[: len(plain) - pad - 1])

    # ------------------------------------------------------------------ IKE_AUTH

    def _own_auth(self) -> list[tuple[int, bytes]]:
        """Our IDi, [CERT…, CERTREQ], AUTH payloads."""
        assert self.keys is not None
        if self.creds.method == "psk":
            id_i = struct.pack("!B3x", ID_FQDN) + self.identity
            auth = crypto.psk_auth(self.prf_name, self.creds.psk, self.msg1, self.nr, self.keys.pi, id_i)
            return [(P_IDI, id_i), (P_AUTH, struct.pack("!B3x", AUTH_SHARED_KEY) + auth)]
        from mptool.proto.ipsec.gm.session import subject_der

        id_i = struct.pack("!B3x", ID_DER_ASN1_DN) + subject_der(self.creds.certs[0])
        octets = crypto.signed_octets(self.prf_name, self.msg1, self.nr, self.keys.pi, id_i)
        method, data = crypto.sign_auth(self.creds.method, self.creds.key, octets, self.digital_signature)
        certs = [(P_CERT, bytes([CERT_X509_SIGNATURE]) + der) for der in self.creds.certs]
        # an empty CERTREQ (any CA, §3.7) so a responder that sends its certificate "if asked" sends it
        return [(P_IDI, id_i), *certs, (P_CERTREQ, bytes([CERT_X509_SIGNATURE])), (P_AUTH, struct.pack("!B3x", method) + data)]

    def _check_responder_auth(self, id_r: bytes, auth_r: bytes, inner: list[tuple[int, bytes]]) -> None:
        """The responder's AUTH: the shared key's MAC, or a signature by the key of its certificate."""
        assert self.keys is not None
        if self.creds.method == "psk":
            if len(auth_r) < 4 or auth_r[0] != AUTH_SHARED_KEY:
                raise Failure("bad_auth", f"the responder authenticated with method {auth_r[:1].hex()}, not the shared key (2)")
            expected = crypto.psk_auth(self.prf_name, self.creds.psk, self.msg2, self.ni, self.keys.pr, id_r)
            if not hmac.compare_digest(expected, auth_r[4:]):
                raise Failure("bad_auth", "the responder's AUTH does not match (another pre-shared key?)")
            return
        public = responder_certificate_key([body for t, body in inner if t == P_CERT], self.log, "IKE_AUTH")
        if len(auth_r) < 4:
            raise Failure("malformed", "the responder's AUTH payload is shorter than its header")
        octets = crypto.signed_octets(self.prf_name, self.msg2, self.ni, self.keys.pr, id_r)
        try:
            good, how = crypto.verify_auth(auth_r[0], auth_r[4:], public, octets)
        except ValueError as exc:
            raise Failure("bad_auth", f"the responder's AUTH: {exc}") from None
        self.log.transforms["responder_auth"] = {"method": auth_r[0], "signature": how}
        if not good:
            raise Failure("bad_signature", f"the responder's AUTH ({how}, method {auth_r[0]}) does not verify with the key of its certificate")

    def _auth(self) -> None:
        assert self.keys is not None
        self.child_spi = os.urandom(4)
        nets = self.selectors.networks()
        payloads = [
            *self._own_auth(),
            (P_SA, encode_proposals(3, self.child_spi, ESP_PROPOSALS)),
            (P_TSI, traffic_selectors(nets[0] if nets else None)),
            (P_TSR, traffic_selectors(nets[1] if nets else None)),
        ]
        self._record("out", "IKE_AUTH request", IKE_AUTH, [t for t, _ in payloads], True)
        answer = self._send_receive(self._seal(IKE_AUTH, 1, payloads), IKE_AUTH, 1, "IKE_AUTH")
        inner = self._open(answer)
        self._record("in", "IKE_AUTH response", IKE_AUTH, [t for t, _ in inner], True)
        errors = [(n, data) for n, data in (_notify(b) for t, b in inner if t == P_N) if n < 16384]
        got = dict(inner)
        if P_AUTH not in got or P_IDR not in got:
            self._peer_error(errors)
            raise Failure("malformed", "IKE_AUTH response without IDr and AUTH")
        id_r, auth_r = got[P_IDR], got[P_AUTH]
        self.log.peer_id = describe_id(id_r)
        self._check_responder_auth(id_r, auth_r, inner)
        self.log.phase1_completed = True
        self.log.spis = {"ike_initiator": self.spi_i.hex(), "ike_responder": self.spi_r.hex()}
        if P_SA not in got:
            self._peer_error(errors)
            raise Failure("malformed", "IKE_AUTH response without SA for the CHILD SA")
        chosen = sa_proposals(got[P_SA], v2=True)
        if not chosen or len(bytes.fromhex(chosen[0]["spi"])) != 4:
            raise Failure("malformed", "the responder's CHILD SA proposal has no 4-byte SPI")
        picked = tuple(sorted((_TYPE_IDS.get(t["type"], -1), t["id"], t.get("key_length", 0)) for t in chosen[0]["transforms"]))
        if picked not in {tuple(sorted(p)) for p in ESP_PROPOSALS}:
            raise Failure("transform_not_offered", f"the responder chose ESP transforms {picked}, which were not offered together")
        self.log.transforms["esp"] = chosen[0]
        self.log.spis.update(esp_initiator=self.child_spi.hex(), esp_responder=chosen[0]["spi"])
        self.log.phase2_completed = True

    def _delete(self) -> None:
        """INFORMATIONAL with D(ESP, our inbound SPI), then D(IKE) (RFC 7296 §1.4.1, §3.11): each
        answer is awaited once, within the timeout; a missing one is not the responder's fault."""
        deletes = [(struct.pack("!BBH", 3, 4, 1) + self.child_spi, "delete CHILD SA")] if self.log.phase2_completed else []
        deletes.append((struct.pack("!BBH", 1, 0, 0), "delete IKE SA"))
        for msgid, (body, what) in enumerate(deletes, 2):
            self._record("out", f"INFORMATIONAL {what}", INFORMATIONAL, [P_D], True)
            try:
                exchange(self.t, self._seal(INFORMATIONAL, msgid, [(P_D, body)]), self._accept(INFORMATIONAL, msgid), self.timeout, 0, "INFORMATIONAL")
            except (Failure, DecodeError):
                return
        self.log.deleted = True


_TYPE_IDS = {name: number for number, name in ids.IKEV2_TRANSFORM_TYPES.items()}
