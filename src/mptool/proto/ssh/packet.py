"""SSH wire formats: the identification string (RFC 4253 §4.2), the binary packet (§6), the
data types of RFC 4251 §5 (uint32, string, mpint, name-list), SSH_MSG_KEXINIT (§7.1), the
KEX replies that carry the server host key (RFC 4253 §8, RFC 5656 §4, RFC 8731 §3, RFC 4419
§3) and public-key blobs (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4, OpenSSH PROTOCOL.certkeys).

Every parser raises :class:`~mptool.proto.wire.DecodeError` on malformed input and never reads
past its bounds: hostile peers and damaged captures are findings, not crashes.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from mptool.proto.wire import DecodeError

#: RFC 4253 §4.2: the identification line is at most 255 characters including CR LF.
MAX_BANNER = 255
#: Lines a server may send before its identification line (§4.2) that we accept.
MAX_PRE_BANNER_BYTES = 8192
#: RFC 4253 §6.1: implementations must handle packets of 35000 bytes; we accept up to 256 KiB.
MAX_PACKET = 256 * 1024
#: Name-lists longer than this are refused (real lists are a few hundred bytes).
MAX_NAME_LIST = 64 * 1024

MSG_DISCONNECT = 1
MSG_IGNORE = 2
MSG_UNIMPLEMENTED = 3
MSG_DEBUG = 4
MSG_KEXINIT = 20
MSG_NEWKEYS = 21
MSG_KEX_30 = 30  #: KEXDH_INIT / KEX_ECDH_INIT (RFC 4253 §8, RFC 5656 §4)
MSG_KEX_31 = 31  #: KEXDH_REPLY / KEX_ECDH_REPLY, or KEX_DH_GEX_GROUP (RFC 4419)
MSG_GEX_INIT = 32
MSG_GEX_REPLY = 33
MSG_GEX_REQUEST = 34

KEXINIT_LISTS = (
    "kex_algorithms",
    "server_host_key_algorithms",
    "encryption_algorithms_client_to_server",
    "encryption_algorithms_server_to_client",
    "mac_algorithms_client_to_server",
    "mac_algorithms_server_to_client",
    "compression_algorithms_client_to_server",
    "compression_algorithms_server_to_client",
    "languages_client_to_server",
    "languages_server_to_client",
)


class SSHReader:
    """RFC 4251 §5 data types from a bounded buffer."""

    __slots__ = ("data", "pos", "what")

    def __init__(self, data: bytes, what: str) -> None:
        self.data = bytes(data)
        self.pos = 0
        self.what = what

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def take(self, n: int) -> bytes:
        if n < 0 or n > self.remaining:
            raise DecodeError(f"{self.what}: truncated (needed {n} bytes at offset {self.pos}, have {self.remaining})")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def byte(self) -> int:
        return self.take(1)[0]

    def uint32(self) -> int:
        return int.from_bytes(self.take(4), "big")

    def string(self) -> bytes:
        return self.take(self.uint32())

    def mpint(self) -> int:
        return int.from_bytes(self.string(), "big", signed=True)

    def name_list(self) -> list[str]:
        raw = self.string()
        if len(raw) > MAX_NAME_LIST:
            raise DecodeError(f"{self.what}: name-list of {len(raw)} bytes (limit {MAX_NAME_LIST})")
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            raise DecodeError(f"{self.what}: name-list is not US-ASCII (RFC 4251 §6)") from None
        return [name for name in text.split(",")] if text else []


def ssh_string(data: bytes) -> bytes:
    """RFC 4251 §5 string: uint32 length + bytes."""
    return len(data).to_bytes(4, "big") + data


def ssh_mpint(value: int) -> bytes:
    """RFC 4251 §5 mpint (two's complement, minimal, big-endian)."""
    if value == 0:
        return ssh_string(b"")
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)
    return ssh_string(raw)


def name_list(names: list[str]) -> bytes:
    return ssh_string(",".join(names).encode("ascii"))


# --------------------------------------------------------------------------- banner


