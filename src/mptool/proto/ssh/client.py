"""A minimal SSH client for the probe: identification line, KEXINIT, and one key exchange far
enough to receive the server host key and check its signature over the exchange hash.

Key exchanges implemented (client side, with ``cryptography``): curve25519-sha256 (RFC 8731),
ecdh-sha2-nistp256/384/521 (RFC 5656 §4, §6.3), diffie-hellman-group-exchange-sha256/-sha1
(RFC 4419, the group comes from the server, so no group constants are needed). The exchange
hash H is RFC 4253 §8 / RFC 5656 §4 / RFC 4419 §3; signatures: ssh-ed25519 (RFC 8709 §6),
rsa-sha2-256/512 (RFC 8332 §3), ssh-rsa (RFC 4253 §6.6), ecdsa-sha2-* (RFC 5656 §3.1.2).
The probe never sends NEWKEYS: no session is established, no authentication is attempted.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from typing import Any

from mptool.proto.ssh import packet as P
from mptool.proto.tls.transport import ConnectionProblem, recv_before
from mptool.proto.wire import DecodeError

BANNER = b"SSH-2.0-mptool_probe"
#: kex methods this client can run, in its preference order
CLIENT_KEX = ("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256", "diffie-hellman-group-exchange-sha1")
GEX_MIN, GEX_N, GEX_MAX = 1024, 2048, 8192


class SSHProtocolError(Exception):
    """The server's bytes do not follow RFC 4253 (a finding, not a crash)."""


class Channel:
    """Reads the identification line and unencrypted packets of one socket, within a deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.buffer = b""
        self.got_banner = False  #: an identification line was read (later problems are malformed SSH, not "not SSH")

    def _fill(self) -> None:
        self.buffer += recv_before(self.sock, self.deadline, 65536)

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise ConnectionProblem("socket_error", f"cannot send: {exc.strerror or exc}") from None

    def banner(self) -> P.Banner:
        while True:
            try:
                found = P.split_banner(self.buffer)
            except DecodeError as exc:
                raise SSHProtocolError(str(exc)) from None
            if found is not None:
                banner, end = found
                self.buffer = self.buffer[end:]
                self.got_banner = True
                return banner
            self._fill()

    def packet(self) -> bytes:
        """The next payload, skipping IGNORE/DEBUG; DISCONNECT becomes a protocol error."""
        while True:
            try:
                got = P.split_packet(self.buffer)
            except DecodeError as exc:
                raise SSHProtocolError(str(exc)) from None
            if got is None:
                self._fill()
                continue
            payload, end = got
            self.buffer = self.buffer[end:]
            if not payload:
                raise SSHProtocolError("empty packet payload")
            if payload[0] in (P.MSG_IGNORE, P.MSG_DEBUG):
                continue
            if payload[0] == P.MSG_DISCONNECT:
                try:
                    code, text = P.parse_disconnect(payload)
                except DecodeError:
                    code, text = -1, "(unreadable)"
                raise SSHProtocolError(f"the server disconnected (reason {code}: {text})")
            return payload


@dataclass
class Hello:
    """The server's identification line and KEXINIT (and our own, for the exchange hash)."""

    banner: P.Banner
    kexinit: P.KexInit | None
    kexinit_payload: bytes
    client_kexinit_payload: bytes


def hello(channel: Channel, lists: dict[str, list[str]]) -> Hello:
    """Send our banner and KEXINIT; read the server's banner and KEXINIT."""
    ours = P.build_kexinit(lists, os.urandom(16))
    channel.send(BANNER + b"\r\n")
    banner = channel.banner()
    if not banner.proto_version.startswith("2.") and banner.proto_version != "1.99":
        return Hello(banner, None, b"", ours)
    channel.send(P.make_packet(ours))
    payload = channel.packet()
    if payload[0] != P.MSG_KEXINIT:
        raise SSHProtocolError(f"expected SSH_MSG_KEXINIT, got message {payload[0]}")
    try:
        return Hello(banner, P.parse_kexinit(payload), payload, ours)
    except DecodeError as exc:
        raise SSHProtocolError(str(exc)) from None


@dataclass
class KexOutcome:
    host_key: P.HostKey
    signature_type: str
    signature_valid: bool | None  #: None: the signature algorithm is not one mptool verifies
    kex: str
    gex_group_bits: int | None = None


def _hash_for(kex: str) -> Any:
    if kex.endswith("sha1"):
        return hashlib.sha1
    if kex.endswith("nistp384"):
        return hashlib.sha384
    if kex.endswith("nistp521") or kex.endswith("sha512"):
        return hashlib.sha512
    return hashlib.sha256


