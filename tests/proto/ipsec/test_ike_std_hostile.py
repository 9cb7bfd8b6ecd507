"""The standard IKEv1/IKEv2 initiators against a scripted responder that answers with malformed,
truncated or random datagrams (hypothesis, bounded): every run ends with a recorded problem,
never an exception; a plausible answer, mutated, reaches the later parsers (SA, KE, notify)."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mptool.proto.ipsec.gm import codec
from mptool.proto.ipsec.std.session import PROBLEM_KINDS, Credentials
from mptool.proto.ipsec.std.v1 import V1Initiator, phase1_transforms
from mptool.proto.ipsec.std.v2 import V2Initiator, encode_proposals


class Scripted:
    """A transport whose answers are computed from what the initiator sent."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.error = None
        self.address = ("127.0.0.1", 500)
        self.framed = False
        self.pending: list[bytes] = []
        self.sent = 0

    def send_ike(self, data: bytes) -> None:
        self.sent += 1
        reply = self.answer(data, self.sent)
        if reply is not None:
            self.pending.append(reply)

    def receive(self, timeout: float):
        return ("ike", self.pending.pop(0)) if self.pending else None


def _v1_reply(sent: bytes, count: int, tail: bytes) -> bytes:
    """A real-looking main-mode answer (our first transform chosen, then a KE/NONCE) followed by ``tail``."""
    icookie, rcookie = sent[:8], b"R" * 8
    if count == 1:
        sa = codec.encode_sa(codec.Proposal(1, b"", (phase1_transforms("psk")[0],)))
        payloads = [(1, sa)]
    else:
        payloads = [(4, tail[:256].ljust(256, b"\x01")), (10, b"n" * 32)]
    msg = codec.Message(icookie, rcookie, 2, payloads=payloads, version=0x10)
    return codec.encode(msg)


def _mutate(data: bytes, cuts: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, value in cuts:
        if out:
            out[pos % len(out)] = value
    return bytes(out)


CREDS = Credentials("psk", psk=b"test key")


def _assert_ends_cleanly(log) -> None:
    assert log.problems, "a hostile responder must leave a recorded problem"
    assert all(kind in PROBLEM_KINDS for kind, _ in log.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6), st.booleans())
def test_ikev1_initiator_survives_hostile_answers(tail: bytes, cuts: list[tuple[int, int]], random_only: bool) -> None:
    def answer(sent: bytes, count: int) -> bytes:
        if random_only:
            return sent[:8] + tail  # our cookie, then anything
        return _mutate(_v1_reply(sent, count, tail), cuts if count == 2 or len(cuts) % 2 else [])

    log = V1Initiator(CREDS, Scripted(answer), timeout=0.01, retries=0).run()
    _assert_ends_cleanly(log)


def _v2_reply(sent: bytes, tail: bytes) -> bytes:
    spi_i = sent[:8]
    sa = encode_proposals(1, b"", (((1, 12, 256), (2, 5, 0), (3, 12, 0), (4, 14, 0)),))
    payloads = [(33, sa), (34, struct.pack("!HH", 14, 0) + tail[:256].ljust(256, b"\x02")), (40, b"n" * 32)]
    chain = codec.encode_payloads(payloads)
    return spi_i + b"R" * 8 + struct.pack("!BBBBII", 33, 0x20, 34, 0x20, 0, 28 + len(chain)) + chain


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.lists(st.tuples(st.integers(0, 700), st.integers(0, 255)), max_size=6), st.booleans())
def test_ikev2_initiator_survives_hostile_answers(tail: bytes, cuts: list[tuple[int, int]], random_only: bool) -> None:
    def answer(sent: bytes, count: int) -> bytes:
        if random_only:
            return sent[:8] + tail
        return _mutate(_v2_reply(sent, tail), cuts)

    log = V2Initiator(CREDS, Scripted(answer), timeout=0.01, retries=0).run()
    _assert_ends_cleanly(log)


