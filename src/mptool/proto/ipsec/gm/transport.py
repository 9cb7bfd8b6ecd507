"""IKE and ESP on one UDP port with RFC 3948 framing: IKE datagrams start with the four-byte
non-ESP marker (zero), ESP packets with their (non-zero) SPI; a one-byte 0xFF datagram is a
NAT-keepalive and is ignored."""

from __future__ import annotations

import socket
import time

NON_ESP_MARKER = bytes(4)
DEFAULT_PORT = 4500


def classify(datagram: bytes) -> tuple[str, bytes] | None:
    """("ike", message) or ("esp", packet); None for keepalives and runts."""
    if datagram.startswith(NON_ESP_MARKER):
        return "ike", datagram[4:]
    if len(datagram) >= 8:
        return "esp", datagram
    return None


def classify_served(datagram: bytes, known_spis: object) -> tuple[str, bytes, bool] | None:
    """The responder's reading: (kind, body, framed). IKE with the non-ESP marker, ESP for an SPI
    of an SA (``known_spis`` supports ``in``), else plain IKE (RFC 2408 on its own port) when the
    header's version and length fit the datagram, else ESP (for an unknown SPI, dropped)."""
    if datagram.startswith(NON_ESP_MARKER):
        return "ike", datagram[4:], True
    if len(datagram) < 8:
        return None
    if datagram[:4] not in known_spis and len(datagram) >= 28 and datagram[17] >> 4 == 1 and int.from_bytes(datagram[24:28], "big") == len(datagram):  # type: ignore[operator]
        return "ike", datagram, False
    return "esp", datagram, False


def frame_ike(message: bytes) -> bytes:
    """An IKE message as sent on the encapsulation port."""
    return NON_ESP_MARKER + message


class UdpTransport:
    """The initiator's side: one connected-by-address UDP socket to the responder."""

    def __init__(self, host: str, port: int, deadline: float, framed: bool = True) -> None:
        self.framed = framed  #: False: plain IKE on its own port (RFC 2408, e.g. 500), every datagram is IKE
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.address = (host, port)
        self.deadline = deadline
        self.error: str | None = None

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()

    def _send(self, data: bytes) -> None:
        try:
            self.sock.sendto(data, self.address)
        except OSError as exc:
            self.error = f"cannot send: {exc.strerror or exc}"

    def send_ike(self, data: bytes) -> None:
        """Send an IKE message (with the non-ESP marker when framed)."""
        self._send(frame_ike(data) if self.framed else data)

    def send_esp(self, data: bytes) -> None:
        """Send an ESP packet."""
        self._send(data)

    def receive(self, timeout: float) -> tuple[str, bytes] | None:
        """The next IKE or ESP datagram from the responder, or None after ``timeout`` (or the deadline)."""
        ends = min(self.deadline, time.monotonic() + timeout)
        while True:
            left = ends - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data, source = self.sock.recvfrom(65535)
            except socket.timeout:
                return None
            except ConnectionRefusedError:
                self.error = "ICMP port unreachable: nothing listens on the port"
                return None
            except OSError as exc:
                self.error = f"socket error: {exc.strerror or exc}"
                return None
            if source[:2] != self.address[:2] and source[1] != self.address[1]:
                continue
            got = classify(data) if self.framed else ("ike", data)
            if got is not None:
                return got
