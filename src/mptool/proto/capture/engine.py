"""The packet loop: decode each frame, follow TCP flows, collect TLS/TLCP, IKE and ESP state.

Cheap pre-filtering keeps bulk traffic fast: a TCP flow whose first in-order bytes are not a
TLS record is dropped from reassembly at once, and TLS application data is skipped by record
length (see :mod:`mptool.proto.tls.stream`).
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mptool.proto.cleartext import PORTS, Credential, Inspector
from mptool.proto.ipsec import ike
from mptool.proto.capture.netdecode import ESP, TCP, UDP, Segment, Stats, decode
from mptool.proto.capture.reader import Packet
from mptool.proto.capture.tcp import HalfStream
from mptool.proto.ssh.stream import SSHConnection
from mptool.proto.tls.record import HEADER_LENGTH, looks_like_client_hello, looks_like_record_header
from mptool.proto.tls.stream import CLIENT, SERVER, TLSConnection
from mptool.proto.wire import DecodeError

#: Link types whose IPv4 frames take the fast path: offset of the EtherType / protocol field,
#: which the IP header follows (Ethernet, Linux cooked v1).
_FAST_IPV4 = {1: 12, 113: 14}
#: From that field on: EtherType, IPv4 version/IHL, total length, flags/fragment offset, protocol,
#: source and destination address with the TCP ports (the flow key), sequence number, data
#: offset and flags (RFC 791 §3.1, RFC 9293 §3.1), for a header without IP options.
_FAST_HEADERS = struct.Struct("!HBxH2xHxB2x12sI4xBB")

#: Plaintext bytes of a TCP connection watched for a ClientHello (STARTTLS in SMTP, IMAP, POP3,
#: FTP, LDAP …) before the connection is given up as not TLS.
STARTTLS_WINDOW = 16384

ESP_SAMPLE_LIMIT = 1 << 20  # payload bytes kept per ESP channel for the randomness check
#: Bytes after SPI and sequence number left out of the randomness sample: the IV field (8 bytes
#: for AES-GCM/CCM, where it is a counter, not random; 16 for CBC ciphers) is not ciphertext.
ESP_IV_SKIP = 16
ESP_PACKETS_KEPT = 4096  # ESP packets kept per channel for decryption with a key log


class Flow:
    """One TCP connection (both directions)."""

    __slots__ = ("endpoints", "halves", "kind", "conn", "client_side", "first_frame", "had_data", "prefix", "budget", "starttls", "clear", "counts", "last_frame", "conv", "fins", "on_clear", "ssh")

    def __init__(self, a: tuple[str, int], b: tuple[str, int], frame: int) -> None:
        self.endpoints = (a, b)
        self.kind: str | None = None  # None (no data yet), "tls", "plaintext" (watching for STARTTLS), "other"
        self.budget = 0
        self.starttls = False
        self.conn: TLSConnection | None = None
        self.client_side: int | None = None
        self.first_frame = frame
        self.had_data = False
        self.prefix = b""  # first bytes of the first sender, until a record header can be judged
        self.clear: Inspector | None = None  # plaintext connections: the first bytes of each side
        self.counts = [0, 0, 0, 0]  # payload packets and bytes of side 0, side 1 (as captured)
        self.last_frame = frame
        self.conv: Conversation | None = None  # where this connection's counts go when it is retired
        self.fins = 0
        self.on_clear: Callable[[Flow], None] | None = None  # summarise the inspected bytes, free them
        self.ssh: SSHConnection | None = None  # an SSH connection (identification line first)
        self.halves = (
            HalfStream(lambda d, f: self._data(0, d, f), lambda m, f: self._gap(0, m, f)),
            HalfStream(lambda d, f: self._data(1, d, f), lambda m, f: self._gap(1, m, f)),
        )

    def _conn_side(self, side: int) -> int:
        assert self.conn is not None
        return CLIENT if self.endpoints[side] == self.conn.client else SERVER

    def _data(self, side: int, data: bytes, frame: int) -> None:
        self.had_data = True
        if self.kind is None:
            data = self.prefix + data
            if len(data) < HEADER_LENGTH:
                self.prefix = data
                return
            self.prefix = b""
            if data.startswith(b"SSH-"):  # RFC 4253 §4.2 identification line, on any port
                self.kind = "ssh"
                self.ssh = SSHConnection(self.endpoints, self.first_frame, self.client_side)
            elif not looks_like_record_header(data[:HEADER_LENGTH]):
                self.kind = "plaintext"  # may still upgrade (STARTTLS): watch the first bytes
                self.budget = STARTTLS_WINDOW
                self.clear = Inspector()
        if self.kind == "ssh":
            self.ssh.feed(side, data, frame)  # type: ignore[union-attr]
            if self.ssh.done:  # type: ignore[union-attr]
                self.kind = "other"  # encrypted from here on: only counted
            return
        if self.kind == "plaintext":
            if not (looks_like_client_hello(data) and self.budget > 0):
                self.budget -= len(data)
                if self.clear is not None:
                    self.clear.feed(side, data, frame)
                if self.budget <= 0 and (self.clear is None or not self.clear.wants_more()):
                    self.kind = "other"
                    if self.on_clear is not None and self.clear is not None:
                        self.on_clear(self)
                return
            self.starttls = True
            self.clear = None  # upgraded: a TLS connection, not a cleartext one
        if self.kind != "tls":
            self.kind = "tls"
            known = self.client_side is not None
            client = self.client_side if known else _guess_client(self.endpoints, side)
            self.conn = TLSConnection(self.endpoints[client], self.endpoints[1 - client], self.first_frame, known)
            self.conn.starttls = self.starttls
        self.conn.feed(self._conn_side(side), data, frame)  # type: ignore[union-attr]

    def _gap(self, side: int, missing: int, frame: int) -> None:
        if self.kind == "ssh":
            self.ssh.gap(side, missing, frame)  # type: ignore[union-attr]
        if self.kind == "tls":
            self.conn.gap(self._conn_side(side), missing, frame)  # type: ignore[union-attr]


def _guess_client(endpoints: tuple[tuple[str, int], tuple[str, int]], sender: int) -> int:
    """Without a SYN: the side with a well-known (< 1024) port is the server, else the first sender."""
    ports = (endpoints[0][1], endpoints[1][1])
    if ports[0] < 1024 <= ports[1]:
        return 1
    if ports[1] < 1024 <= ports[0]:
        return 0
    return sender


@dataclass
class IkeExchange:
    """All messages of one IKE SA (same initiator SPI)."""

    messages: list[ike.IkeMessage] = field(default_factory=list)
    nat_t: bool = False


@dataclass
class EspChannel:
    """ESP packets between two hosts, per SPI."""

    hosts: tuple[str, str]
    first_frame: int
    udp_encapsulated: bool = False
    spis: dict[tuple[str, str, int], list[int]] = field(default_factory=dict)  # (src, dst, spi) -> [packets, bytes, first seq, last seq]
    sample: bytearray = field(default_factory=bytearray)
    packets: list[tuple[int, bytes]] = field(default_factory=list)  #: (frame, packet), the first ESP_PACKETS_KEPT (key-log decryption)


MAX_CONVERSATIONS = 2000  #: cleartext conversations listed one by one; the rest are aggregated


@dataclass
class Conversation:
    """Traffic without cryptography between a client host and one server port."""

    client: str
    server: str
    port: int
    transport: str
    first_frame: int
    last_frame: int = 0
    protocol: str | None = None
    recognised: bool = False
    connections: int = 0
    packets: list[int] = field(default_factory=lambda: [0, 0])  #: client -> server, server -> client
    bytes: list[int] = field(default_factory=lambda: [0, 0])
    credentials: list[Credential] = field(default_factory=list)

    def add(self, cp: int, cb: int, sp: int, sb: int, frame: int) -> None:
        self.packets[0] += cp
        self.packets[1] += sp
        self.bytes[0] += cb
        self.bytes[1] += sb
        self.last_frame = max(self.last_frame, frame)


class Analyzer:
    """Feed packets with :meth:`packet`; read the collected state afterwards."""

    def __init__(self) -> None:
        self.stats = Stats()
        self.flows: dict[tuple[tuple[str, int], tuple[str, int]], tuple[Flow, int]] = {}
        self._raw_flows: dict[bytes, tuple[Flow, int]] = {}  # src+dst address, sport+dport bytes (IPv4)
        self.finished: list[Flow] = []  #: TLS/TLCP flows, for the results
        self.ssh: list[SSHConnection] = []  #: SSH connections, in the order they ended
        self.other_flows = 0  #: TCP connections that did not carry TLS/TLCP
        self._certs: dict[bytes, bytes] = {}
        self.ike: dict[bytes, IkeExchange] = {}
        self.ike_problems: list[str] = []
        self.esp: dict[tuple[str, str], EspChannel] = {}
        self.tcp_segments = 0
        self.fast_segments = 0  #: TCP segments handled by the bulk fast path of :meth:`feed` (a count for tests)
        self.udp_datagrams = 0
        #: conversations without cryptography: (client host, server host, server port, transport) -> Conversation
        self.cleartext: dict[tuple[str, str, int, str], Conversation] = {}

    def packet(self, frame: int, link: int, data: bytes) -> None:
        """Process one captured frame."""
        self.feed(((frame, 0.0, link, data),))

    def feed(self, packets: Iterable[Packet], tick: Callable[[int], None] | None = None, every: int = 4096) -> float | None:
        """Process every frame of ``packets`` (a :class:`~mptool.proto.capture.reader.CaptureReader`);
        returns the time of the first one (None: no frames). ``tick(frame)`` is called every
        ``every`` frames (progress).

        Bulk fast path, inline here because it runs for nearly every frame of a bulk transfer:
        an IPv4/TCP frame (Ethernet or Linux cooked, no IP options, no fragment) of a known flow is
        handled without decoding when the flow is not TLS (only counted) or, for a TLS flow, when
        the segment is the next in order: inside application data being skipped only the
        counters move, else its payload goes straight to the flow's reassembly, as in
        :meth:`_tcp`. Everything else (new flows, SYN/FIN/RST, retransmissions, out-of-order
        segments, UDP, IPv6) takes :meth:`_decoded`.
        """
        fast_links = _FAST_IPV4  # read here, so a test can turn the fast path off
        raw_flows = self._raw_flows
        decoded = self._decoded
        unpack = _FAST_HEADERS.unpack_from
        first: float | None = None
        fast = 0  #: segments this call handled on the fast path (each also a TCP segment)
        for frame, ts, link, data in packets:
            if first is None:
                first = ts
            if tick is not None and frame % every == 0:
                tick(frame)
            at = fast_links.get(link)
            if at is None or len(data) < at + 42:  # the EtherType, a 20-byte IPv4 and a 20-byte TCP header
                decoded(frame, link, data)
                continue
            ethertype, version_ihl, total, fragment, proto, key, seq, offset, flags = unpack(data, at)
            # IPv4 without options, TCP, neither fragment offset nor more-fragments (DF allowed)
            if ethertype != 0x0800 or version_ihl != 0x45 or proto != TCP or fragment & 0xBFFF:
                decoded(frame, link, data)
                continue
            entry = raw_flows.get(key)
            if entry is None:
                decoded(frame, link, data)
                continue
            flow, side = entry
            kind = flow.kind
            # payload: up to the IP total length (Ethernet pads short frames), after the TCP header
            length = min(len(data), at + 2 + total) - at - 22 - (offset >> 4) * 4
            if kind == "other":
                fast += 1
                if length > 0:
                    counts = flow.counts
                    counts[2 * side] += 1
                    counts[2 * side + 1] += length
                    flow.last_frame = frame
                continue
            if kind != "tls" or flags & 0x07:  # SYN/FIN/RST take the full path
                decoded(frame, link, data)
                continue
            if length <= 0:
                fast += 1
                continue
            half = flow.halves[side]
            if half.pending or seq != half.next_seq:  # out of order, retransmitted, or after a hole
                decoded(frame, link, data)
                continue
            fast += 1
            conn = flow.conn
            direction = conn.dirs[CLIENT if flow.endpoints[side] == conn.client else SERVER]  # type: ignore[union-attr]
            if direction.skip < length:  # record headers in this segment: what _tcp does for it
                counts = flow.counts
                counts[2 * side] += 1
                counts[2 * side + 1] += length
                flow.last_frame = frame
                end = min(len(data), at + 2 + total)
                half.segment(seq, data[end - length : end], frame)
                continue
            direction.skip -= length
            half.next_seq = (seq + length) & 0xFFFFFFFF
            half.bytes += length
            conn.last_frame = frame  # type: ignore[union-attr]
        self.tcp_segments += fast
        self.fast_segments += fast
        return first

    def _decoded(self, frame: int, link: int, data: bytes) -> None:
        """The full path for one frame: decode its headers, then TCP, UDP (IKE, NAT-T) or ESP."""
        seg = decode(link, data, self.stats)
        if seg is None:
            return
        if seg.proto == TCP:
            self._tcp(seg, frame)
        elif seg.proto == UDP:
            self.udp_datagrams += 1
            self._udp(seg, frame)
        elif seg.proto == ESP:
            self._esp(seg, seg.payload, frame, udp=False)

    def _tcp(self, seg: Segment, frame: int) -> None:
        self.tcp_segments += 1
        a, b = (seg.src, seg.sport), (seg.dst, seg.dport)
        entry = self.flows.get((a, b))
        syn_only = seg.flags & 0x12 == 0x02
        if entry is not None and syn_only and entry[0].had_data:
            self._retire(entry[0])
            entry = None
        if entry is None:
            flow = Flow(a, b, frame)
            flow.on_clear = self._cleartext
            self.flows[(a, b)] = (flow, 0)
            self.flows[(b, a)] = (flow, 1)
            entry = (flow, 0)
            if ":" not in seg.src:
                ra, rb = ipaddress.IPv4Address(seg.src).packed, ipaddress.IPv4Address(seg.dst).packed
                pa, pb = seg.sport.to_bytes(2, "big"), seg.dport.to_bytes(2, "big")
                self._raw_flows[ra + rb + pa + pb] = (flow, 0)
                self._raw_flows[rb + ra + pb + pa] = (flow, 1)
        flow, side = entry
        if seg.payload:
            flow.counts[2 * side] += 1
            flow.counts[2 * side + 1] += len(seg.payload)
            flow.last_frame = frame
        if flow.kind == "other":
            if flow.halves:
                flow.halves = ()  # nothing more to reassemble: keep the flow small
            return
        if seg.flags & 0x02:
            flow.halves[side].syn(seg.seq)
            if flow.client_side is None:
                flow.client_side = side if syn_only else 1 - side
        if seg.payload:
            flow.halves[side].segment(seg.seq, seg.payload, frame)
        if seg.flags & 0x05 and flow.clear is not None:  # FIN or RST: a plaintext connection ends
            flow.fins += 1 if seg.flags & 0x01 else 2
            if flow.fins >= 2:
                for half in flow.halves:
                    half.flush()
                if flow.clear is not None:
                    self._cleartext(flow)

    def _retire(self, flow: Flow) -> None:
        for half in flow.halves:
            half.flush()
        if flow.kind == "tls":
            conn = flow.conn
            assert conn is not None
            # servers send the same certificates on every connection: keep one copy of each
            conn.certificates = [self._certs.setdefault(c, c) for c in conn.certificates]
            conn.client_certificates = [self._certs.setdefault(c, c) for c in conn.client_certificates]
            conn.compact()
            flow.halves, flow.prefix = (), b""
            self.finished.append(flow)
        elif flow.ssh is not None:
            flow.ssh.last_frame = max(flow.ssh.last_frame, flow.last_frame)
            flow.ssh.client_side = flow.client_side
            self.ssh.append(flow.ssh)
        else:
            self.other_flows += 1
            if flow.clear is not None:
                self._cleartext(flow)
            if flow.conv is not None:
                client = flow.client_side if flow.client_side is not None else _guess_client(flow.endpoints, 0)
                c = flow.counts
                flow.conv.add(c[2 * client], c[2 * client + 1], c[2 - 2 * client], c[3 - 2 * client], flow.last_frame)
        a, b = flow.endpoints
        self.flows.pop((a, b), None)
        self.flows.pop((b, a), None)
        if ":" not in a[0]:
            ra, rb = ipaddress.IPv4Address(a[0]).packed, ipaddress.IPv4Address(b[0]).packed
            pa, pb = a[1].to_bytes(2, "big"), b[1].to_bytes(2, "big")
            self._raw_flows.pop(ra + rb + pa + pb, None)
            self._raw_flows.pop(rb + ra + pb + pa, None)

    def _cleartext(self, flow: Flow) -> None:
        client = flow.client_side if flow.client_side is not None else _guess_client(flow.endpoints, 0)
        (chost, _), (shost, sport) = flow.endpoints[client], flow.endpoints[1 - client]
        protocol, recognised, credentials = flow.clear.analyse(client, sport)  # type: ignore[union-attr]
        conv = self._conversation(chost, shost, sport, "TCP", flow.first_frame)
        conv.connections += 1
        flow.conv = conv
        if recognised or conv.protocol is None:
            conv.protocol, conv.recognised = protocol, recognised or conv.recognised
        conv.credentials += credentials
        flow.clear = None

    def _conversation(self, chost: str, shost: str, sport: int, transport: str, frame: int) -> Conversation:
        key = (chost, shost, sport, transport)
        conv = self.cleartext.get(key)
        if conv is None:
            if len(self.cleartext) >= MAX_CONVERSATIONS:
                key = ("*", "*", 0, transport)  # beyond the limit: one aggregate entry
                conv = self.cleartext.get(key)
            if conv is None:
                conv = self.cleartext[key] = Conversation(*key, first_frame=frame)
        return conv

    def _udp_other(self, seg: Segment, frame: int) -> None:
        """A UDP datagram that is not IKE/ESP: counted in its conversation (server: the answered
        port seen first as a destination, or the well-known port)."""
        answer = (seg.dst, seg.src, seg.sport, "UDP")
        if answer in self.cleartext:
            self.cleartext[answer].add(0, 0, 1, len(seg.payload), frame)
            return
        if seg.sport < 1024 <= seg.dport or (seg.sport in PORTS and seg.dport not in PORTS):
            conv = self._conversation(seg.dst, seg.src, seg.sport, "UDP", frame)
            conv.protocol = conv.protocol or PORTS.get(seg.sport, "raw")
            conv.add(0, 0, 1, len(seg.payload), frame)
            return
        conv = self._conversation(seg.src, seg.dst, seg.dport, "UDP", frame)
        conv.protocol = conv.protocol or PORTS.get(seg.dport, "raw")
        conv.add(1, len(seg.payload), 0, 0, frame)

    def _udp(self, seg: Segment, frame: int) -> None:
        ports = (seg.sport, seg.dport)
        payload = seg.payload
        if 4500 in ports:
            if payload == b"\xff":
                return  # NAT-T keepalive
            if payload[:4] == b"\0\0\0\0":
                self._ike(seg, payload[4:], frame, nat_t=True)
            elif len(payload) >= 8:
                self._esp(seg, payload, frame, udp=True)
        elif 500 in ports:
            self._ike(seg, payload, frame, nat_t=False)
        else:
            self._udp_other(seg, frame)

    def _ike(self, seg: Segment, payload: bytes, frame: int, nat_t: bool) -> None:
        try:
            msg = ike.parse(payload, frame, (seg.src, seg.sport), (seg.dst, seg.dport))
        except DecodeError as exc:
            self.ike_problems.append(f"frame {frame}: not a decodable ISAKMP message: {exc}")
            return
        exchange = self.ike.setdefault(msg.ispi, IkeExchange())
        exchange.messages.append(msg)
        exchange.nat_t = exchange.nat_t or nat_t

    def _esp(self, seg: Segment, payload: bytes, frame: int, udp: bool) -> None:
        if len(payload) < 8:
            self.stats.malformed += 1
            return
        hosts = tuple(sorted((seg.src, seg.dst)))
        channel = self.esp.get(hosts)  # type: ignore[arg-type]
        if channel is None:
            channel = self.esp[hosts] = EspChannel(hosts, frame)  # type: ignore[index]
        channel.udp_encapsulated = channel.udp_encapsulated or udp
        spi = int.from_bytes(payload[:4], "big")
        seq = int.from_bytes(payload[4:8], "big")
        counters = channel.spis.get((seg.src, seg.dst, spi))
        if counters is None:
            channel.spis[(seg.src, seg.dst, spi)] = [1, len(payload), seq, seq]
        else:
            counters[0] += 1
            counters[1] += len(payload)
            counters[3] = seq
        if len(channel.sample) < ESP_SAMPLE_LIMIT:
            channel.sample += payload[8 + ESP_IV_SKIP :]
        if len(channel.packets) < ESP_PACKETS_KEPT:
            channel.packets.append((frame, bytes(payload)))

    def finish(self) -> list[Flow]:
        """End of input: flush every flow; TLS flows in order of their first frame."""
        for flow, side in list(self.flows.values()):
            if side == 0:
                self._retire(flow)
        return sorted(self.finished, key=lambda f: f.first_frame)
