"""The TLS / TLCP record layer: header, content types, size limit and framing.

The record header is the same in SSL 3.0, TLS 1.0-1.3 and TLCP (RFC 5246 §6.2.1, RFC 8446 §5.1,
GB/T 38636-2020 §6.3): content type (1 byte), protocol version (2 bytes), length (2 bytes).
What counts as a record header is decided once here (:func:`looks_like_record_header`), for the
analyzer, the prober and the TLCP endpoint alike; docs/proto.md ("One TLS/TLCP codec") gives
the reasons.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from mptool.proto.registry import tls as ids

CHANGE_CIPHER_SPEC = 20
ALERT = 21
HANDSHAKE = 22
APPLICATION_DATA = 23
HEARTBEAT = 24  #: RFC 6520
SITE2SITE = 80  #: GB/T 38636 gateway-to-gateway records
#: Every content type a record may carry (the registry's table: RFC 5246, RFC 6520, GB/T 38636).
CONTENT_TYPES = frozenset(ids.CONTENT_TYPES)

HEADER_LENGTH = 5
#: RFC 5246 §6.2.3: a TLSCiphertext fragment is at most 2^14 + 2048 bytes; anything above is not TLS.
MAX_RECORD = (1 << 14) + 2048
#: Record-layer versions: SSL 3.0 to TLS 1.3 (major 3, RFC 5246 Appendix E, RFC 8446 §5.1) and TLCP 1.1.
_MAX_TLS_MINOR = 4


@dataclass(frozen=True)
class Record:
    """One record: content type, protocol version and the (possibly protected) fragment."""

    content_type: int
    version: int
    fragment: bytes

    def encode(self) -> bytes:
        """The record on the wire."""
        return bytes([self.content_type]) + self.version.to_bytes(2, "big") + len(self.fragment).to_bytes(2, "big") + self.fragment


#: The record header: content type, version, fragment length.
RECORD_HEADER = struct.Struct("!BHH")


def header_fields(header: bytes) -> tuple[int, int, int]:
    """(content type, version, fragment length) of a 5-byte record header."""
    return header[0], int.from_bytes(header[1:3], "big"), int.from_bytes(header[3:5], "big")


def looks_like_record_header(header: bytes) -> bool:
    """Whether ``header`` starts with a TLS/TLCP record header (:func:`valid_header_fields`)."""
    if len(header) < HEADER_LENGTH:
        return False
    return valid_header_fields(*RECORD_HEADER.unpack_from(header))


def valid_header_fields(ctype: int, version: int, length: int) -> bool:
    """Whether the fields of a 5-byte header (:data:`RECORD_HEADER`) make a TLS/TLCP record header.

    A known content type, version 3.0-3.4 or TLCP 1.1 (0x0101), a length of at most
    :data:`MAX_RECORD`, and a length of at least 1 except for application data: RFC 5246 §6.2.1
    and RFC 8446 §5.1 forbid zero-length handshake, alert and change_cipher_spec fragments and
    allow zero-length application data.
    """
    if ctype not in CONTENT_TYPES:
        return False
    if not ((version >> 8 == 3 and version & 0xFF <= _MAX_TLS_MINOR) or version == ids.TLCP_VERSION):
        return False
    return (length > 0 or ctype == APPLICATION_DATA) and length <= MAX_RECORD


def looks_like_client_hello(data: bytes) -> bool:
    """Whether ``data`` starts with a handshake record holding a ClientHello (TLS or TLCP)."""
    return len(data) > HEADER_LENGTH and data[0] == HANDSHAKE and looks_like_record_header(data) and data[HEADER_LENGTH] == 1


def parse_records(data: bytes) -> tuple[list[Record], bytes]:
    """Split a byte stream into complete records; returns them and the incomplete tail."""
    records: list[Record] = []
    pos = 0
    while len(data) - pos >= HEADER_LENGTH:
        ctype, version, length = header_fields(data[pos : pos + HEADER_LENGTH])
        if len(data) - pos < HEADER_LENGTH + length:
            break
        records.append(Record(ctype, version, data[pos + HEADER_LENGTH : pos + HEADER_LENGTH + length]))
        pos += HEADER_LENGTH + length
    return records, data[pos:]