def test_silence_is_a_timeout_finding() -> None:
    for initiator in (V1Initiator, V2Initiator):
        log = initiator(CREDS, Scripted(lambda sent, count: None), timeout=0.01, retries=1).run()
        assert [kind for kind, _ in log.problems] == ["timeout"]
        assert not log.phase1_completed


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["cbc-sha256", "cbc-sha1", "gcm"]))
def test_esp_open_drops_hostile_packets_with_a_kind(data: bytes, kind: str) -> None:
    from mptool.proto.ipsec.std.esp import EspError, Sa, Suite

    suite = {"cbc-sha256": Suite("x", 16, False, ("sha256", 32, 16)), "cbc-sha1": Suite("x", 16, False, ("sha1", 20, 12)), "gcm": Suite("x", 16, True)}[kind]
    sa = Sa.from_material(b"\x00\x00\x10\x01", suite, bytes(range(64)))
    try:
        sa.open(b"\x00\x00\x10\x01" + data)
    except EspError as exc:
        assert exc.kind in ("bad_icv", "malformed", "replay", "unknown_spi")
    else:
        raise AssertionError("a random packet passed the ICV")


def test_esp_round_trip_keymat_and_echo_packets() -> None:
    import hashlib
    import hmac as hmac_mod

    from mptool.proto.ipsec.std.esp import EspError, Sa, Suite, _checksum, echo_reply, echo_request, keymat_v1

    # RFC 2409 §5.5 by its definition: K1 = prf(SKEYID_d, 3 | SPI | Ni | Nr), K2 = prf(SKEYID_d, K1 | 3 | SPI | Ni | Nr)
    seed = b"\x03" + b"SPI!" + b"n" * 16 + b"m" * 16
    k1 = hmac_mod.new(b"d" * 32, seed, hashlib.sha256).digest()
    k2 = hmac_mod.new(b"d" * 32, k1 + seed, hashlib.sha256).digest()
    assert keymat_v1("sha256", b"d" * 32, b"SPI!", b"n" * 16, b"m" * 16, 48) == (k1 + k2)[:48]
    request = echo_request(bytes([10, 0, 1, 1]), bytes([10, 0, 2, 1]), 7, 1, b"data")
    assert _checksum(request[:20]) == 0 and _checksum(request[20:]) == 0  # both checksums verify
    reply = request[:20] + b"\x00" + request[21:]
    assert echo_reply(reply) == (7, 1, b"data") and echo_reply(request) is None
    for suite in (Suite("x", 16, False, ("sha256", 32, 16)), Suite("x", 32, True)):
        out = Sa.from_material(b"\x00\x00\x20\x02", suite, bytes(range(80)))
        inn = Sa.from_material(b"\x00\x00\x20\x02", suite, bytes(range(80)))
        packet = out.seal(request)
        assert inn.open(packet) == request
        try:
            inn.open(packet)
        except EspError as exc:
            assert exc.kind == "replay"
        else:
            raise AssertionError("a replayed packet was accepted")


def _cert_initiator() -> V2Initiator:
    """An IKEv2 initiator with certificate credentials, its keys set as after IKE_SA_INIT."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from mptool.proto.ipsec.std import crypto

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile test")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256())
    init = V2Initiator(Credentials("ecdsa", key=key, certs=(cert.public_bytes(serialization.Encoding.DER),)), Scripted(lambda sent, count: None), timeout=0.01, retries=0)
    init.keys = crypto.derive_v2("sha256", b"s" * 32, b"n" * 32, b"r" * 32, b"i" * 8, b"j" * 8, 32, 16)
    init.msg2, init.ni = b"message 2", b"n" * 32
    return init


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=80), st.binary(max_size=600), st.integers(0, 255), st.booleans())
def test_ikev2_responder_signature_auth_survives_hostile_payloads(id_r: bytes, cert: bytes, method: int, with_cert: bool) -> None:
    """What a hostile responder puts in IDr, CERT and AUTH ends in a recorded kind of Failure, never an exception."""
    from mptool.proto.ipsec.std.session import Failure

    init = _cert_initiator()
    inner = [(37, bytes([4]) + cert)] if with_cert else []
    auth = bytes([method, 0, 0, 0]) + cert[:200]
    try:
        init._check_responder_auth(id_r, auth, inner)
    except Failure as exc:
        assert exc.kind in PROBLEM_KINDS
    else:
        raise AssertionError("random bytes verified as a signature")
