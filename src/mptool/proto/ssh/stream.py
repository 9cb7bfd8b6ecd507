"""One SSH connection as the capture shows it: banners, KEXINITs, KEX replies, NEWKEYS.

Fed by the capture engine with the in-order bytes of each side (``0``/``1``: the flow's
endpoints). Each side is parsed until its SSH_MSG_NEWKEYS (after which packets are encrypted)
or until its bytes stop making sense (recorded as a problem, never raised). The server is the
side that sent the key-exchange reply (message 31/33), else the SYN's target, else the side
with the well-known port.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mptool.proto.ssh import packet as P
from mptool.proto.wire import DecodeError

MAX_BUFFER = P.MAX_PACKET + 16  #: bytes kept per side while waiting for a complete packet
MAX_MESSAGES = 64  #: unencrypted packets per side before the connection is given up


@dataclass
class Side:
    banner: P.Banner | None = None
    kexinit: P.KexInit | None = None
    kexinit_frame: int | None = None
    messages: list[int] = field(default_factory=list)
    newkeys: bool = False
    newkeys_frame: int | None = None
    buffer: bytearray = field(default_factory=bytearray)
    done: bool = False  #: nothing more to read in clear (NEWKEYS, SSH-1 or a problem)
    reply: P.KexReply | None = None
    reply_frame: int | None = None
    gex_group_bits: int | None = None
    disconnect: tuple[int, str] | None = None
    bytes: int = 0


class SSHConnection:
    """Both sides of one SSH connection."""

    def __init__(self, endpoints: tuple[tuple[str, int], tuple[str, int]], first_frame: int, client_side: int | None) -> None:
        self.endpoints = endpoints
        self.first_frame = first_frame
        self.last_frame = first_frame
        self.client_side = client_side
        self.sides = (Side(), Side())
        self.problems: list[str] = []
        self.gaps = 0

    @property
    def done(self) -> bool:
        return all(s.done for s in self.sides)

    def gap(self, side: int, missing: int, frame: int) -> None:
        """Bytes missing from the capture: this side cannot be read further."""
        s = self.sides[side]
        if not s.done:
            self.gaps += 1
            self.problems.append(f"frame {frame}: {missing} bytes missing from the capture ({self._name(side)}); rest of its handshake not read")
            s.done = True

    def feed(self, side: int, data: bytes, frame: int) -> None:
        s = self.sides[side]
        self.last_frame = max(self.last_frame, frame)
        s.bytes += len(data)
        if s.done:
            return
        s.buffer += data
        try:
            self._parse(side, s, frame)
        except DecodeError as exc:
            self.problems.append(f"frame {frame}: {self._name(side)}: {exc}")
            s.done = True
            s.buffer = bytearray()
        if len(s.buffer) > MAX_BUFFER:
            self.problems.append(f"frame {frame}: {self._name(side)}: more than {MAX_BUFFER} bytes without a complete packet")
            s.done = True
            s.buffer = bytearray()

    def _parse(self, side: int, s: Side, frame: int) -> None:
        buf = bytes(s.buffer)
        pos = 0
        if s.banner is None:
            found = P.split_banner(buf)
            if found is None:
                return
            s.banner, pos = found
            if not s.banner.proto_version.startswith("2.") and s.banner.proto_version != "1.99":
                s.done = True  # SSH-1: a different binary protocol, not read further
                s.buffer = bytearray()
                return
        while not s.done:
            got = P.split_packet(buf, pos)
            if got is None:
                break
            payload, pos = got
            self._message(side, s, payload, frame)
        s.buffer = bytearray(buf[pos:]) if not s.done else bytearray()

    def _message(self, side: int, s: Side, payload: bytes, frame: int) -> None:
        if not payload:
            raise DecodeError("empty packet payload")
        msg = payload[0]
        if len(s.messages) < MAX_MESSAGES:
            s.messages.append(msg)
        else:
            raise DecodeError(f"more than {MAX_MESSAGES} packets before SSH_MSG_NEWKEYS")
        if msg == P.MSG_KEXINIT:
            if s.kexinit is None:
                s.kexinit = P.parse_kexinit(payload)
                s.kexinit_frame = frame
        elif msg == P.MSG_NEWKEYS:
            s.newkeys, s.newkeys_frame, s.done = True, frame, True
        elif msg == P.MSG_DISCONNECT:
            s.disconnect = P.parse_disconnect(payload)
            s.done = True
        elif msg in (P.MSG_KEX_31, P.MSG_GEX_REPLY) and s.reply is None:
            gex = self._gex()
            if msg == P.MSG_KEX_31 and gex:
                p, _ = P.parse_gex_group(payload)
                s.gex_group_bits = p.bit_length()
            else:
                s.reply, s.reply_frame = P.parse_kex_reply(payload, msg), frame

    def _gex(self) -> bool:
        """Whether the negotiated kex is a group exchange (message 31 is then KEX_DH_GEX_GROUP)."""
        return any(P.MSG_GEX_REQUEST in x.messages for x in self.sides)

    def server_index(self) -> int:
        """Which side is the server (see the module docstring)."""
        for i, s in enumerate(self.sides):
            if s.reply is not None or s.gex_group_bits is not None:
                return i
        if self.client_side is not None:
            return 1 - self.client_side
        ports = (self.endpoints[0][1], self.endpoints[1][1])
        if ports[0] < 1024 <= ports[1] or ports[0] == 22:
            return 0
        if ports[1] < 1024 <= ports[0] or ports[1] == 22:
            return 1
        return 0  # the first sender is usually the server (it speaks first in practice)

    def _name(self, side: int) -> str:
        host, port = self.endpoints[side]
        return f"{host}:{port}"
