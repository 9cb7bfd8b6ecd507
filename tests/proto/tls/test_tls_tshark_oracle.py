"""Wireshark's dissector (Debian tshark) as an independent oracle on every bundled capture.

For each TCP connection tshark's ServerHello fields (suite, version, supported_version, key-share
group) and for each ISAKMP message its initiator SPI, exchange type and notify types must match
what mptool reports. Known gap of tshark (protocols.md §6): it does not decode TLCP key
exchanges, so those are compared with the SOURCES.md ground truth elsewhere, not here.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from support.proto_captures import PCAPS, analyze, channels, results
from support.peers import require

TLS_CAPTURES = ["tls12_tls13_openssl.pcap", "tlcp_gmssl_4suites.pcap", "tls12_sm_gmssl.pcap", "rfc8998_tls13_sm_gmssl.pcap", "tls_tcp_frag.pcap.gz"]
IKE_CAPTURES = [
    "ikev2_psk_esp_natt.pcap",
    "ikev1_main_psk_esp_natt.pcap",
    "ike-scan_main_handshake.pcap",
    "ike-scan_probes_vs_charon.pcap",
    "ikev1_gm0022_style_proposal_ike-scan.pcap",
    "ikev2_notify_redirect.pcap",
]


def _tshark(path: Path, display_filter: str, *fields: str) -> list[list[str]]:
    cmd = [require("tshark"), "-r", str(path), "-Y", display_filter, "-T", "fields", "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, timeout=120, check=True).stdout.decode()
    return [line.split("\t") for line in out.splitlines() if line]


@pytest.mark.parametrize("name", TLS_CAPTURES)
def test_server_hellos_match_tshark(name: str) -> None:
    rows = _tshark(PCAPS / name, "tls.handshake.type == 2", "tcp.srcport", "tcp.dstport", "tls.handshake.ciphersuite", "tls.handshake.version", "tls.handshake.extensions.supported_version", "tls.handshake.extensions_key_share_group")
    expected = set()
    for sport, dport, suite, version, supported, group in rows:
        expected.add((int(sport), int(dport), int(suite, 16), int(supported or version, 16), int(group) if group else None))
    assert expected, "tshark found no ServerHello"
    _, ev = analyze(str(PCAPS / name), "--no-cert-checks")
    from mptool.proto.registry import tls as ids

    versions = {v: k for k, v in ids.VERSIONS.items()}
    groups = {v: k for k, v in ids.GROUPS.items()}
    got = {
        (int(c["server"].rsplit(":", 1)[1]), int(c["client"].rsplit(":", 1)[1]), int(c["cipher_suite"]["id"], 16), versions[c["version"]], groups.get(c.get("key_share_group")))
        for c in channels(ev)
    }
    assert got == expected


@pytest.mark.parametrize("name", IKE_CAPTURES)
def test_isakmp_matches_tshark(name: str) -> None:
    rows = _tshark(PCAPS / name, "isakmp", "isakmp.ispi", "isakmp.exchangetype", "isakmp.notify.msgtype")
    expected_exchanges: dict[str, list[int]] = defaultdict(list)
    expected_notifies: dict[str, list[int]] = defaultdict(list)
    for ispi, exchange, notifies in rows:
        expected_exchanges[ispi].append(int(exchange))
        expected_notifies[ispi] += [int(n) for n in notifies.split(",") if n]
    _, ev = analyze(str(PCAPS / name))
    ike = [r["measurements"] for r in results(ev, "proto.ike.exchange")]
    assert {m["initiator_spi"] for m in ike} == set(expected_exchanges)
    for m in ike:
        assert sum(e["messages"] for e in m["exchanges"]) == len(expected_exchanges[m["initiator_spi"]])
        # tshark decodes notifies only in clear messages, as mptool does
        assert sorted(n["type"] for n in m["notifies"]) == sorted(expected_notifies[m["initiator_spi"]])


def test_gm_attributes_match_tshark() -> None:
    """tshark knows the GM/T 0022 phase-1 values (129/128 SM4/SM1, 20 SM3, attribute 20 = 2 SM2)."""
    name = PCAPS / "ikev1_gm0022_style_proposal_ike-scan.pcap"
    (row,) = [r for r in _tshark(name, "isakmp.ike.attr.encryption_algorithm", "isakmp.ike.attr.encryption_algorithm", "isakmp.ike.attr.hash_algorithm", "isakmp.ike.attr.authentication_method", "isakmp.ike.attr.asymmetric_cryptographic_algorithm_type")]
    expected = [tuple(int(v) for v in values) for values in zip(*(field.split(",") for field in row))]
    _, ev = analyze(str(name))
    (ike,) = [r["measurements"] for r in results(ev, "proto.ike.exchange")]
    got = [tuple({a["type"]: a["value"] for a in t["attributes"]}[k] for k in (1, 2, 3, 20)) for t in ike["proposals"][0]["transforms"]]
    assert got == expected == [(129, 20, 10, 2), (128, 20, 10, 2)]


@pytest.mark.parametrize("name", [n for n in TLS_CAPTURES if not n.endswith(".gz")])
def test_record_headers_match_tshark(name: str) -> None:
    """Every record tshark dissects is one record of the codec's framing, with the same version and
    length, and passes the one record-header test (docs/proto.md, "One TLS/TLCP codec"). Content
    types are not compared: tshark names TLS 1.3's outer type ``opaque_type``."""
    from support.proto_captures import tcp_streams

    from mptool.proto.tls.record import looks_like_record_header, parse_records

    expected: defaultdict[tuple[int, int], int] = defaultdict(int)
    for versions, lengths in _tshark(PCAPS / name, "tls.record", "tls.record.version", "tls.record.length"):
        for version, length in zip(versions.split(","), lengths.split(","), strict=True):
            expected[(int(version, 16), int(length))] += 1
    assert expected, "tshark found no TLS record"
    ours: defaultdict[tuple[int, int], int] = defaultdict(int)
    for stream in tcp_streams(PCAPS / name).values():
        records, tail = parse_records(stream)
        for record in records:
            assert looks_like_record_header(record.encode()[:5])
            ours[(record.version, len(record.fragment))] += 1
    assert ours == expected
