"""The ``gm-ike`` fuzz harness: mptool's GM/T 0022 responder fed one hostile datagram.

The first byte chooses the stage: 0 a message to a fresh responder, 1 a message after a genuine
message 1 of the same IKE SA (its cookies are put in place, so the message-3 path runs), 2 an
ESP packet to an SA. Whatever the datagram, the responder answers with a notify or nothing;
any exception is a crash. Seeds are the messages of the bundled lab capture.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
LAB = VECTORS / "pcaps/gm0022_lab_ike_esp.pcap"


@functools.lru_cache(maxsize=1)
def _credentials() -> object:
    """Responder credentials: bundled SM2 certificates (the responder never parses its own) and fixed keys."""
    from mptool.core.pem import pem_blocks
    from mptool.proto.ipsec.gm.session import Credentials

    tongsuo = VECTORS / "certs/sm2/tlcp/tongsuo"
    sign, enc = (next(iter(pem_blocks((tongsuo / name).read_bytes()))).der for name in ("server_sign.pem", "server_enc.pem"))
    return Credentials(0x1234567, 0x7654321, sign, enc)


def feed(data: bytes) -> None:
    """Drive the responder with ``data`` (see the module docstring)."""
    from mptool.proto.ipsec.gm import codec
    from mptool.proto.ipsec.gm.esp import EspError, EspSA
    from mptool.proto.ipsec.gm.responder import Responder

    if not data:
        return
    stage, body = data[0] % 3, data[1:]
    responder = Responder(_credentials())  # type: ignore[arg-type]
    if stage == 0:
        responder.handle_ike(body, "fuzz")
    elif stage == 1:
        icookie = b"\x01" * 8
        m1 = codec.Message(icookie, bytes(8), codec.EXCH_MAIN, payloads=[(codec.P_SA, codec.encode_sa(codec.phase1_proposal()))])
        responder.handle_ike(codec.encode(m1), "fuzz")
        rcookie = responder.sessions[icookie].ike.rcookie
        responder.handle_ike(icookie + rcookie + body[16:], "fuzz")
    else:
        sa = EspSA(body[:4], codec.ESP_SM4_GCM if len(body) % 2 else codec.ESP_SM4_CBC, bytes(20) if len(body) % 2 else bytes(16), bytes(32))
        try:
            sa.open(body)
        except EspError:
            pass
        responder.handle_esp(body, "fuzz")


def lab_messages(path: Path = LAB) -> list[bytes]:
    """The UDP payloads of a classic-pcap Ethernet/IPv4 capture (the bundled lab capture by default)."""
    import struct

    data = path.read_bytes()
    out, pos = [], 24
    while pos + 16 <= len(data):
        length = struct.unpack("<I", data[pos + 8 : pos + 12])[0]
        out.append(data[pos + 16 + 42 : pos + 16 + length])  # after Ethernet, IPv4, UDP
        pos += 16 + length
    return out


def seeds() -> Iterator[bytes]:
    """Each lab datagram, as IKE (marker removed) at stages 0 and 1, and as ESP at stage 2."""
    for payload in lab_messages():
        if payload[:4] == bytes(4):
            yield b"\x00" + payload[4:]
            yield b"\x01" + payload[4:]
        else:
            yield b"\x02" + payload
