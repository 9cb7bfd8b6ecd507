"""Link, IP and transport headers of one captured frame, decoded with offsets (no objects).

Only what the analyzers need: addresses, IP protocol, ports, TCP sequence number and flags,
and the transport payload. IPv4 (RFC 791) and IPv6 (RFC 8200, common extension headers),
TCP (RFC 9293), UDP (RFC 768); 802.1Q VLAN tags are skipped.
"""

from __future__ import annotations

import functools
import ipaddress
import struct
from dataclasses import dataclass

TCP = 6
UDP = 17
ESP = 50

_U16 = struct.Struct("!H")
_TCP = struct.Struct("!HHIIBB")
_UDP = struct.Struct("!HH")
_IPV6_EXT = {0, 43, 60, 51}
_ETHER_IPV4 = 0x0800
_ETHER_IPV6 = 0x86DD


@dataclass(frozen=True, slots=True)
class Segment:
    """One decoded transport segment."""

    src: str
    dst: str
    proto: int
    sport: int
    dport: int
    payload: bytes
    seq: int = 0
    flags: int = 0  #: TCP flags (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10)


class Stats:
    """Counts of what the decoder skipped, reported in the capture summary."""

    def __init__(self) -> None:
        self.non_ip = 0
        self.ip_fragments = 0
        self.malformed = 0
        self.other_ip = 0


@functools.lru_cache(maxsize=4096)
def _ip_bytes_str(raw: bytes) -> str:
    return str(ipaddress.ip_address(raw))


def network_offset(link: int, data: bytes) -> tuple[int, int] | None:
    """(offset of the IP header, IP version) for a frame of ``link``, or None if not IP."""
    if link == 1:  # Ethernet
        if len(data) < 14:
            return None
        off = 12
        etype = _U16.unpack_from(data, off)[0]
        while etype in (0x8100, 0x88A8) and len(data) >= off + 6:
            off += 4
            etype = _U16.unpack_from(data, off)[0]
        off += 2
    elif link == 113:  # Linux cooked
        if len(data) < 16:
            return None
        etype, off = _U16.unpack_from(data, 14)[0], 16
    elif link == 276:  # Linux cooked v2
        if len(data) < 20:
            return None
        etype, off = _U16.unpack_from(data, 0)[0], 20
    elif link in (0, 108):  # BSD loopback: address family, host resp. network order
        if len(data) < 4:
            return None
        family = int.from_bytes(data[:4], "little" if link == 0 else "big")
        if link == 0 and family > 0xFFFF:
            family = int.from_bytes(data[:4], "big")
        etype = _ETHER_IPV4 if family == 2 else _ETHER_IPV6 if family in (10, 24, 28, 30) else 0
        off = 4
    else:  # raw IP (12, 14, 101, 228, 229)
        if not data:
            return None
        version = data[0] >> 4
        etype = _ETHER_IPV4 if version == 4 else _ETHER_IPV6 if version == 6 else 0
        off = 0
    if etype == _ETHER_IPV4:
        return off, 4
    if etype == _ETHER_IPV6:
        return off, 6
    return None


def decode(link: int, data: bytes, stats: Stats) -> Segment | None:
    """Decode a frame down to TCP/UDP/ESP; None (and a count in ``stats``) for anything else."""
    where = network_offset(link, data)
    if where is None:
        stats.non_ip += 1
        return None
    off, version = where
    if version == 4:
        if len(data) < off + 20:
            stats.malformed += 1
            return None
        ihl = (data[off] & 0x0F) * 4
        total = _U16.unpack_from(data, off + 2)[0]
        frag = _U16.unpack_from(data, off + 6)[0]
        proto = data[off + 9]
        if frag & 0x3FFF:  # more fragments or non-zero offset
            stats.ip_fragments += 1
            if frag & 0x1FFF:
                return None
        src = data[off + 12 : off + 16]
        dst = data[off + 16 : off + 20]
        end = min(len(data), off + total) if total >= ihl else len(data)
        l4 = off + ihl
    else:
        if len(data) < off + 40:
            stats.malformed += 1
            return None
        plen = _U16.unpack_from(data, off + 4)[0]
        proto = data[off + 6]
        src = data[off + 8 : off + 24]
        dst = data[off + 24 : off + 40]
        end = min(len(data), off + 40 + plen)
        l4 = off + 40
        while proto in _IPV6_EXT or proto == 44:
            if l4 + 8 > end:
                stats.malformed += 1
                return None
            if proto == 44:
                if _U16.unpack_from(data, l4 + 2)[0] & 0xFFF8:
                    stats.ip_fragments += 1
                    return None
                proto, l4 = data[l4], l4 + 8
            elif proto == 51:
                proto, l4 = data[l4], l4 + (data[l4 + 1] + 2) * 4
            else:
                proto, l4 = data[l4], l4 + (data[l4 + 1] + 1) * 8
    if proto == TCP:
        if l4 + 20 > end:
            stats.malformed += 1
            return None
        sport, dport, seq, _ack, doff, flags = _TCP.unpack_from(data, l4)
        start = l4 + (doff >> 4) * 4
        if start > end:
            stats.malformed += 1
            return None
        return Segment(_ip_bytes_str(src), _ip_bytes_str(dst), TCP, sport, dport, data[start:end], seq, flags)
    if proto == UDP:
        if l4 + 8 > end:
            stats.malformed += 1
            return None
        sport, dport = _UDP.unpack_from(data, l4)
        return Segment(_ip_bytes_str(src), _ip_bytes_str(dst), UDP, sport, dport, data[l4 + 8 : end])
    if proto == ESP:
        return Segment(_ip_bytes_str(src), _ip_bytes_str(dst), ESP, 0, 0, data[l4:end])
    stats.other_ip += 1
    return None
