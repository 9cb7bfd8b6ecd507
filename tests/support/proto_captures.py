"""Helpers for the proto tests: run the analyzer on captures, pick results by check id, TCP streams of a pcap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import DATA, run_cli

PCAPS = DATA.pcaps


def analyze(*args: str) -> tuple[int, dict[str, Any]]:
    """Run ``mptool proto analyze ARGS -f json``; returns the exit code and validated evidence."""
    result = run_cli(["proto", "analyze", *args, "-f", "json", "--no-progress"])
    assert result.exit_code in (0, 1), f"exit {result.exit_code}: {result.stderr}"
    return result.exit_code, result.json()


def results(evidence: dict[str, Any], check: str) -> list[dict[str, Any]]:
    """The results of one check id, in report order."""
    return [r for r in evidence["results"] if r["check"] == check]


def channels(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Measurements of every TLS/TLCP channel."""
    return [r["measurements"] for r in results(evidence, "proto.tls.channel")]



def tcp_streams(path: Path) -> dict[tuple[int, int], bytes]:
    """Each TCP direction's payload of a (loss-free) pcap, keyed by (source port, destination port)."""
    from scapy.all import IP, TCP, rdpcap  # type: ignore[attr-defined]

    segments: dict[tuple[int, int], dict[int, bytes]] = {}
    for packet in rdpcap(str(path)):
        if IP in packet and TCP in packet and bytes(packet[TCP].payload):
            segments.setdefault((packet[TCP].sport, packet[TCP].dport), {})[packet[TCP].seq] = bytes(packet[TCP].payload)
    return {key: b"".join(data for _, data in sorted(parts.items())) for key, parts in segments.items()}