@dataclass(frozen=True)
class Banner:
    """``SSH-protoversion-softwareversion SP comments`` (RFC 4253 §4.2)."""

    line: str
    proto_version: str
    software: str
    comments: str
    pre_lines: int = 0  #: lines the peer sent before the identification line


def parse_banner(line: bytes, pre_lines: int = 0) -> Banner:
    """One identification line (without CR LF)."""
    if len(line) > MAX_BANNER:
        raise DecodeError(f"identification line of {len(line)} bytes (RFC 4253 §4.2 limit 255)")
    text = line.decode("ascii", "replace")
    if not text.startswith("SSH-"):
        raise DecodeError(f"identification line does not start with 'SSH-': {text[:40]!r}")
    head, _, comments = text.partition(" ")
    parts = head.split("-", 2)
    if len(parts) < 3 or not parts[1]:
        raise DecodeError(f"identification line has no protoversion-softwareversion: {text[:60]!r}")
    return Banner(text, parts[1], parts[2], comments, pre_lines)


def split_banner(data: bytes) -> tuple[Banner, int] | None:
    """The identification line at the start of ``data`` (after optional other lines), and the offset
    just after it; None when more bytes are needed. Raises DecodeError when it cannot be SSH."""
    pos, pre = 0, 0
    while True:
        end = data.find(b"\n", pos)
        if end < 0:
            if len(data) - pos > MAX_BANNER or pos > MAX_PRE_BANNER_BYTES:
                raise DecodeError("no SSH identification line within the first bytes")
            return None
        line = data[pos:end].rstrip(b"\r")
        if line.startswith(b"SSH-"):
            return parse_banner(line, pre), end + 1
        pre += 1
        pos = end + 1
        if pos > MAX_PRE_BANNER_BYTES:
            raise DecodeError("no SSH identification line within the first bytes")


# --------------------------------------------------------------------------- binary packet


def split_packet(data: bytes, pos: int = 0) -> tuple[bytes, int] | None:
    """The payload of the unencrypted binary packet at ``data[pos:]`` (RFC 4253 §6, no MAC before
    the first NEWKEYS) and the offset after it; None when more bytes are needed."""
    if len(data) - pos < 5:
        return None
    length = int.from_bytes(data[pos : pos + 4], "big")
    padding = data[pos + 4]
    if length < 5 or length > MAX_PACKET:
        raise DecodeError(f"binary packet length {length} out of range (RFC 4253 §6: 5..{MAX_PACKET})")
    if padding < 4 or padding > length - 1:
        raise DecodeError(f"padding length {padding} invalid for a packet of {length} bytes (RFC 4253 §6: at least 4)")
    end = pos + 4 + length
    if len(data) < end:
        return None
    return data[pos + 5 : end - padding], end


def make_packet(payload: bytes, block: int = 8) -> bytes:
    """An unencrypted binary packet (random padding is not needed before keys: zeros)."""
    padding = block - (len(payload) + 5) % block
    if padding < 4:
        padding += block
    length = len(payload) + padding + 1
    return length.to_bytes(4, "big") + bytes([padding]) + payload + bytes(padding)


# --------------------------------------------------------------------------- KEXINIT


@dataclass
class KexInit:
    """SSH_MSG_KEXINIT (RFC 4253 §7.1)."""

    cookie: bytes
    lists: dict[str, list[str]]
    first_kex_packet_follows: bool
    reserved: int

    def names(self, key: str) -> list[str]:
        return self.lists.get(key, [])


def parse_kexinit(payload: bytes) -> KexInit:
    r = SSHReader(payload, "SSH_MSG_KEXINIT")
    if r.byte() != MSG_KEXINIT:
        raise DecodeError("not an SSH_MSG_KEXINIT")
    cookie = r.take(16)
    lists = {key: r.name_list() for key in KEXINIT_LISTS}
    follows = r.byte() != 0
    reserved = r.uint32()
    return KexInit(cookie, lists, follows, reserved)


