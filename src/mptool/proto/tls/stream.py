"""A TLS / TLCP connection rebuilt from its two reassembled TCP byte streams.

Record headers (RFC 5246 §6.2.1) are read from every byte; only handshake, alert and
change_cipher_spec records sent in clear are buffered and parsed. Application data and
encrypted records are skipped by length without being copied, which keeps bulk traffic cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mptool.proto.registry import tls as ids
from mptool.proto.tls.parse import (
    CertificateRequest,
    Hello,
    ServerKeyExchange,
    describe_client_key_exchange,
    parse_alerts,
    parse_certificate_list,
    parse_certificate_request,
    parse_certificate_verify,
    parse_hello,
    parse_server_key_exchange,
)
from mptool.proto.wire import DecodeError

MAX_RECORD = (1 << 14) + 2048
MAX_TRANSCRIPT = 1 << 20
CLIENT, SERVER = 0, 1
_VALID_TYPES = frozenset((20, 21, 22, 23, 24, 80))
_SERVER_FIRST = frozenset((2, 4, 12, 13, 14))  # handshake messages only a server sends


def looks_like_record(data: bytes) -> bool:
    """Whether ``data`` starts with a plausible TLS/TLCP record header."""
    if len(data) < 5 or data[0] not in _VALID_TYPES:
        return False
    major, minor = data[1], data[2]
    if not ((major == 3 and minor <= 4) or (major == 1 and minor == 1)):
        return False
    return 0 < int.from_bytes(data[3:5], "big") <= MAX_RECORD


def looks_like_client_hello(data: bytes) -> bool:
    """Whether ``data`` starts with a handshake record holding a ClientHello (TLS or TLCP)."""
    return len(data) >= 6 and data[0] == 22 and looks_like_record(data[:5]) and data[5] == 1


@dataclass
class Direction:
    """Per-direction record-layer state and counters."""

    header: bytes = b""
    body: list[bytes] = field(default_factory=list)
    body_needed: int = 0
    skip: int = 0
    current: tuple[int, int, int] | None = None  # content type, version, frame of the header
    hs_buffer: bytes = b""
    encrypted: bool = False  # after ChangeCipherSpec (TLS <= 1.2, TLCP) or TLS 1.3 keys
    synced: bool = True
    record_versions: set[int] = field(default_factory=set)
    records: int = 0
    app_records: int = 0
    app_bytes: int = 0
    encrypted_handshake: int = 0
    ccs: bool = False
    gaps: int = 0


class TLSConnection:
    """State of one TCP connection carrying TLS or TLCP."""

    def __init__(self, client: tuple[str, int], server: tuple[str, int], frame: int, direction_known: bool) -> None:
        self.client = client
        self.server = server
        self.direction_known = direction_known
        self.first_frame = frame
        self.last_frame = frame
        self.dirs = (Direction(), Direction())
        self.client_hellos: list[Hello] = []
        self.server_hellos: list[Hello] = []
        self.certificates: list[bytes] = []
        self.client_certificates: list[bytes] = []
        self.ske_body: bytes | None = None
        self.ske: ServerKeyExchange | None = None
        self.certificate_request: CertificateRequest | None = None
        self.client_key_exchange: dict[str, Any] | None = None
        self.certificate_verify: tuple[int | None, bytes] | None = None
        self.handshake_types: list[list[str]] = [[], []]
        self.alerts: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.tls13 = False
        self.first_client_encrypted_frame: int | None = None
        self._swapped = False
        self.starttls = False  #: TLS began after plaintext on the same connection (STARTTLS)
        self._transcript = bytearray()  # plaintext handshake messages in order (for CertificateVerify)
        self.verify_transcript: bytes | None = None  #: the messages before the CertificateVerify

    # ----------------------------------------------------------------- feeding
    def swap_roles(self) -> None:
        """The side first assumed to be the client sent a ServerHello: swap the roles."""
        self.client, self.server = self.server, self.client
        self.dirs = (self.dirs[1], self.dirs[0])
        self.handshake_types.reverse()
        self._swapped = True

    def feed(self, side: int, data: bytes, frame: int) -> None:
        """In-order bytes of direction ``side`` (CLIENT or SERVER)."""
        self.last_frame = frame
        d = self.dirs[side]
        pos, n = 0, len(data)
        while pos < n:
            if d.skip:
                take = min(d.skip, n - pos)
                d.skip -= take
                pos += take
                continue
            if d.body_needed:
                take = min(d.body_needed, n - pos)
                d.body.append(data[pos : pos + take])
                d.body_needed -= take
                pos += take
                if not d.body_needed:
                    ctype, version, hframe = d.current  # type: ignore[misc]
                    body, d.body = b"".join(d.body), []
                    self._record(side, ctype, version, body, hframe)
                    if self._swapped:  # the roles turned out the other way round
                        side, self._swapped = 1 - side, False
                continue
            if not d.synced:
                if not looks_like_record(data[pos : pos + 5]):
                    return  # wait for a segment that starts a record
                d.synced = True
            need = 5 - len(d.header)
            d.header += data[pos : pos + need]
            pos += min(need, n - pos)
            if len(d.header) < 5:
                continue
            header, d.header = d.header, b""
            if not looks_like_record(header):
                self.problems.append(f"frame {frame}: bytes that are not a TLS record header ({header.hex()}) in the {_side(side)} stream")
                d.synced = False
                continue
            ctype = header[0]
            version = int.from_bytes(header[1:3], "big")
            length = int.from_bytes(header[3:5], "big")
            d.records += 1
            d.record_versions.add(version)
            if ctype == 23 or (d.encrypted and ctype == 22):
                self._opaque(side, ctype, length, frame)
                d.skip = length
            elif d.encrypted and ctype == 21:
                self.alerts.append({"sender": _side(side), "level": "encrypted", "code": None, "name": "encrypted_alert", "frame": frame})
                d.skip = length
            else:
                d.current = (ctype, version, frame)
                d.body_needed = length

    def gap(self, side: int, missing: int, frame: int) -> None:
        """``missing`` bytes of direction ``side`` are not in the capture."""
        d = self.dirs[side]
        d.gaps += 1
        if d.skip >= missing and not d.header and not d.body_needed:
            d.skip -= missing  # the bytes lost lie inside application data being skipped anyway
            return
        d.header, d.body, d.body_needed, d.skip = b"", [], 0, 0
        d.synced = False
        self.problems.append(f"frame {frame}: {missing} bytes missing from the {_side(side)} stream (not captured)")

    def _opaque(self, side: int, ctype: int, length: int, frame: int) -> None:
        d = self.dirs[side]
        if ctype == 22:
            d.encrypted_handshake += 1
            return
        if self.tls13 and side == CLIENT and self.first_client_encrypted_frame is None:
            self.first_client_encrypted_frame = frame
            d.encrypted_handshake += 1  # the client's Finished
            return
        if self.tls13 and side == SERVER and self.first_client_encrypted_frame is None:
            d.encrypted_handshake += 1  # EncryptedExtensions .. Finished
            return
        d.app_records += 1
        d.app_bytes += length

    def _record(self, side: int, ctype: int, version: int, body: bytes, frame: int) -> None:
        d = self.dirs[side]
        if ctype == 20:
            d.ccs = True
            if not self.tls13:
                d.encrypted = True
        elif ctype == 21:
            try:
                pairs = parse_alerts(body)
            except DecodeError as exc:
                self.problems.append(f"frame {frame}: {exc}")
                return
            for level, code in pairs:
                self.alerts.append(
                    {
                        "sender": _side(side),
                        "level": ids.ALERT_LEVELS.get(level, f"unknown ({level})"),
                        "code": code,
                        "name": ids.alert_name(code),
                        "frame": frame,
                    }
                )
        elif ctype == 22:
            d.hs_buffer += body
            while len(d.hs_buffer) >= 4:
                mlen = int.from_bytes(d.hs_buffer[1:4], "big")
                if len(d.hs_buffer) < 4 + mlen:
                    break
                mtype, msg = d.hs_buffer[0], d.hs_buffer[4 : 4 + mlen]
                if mtype == 15 and self.verify_transcript is None:
                    self.verify_transcript = bytes(self._transcript)
                if mtype != 0 and len(self._transcript) < MAX_TRANSCRIPT:
                    self._transcript += d.hs_buffer[: 4 + mlen]
                d.hs_buffer = d.hs_buffer[4 + mlen :]
                try:
                    self._handshake(side, mtype, msg, frame)
                except DecodeError as exc:
                    self.problems.append(f"frame {frame}: malformed {ids.HANDSHAKE_TYPES.get(mtype, mtype)}: {exc}")

    def _handshake(self, side: int, mtype: int, msg: bytes, frame: int) -> None:
        if not self.direction_known and not self.client_hellos and not self.server_hellos:
            if (mtype == 1 and side == SERVER) or (mtype in _SERVER_FIRST and side == CLIENT):
                self.swap_roles()
                side = 1 - side
            self.direction_known = True
        self.handshake_types[side].append(ids.HANDSHAKE_TYPES.get(mtype, f"unknown ({mtype})"))
        version = self.version_code()
        if mtype == 1:
            self.client_hellos.append(parse_hello(msg, client=True))
        elif mtype == 2:
            hello = parse_hello(msg, client=False)
            self.server_hellos.append(hello)
            if 0x0304 in hello.supported_versions:
                self.tls13 = True
                if not hello.is_hrr:
                    self.dirs[SERVER].encrypted = True
                    self.dirs[CLIENT].encrypted = True
        elif mtype == 11:
            certs = parse_certificate_list(msg, tls13=self.tls13)
            if side == SERVER:
                self.certificates = certs
            else:
                self.client_certificates = certs
        elif mtype == 12 and self.server_hellos:
            self.ske_body = msg
            self.ske = parse_server_key_exchange(msg, self.server_hellos[-1].cipher_suites[0], version)
        elif mtype == 13:
            self.certificate_request = parse_certificate_request(msg, version)
        elif mtype == 16:
            suite = self.server_hellos[-1].cipher_suites[0] if self.server_hellos else 0
            self.client_key_exchange = describe_client_key_exchange(msg, suite, version)
        elif mtype == 15:
            self.certificate_verify = parse_certificate_verify(msg, version)

    # ----------------------------------------------------------------- results
    def version_code(self) -> int:
        """The negotiated version: supported_versions of TLS 1.3, else ServerHello.version."""
        if self.server_hellos:
            sh = self.server_hellos[-1]
            if sh.supported_versions:
                return sh.supported_versions[0]
            return sh.legacy_version
        versions = self.dirs[SERVER].record_versions | self.dirs[CLIENT].record_versions
        return max(versions) if versions else 0

    @property
    def suite(self) -> int | None:
        return self.server_hellos[-1].cipher_suites[0] if self.server_hellos else None

    def handshake_completed(self) -> bool:
        """Both sides switched to encryption and sent their (encrypted) Finished, no fatal alert before."""
        if not self.server_hellos or self.server_hellos[-1].is_hrr:
            return False
        c, s = self.dirs
        if self.tls13:
            return self.first_client_encrypted_frame is not None and s.encrypted_handshake > 0
        return c.ccs and s.ccs and c.encrypted_handshake > 0 and s.encrypted_handshake > 0


def _side(side: int) -> str:
    return "client" if side == CLIENT else "server"
