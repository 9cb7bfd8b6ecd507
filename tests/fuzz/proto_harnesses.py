"""Fuzz harnesses of the parsers in ``mptool.proto`` (issue 21): captures (pcap, pcapng, gzip)
through the whole analyzer, TCP reassembly, TLS/TLCP records and handshakes, handshake message
parsers, IKE and ESP. Merged into :data:`tests.fuzz.harnesses.HARNESSES`.

Expected answers to bad bytes: :class:`~mptool.core.errors.MptoolError` (an input error) and
:class:`~mptool.proto.wire.DecodeError` (a parser refusing a message, which the callers turn
into findings). An ``error`` result from a judge (a caught bug, exit 4) is a crash here too.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator

from tests.fuzz.harnesses import MAX_SEED, ROOT, Harness, _expected, _ssh_seeds, fuzz_gm_ike, fuzz_ssh_packets

PCAPS = ("vectors/pcaps/*.pcap", "vectors/pcaps/*.pcap.gz")


def _no_error_results(results: list) -> None:
    for result in results:
        if result is not None and result.status.value == "error":
            raise AssertionError(f"{result.check} reported an internal error: {result.findings[0].message if result.findings else ''}")


def fuzz_capture(data: bytes) -> None:
    """``proto analyze`` on one capture: reader (pcap/pcapng/gzip), decoding, TCP, TLS, IKE, ESP,
    cleartext inspectors and every judge (certificate checks off; the cert harnesses cover them)."""
    from mptool.core.report import ReportBuilder
    from mptool.proto.analyze import analyze_captures
    from tests.fuzz.harnesses import _scratch

    path = _scratch("capture.pcap", data)
    builder = ReportBuilder("proto analyze", [path])
    _expected(lambda: analyze_captures(builder, [path], cert_checks=False))
    _no_error_results(builder.results)


def _ops(data: bytes) -> Iterator[tuple[int, int, int, bytes]]:
    """Segments from fuzz bytes: side (1 bit), SYN (1 bit), 4-byte relative seq, 1-byte length, payload."""
    pos = 0
    while pos + 6 <= len(data):
        flags, seq, length = data[pos], int.from_bytes(data[pos + 1 : pos + 5], "big"), data[pos + 5]
        payload = data[pos + 6 : pos + 6 + length]
        pos += 6 + length
        yield flags & 1, flags & 2, seq, payload


def fuzz_tcp(data: bytes) -> None:
    """TCP reassembly (both directions) feeding one TLS connection, then the channel judge."""
    from mptool.proto.capture.tcp import HalfStream
    from mptool.proto.judge.tls import channel_result, summaries
    from mptool.proto.tls.stream import TLSConnection

    conn = TLSConnection(("192.0.2.1", 40000), ("192.0.2.2", 443), 1, True)
    halves = [HalfStream(functools.partial(conn.feed, side), functools.partial(conn.gap, side)) for side in (0, 1)]
    delivered = [0, 0]
    for frame, (side, syn, seq, payload) in enumerate(_ops(data), 1):
        half = halves[side]
        if syn:
            half.syn(seq)
        half.segment(seq, payload, frame)
        assert half.pending_bytes >= 0
        delivered[side] = half.bytes
    for half in halves:
        half.flush()
    certs, client_certs = summaries(conn)
    _no_error_results([_judged(channel_result, conn, "fuzz", 1, certs, client_certs)])


def _judged(func, *args):  # noqa: ANN001, ANN002, ANN202
    """``func(*args)``; an exception (the analyzer's error result, exit 4) is a crash here."""
    try:
        return func(*args)
    except Exception as exc:  # the analyzer records this as an error result (exit 4): a crash here
        raise AssertionError(f"{func.__name__} raised {type(exc).__name__}: {exc}") from exc


def fuzz_tls_stream(data: bytes) -> None:
    """A TLS/TLCP connection from two raw byte streams (records, handshakes, alerts), split at a
    fuzzed point, fed in fuzzed chunk sizes; then the channel, SKE and CertificateVerify judges."""
    from mptool.proto.judge.tls import certificate_verify_result, channel_result, ske_result, summaries
    from mptool.proto.tls.stream import TLSConnection

    if len(data) < 3:
        return
    split = int.from_bytes(data[:2], "big") % (len(data) - 1) + 1
    step = data[2] % 64 + 1
    conn = TLSConnection(("192.0.2.1", 40000), ("192.0.2.2", 443), 1, data[2] & 0x80 == 0)
    streams = [data[3:split], data[split:]]
    frame = 0
    while any(streams):
        for side in (0, 1):
            if streams[side]:
                frame += 1
                chunk, streams[side] = streams[side][:step], streams[side][step:]
                conn.feed(side, chunk, frame)
    certs, client_certs = summaries(conn)
    _no_error_results([
        _judged(channel_result, conn, "fuzz", 1, certs, client_certs),
        _judged(ske_result, conn, "fuzz", 1, certs),
        _judged(certificate_verify_result, conn, "fuzz", 1, client_certs),
    ])


def fuzz_tls_messages(data: bytes) -> None:
    """Every handshake-message parser the analyzer, the prober and the TLCP endpoint use; the
    first byte picks the parser. Only DecodeError may come out."""
    from mptool.proto.tls import messages as m
    from mptool.proto.tls.handshake import HandshakeReassembler
    from mptool.proto.tls.record import parse_records
    from mptool.proto.wire import DecodeError

    parsers = [
        m.ClientHello.parse,
        m.ServerHello.parse,
        m.parse_certificate,
        lambda b: m.parse_certificate(b, tls13=True),
        lambda b: m.CertificateRequest.parse(b, 0x0101),
        lambda b: m.CertificateRequest.parse(b, 0x0303),
        m.parse_certificate_verify,
        lambda b: m.parse_certificate_verify(b, 0x0303),
        lambda b: m.parse_server_key_exchange(b, 0xE011, 0x0101),
        lambda b: m.parse_server_key_exchange(b, 0xE013, 0x0101),
        lambda b: m.parse_server_key_exchange(b, 0xC02F, 0x0303),
        lambda b: m.parse_server_key_exchange(b, 0x009E, 0x0303),
        lambda b: m.parse_hello(b, client=True),
        lambda b: m.parse_hello(b, client=False),
        m.parse_alerts,
        lambda b: m.TlcpClientKeyExchange.parse(b, True),
        lambda b: m.TlcpClientKeyExchange.parse(b, False),
        lambda b: m.describe_client_key_exchange(b, 0xE013, 0x0101),
        lambda b: m.describe_client_key_exchange(b, 0xC02F, 0x0303),
        lambda b: list(HandshakeReassembler().feed(b)),
        parse_records,
    ]
    if not data:
        return
    try:
        parsers[data[0] % len(parsers)](data[1:])
    except DecodeError:
        pass


def fuzz_ike(data: bytes) -> None:
    """One ISAKMP/IKEv2 message (and the same bytes as ESP over UDP 4500) through the capture
    engine, then the IKE and ESP judges."""
    from mptool.proto.capture.engine import Analyzer
    from mptool.proto.judge.ipsec import esp_result, ike_result, link_ike

    analyzer = Analyzer()
    for frame, (sport, dport, payload) in enumerate(((500, 500, data), (4500, 4500, b"\0\0\0\0" + data), (4500, 4500, data)), 1):
        analyzer.packet(frame, 12, _udp(sport, dport, payload))
    measurements = []
    for index, exchange in enumerate(analyzer.ike.values(), 1):
        result = _judged(ike_result, exchange, "fuzz", index)
        measurements.append(result.measurements)
        _no_error_results([result])
    for index, channel in enumerate(analyzer.esp.values(), 1):
        _no_error_results([_judged(esp_result, channel, "fuzz", index, link_ike(channel, measurements))])


def _answers(data: bytes) -> Iterator[bytes]:
    """Responder datagrams from fuzz bytes: 2-byte length, then a flag byte (bit 0: put the
    probe's own initiator cookie/SPI in front, so the answer is taken as ours) and the datagram."""
    pos = 0
    while pos + 2 <= len(data):
        size = int.from_bytes(data[pos : pos + 2], "big")
        yield data[pos + 2 : pos + 2 + size]
        pos += 2 + size


def fuzz_ike_probe(data: bytes) -> None:
    """``proto probe --ike``'s answer side: the IKEv1 and IKEv2 enumerations (proto/probe/ike.py)
    against a responder whose datagrams are the fuzz bytes (:func:`_answers`; none left: a
    timeout): answer parser, notify fields, chosen transform / proposal, INVALID_KE_PAYLOAD and
    COOKIE rounds, the judgements and the probe's check results. Never raises (a result with
    status error is the probe's answer to silence, not a crash)."""
    from mptool.proto.checks import probe as probe_checks
    from mptool.proto.probe import ike
    from mptool.proto.probe.run import _result

    answers = _answers(data)

    class Responder(ike.Exchanger):
        """The real Exchanger's bookkeeping, the fuzz bytes instead of a socket."""

        def exchange(self, packet: bytes, cookie: bytes) -> ike.IkeAnswer:
            if self.used >= self.max_requests:
                return ike.IkeAnswer("budget_exhausted", message="request or time limit reached")
            self.used += 1
            for chunk in answers:  # like the real one: answers for another SPI are skipped
                datagram = cookie + chunk[9:] if chunk[:1] and chunk[0] & 1 else chunk[1:]
                answer = ike.parse_answer(datagram, cookie)
                if answer.status != "malformed" or answer.message != "answer for another initiator SPI":
                    return answer
            return ike.IkeAnswer("timeout", message="no answer")

    responder = Responder("192.0.2.2", 500, 1.0, float("inf"), 64)
    for report in (ike.probe_ikev1(responder, "fuzz"), ike.probe_ikev2(responder, "fuzz")):
        _judged(_result, probe_checks.PROBE_IKE, report, False)  # status error is the probe's "no answer"


def _udp(sport: int, dport: int, payload: bytes) -> bytes:
    """A raw IPv4/UDP packet (link type RAW)."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, b"\xc0\x00\x02\x01", b"\xc0\x00\x02\x02") + udp


# --- seeds ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _streams() -> tuple[tuple[bytes, bytes], ...]:
    """(client, server) TCP payload streams of the bundled TLS/TLCP captures."""
    from scapy.all import IP, TCP, rdpcap  # type: ignore[attr-defined]

    out = []
    for path in sorted(ROOT.glob("vectors/pcaps/*.pcap")):
        sides: dict[tuple, list[bytes]] = {}

        for packet in rdpcap(str(path)):
            if IP in packet and TCP in packet and bytes(packet[TCP].payload):
                key = (packet[IP].src, packet[TCP].sport, packet[IP].dst, packet[TCP].dport)
                sides.setdefault(key, []).append(bytes(packet[TCP].payload))
        for (a, ap, b, bp), chunks in sides.items():
            back = sides.get((b, bp, a, ap))
            if back is not None and (ap, a) > (bp, b):
                out.append((b"".join(chunks)[:MAX_SEED // 2], b"".join(back)[:MAX_SEED // 2]))
    return tuple(out[:40])


def _capture_seeds() -> Iterator[bytes]:
    import gzip

    for pattern in PCAPS:
        for path in sorted(ROOT.glob(pattern)):
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            yield data[:MAX_SEED]
    sample = (ROOT / "vectors/pcaps/tls12_sm_gmssl.pcap").read_bytes()
    yield _pcapng(sample)[:MAX_SEED]
    yield gzip.compress(sample[:MAX_SEED])


def _pcapng(pcap: bytes) -> bytes:
    """A pcap converted to pcapng (SHB, IDB, EPBs), so the pcapng reader has seeds."""

    def block(btype: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)), block(1, struct.pack("<HHI", struct.unpack_from("<I", pcap, 20)[0], 0, 0))]
    pos = 24
    while pos + 16 <= len(pcap) and pos < MAX_SEED:
        sec, usec, incl, orig = struct.unpack_from("<IIII", pcap, pos)
        ts = sec * 1_000_000 + usec
        out.append(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, incl, orig) + pcap[pos + 16 : pos + 16 + incl]))
        pos += 16 + incl
    return b"".join(out)


def _tcp_seeds() -> Iterator[bytes]:
    for client, server in _streams():
        ops = bytearray()
        seqs = [1000, 5000]
        for side, stream in ((0, client), (1, server)):
            ops += bytes([side | 2]) + (seqs[side] - 1).to_bytes(4, "big") + b"\0"
        for start in range(0, max(len(client), len(server)), 200):
            for side, stream in ((0, client), (1, server)):
                piece = stream[start : start + 200]
                for cut in range(0, len(piece), 255):
                    part = piece[cut : cut + 255]
                    ops += bytes([side]) + seqs[side].to_bytes(4, "big") + bytes([len(part)]) + part
                    seqs[side] += len(part)
        yield bytes(ops[:MAX_SEED])


def _stream_seeds() -> Iterator[bytes]:
    for client, server in _streams():
        data = client + server
        yield (len(client) + 3).to_bytes(2, "big")[-2:] + b"\x10" + data[:MAX_SEED]


def _message_seeds() -> Iterator[bytes]:
    from mptool.proto.tls.handshake import HandshakeReassembler
    from mptool.proto.tls.record import parse_records

    for client, server in _streams():
        for stream in (client, server):
            records, _ = parse_records(stream)
            reassembler = HandshakeReassembler()
            for record in records[:6]:
                if record.content_type != 22:
                    continue
                try:
                    for message in reassembler.feed(record.fragment):
                        selector = {1: 0, 2: 1, 11: 2, 13: 4, 15: 6, 12: 8, 16: 15}.get(message.msg_type, 19)
                        yield bytes([selector]) + message.body
                except Exception:  # noqa: BLE001 - a seed that does not parse is still a seed
                    break


def _ike_seeds() -> Iterator[bytes]:
    from mptool.proto.capture.reader import CaptureReader

    for path in sorted(ROOT.glob("vectors/pcaps/*ik*.pcap")):
        with path.open("rb") as handle:
            for _frame, _ts, link, data in CaptureReader(handle, str(path)):
                for marker in (b"\x01\xf4\x01\xf4", b"\x11\x94\x11\x94"):
                    at = data.find(marker)
                    if at > 0:
                        payload = data[at + 8 :]
                        yield payload[4:] if marker == b"\x11\x94\x11\x94" and payload[:4] == b"\0\0\0\0" else payload
                        break


def _ike_probe_seeds() -> Iterator[bytes]:
    """Each IKE message of the bundled captures as the one answer, and all of them in a row."""

    def framed(message: bytes) -> bytes:
        return len(message[:65000] + b"x").to_bytes(2, "big") + b"\x01" + message[:65000]

    messages = list(_ike_seeds())
    yield from (framed(message) for message in messages)
    yield b"".join(framed(message) for message in messages)[:MAX_SEED]


def _proto(name: str, function, seeds) -> Harness:  # noqa: ANN001
    """A protocol harness: mptool instrumented without its algorithms, memoized pure helpers (tests/fuzz/cheap.py)."""
    from tests.fuzz.cheap import PROTO_EXCLUDE, PROTO_INSTRUMENT, memoize_pure

    return Harness(name, function, seeds, instrument=PROTO_INSTRUMENT, exclude=PROTO_EXCLUDE, setup=memoize_pure)


PROTO_HARNESSES: dict[str, Harness] = {
    h.name: h
    for h in (
        _proto("capture", fuzz_capture, _capture_seeds),
        _proto("tcp", fuzz_tcp, _tcp_seeds),
        _proto("tls-stream", fuzz_tls_stream, _stream_seeds),
        _proto("tls-messages", fuzz_tls_messages, _message_seeds),
        _proto("ike", fuzz_ike, _ike_seeds),
        _proto("ike-probe", fuzz_ike_probe, _ike_probe_seeds),
        _proto("ssh-packets", fuzz_ssh_packets, _ssh_seeds),
        _proto("gm-ike", fuzz_gm_ike, lambda: __import__("tests.fuzz.harness_gm_ike", fromlist=["seeds"]).seeds()),
    )
}

__all__ = ["PROTO_HARNESSES"]
