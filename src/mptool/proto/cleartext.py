"""Conversations without cryptography: which application protocol, and credentials seen in clear.

A TCP connection whose first bytes are neither a TLS record nor an SSH banner is watched here
(the first :data:`WINDOW` bytes of each direction): the application protocol is recognised by
content (HTTP request line or status line, Telnet IAC negotiation, FTP/SMTP/POP3/IMAP greetings
and commands, the MySQL v10 greeting, the PostgreSQL StartupMessage, RESP for Redis, an LDAP
BindRequest), the well-known port only as a fallback; authentication data is flagged by its
**kind, frame and length only — the value is never kept**, not even hashed (a hash of a short
password is a dictionary attack away from the password). Credentials seen several times are
grouped by an HMAC under a key drawn at random for each analysis and discarded, so the evidence
says "the same secret again" without anything that can be recomputed from the secret.

Sources of the layouts: RFC 9110 §11.6.2 / RFC 7617 (Authorization: Basic), WHATWG HTML
§4.10.21.6 (application/x-www-form-urlencoded), RFC 854/857 (Telnet, IAC 255), RFC 959 §4.1.1
(FTP USER/PASS), RFC 1939 (POP3 USER/PASS/APOP), RFC 9051 §6.2.3 (IMAP LOGIN), RFC 4954 (SMTP
AUTH), RFC 4511 §4.2 (LDAP BindRequest, simple [0]), PostgreSQL protocol 3.0 "Message Formats"
(StartupMessage 196608, SSLRequest 80877103, PasswordMessage 'p'), MySQL client/server protocol
(Protocol::HandshakeV10, HandshakeResponse41, CLIENT_SSL 0x0800), Redis RESP (AUTH).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

#: Bytes of each direction inspected per connection.
WINDOW = 16384

#: Fallback names by well-known server port (used only when the content says nothing).
PORTS = {
    20: "FTP-DATA", 21: "FTP", 23: "Telnet", 25: "SMTP", 53: "DNS", 69: "TFTP", 80: "HTTP", 110: "POP3", 123: "NTP",
    143: "IMAP", 161: "SNMP", 162: "SNMP-trap", 389: "LDAP", 513: "rlogin", 514: "syslog/rsh", 587: "SMTP", 1433: "MSSQL",
    1521: "Oracle", 1812: "RADIUS", 3306: "MySQL", 3389: "RDP", 5432: "PostgreSQL", 5900: "VNC", 6379: "Redis", 8080: "HTTP",
}
#: Protocols recognised by content (a "recognised" application protocol is judged weak).
RECOGNISED = ("HTTP", "Telnet", "FTP", "SMTP", "POP3", "IMAP", "LDAP", "MySQL", "PostgreSQL", "Redis")
#: Protocols used for logging in to / managing devices remotely (DEV-RMGT candidates).
MANAGEMENT = frozenset({"Telnet", "FTP", "rlogin", "VNC"})

_HTTP_METHODS = re.compile(rb"^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE) \S+ HTTP/1\.[01]\r?\n")
_SECRET_FIELD = re.compile(r"pass|pwd|secret|token|credential|passcode|pin$", re.I)
_KEY = os.urandom(32)  # per process; see the module docstring


def _group(secret: bytes) -> str:
    return hmac.new(_KEY, secret, hashlib.sha256).hexdigest()


@dataclass
class Credential:
    """One credential seen in clear: what kind, where, how long — never the value."""

    kind: str
    frame: int
    length: int
    field: str | None = None
    group: str = ""  #: HMAC under a discarded random key; replaced by a small number in the evidence

    def record(self, number: int) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "frame": self.frame, "length": self.length, "same_secret_as": number}
        if self.field:
            out["field"] = self.field
        return out


@dataclass
class Side:
    data: bytearray = field(default_factory=bytearray)
    frames: list[tuple[int, int]] = field(default_factory=list)  #: (offset, frame) where each chunk began

    def frame_at(self, offset: int) -> int:
        frame = self.frames[0][1] if self.frames else 0
        for start, f in self.frames:
            if start > offset:
                break
            frame = f
        return frame


class Inspector:
    """The first bytes of both directions of one non-TLS, non-SSH TCP connection."""

    def __init__(self) -> None:
        self.sides = (Side(), Side())

    def feed(self, side: int, data: bytes, frame: int) -> None:
        s = self.sides[side]
        room = WINDOW - len(s.data)
        if room > 0 and data:
            s.frames.append((len(s.data), frame))
            s.data += data[:room]

    def wants_more(self) -> bool:
        return any(len(s.data) < WINDOW for s in self.sides)

    def analyse(self, client: int, server_port: int) -> tuple[str, bool, list[Credential]]:
        """(application protocol, recognised by content, credentials)."""
        c, s = self.sides[client], self.sides[1 - client]
        cd, sd = bytes(c.data), bytes(s.data)
        proto = _recognise(cd, sd, server_port)
        recognised = proto is not None
        if proto is None:
            proto = PORTS.get(server_port, "raw")
        creds = _CREDENTIALS.get(proto, lambda *_: [])(c, s)
        return proto, recognised, creds


def _recognise(cd: bytes, sd: bytes, port: int) -> str | None:
    if _HTTP_METHODS.match(cd) or sd.startswith(b"HTTP/1."):
        return "HTTP"
    if (cd[:1] == b"\xff" and cd[1:2] in b"\xfb\xfc\xfd\xfe" and cd[1:2]) or (sd[:1] == b"\xff" and sd[1:2] and sd[1:2] in b"\xfb\xfc\xfd\xfe"):
        return "Telnet"
    if len(sd) >= 5 and sd[3] == 0 and sd[4] == 10 and int.from_bytes(sd[:3], "little") + 4 <= len(sd) + 4 and b"\x00" in sd[5:40]:
        return "MySQL"
    if len(cd) >= 8 and int.from_bytes(cd[4:8], "big") == 196608 and 8 < int.from_bytes(cd[:4], "big") <= 10000:
        return "PostgreSQL"
    if cd[:1] == b"*" and re.match(rb"^\*\d+\r\n\$\d+\r\n", cd):
        return "Redis"
    upper = cd[:64].upper()
    if sd.startswith(b"+OK") or upper.startswith((b"APOP ", b"CAPA\r")):
        return "POP3"
    if sd.startswith(b"* OK") or re.match(rb"^\S+ (LOGIN|CAPABILITY|AUTHENTICATE) ", upper):
        return "IMAP"
    if sd.startswith(b"220") and upper.startswith((b"EHLO", b"HELO")):
        return "SMTP"
    if sd.startswith(b"220") and (upper.startswith((b"USER ", b"AUTH ", b"FEAT", b"SYST")) or port == 21):
        return "FTP"
    if sd.startswith(b"220") and port in (25, 587):
        return "SMTP"
    if cd[:1] == b"\x30" and _ldap_bind(cd) is not None:
        return "LDAP"
    return None


def _lines(side: Side) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    data = bytes(side.data)
    for line in data.split(b"\n"):
        out.append((pos, line.rstrip(b"\r")))
        pos += len(line) + 1
    return out


def _cred(side: Side, offset: int, kind: str, secret: bytes, field_name: str | None = None) -> Credential:
    return Credential(kind, side.frame_at(offset), len(secret), field_name, _group(secret))


def _http(c: Side, s: Side) -> list[Credential]:
    out = []
    data = bytes(c.data)
    for match in re.finditer(rb"(?im)^(authorization|proxy-authorization):[ \t]*(\S+)[ \t]*([^\r\n]*)", data):
        scheme = match.group(2).decode("ascii", "replace")
        out.append(_cred(c, match.start(), f"HTTP {match.group(1).decode().title()} {scheme}", match.group(3)))
    for request in re.finditer(rb"(?m)^(GET|POST|PUT|PATCH) (\S+) HTTP/1\.[01]\r?\n", data):
        target = request.group(2)
        if b"?" in target:
            out += _form(c, request.start(), target.split(b"?", 1)[1], "HTTP query parameter")
        if request.group(1) == b"GET":
            continue
        head_end = data.find(b"\r\n\r\n", request.end())
        if head_end < 0:
            continue
        head = data[request.start() : head_end]
        length = re.search(rb"(?im)^content-length:[ \t]*(\d+)", head)
        ctype = re.search(rb"(?im)^content-type:[ \t]*([^\r\n;]+)", head)
        body = data[head_end + 4 : head_end + 4 + (int(length.group(1)) if length else 0)]
        kind = ctype.group(1).strip().lower() if ctype else b""
        if kind == b"application/x-www-form-urlencoded":
            out += _form(c, head_end + 4, body, "HTTP form field")
        elif kind == b"application/json":
            for m in re.finditer(rb'"([A-Za-z0-9_.-]+)"\s*:\s*"((?:[^"\\]|\\.)*)"', body):
                name = m.group(1).decode()
                if _SECRET_FIELD.search(name):
                    out.append(_cred(c, head_end + 4 + m.start(), "HTTP JSON field", m.group(2), name))
        elif kind.startswith(b"multipart/form-data"):
            for m in re.finditer(rb'name="([^"]+)"\r\n\r\n([^\r]*)\r\n', body):
                name = m.group(1).decode("utf-8", "replace")
                if _SECRET_FIELD.search(name):
                    out.append(_cred(c, head_end + 4 + m.start(), "HTTP multipart field", m.group(2), name))
    return out


def _form(c: Side, offset: int, body: bytes, kind: str) -> list[Credential]:
    out = []
    for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
        if _SECRET_FIELD.search(name):
            out.append(Credential(kind, c.frame_at(offset), len(value.encode("latin-1")), unquote_plus(name), _group(value.encode("latin-1"))))
    return out


def _command(kind: str, *commands: bytes) -> Any:
    """Line protocols: ``COMMAND secret`` (the rest of the line after the command word)."""

    def scan(c: Side, s: Side) -> list[Credential]:
        out = []
        for offset, line in _lines(c):
            upper = line.upper()
            for cmd in commands:
                if upper.startswith(cmd + b" "):
                    out.append(_cred(c, offset, f"{kind} {cmd.decode()}", line[len(cmd) + 1 :]))
        return out

    return scan


def _imap(c: Side, s: Side) -> list[Credential]:
    out = []
    for offset, line in _lines(c):
        m = re.match(rb"^\S+ (LOGIN|AUTHENTICATE) (.*)$", line, re.I)
        if m:
            out.append(_cred(c, offset, f"IMAP {m.group(1).upper().decode()}", m.group(2)))
    return out


def _telnet_text(data: bytes) -> bytes:
    """Telnet data without IAC commands and option negotiation (RFC 854)."""
    out, i = bytearray(), 0
    while i < len(data):
        b = data[i]
        if b == 255 and i + 1 < len(data):
            cmd = data[i + 1]
            if cmd == 255:
                out.append(255)
                i += 2
            elif cmd == 250:  # subnegotiation until IAC SE
                end = data.find(b"\xff\xf0", i)
                i = end + 2 if end >= 0 else len(data)
            elif 251 <= cmd <= 254:
                i += 3
            else:
                i += 2
        else:
            out.append(b)
            i += 1
    return bytes(out)


def _telnet(c: Side, s: Side) -> list[Credential]:
    """The client's line typed after the server's first "Password:" prompt (its length only)."""
    server = _telnet_text(bytes(s.data))
    prompt = re.search(rb"(?i)pass(word|code)?\s*:", server)
    if not prompt:
        return []
    # the server's bytes up to the prompt correspond, in time, to a frame: the client's typing after it
    prompt_frame = s.frame_at(_raw_offset(bytes(s.data), prompt.end()))
    chunks = [(off, f) for off, f in c.frames if f > prompt_frame]
    if not chunks:
        return []
    start = chunks[0][0]
    typed = _telnet_text(bytes(c.data[start:]))
    line = re.split(rb"[\r\n\x00]", typed, maxsplit=1)[0]
    return [Credential("Telnet password (typed after the server's password prompt)", chunks[0][1], len(line), None, _group(line))]


def _raw_offset(data: bytes, text_offset: int) -> int:
    """Offset in raw Telnet bytes of the ``text_offset``-th data byte."""
    count, i = 0, 0
    while i < len(data) and count < text_offset:
        i += 3 if data[i] == 255 and i + 1 < len(data) and 251 <= data[i + 1] <= 254 else 1
        count += 1
    return i


def _postgres(c: Side, s: Side) -> list[Credential]:
    data = bytes(c.data)
    out = []
    if len(data) < 8:
        return out
    pos = int.from_bytes(data[:4], "big")  # after the StartupMessage
    while pos + 5 <= len(data):
        tag, length = data[pos : pos + 1], int.from_bytes(data[pos + 1 : pos + 5], "big")
        if length < 4:
            break
        if tag == b"p":
            body = data[pos + 5 : pos + 1 + length]
            secret = body.rstrip(b"\x00")
            kind = "PostgreSQL PasswordMessage (" + ("MD5 hash" if secret.startswith(b"md5") and len(secret) == 35 else "SASL/SCRAM" if b"SCRAM" in secret[:20] else "cleartext password") + ")"
            out.append(_cred(c, pos, kind, secret))
        pos += 1 + length
    return out


def _mysql(c: Side, s: Side) -> list[Credential]:
    data = bytes(c.data)
    if len(data) < 36:
        return []
    length = int.from_bytes(data[:3], "little")
    body = data[4 : 4 + length]
    caps = int.from_bytes(body[:4], "little")
    if caps & 0x0800 or len(body) < 33:  # CLIENT_SSL: an SSLRequest, TLS follows (STARTTLS path)
        return []
    end = body.find(b"\x00", 32)
    if end < 0:
        return []
    rest = body[end + 1 :]
    auth = rest[1 : 1 + rest[0]] if rest and caps & 0x8000 else rest.split(b"\x00", 1)[0]  # CLIENT_SECURE_CONNECTION
    return [_cred(c, 0, "MySQL HandshakeResponse auth response (scrambled password)", auth, "auth_response")] if auth else []


def _redis(c: Side, s: Side) -> list[Credential]:
    out = []
    data = bytes(c.data)
    for m in re.finditer(rb"\*(\d+)\r\n\$4\r\nAUTH\r\n((?:\$\d+\r\n[^\r]*\r\n)+)", data, re.I):
        args = re.findall(rb"\$\d+\r\n([^\r]*)\r\n", m.group(2))
        if args:
            out.append(_cred(c, m.start(), "Redis AUTH", args[-1]))
    return out


def _ldap_bind(data: bytes) -> bytes | None:
    """The simple-bind password of an LDAPMessage BindRequest, or None (RFC 4511 §4.2)."""
    try:
        pos, _ = _ber_header(data, 0, 0x30)
        pos, mid_len = _ber_header(data, pos, 0x02)
        pos += mid_len
        pos, _ = _ber_header(data, pos, 0x60)
        pos, vlen = _ber_header(data, pos, 0x02)
        pos += vlen
        pos, nlen = _ber_header(data, pos, 0x04)
        pos += nlen
        if data[pos] != 0x80:
            return None
        pos, plen = _ber_header(data, pos, 0x80)
        return data[pos : pos + plen]
    except (IndexError, ValueError):
        return None


def _ber_header(data: bytes, pos: int, tag: int) -> tuple[int, int]:
    if data[pos] != tag:
        raise ValueError("tag")
    n = data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        if not 0 < k <= 3:
            raise ValueError("length")
        n = int.from_bytes(data[pos : pos + k], "big")
        pos += k
    return pos, n


def _ldap(c: Side, s: Side) -> list[Credential]:
    secret = _ldap_bind(bytes(c.data))
    return [_cred(c, 0, "LDAP simple bind password", secret)] if secret else []


_CREDENTIALS: dict[str, Any] = {
    "HTTP": _http,
    "FTP": _command("FTP", b"PASS"),
    "POP3": _command("POP3", b"PASS", b"APOP"),
    "SMTP": _command("SMTP", b"AUTH"),
    "IMAP": _imap,
    "Telnet": _telnet,
    "PostgreSQL": _postgres,
    "MySQL": _mysql,
    "Redis": _redis,
    "LDAP": _ldap,
}