def key_exchange(channel: Channel, hello_: Hello, kex: str) -> KexOutcome:
    """Run ``kex`` as the client until the server's reply; verify the host key signature over H."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, x25519

    prefix = P.ssh_string(BANNER) + P.ssh_string(hello_.banner.line.encode("ascii", "replace")) + P.ssh_string(hello_.client_kexinit_payload) + P.ssh_string(hello_.kexinit_payload)
    gex_bits = None
    try:
        if kex.startswith("curve25519"):
            priv = x25519.X25519PrivateKey.generate()
            q_c = priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            channel.send(P.make_packet(bytes([P.MSG_KEX_30]) + P.ssh_string(q_c)))
            reply = P.parse_kex_reply(_expect(channel, P.MSG_KEX_31), P.MSG_KEX_31)
            if len(reply.server_public) != 32:
                raise SSHProtocolError(f"curve25519 public value of {len(reply.server_public)} bytes (RFC 8731 §3: 32)")
            shared = priv.exchange(x25519.X25519PublicKey.from_public_bytes(reply.server_public))
            k = int.from_bytes(shared, "big")
            tail = P.ssh_string(q_c) + P.ssh_string(reply.server_public) + P.ssh_mpint(k)
        elif kex.startswith("ecdh-sha2-"):
            curve = {"nistp256": ec.SECP256R1(), "nistp384": ec.SECP384R1(), "nistp521": ec.SECP521R1()}[kex.rsplit("-", 1)[1]]
            priv_ec = ec.generate_private_key(curve)
            q_c = priv_ec.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            channel.send(P.make_packet(bytes([P.MSG_KEX_30]) + P.ssh_string(q_c)))
            reply = P.parse_kex_reply(_expect(channel, P.MSG_KEX_31), P.MSG_KEX_31)
            peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, reply.server_public)
            k = int.from_bytes(priv_ec.exchange(ec.ECDH(), peer), "big")
            tail = P.ssh_string(q_c) + P.ssh_string(reply.server_public) + P.ssh_mpint(k)
        else:  # diffie-hellman-group-exchange-*
            channel.send(P.make_packet(bytes([P.MSG_GEX_REQUEST]) + GEX_MIN.to_bytes(4, "big") + GEX_N.to_bytes(4, "big") + GEX_MAX.to_bytes(4, "big")))
            p, g = P.parse_gex_group(_expect(channel, P.MSG_KEX_31))
            gex_bits = p.bit_length()
            if p < 3 or not 1 < g < p - 1 or gex_bits > 16384:
                raise SSHProtocolError(f"group-exchange group not usable (p of {gex_bits} bits, g {g if g < 1 << 32 else 'large'})")
            x = int.from_bytes(os.urandom(64), "big") % (p - 2) + 1
            e = pow(g, x, p)
            channel.send(P.make_packet(bytes([P.MSG_GEX_INIT]) + P.ssh_mpint(e)))
            reply = P.parse_kex_reply(_expect(channel, P.MSG_GEX_REPLY), P.MSG_GEX_REPLY)
            f = int.from_bytes(reply.server_public, "big", signed=True)
            if not 1 < f < p - 1:
                raise SSHProtocolError("group-exchange reply f out of range (RFC 4419 §3)")
            k = pow(f, x, p)
            tail = GEX_MIN.to_bytes(4, "big") + GEX_N.to_bytes(4, "big") + GEX_MAX.to_bytes(4, "big") + P.ssh_mpint(p) + P.ssh_mpint(g) + P.ssh_mpint(e) + P.ssh_mpint(f) + P.ssh_mpint(k)
        host_key = P.parse_host_key(reply.host_key_blob)
    except DecodeError as exc:
        raise SSHProtocolError(str(exc)) from None
    except ValueError as exc:  # a point not on the curve, a low-order X25519 value
        raise SSHProtocolError(f"server key-exchange value rejected: {exc}") from None
    h = _hash_for(kex)(prefix + P.ssh_string(reply.host_key_blob) + tail).digest()
    valid = verify_signature(reply.host_key_blob, reply.signature, h)
    return KexOutcome(host_key, reply.signature_type, valid, kex, gex_bits)


def _expect(channel: Channel, message: int) -> bytes:
    payload = channel.packet()
    if payload[0] != message:
        raise SSHProtocolError(f"expected SSH message {message}, got {payload[0]}")
    return payload


def verify_signature(blob: bytes, signature: bytes, data: bytes) -> bool | None:
    """Whether ``signature`` (an SSH signature blob) by the key ``blob`` is valid over ``data``."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        key = P.SSHReader(blob, "server host key")
        kind = key.string().decode("ascii", "replace")
        sig = P.SSHReader(signature, "signature")
        sig_type = sig.string().decode("ascii", "replace")
        sig_bytes = sig.string()
        if kind == "ssh-ed25519" and sig_type == "ssh-ed25519":
            ed25519.Ed25519PublicKey.from_public_bytes(key.string()).verify(sig_bytes, data)
            return True
        if kind == "ssh-rsa" and sig_type in ("ssh-rsa", "rsa-sha2-256", "rsa-sha2-512"):
            e, n = key.mpint(), key.mpint()
            if n <= 0 or e <= 0:
                return False
            algo = {"ssh-rsa": hashes.SHA1(), "rsa-sha2-256": hashes.SHA256(), "rsa-sha2-512": hashes.SHA512()}[sig_type]
            rsa.RSAPublicNumbers(e, n).public_key().verify(sig_bytes, data, padding.PKCS1v15(), algo)
            return True
        if kind.startswith("ecdsa-sha2-") and sig_type == kind:
            curve_name = key.string().decode("ascii", "replace")
            curve, algo = {"nistp256": (ec.SECP256R1(), hashes.SHA256()), "nistp384": (ec.SECP384R1(), hashes.SHA384()), "nistp521": (ec.SECP521R1(), hashes.SHA512())}[curve_name]
            point = ec.EllipticCurvePublicKey.from_encoded_point(curve, key.string())
            rs = P.SSHReader(sig_bytes, "ECDSA signature")
            point.verify(encode_dss_signature(rs.mpint(), rs.mpint()), data, ec.ECDSA(algo))
            return True
    except InvalidSignature:
        return False
    except (DecodeError, ValueError, KeyError, UnsupportedAlgorithm):
        return False
    return None
