"""TCP reassembly on real traffic re-segmented: records split over many segments, several records
per segment, segments out of order and retransmitted (also partially overlapping).

The reference is the analysis of the unmodified capture; the re-segmented captures keep every
byte of each TCP stream, so the results must be identical.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from support.proto_captures import PCAPS, analyze, channels, results
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.utils import PcapWriter, rdpcap

CAPTURES = ["tlcp_gmssl_4suites.pcap", "tls12_tls13_openssl.pcap", "rfc8998_tls13_sm_gmssl.pcap"]


def _resegment(src: Path, dst: Path, seed: int, max_piece: int, coalesce: bool) -> None:
    """Rewrite ``src``: each data segment cut into pieces (or merged with the next ones), pieces of a
    direction swapped locally, some sent twice or overlapping the previous piece."""
    rng = random.Random(seed)
    packets = rdpcap(str(src))
    out: list = []
    pending: dict[tuple, list] = {}
    for pkt in packets:
        if TCP not in pkt:
            continue
        ip, tcp = pkt[IP], pkt[TCP]
        data = bytes(tcp.payload)
        key = (ip.src, tcp.sport, ip.dst, tcp.dport)
        if not data:
            out.append(pkt)
            continue
        for other in [k for k in pending if k != key]:  # keep causality: flush the other direction first
            _flush(out, other, pending.pop(other))
        pieces = []
        pos = 0
        while pos < len(data):
            size = rng.randint(1, max_piece)
            pieces.append((tcp.seq + pos, data[pos : pos + size]))
            pos += size
        if coalesce and rng.random() < 0.5:
            pending.setdefault(key, []).extend(pieces)
            continue
        pieces = pending.pop(key, []) + pieces
        if coalesce:
            merged = b"".join(p for _, p in pieces)
            pieces = [(pieces[0][0], merged)]
        for i in range(len(pieces) - 1):
            if rng.random() < 0.3:
                pieces[i], pieces[i + 1] = pieces[i + 1], pieces[i]
        for seq, piece in pieces:
            segment = Ether(src=pkt[Ether].src, dst=pkt[Ether].dst) / IP(src=ip.src, dst=ip.dst) / TCP(sport=tcp.sport, dport=tcp.dport, seq=seq, ack=tcp.ack, flags="PA") / piece
            out.append(segment)
            if rng.random() < 0.15:
                out.append(segment.copy())  # retransmission
            if rng.random() < 0.1 and len(piece) > 2:
                overlap = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=ip.src, dst=ip.dst) / TCP(sport=tcp.sport, dport=tcp.dport, seq=seq + 1, ack=tcp.ack, flags="PA") / piece[1:]
                out.append(overlap)  # partial overlap of bytes already delivered
    for key, pieces in pending.items():  # coalesced data not followed by another segment
        _flush(out, key, pieces)
    with PcapWriter(str(dst), linktype=1) as w:
        for pkt in out:
            w.write(pkt)


def _flush(out: list, key: tuple, pieces: list) -> None:
    ip_src, sport, ip_dst, dport = key
    merged = b"".join(p for _, p in pieces)
    out.append(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=ip_src, dst=ip_dst) / TCP(sport=sport, dport=dport, seq=pieces[0][0], flags="PA") / merged)


def _essence(ev: dict) -> list[tuple]:
    return [
        (
            c["client"], c["server"], c["version"], c["cipher_suite"]["id"], c["sni"],
            tuple(x["sha256"] for x in c["certificates"]), tuple(x["sha256"] for x in c["client_certificates"]),
            tuple(c["handshake_messages"]["client"]), tuple(c["handshake_messages"]["server"]),
            c["handshake_completed"], c["application_data"]["client_bytes"], c["application_data"]["server_bytes"], c["verdict"],
        )
        for c in channels(ev)
    ] + [r["measurements"]["outcome"] for r in results(ev, "proto.tls.ske_signature")]


@pytest.mark.parametrize("name", CAPTURES)
@pytest.mark.parametrize(("seed", "max_piece", "coalesce"), [(1, 7, False), (2, 90, False), (3, 400, True)])
def test_resegmented_capture_gives_same_results(tmp_path: Path, name: str, seed: int, max_piece: int, coalesce: bool) -> None:
    reference = _essence(analyze(str(PCAPS / name), "--no-cert-checks")[1])
    assert reference
    modified = tmp_path / f"reseg-{seed}.pcap"
    _resegment(PCAPS / name, modified, seed, max_piece, coalesce)
    _, ev = analyze(str(modified), "--no-cert-checks")
    assert _essence(ev) == reference
    assert all(not any(f["code"] == "proto.tls.stream_problem" for f in r["findings"]) for r in results(ev, "proto.tls.channel"))


def test_lost_segment_inside_application_data(tmp_path: Path) -> None:
    """A segment missing from the middle of a bulk record (a tcpdump drop): counted as a gap, and
    parsing goes on without resynchronising because the lost bytes were to be skipped anyway."""
    packets = rdpcap(str(PCAPS / "tls12_tls13_openssl.pcap"))
    out = []
    for p in packets:
        # the server's 4297-byte application-data segment of the first connection (frame 11)
        if TCP in p and p[TCP].sport == 14433 and p[TCP].dport == 50972 and len(bytes(p[TCP].payload)) > 4000:
            data, seq = bytes(p[TCP].payload), p[TCP].seq
            for offset, piece in ((0, data[:1000]), (2000, data[2000:])):  # bytes 1000..1999 are lost
                out.append(Ether(src=p[Ether].src, dst=p[Ether].dst) / IP(src=p[IP].src, dst=p[IP].dst) / TCP(sport=14433, dport=50972, seq=seq + offset, ack=p[TCP].ack, flags="PA") / piece)
        else:
            out.append(p)
    path = tmp_path / "lost.pcap"
    with PcapWriter(str(path), linktype=1) as w:
        for p in out:
            w.write(p)
    _, ev = analyze(str(path), "--no-cert-checks")
    first = results(ev, "proto.tls.channel")[0]
    m = first["measurements"]
    assert m["gaps"] == 1 and m["cipher_suite"]["id"] == "0xC02F" and m["handshake_completed"]
    assert not [f for f in first["findings"] if f["code"] == "proto.tls.stream_problem"]
    assert [a["name"] for a in m["alerts"]] == ["encrypted_alert", "encrypted_alert"]  # records after the gap still read
    assert [c["cipher_suite"]["id"] for c in channels(ev)[1:]] == ["0x003D", "0x1302", "0x1303"]
