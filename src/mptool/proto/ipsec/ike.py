"""ISAKMP/IKEv1 (RFC 2408/2409, GM/T 0022) and IKEv2 (RFC 7296) message decoding.

Headers are always in clear; payloads are decoded up to the first encrypted part (IKEv1
E flag, IKEv2 SK payload). Messages are grouped into one exchange per IKE SA (initiator SPI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mptool.proto.registry import ipsec as ids
from mptool.proto.wire import DecodeError, Reader

KNOWN_VENDOR_IDS: dict[str, str] = {
    "4a131c81070358455c5728f20e95452f": "RFC 3947 NAT-T",
    "afcad71368a1f1c96b8696fc77570100": "Dead Peer Detection v1.0",
    "09002689dfd6b712": "XAUTH",
    "882fe56d6fd20dbc2251613b2ebe5beb": "strongSwan",
    "4048b7d56ebce88525e7de7f00d6c2d3": "IKE fragmentation",
}


@dataclass
class IkeMessage:
    """One decoded ISAKMP message."""

    frame: int
    src: tuple[str, int]
    dst: tuple[str, int]
    ispi: bytes
    rspi: bytes
    major: int
    minor: int
    exchange: int
    flags: int
    message_id: int
    payloads: list[str] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    notifies: list[dict[str, Any]] = field(default_factory=list)
    vendor_ids: list[dict[str, str]] = field(default_factory=list)
    ke_group: int | None = None
    certificates: list[tuple[int, bytes]] = field(default_factory=list)  #: (encoding, data) of CERT payloads in clear
    encrypted: bool = False
    problem: str | None = None
    symmetric_keys: list[int] = field(default_factory=list)  #: sizes of GM/T 0022 symmetric-key payloads (128)
    raw: bytes = b""  #: the message as captured (for decryption with a key log)

    @property
    def exchange_name(self) -> str:
        table = ids.IKEV2_EXCHANGES if self.major == 2 else ids.IKEV1_EXCHANGES
        return table.get(self.exchange, f"private/unknown ({self.exchange})")

    @property
    def is_response(self) -> bool:
        return bool(self.flags & 0x20) if self.major == 2 else False


def parse(data: bytes, frame: int, src: tuple[str, int], dst: tuple[str, int]) -> IkeMessage:
    """Decode one ISAKMP message (the UDP payload without any non-ESP marker)."""
    if len(data) < 28:
        raise DecodeError(f"ISAKMP message of {len(data)} bytes, shorter than its 28-byte header")
    version = data[17]
    msg = IkeMessage(
        frame, src, dst, data[0:8], data[8:16], version >> 4, version & 0x0F, data[18], data[19],
        int.from_bytes(data[20:24], "big"),
    )
    length = int.from_bytes(data[24:28], "big")
    msg.raw = bytes(data[: min(length, len(data))])
    if msg.major not in (1, 2):
        raise DecodeError(f"ISAKMP major version {msg.major}")
    end = min(length, len(data))
    if length > len(data):
        msg.problem = f"header length {length} exceeds the {len(data)} bytes captured"
    if msg.major == 1 and msg.flags & 0x01:
        msg.encrypted = True
        return msg
    try:
        _payloads(msg, data, data[16], 28, end)
    except DecodeError as exc:
        msg.problem = str(exc)
    return msg


def _payloads(msg: IkeMessage, data: bytes, first: int, pos: int, end: int) -> None:
    v2 = msg.major == 2
    names = ids.IKEV2_PAYLOADS if v2 else ids.GM_IKEV1_PAYLOADS if (msg.major, msg.minor) == (1, 1) else ids.IKEV1_PAYLOADS
    nxt = first
    while nxt and pos < end:
        if pos + 4 > end:
            raise DecodeError("truncated payload header")
        ptype = nxt
        nxt = data[pos]
        plen = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if plen < 4 or pos + plen > end:
            raise DecodeError(f"payload {names.get(ptype, ptype)} length {plen} does not fit the message")
        body = data[pos + 4 : pos + plen]
        msg.payloads.append(names.get(ptype, f"unknown ({ptype})"))
        if (v2 and ptype == 33) or (not v2 and ptype == 1):
            msg.proposals = _sa_v2(body) if v2 else _sa_v1(body)
        elif (v2 and ptype == 41) or (not v2 and ptype == 11):
            msg.notifies.append(_notify(body, v2))
        elif (v2 and ptype == 43) or (not v2 and ptype == 13):
            vid = body.hex()
            name = next((n for prefix, n in KNOWN_VENDOR_IDS.items() if vid.startswith(prefix)), "unknown")
            msg.vendor_ids.append({"id": vid, "name": name})
        elif v2 and ptype == 34 and len(body) >= 2:
            msg.ke_group = int.from_bytes(body[:2], "big")
        elif ((v2 and ptype == 37) or (not v2 and ptype == 6)) and body:
            msg.certificates.append((body[0], body[1:]))  # GM/T 0022 main mode sends both certs in clear
        elif not v2 and ptype == ids.GM_SYMMETRIC_KEY_PAYLOAD:
            msg.symmetric_keys.append(len(body))
        elif v2 and ptype == 46:
            msg.encrypted = True
            return
        pos += plen


def _attributes(r: Reader, names: dict[int, str], values: dict[int, dict[int, str]]) -> list[dict[str, Any]]:
    out = []
    while r.remaining:
        atype = r.uint(2)
        if atype & 0x8000:
            value: int | str = r.uint(2)
        else:
            raw = r.vector(2)
            value = int.from_bytes(raw, "big") if len(raw) <= 8 else raw.hex()
        atype &= 0x7FFF
        item: dict[str, Any] = {"type": atype, "name": names.get(atype, f"private/unknown ({atype})"), "value": value}
        if atype in values and isinstance(value, int):
            item["value_name"] = ids.name_or_unknown(values[atype], value)
        out.append(item)
    return out


def _substructure(r: Reader) -> tuple[int, Reader]:
    """(first byte, body reader) of a proposal or transform substructure (RFC 2408 §3.5/§3.6, RFC 7296 §3.3)."""
    first = r.uint(1)
    r.uint(1)
    length = r.uint(2)
    if length < 4:
        raise DecodeError(f"substructure length {length}")
    return first, Reader(r.take(length - 4))


def _proposal(r: Reader) -> tuple[int, int, int, bytes, Reader]:
    """(next/last flag, proposal number, protocol id, SPI, reader over the transforms)."""
    flag, p = _substructure(r)
    number, proto, spi_size, count = p.uint(1), p.uint(1), p.uint(1), p.uint(1)
    return flag, number, proto, p.take(spi_size), _Counted(p, count)


class _Counted(Reader):
    """The transforms part of a proposal, with the number of transforms it announces."""

    __slots__ = ("count",)

    def __init__(self, p: Reader, count: int) -> None:
        super().__init__(p.data, pos=p.pos, end=p.end)
        self.count = count


def _sa_v1(body: bytes) -> list[dict[str, Any]]:
    r = Reader(body)
    r.uint(4)  # DOI
    r.uint(4)  # situation
    proposals = []
    nxt = 2
    while nxt == 2 and r.remaining >= 4:
        nxt, number, proto, spi, p = _proposal(r)
        transforms = []
        for _ in range(p.count):  # type: ignore[attr-defined]
            _, t = _substructure(p)
            tnum, tid = t.uint(1), t.uint(1)
            t.uint(2)
            if proto == 1:
                attrs = _attributes(t, ids.IKEV1_ATTRIBUTES, ids.IKEV1_ATTRIBUTE_VALUES)
                tname = "KEY_IKE" if tid == 1 else f"private/unknown ({tid})"
            else:
                attrs = _attributes(t, ids.IPSEC_ATTRIBUTES, ids.IPSEC_ATTRIBUTE_VALUES)
                tname = ids.name_or_unknown(ids.ESP_TRANSFORMS, tid) if proto == 3 else str(tid)
            transforms.append({"number": tnum, "id": tid, "name": tname, "attributes": attrs})
        proposals.append(
            {"number": number, "protocol": ids.PROTOCOL_IDS.get(proto, str(proto)), "spi": spi.hex(), "transforms": transforms}
        )
    return proposals


def _sa_v2(body: bytes) -> list[dict[str, Any]]:
    r = Reader(body)
    proposals = []
    while r.remaining >= 8:
        _, number, proto, spi, p = _proposal(r)
        transforms = []
        for _ in range(p.count):  # type: ignore[attr-defined]
            _, t = _substructure(p)
            ttype = t.uint(1)
            t.uint(1)
            tid = t.uint(2)
            table = ids.IKEV2_TRANSFORM_VALUES.get(ttype, {})
            item: dict[str, Any] = {
                "type": ids.IKEV2_TRANSFORM_TYPES.get(ttype, f"private/unknown ({ttype})"),
                "id": tid,
                "name": ids.name_or_unknown(table, tid),
            }
            for attr in _attributes(t, {14: "Key Length"}, {}):
                if attr["type"] == 14:
                    item["key_length"] = attr["value"]
            transforms.append(item)
        proposals.append(
            {"number": number, "protocol": ids.PROTOCOL_IDS.get(proto, str(proto)), "spi": spi.hex(), "transforms": transforms}
        )
    return proposals


def _notify(body: bytes, v2: bool) -> dict[str, Any]:
    r = Reader(body)
    if not v2:
        r.uint(4)  # DOI
    proto, spi_size, ntype = r.uint(1), r.uint(1), r.uint(2)
    r.take(spi_size)
    table = ids.IKEV2_NOTIFY if v2 else ids.IKEV1_NOTIFY
    return {"type": ntype, "name": table.get(ntype, f"private/unknown ({ntype})"), "protocol": ids.PROTOCOL_IDS.get(proto, "none" if proto == 0 else str(proto))}


def sa_proposals(body: bytes, v2: bool) -> list[dict[str, Any]]:
    """The proposals of an SA payload body (IKEv1: DOI, situation, proposals; IKEv2: proposals)."""
    return _sa_v2(body) if v2 else _sa_v1(body)
