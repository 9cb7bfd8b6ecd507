"""Hostile captures written byte by byte (issue 21): a gzip bomb and thousands of TLS connections.

Frames are Ethernet / IPv4 / TCP (RFC 791, RFC 9293) in a classic pcap file
(draft-ietf-opsawg-pcap); checksums are left zero (the analyzer does not verify them).
"""

from __future__ import annotations

import os
import struct
import zlib

PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)


def frame(src: tuple[str, int], dst: tuple[str, int], seq: int, flags: int, payload: bytes = b"", ack: int = 0) -> bytes:
    """One Ethernet frame carrying a TCP segment."""
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, bytes(map(int, src[0].split("."))), bytes(map(int, dst[0].split("."))))
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp


def record(data: bytes, ts: int = 1_700_000_000) -> bytes:
    """A pcap packet record."""
    return struct.pack("<IIII", ts, 0, len(data), len(data)) + data


def tls_record(ctype: int, body: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", ctype, version, len(body)) + body


def handshake(mtype: int, body: bytes) -> bytes:
    return bytes([mtype]) + len(body).to_bytes(3, "big") + body


def connection(index: int, certificate: bytes) -> bytes:
    """Packet records of one complete TLS 1.2 handshake plus a little application data."""
    client = (f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}", 1024 + index % 60000)
    server = ("192.0.2.1", 443)
    hello = struct.pack("!H", 0x0303) + os.urandom(32) + b"\0" + struct.pack("!HHH", 4, 0xC02F, 0x009C) + b"\x01\x00"
    sh = struct.pack("!H", 0x0303) + os.urandom(32) + b"\0" + struct.pack("!H", 0xC02F) + b"\0"
    chain = len(certificate).to_bytes(3, "big") + certificate
    flights = [
        (client, tls_record(22, handshake(1, hello))),
        (server, tls_record(22, handshake(2, sh) + handshake(11, len(chain).to_bytes(3, "big") + chain) + handshake(14, b""))),
        (client, tls_record(22, handshake(16, os.urandom(66))) + tls_record(20, b"\x01") + tls_record(22, os.urandom(40))),
        (server, tls_record(20, b"\x01") + tls_record(22, os.urandom(40))),
        (client, tls_record(23, os.urandom(32))),
    ]
    seq = {client: 1000, server: 9000}
    out = [record(frame(client, server, 999, 0x02)), record(frame(server, client, 8999, 0x12, ack=1000))]
    for sender, data in flights:
        peer = server if sender == client else client
        out.append(record(frame(sender, peer, seq[sender], 0x18, data, seq[peer])))
        seq[sender] += len(data)
    out.append(record(frame(client, server, seq[client], 0x11, ack=seq[server])))
    out.append(record(frame(server, client, seq[server], 0x11, ack=seq[client] + 1)))
    return b"".join(out)


def many_connections(count: int, certificate: bytes) -> bytes:
    """A gzip-compressed pcap of ``count`` TLS connections to one server (one certificate)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    parts = [packer.compress(PCAP_HEADER)]
    for index in range(count):
        parts.append(packer.compress(connection(index, certificate)))
    parts.append(packer.flush())
    return b"".join(parts)


def gzip_bomb(inflated: int) -> bytes:
    """A gzip pcap that inflates to ``inflated`` bytes: full-size (256 KiB) records of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(PCAP_HEADER)]
    body = struct.pack("<IIII", 0, 0, 262144, 262144) + b"\0" * 262144
    for _ in range(inflated // len(body)):
        parts.append(packer.compress(body))
    parts.append(packer.flush())
    return b"".join(parts)


__all__ = ["connection", "frame", "gzip_bomb", "many_connections", "record"]
