"""Streaming capture reader: pcap (µs and ns), pcapng and gzip-compressed files.

Reads in chunks of 1 MiB with ``struct`` over raw bytes, so memory stays bounded and no
per-packet object is built beyond a ``(frame, time, link type, bytes)`` tuple. Formats per
the pcap file format (draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng).
A malformation before the first good packet is an :class:`InputError` naming the capture
(exit 3); after it, reading stops and :attr:`CaptureInfo.malformed` says where and why (a
finding: the packets before it are analysed). Timestamps outside 1970..9999 are malformed.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from mptool.core.errors import InputError

CHUNK = 1 << 20
MAX_PACKET = 1 << 18  # 256 KiB: larger than any snaplen real tools use (262144)
MAX_TIME = 253402300799.0  # 9999-12-31T23:59:59Z, the last second a datetime holds

PCAP_MAGICS: dict[bytes, tuple[str, int]] = {
    b"\xd4\xc3\xb2\xa1": ("<", 1_000_000),
    b"\xa1\xb2\xc3\xd4": (">", 1_000_000),
    b"\x4d\x3c\xb2\xa1": ("<", 1_000_000_000),
    b"\xa1\xb2\x3c\x4d": (">", 1_000_000_000),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
GZIP_MAGIC = b"\x1f\x8b"

#: Link types mptool decodes (LINKTYPE_* values of the tcpdump.org registry).
LINK_TYPES: dict[int, str] = {
    0: "NULL (BSD loopback)",
    1: "ETHERNET",
    12: "RAW (IP)",
    14: "RAW (IP, OpenBSD)",
    101: "RAW (IP)",
    108: "LOOP (OpenBSD loopback)",
    113: "LINUX_SLL",
    228: "IPV4",
    229: "IPV6",
    276: "LINUX_SLL2",
}


class ByteSource(Protocol):
    """Anything with ``read(n)`` returning bytes (a DigestingReader, a file)."""

    def read(self, n: int = -1) -> bytes: ...


class _Gunzip:
    """Decompress a gzip stream read from ``source`` on the fly (multi-member aware)."""

    def __init__(self, source: ByteSource, name: str, prefix: bytes = b"") -> None:
        self.source = source
        self.name = name
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._eof = False
        self._prefix = prefix

    def read(self, n: int = CHUNK) -> bytes:
        """At most ``max(n, CHUNK)`` decompressed bytes (a gzip bomb streams, it is never inflated whole)."""
        limit = max(n, CHUNK)
        out = b""
        try:
            while not out and not self._eof:
                if self._z.unconsumed_tail:
                    raw = self._z.unconsumed_tail
                elif self._z.eof and self._z.unused_data:  # the next member of a multi-member file
                    raw = self._z.unused_data
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                else:
                    raw, self._prefix = (self._prefix or self.source.read(CHUNK)), b""
                    if not raw:
                        if not self._z.eof:
                            raise InputError(self.name, "truncated gzip stream")
                        self._eof = True
                        break
                    if self._z.eof:  # bytes after a complete member: the next member starts here
                        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out = self._z.decompress(raw, limit)
        except zlib.error as exc:
            raise InputError(self.name, f"corrupt gzip data: {exc}") from None
        return out


class _Buffer:
    """A growing window over a byte stream: ``need(n)`` makes ``n`` bytes available at ``pos``."""

    def __init__(self, read: Callable[[int], bytes], first: bytes = b"") -> None:
        self._read = read
        self.data = first
        self.pos = 0
        self.eof = False
        self.consumed = 0  # bytes dropped before data[0]

    def need(self, n: int) -> bool:
        """True when ``n`` bytes are available from ``pos``; False at end of stream."""
        while len(self.data) - self.pos < n:
            if self.eof:
                return False
            more = self._read(CHUNK)
            if not more:
                self.eof = True
                continue
            self.consumed += self.pos
            self.data = self.data[self.pos :] + more
            self.pos = 0
        return True

    @property
    def offset(self) -> int:
        return self.consumed + self.pos


@dataclass
class CaptureInfo:
    """What the reader learnt about the capture."""

    format: str = ""
    compressed: bool = False
    link_types: tuple[int, ...] = ()
    packets: int = 0
    captured_bytes: int = 0
    truncated_packets: int = 0  #: frames whose captured length < wire length (snaplen)
    truncated_end: str | None = None  #: the capture stops inside a packet record (what was read is kept)
    malformed: str | None = None  #: reading stopped at a malformed block/record after good packets


class _Stop(Exception):
    """Internal: a malformation after the first good packet ends the packet iterator."""


Packet = tuple[int, float, int, bytes]  # frame number (1-based), time, link type, data


class CaptureReader:
    """Iterate over the packets of a capture stream; fills :attr:`info` while reading."""

    def __init__(self, source: ByteSource, name: str) -> None:
        self.name = name
        self.info = CaptureInfo()
        head = source.read(4)
        if head[:2] == GZIP_MAGIC:
            self.info.compressed = True
            self._buf = _Buffer(_Gunzip(source, name, head).read)
        else:
            self._buf = _Buffer(source.read, head)
        if not self._buf.need(4):
            raise InputError(name, "too short to be a capture (no pcap/pcapng header)")
        magic = self._buf.data[self._buf.pos : self._buf.pos + 4]
        if magic in PCAP_MAGICS:
            self.info.format = "pcap"
            self._iter = self._pcap(*PCAP_MAGICS[magic])
        elif magic == PCAPNG_MAGIC:
            self.info.format = "pcapng"
            self._iter = self._pcapng()
        else:
            raise InputError(name, f"not a pcap or pcapng capture (starts with {magic.hex()})")

    def __iter__(self) -> Iterator[Packet]:
        return self._iter

    def _fail(self, problem: str) -> Exception:
        """The error for a malformation: an input error before the first packet, else a stop."""
        if self.info.packets == 0:
            return InputError(self.name, f"{problem} (after 0 packets, byte offset {self._buf.offset})")
        self.info.malformed = f"frame {self.info.packets + 1}: {problem} (byte offset {self._buf.offset}); reading stopped there"
        return _Stop()

    def _check_time(self, frame: int, ts: float) -> None:
        if not 0.0 <= ts <= MAX_TIME:
            self.info.packets = frame - 1
            raise self._fail(f"timestamp {ts:.0f} s is outside 1970..9999")

    def _check_link(self, link: int) -> None:
        if link not in LINK_TYPES:
            raise self._fail(f"link type {link} is not supported (supported: {', '.join(f'{k} {v}' for k, v in LINK_TYPES.items())})")
        if link not in self.info.link_types:
            self.info.link_types += (link,)

    def _pcap(self, endian: str, ticks: int) -> Iterator[Packet]:
        buf = self._buf
        if not buf.need(24):
            raise self._fail("truncated pcap file header")
        _, major, _minor, _tz, _sig, _snap, link = struct.unpack_from(endian + "IHHiIII", buf.data, buf.pos)
        if major != 2:
            raise self._fail(f"unsupported pcap version {major}")
        link &= 0x0FFFFFFF
        self._check_link(link)
        buf.pos += 24
        header = struct.Struct(endian + "IIII")
        info = self.info
        frame = 0
        unpack = header.unpack_from
        captured = truncated = 0
        data, pos = buf.data, buf.pos  # the window and the read position, kept in locals (hot loop)
        try:
            while True:
                if pos + 16 > len(data):  # slow path: refill the window
                    buf.pos = pos
                    if not buf.need(16):
                        if len(buf.data) - buf.pos:
                            info.truncated_end = f"the capture ends inside a packet header after {frame} packets"
                        return
                    data, pos = buf.data, buf.pos
                sec, frac, incl, orig = unpack(data, pos)
                end = pos + 16 + incl
                if end > len(data) or incl > MAX_PACKET:
                    buf.pos = pos
                    if incl > MAX_PACKET:
                        info.packets = frame
                        raise self._fail(f"packet record claims {incl} bytes (corrupt or not a capture)")
                    if not buf.need(16 + incl):
                        info.truncated_end = f"the capture ends inside packet {frame + 1} ({len(buf.data) - buf.pos - 16} of {incl} bytes present)"
                        return
                    data, pos = buf.data, buf.pos
                    end = pos + 16 + incl
                frame += 1
                captured += incl
                if incl < orig:
                    truncated += 1
                start, pos = pos + 16, end
                yield frame, sec + frac / ticks, link, data[start:end]  # 32-bit seconds: always inside the datetime range
        except _Stop:
            return
        finally:
            buf.pos = pos
            info.packets = frame
            info.captured_bytes = captured
            info.truncated_packets = truncated

    def _pcapng(self) -> Iterator[Packet]:
        try:
            yield from self._pcapng_blocks()
        except _Stop:
            return

    def _pcapng_blocks(self) -> Iterator[Packet]:
        buf = self._buf
        info = self.info
        endian = "<"
        interfaces: list[tuple[int, float]] = []
        frame = 0
        while True:
            if not buf.need(12):
                if len(buf.data) - buf.pos:
                    info.truncated_end = f"the capture ends inside a block header after {info.packets} packets"
                return
            btype_raw = buf.data[buf.pos : buf.pos + 4]
            if btype_raw == PCAPNG_MAGIC:
                bom = buf.data[buf.pos + 8 : buf.pos + 12]
                if bom == b"\x4d\x3c\x2b\x1a":
                    endian = "<"
                elif bom == b"\x1a\x2b\x3c\x4d":
                    endian = ">"
                else:
                    raise self._fail("bad pcapng byte-order magic")
                interfaces = []
            btype, blen = struct.unpack_from(endian + "II", buf.data, buf.pos)
            if blen < 12 or blen % 4 or blen > MAX_PACKET + 4096:
                raise self._fail(f"bad pcapng block length {blen}")
            if not buf.need(blen):
                info.truncated_end = f"the capture ends inside a block after {info.packets} packets"
                return
            body = buf.data[buf.pos + 8 : buf.pos + blen - 4]
            buf.pos += blen
            if btype == 1:  # Interface Description Block
                if len(body) < 8:
                    raise self._fail(f"interface description block of {len(body)} bytes (at least 8)")
                link = struct.unpack_from(endian + "H", body, 0)[0]
                self._check_link(link)
                interfaces.append((link, _if_tsresol(body[8:], endian)))
            elif btype in (6, 3):  # Enhanced / Simple Packet Block
                if btype == 6:
                    if len(body) < 20:
                        raise self._fail(f"enhanced packet block of {len(body)} bytes (at least 20)")
                    iface, ts_hi, ts_lo, incl, orig = struct.unpack_from(endian + "IIIII", body, 0)
                    if incl > len(body) - 20:
                        raise self._fail(f"enhanced packet block claims {incl} captured bytes, holds {len(body) - 20}")
                    data = body[20 : 20 + incl]
                else:
                    if len(body) < 4:
                        raise self._fail(f"simple packet block of {len(body)} bytes (at least 4)")
                    iface, ts_hi, ts_lo = 0, 0, 0
                    orig = struct.unpack_from(endian + "I", body, 0)[0]
                    data = body[4 : 4 + orig]
                    incl = len(data)
                if iface >= len(interfaces):
                    raise self._fail(f"packet on undeclared interface {iface}")
                link, resol = interfaces[iface]
                ts = ((ts_hi << 32) | ts_lo) * resol
                self._check_time(frame + 1, ts)
                frame += 1
                info.packets = frame
                info.captured_bytes += incl
                if incl < orig:
                    info.truncated_packets += 1
                yield frame, ts, link, data


def _if_tsresol(options: bytes, endian: str) -> float:
    """The timestamp unit of an interface from its if_tsresol option (default 10^-6 s)."""
    pos = 0
    while pos + 4 <= len(options):
        code, length = struct.unpack_from(endian + "HH", options, pos)
        if code == 0:
            break
        if code == 9 and length >= 1:
            value = options[pos + 4]
            return 2.0 ** -(value & 0x7F) if value & 0x80 else 10.0 ** -value
        pos += 4 + ((length + 3) & ~3)
    return 1e-6
