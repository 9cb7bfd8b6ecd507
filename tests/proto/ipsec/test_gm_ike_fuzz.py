"""Fuzzed IKE and ESP datagrams against the GM/T 0022 responder on 127.0.0.1 (bounded, seeded):
no exception in the responder, and it keeps serving a genuine initiator afterwards."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest

from mptool.proto.ipsec.gm.transport import frame_ike
from support.gm_ipsec import credentials, responder_thread, wait_sessions
from support.proto_peers import sm2_pki  # noqa: F401 (fixture)
from conftest import BundledData
from tests.fuzz.harness_gm_ike import lab_messages

pytestmark = pytest.mark.network


def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        if choice < 0.5 and out:
            out[rng.randrange(len(out))] = rng.randrange(256)
        elif choice < 0.7:
            out = out[: rng.randrange(len(out) + 1)]
        elif choice < 0.85 and len(out) > 28:
            pos = rng.randrange(28, len(out))
            out[pos : pos + 2] = rng.randrange(65536).to_bytes(2, "big")  # payload lengths and types
        else:
            out += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(out)


def test_fuzzed_datagrams_do_not_break_the_responder(sm2_pki: Path, data: BundledData) -> None:
    import time

    from mptool.proto.ipsec.gm.initiator import InitiatorOptions, run_initiator
    from mptool.proto.ipsec.gm.transport import UdpTransport

    rng = random.Random(18)
    seeds = lab_messages(data.pcaps / "gm0022_lab_ike_esp.pcap")
    with responder_thread(credentials(sm2_pki, "server")) as peer:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for _ in range(400):
                seed = rng.choice(seeds)
                is_ike = seed[:4] == bytes(4)
                body = _mutate(rng, seed[4:] if is_ike else seed)
                sock.sendto(frame_ike(body) if is_ike else body, ("127.0.0.1", peer.port))
        transport = UdpTransport("127.0.0.1", peer.port, time.monotonic() + 60)
        try:
            log, _ = run_initiator(credentials(sm2_pki, "client"), transport, InitiatorOptions(esp_packets=2, timeout=2.0, retries=2))
        finally:
            transport.close()
        wait_sessions(peer.responder, 1)
    assert not peer.errors
    assert log.phase2_completed and log.esp_answered == 2, log.problems