def build_kexinit(lists: dict[str, list[str]], cookie: bytes) -> bytes:
    out = bytes([MSG_KEXINIT]) + cookie
    for key in KEXINIT_LISTS:
        out += name_list(lists.get(key, []))
    return out + b"\x00" + bytes(4)


# --------------------------------------------------------------------------- host keys


@dataclass(frozen=True)
class HostKey:
    """A server public host key blob: its type, size and SHA-256 fingerprint (as ``ssh-keygen -l``)."""

    type: str
    bits: int | None
    fingerprint_sha256: str
    certificate: bool = False
    detail: str = ""  #: curve, or what could not be read

    def record(self) -> dict[str, object]:
        out: dict[str, object] = {"type": self.type, "bits": self.bits, "fingerprint_sha256": self.fingerprint_sha256, "certificate": self.certificate}
        if self.detail:
            out["detail"] = self.detail
        return out


def fingerprint(blob: bytes) -> str:
    """``SHA256:`` + unpadded base64 of SHA-256 over the key blob (OpenSSH's form)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


_CURVE_BITS = {"nistp256": 256, "nistp384": 384, "nistp521": 521}


def parse_host_key(blob: bytes) -> HostKey:
    """Type and size of a public key blob; unknown types keep their name with no size."""
    r = SSHReader(blob, "server host key")
    kind = r.string().decode("ascii", "replace")
    cert = kind.endswith("-cert-v01@openssh.com")
    if cert:
        r.string()  # nonce (PROTOCOL.certkeys)
    base = kind.replace("-cert-v01@openssh.com", "")
    bits: int | None = None
    detail = ""
    if base in ("ssh-rsa",):
        r.mpint()  # e
        bits = r.mpint().bit_length()
    elif base == "ssh-dss":
        bits = r.mpint().bit_length()  # p
    elif base.startswith("ecdsa-sha2-") or base.startswith("sk-ecdsa-sha2-"):
        detail = r.string().decode("ascii", "replace")
        bits = _CURVE_BITS.get(detail)
    elif base in ("ssh-ed25519", "sk-ssh-ed25519@openssh.com"):
        bits = 256 if len(r.string()) == 32 else None
    elif base == "ssh-ed448":
        bits = 456 if len(r.string()) == 57 else None
    else:
        detail = "key type not known to mptool: size not read"
    return HostKey(kind, bits, fingerprint(blob), cert, detail)


@dataclass
class KexReply:
    """What the server's key-exchange reply shows in clear (RFC 4253 §8, RFC 5656 §4, RFC 4419 §3)."""

    host_key_blob: bytes
    server_public: bytes  #: f (DH, as mpint bytes) or Q_S (ECDH / curve25519)
    signature: bytes
    signature_type: str = ""


def parse_kex_reply(payload: bytes, message: int) -> KexReply:
    """KEXDH_REPLY / KEX_ECDH_REPLY (31) or KEX_DH_GEX_REPLY (33): K_S, f or Q_S, signature."""
    r = SSHReader(payload, "SSH key-exchange reply")
    if r.byte() != message:
        raise DecodeError(f"not an SSH message {message}")
    blob = r.string()
    public = r.string()
    sig = r.string()
    sig_type = ""
    try:
        sig_type = SSHReader(sig, "signature").string().decode("ascii", "replace")
    except DecodeError:
        pass
    return KexReply(blob, public, sig, sig_type)


def parse_gex_group(payload: bytes) -> tuple[int, int]:
    """KEX_DH_GEX_GROUP (RFC 4419 §3): (p, g)."""
    r = SSHReader(payload, "SSH_MSG_KEX_DH_GEX_GROUP")
    if r.byte() != MSG_KEX_31:
        raise DecodeError("not a KEX_DH_GEX_GROUP")
    return r.mpint(), r.mpint()


def parse_disconnect(payload: bytes) -> tuple[int, str]:
    """SSH_MSG_DISCONNECT (RFC 4253 §11.1): reason code and description."""
    r = SSHReader(payload, "SSH_MSG_DISCONNECT")
    r.byte()
    code = r.uint32()
    text = r.string().decode("utf-8", "replace")
    return code, text[:200]

