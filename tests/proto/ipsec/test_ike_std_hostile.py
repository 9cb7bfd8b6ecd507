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
