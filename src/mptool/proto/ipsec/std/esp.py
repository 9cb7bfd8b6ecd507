"""ESP in UDP (RFC 4303, RFC 3948) with AES-CBC + HMAC-SHA2-256-128 / HMAC-SHA1-96 (RFC 3602,
RFC 4868, RFC 2404) or AES-GCM-16 (RFC 4106), tunnel mode: ICMP echo requests inside IPv4 packets
between the two protected networks, and their replies checked (ICV, replay, content).

KEYMAT: IKEv1 RFC 2409 §5.5 (prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b) expanded by feeding the
previous block back), one per SA keyed by the receiver's SPI; IKEv2 RFC 7296 §2.17 (prf+(SK_d,
Ni | Nr): initiator's encryption and integrity keys, then the responder's). Encryption key first.
"""

from __future__ import annotations

import functools
import hmac
import os
import struct
from dataclasses import dataclass, field

from mptool.proto.ipsec.esp import EspError, ReplayWindow, add_trailer, strip_trailer
from mptool.proto.ipsec import rfc2409
from mptool.proto.ipsec.std import crypto

NEXT_HEADER_IPV4 = 4


@dataclass(frozen=True)
class Suite:
    """An ESP transform: AES key bytes, GCM or the HMAC (hash, key bytes, ICV bytes)."""

    name: str
    key_len: int
    gcm: bool
    integ: tuple[str, int, int] | None = None

    @property
    def material(self) -> int:
        """KEYMAT bytes one direction needs (GCM: key + 4-byte salt)."""
        return self.key_len + (4 if self.gcm else self.integ[1])  # type: ignore[index]


def suite_v1(transform_id: int, attrs: dict[int, int]) -> Suite | None:
    """The suite of a chosen IKEv1 ESP transform (12 AES-CBC, 20 AES-GCM-16; auth attribute 5)."""
    key = attrs.get(6, 128) // 8
    if transform_id == 20:
        return Suite(f"AES-GCM-16-{key * 8}", key, True)
    integ = {5: ("sha256", 32, 16), 2: ("sha1", 20, 12)}.get(attrs.get(5, 0))
    return Suite(f"AES-CBC-{key * 8}/{integ[0].upper()}", key, False, integ) if transform_id == 12 and integ else None


def suite_v2(transforms: list[dict]) -> Suite | None:
    """The suite of a chosen IKEv2 CHILD SA proposal (analyzer form)."""
    by_type = {t["type"]: t for t in transforms}
    encr = by_type.get("ENCR", {})
    key = int(encr.get("key_length", 128)) // 8
    if encr.get("id") == 20:
        return Suite(f"AES-GCM-16-{key * 8}", key, True)
    integ = {12: ("sha256", 32, 16), 2: ("sha1", 20, 12)}.get(by_type.get("INTEG", {}).get("id", 0))
    return Suite(f"AES-CBC-{key * 8}/{integ[0].upper()}", key, False, integ) if encr.get("id") == 12 and integ else None


def keymat_v1(prf_name: str, skeyid_d: bytes, spi: bytes, ni: bytes, nr: bytes, length: int) -> bytes:
    """KEYMAT of an ESP SA (protocol 3) with the negotiated PRF (RFC 2409 §5.5)."""
    return rfc2409.keymat(functools.partial(crypto.prf, prf_name), skeyid_d, 3, spi, ni, nr, length)


@dataclass
class Sa:
    """One direction of an ESP SA."""

    spi: bytes
    suite: Suite
    key: bytes
    seq: int = 0  #: last sequence number sent
    replay: ReplayWindow = field(default_factory=ReplayWindow)  #: receiver's anti-replay window

    @classmethod
    def from_material(cls, spi: bytes, suite: Suite, material: bytes) -> "Sa":
        """An SA from its KEYMAT (encryption key, then salt or integrity key)."""
        return cls(spi, suite, material[: suite.material])

    def seal(self, inner: bytes) -> bytes:
        """ESP packet with ``inner`` (an IPv4 packet, tunnel mode)."""
        self.seq += 1
        head = self.spi + struct.pack("!I", self.seq)
        plain = add_trailer(inner, NEXT_HEADER_IPV4, 4 if self.suite.gcm else 16)
        k = self.key[: self.suite.key_len]
        if self.suite.gcm:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            iv = os.urandom(8)
            return head + iv + AESGCM(k).encrypt(self.key[-4:] + iv, plain, head)
        assert self.suite.integ is not None
        iv = os.urandom(16)
        body = head + iv + crypto.aes_cbc(k, iv, plain)
        return body + hmac.new(self.key[self.suite.key_len :], body, crypto.HASHES[self.suite.integ[0]]).digest()[: self.suite.integ[2]]

    def open(self, packet: bytes) -> bytes:
        """The inner packet of ``packet``; raises :class:`EspError`."""
        if packet[:4] != self.spi:
            raise EspError("unknown_spi", f"SPI {packet[:4].hex()} is not {self.spi.hex()}")
        if len(packet) < 8:
            raise EspError("malformed", "ESP packet shorter than SPI and sequence number")
        seq = struct.unpack("!I", packet[4:8])[0]
        k = self.key[: self.suite.key_len]
        if self.suite.gcm:
            from cryptography.exceptions import InvalidTag
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            if len(packet) < 8 + 8 + 16 + 4:
                raise EspError("malformed", f"ESP packet of {len(packet)} bytes is too short for AES-GCM")
            try:
                plain = AESGCM(k).decrypt(self.key[-4:] + packet[8:16], packet[16:], packet[:8])
            except InvalidTag:
                raise EspError("bad_icv", f"sequence {seq}: the GCM ICV does not verify") from None
        else:
            assert self.suite.integ is not None
            icv_len = self.suite.integ[2]
            if len(packet) < 8 + 32 + icv_len or (len(packet) - 24 - icv_len) % 16:
                raise EspError("malformed", f"ESP packet of {len(packet)} bytes is not SPI+seq+IV+blocks+ICV")
            body, icv = packet[:-icv_len], packet[-icv_len:]
            if not hmac.compare_digest(hmac.new(self.key[self.suite.key_len :], body, crypto.HASHES[self.suite.integ[0]]).digest()[:icv_len], icv):
                raise EspError("bad_icv", f"sequence {seq}: the HMAC ICV does not verify")
            plain = crypto.aes_cbc(k, body[8:24], body[24:], decrypt=True)
        self.replay.accept(seq)
        next_header, inner = strip_trailer(plain, seq)
        if next_header != NEXT_HEADER_IPV4:
            raise EspError("malformed", f"sequence {seq}: next header {next_header} is not IPv4 (4)")
        return inner


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_request(src: bytes, dst: bytes, ident: int, seq: int, data: bytes) -> bytes:
    """An IPv4 ICMP echo request (RFC 791, RFC 792)."""
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    icmp = icmp[:2] + struct.pack("!H", _checksum(icmp)) + icmp[4:]
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0, src, dst)
    header = header[:10] + struct.pack("!H", _checksum(header)) + header[12:]
    return header + icmp


def echo_reply(packet: bytes) -> tuple[int, int, bytes] | None:
    """(identifier, sequence, data) of an IPv4 ICMP echo reply, or None for anything else."""
    if len(packet) < 28 or packet[0] >> 4 != 4 or packet[9] != 1:
        return None
    ihl = (packet[0] & 0x0F) * 4
    icmp = packet[ihl:]
    if len(icmp) < 8 or icmp[0] != 0:
        return None
    ident, seq = struct.unpack("!HH", icmp[4:8])
    return ident, seq, icmp[8:]
