"""Cleartext logins of SMTP (AUTH PLAIN, RFC 4954 §4), POP3 (USER/PASS, RFC 1939 §7), IMAP (LOGIN,
RFC 9051 §6.2.3), LDAP (simple BindRequest, RFC 4511 §4.2) and Redis (AUTH in RESP) on real
loopback sockets, captured by tcpdump; transcripts scripted from the RFCs. Each login is flagged
with its kind and length, and the secret is absent from the evidence bytes (text, base64)."""

from __future__ import annotations

import base64
import json
import secrets
import time
from pathlib import Path

import pytest

from conftest import run_cli
from support.peers import free_port, tcpdump
from support.scripted import exchange

pytestmark = pytest.mark.network


def _ber(tag: int, body: bytes) -> bytes:
    assert len(body) < 128
    return bytes([tag, len(body)]) + body


def _ldap_bind(dn: bytes, password: bytes) -> bytes:
    request = _ber(0x02, b"\x03") + _ber(0x04, dn) + _ber(0x80, password)  # version 3, name, simple [0]
    return _ber(0x30, _ber(0x02, b"\x01") + _ber(0x60, request))


LDAP_BIND_OK = _ber(0x30, _ber(0x02, b"\x01") + _ber(0x61, b"\x0a\x01\x00\x04\x00\x04\x00"))  # BindResponse success


def _redis(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


@pytest.fixture(scope="module")
def mail_capture(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, int]]:
    tmp = tmp_path_factory.mktemp("mail")
    secrets_ = {name: "Pw" + secrets.token_hex(8) for name in ("smtp", "pop3", "imap", "ldap", "redis")}
    ports = {name: free_port() for name in secrets_}
    plain = base64.b64encode(b"\x00admin\x00" + secrets_["smtp"].encode())
    capture = tmp / "mail.pcap"
    with tcpdump(capture, " or ".join(f"tcp port {p}" for p in ports.values())):
        time.sleep(1.5)  # tcpdump says "listening" a moment before its filter is attached
        exchange(ports["smtp"], [
            ("s", b"220 mail.lab ESMTP\r\n"), ("c", b"EHLO client.lab\r\n"), ("s", b"250-mail.lab\r\n250 AUTH PLAIN LOGIN\r\n"),
            ("c", b"AUTH PLAIN " + plain + b"\r\n"), ("s", b"235 2.7.0 Authentication successful\r\n"), ("c", b"QUIT\r\n"), ("s", b"221 Bye\r\n"),
        ])
        exchange(ports["pop3"], [
            ("s", b"+OK POP3 ready\r\n"), ("c", b"USER admin\r\n"), ("s", b"+OK\r\n"), ("c", b"PASS " + secrets_["pop3"].encode() + b"\r\n"),
            ("s", b"+OK maildrop has 0 messages\r\n"), ("c", b"QUIT\r\n"), ("s", b"+OK bye\r\n"),
        ])
        exchange(ports["imap"], [
            ("s", b"* OK IMAP4rev2 ready\r\n"), ("c", b"a1 LOGIN admin " + secrets_["imap"].encode() + b"\r\n"), ("s", b"a1 OK LOGIN completed\r\n"),
            ("c", b"a2 LOGOUT\r\n"), ("s", b"* BYE\r\na2 OK\r\n"),
        ])
        exchange(ports["ldap"], [("c", _ldap_bind(b"cn=admin,dc=lab", secrets_["ldap"].encode())), ("s", LDAP_BIND_OK)])
        exchange(ports["redis"], [("c", _redis(b"AUTH", b"default", secrets_["redis"].encode())), ("s", b"+OK\r\n"), ("c", _redis(b"PING")), ("s", b"+PONG\r\n")])
        time.sleep(0.5)
    return capture, secrets_, ports


def test_mail_directory_and_redis_logins_are_flagged_without_secrets(mail_capture, tmp_path) -> None:
    capture, secrets_, ports = mail_capture
    out = tmp_path / "ev.json"
    result = run_cli(["proto", "analyze", str(capture), "-f", "json", "-o", str(out), "--no-progress"])
    assert result.exit_code == 1, result.stderr
    raw = out.read_bytes()
    convs = {int(r["measurements"]["server"].rsplit(":", 1)[1]): r for r in json.loads(raw)["results"] if r["check"] == "proto.cleartext.channel"}
    expected = {
        "smtp": ("SMTP", "SMTP AUTH", len(b"PLAIN ") + len(base64.b64encode(b"\x00admin\x00" + secrets_["smtp"].encode()))),
        "pop3": ("POP3", "POP3 PASS", len(secrets_["pop3"])),
        "imap": ("IMAP", "IMAP LOGIN", len(b"admin ") + len(secrets_["imap"])),
        "ldap": ("LDAP", "LDAP simple bind password", len(secrets_["ldap"])),
        "redis": ("Redis", "Redis AUTH", len(secrets_["redis"])),
    }
    for name, (protocol, kind, length) in expected.items():
        r = convs[ports[name]]
        m = r["measurements"]
        assert (m["protocol"], m["recognised_by_content"], m["verdict"], r["status"]) == (protocol, True, "weak", "fail"), name
        assert [(c["kind"], c["length"]) for c in m["credentials"]] == [(kind, length)], name
        assert "proto.cleartext.credential" in {f["code"] for f in r["findings"]}, name
    for name, secret in secrets_.items():
        for form in (secret, base64.b64encode(secret.encode()).decode()):
            assert form.encode() not in raw, (name, form)
        assert secret.encode() in capture.read_bytes() or name == "smtp"  # the capture holds them (SMTP's in base64)
    assert base64.b64encode(b"\x00admin\x00" + secrets_["smtp"].encode()) not in raw
