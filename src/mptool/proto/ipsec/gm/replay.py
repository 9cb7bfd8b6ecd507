"""Decrypting a captured GM/T 0022 exchange with the lab's key log (``proto analyze --ike-keylog``).

From the envelope keys Sk_i/Sk_r of a ``GM_IKE`` line the nonces and IDs of messages 3/4 are
opened, the phase-1 keys derived, messages 5/6 and the quick mode decrypted and every HASH
checked (HASH_I, HASH_R, HASH(1..3)); the quick mode gives the ESP transform and SPIs, whose
KEYMAT is compared with the ``GM_ESP`` lines. ESP packets are then decrypted and their ICV
checked with :class:`~mptool.proto.ipsec.gm.esp.EspSA` (replay window included). Nothing here
raises on bad captured data: every problem is a recorded string.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mptool.proto.ipsec.gm import codec, crypto
from mptool.proto.ipsec.gm.codec import GmDecodeError
from mptool.proto.ipsec.gm.esp import EspError, EspSA, key_lengths, make_sa
from mptool.proto.ipsec.gm.evidence import describe_transforms
from mptool.proto.ipsec.gm.keylog import KeyLog
from mptool.proto.ipsec.gm.session import IkeSA

#: (frame, sent by the initiator, raw ISAKMP message)
Captured = tuple[int, bool, bytes]


def replay_ike(messages: Sequence[Captured], log: KeyLog) -> dict[str, Any] | None:
    """What the key log reveals of one captured IKE SA; None when the log has no line for it."""
    if not messages:
        return None
    icookie, rcookie = messages[0][2][:8], next((raw[8:16] for _, _, raw in messages if raw[8:16] != bytes(8)), bytes(8))
    keys = log.ike.get((icookie, rcookie))
    if keys is None:
        return None
    out: dict[str, Any] = {"keylog": "GM_IKE line found", "hashes": {}, "problems": [], "reading": codec.READING}
    try:
        _replay(messages, keys, log, out)
    except (GmDecodeError, ValueError) as exc:
        out["problems"].append(f"cannot decrypt: {exc}")
    return out


def _replay(messages: Sequence[Captured], keys: tuple[bytes, bytes], log: KeyLog, out: dict[str, Any]) -> None:
    ike = IkeSA(messages[0][2][:8])
    ike.sk_i, ike.sk_r = keys
    main = [(f, i, codec.decode_header(raw)) for f, i, raw in messages if raw[18] == codec.EXCH_MAIN]
    if len(main) < 6:
        out["problems"].append(f"only {len(main)} main-mode messages captured")
        return
    m1, m2, m3, m4 = (codec.decode(_raw(messages, f)) for f, _, _ in main[:4])
    ike.rcookie = m2.rcookie
    ike.sa_i = m1.need(codec.P_SA)
    ike.ni = crypto.open_field(ike.sk_i, m3.need(codec.P_NONCE), "nonce")
    ike.id_i = crypto.open_field(ike.sk_i, m3.need(codec.P_ID), "ID")
    ike.nr = crypto.open_field(ike.sk_r, m4.need(codec.P_NONCE), "nonce")
    ike.id_r = crypto.open_field(ike.sk_r, m4.need(codec.P_ID), "ID")
    out["sk_payloads"] = {"initiator": len(m3.need(codec.P_SK)), "responder": len(m4.need(codec.P_SK))}
    ike.derive()
    assert ike.keys is not None
    (_, _, (m5, f5)), (_, _, (m6, f6)) = main[4], main[5]
    ike.open(m5, f5)
    ike.open(m6, f6)
    out["hashes"]["HASH_I"] = m5.need(codec.P_HASH) == crypto.hash_i(ike.keys, ike.icookie, ike.rcookie, ike.sa_i, ike.id_i)
    out["hashes"]["HASH_R"] = m6.need(codec.P_HASH) == crypto.hash_r(ike.keys, ike.icookie, ike.rcookie, ike.sa_i, ike.id_r)
    out["phase1_decrypted"] = True
    quick = [codec.decode_header(raw) for _, _, raw in messages if raw[18] == codec.EXCH_QUICK]
    if len(quick) < 3:
        out["problems"].append(f"only {len(quick)} quick-mode messages captured")
        return
    (q1, g1), (q2, g2), (q3, g3) = quick[:3]
    for msg, first in ((q1, g1), (q2, g2), (q3, g3)):
        ike.open(msg, first)
    ni, nr, sa1, sa2 = q1.need(codec.P_NONCE), q2.need(codec.P_NONCE), q1.need(codec.P_SA), q2.need(codec.P_SA)
    ids = b"".join(q2.all(codec.P_ID))
    out["hashes"]["HASH(1)"] = q1.need(codec.P_HASH) == crypto.qm_hash1(ike.keys, q1.msgid, ni, sa1, b"".join(q1.all(codec.P_ID)))
    out["hashes"]["HASH(2)"] = q2.need(codec.P_HASH) == crypto.qm_hash2(ike.keys, q2.msgid, ni, sa2, nr, ids)
    out["hashes"]["HASH(3)"] = q3.need(codec.P_HASH) == crypto.qm_hash3(ike.keys, q3.msgid, ni, nr)
    offer, chosen = codec.decode_sa(sa1), codec.decode_sa(sa2)
    tid, attrs = chosen.transforms[0]
    out["esp"] = describe_transforms({"esp": {"transform_id": tid, "attributes": dict(attrs)}})["esp"]
    out["spis"] = {"initiator": offer.spi.hex(), "responder": chosen.spi.hex()}
    length = sum(key_lengths(tid))
    for spi in (offer.spi, chosen.spi):
        derived = crypto.keymat(ike.keys, codec.PROTO_ESP, spi, ni, nr, length)
        logged = log.esp.get(spi)
        out.setdefault("keymat_matches_keylog", {})[spi.hex()] = None if logged is None else (logged[1] + logged[2] == derived)
    out["phase2_decrypted"] = True


def _raw(messages: Sequence[Captured], frame: int) -> bytes:
    return next(raw for f, _, raw in messages if f == frame)


def replay_esp(packets: Sequence[tuple[int, bytes]], log: KeyLog) -> dict[str, Any] | None:
    """ESP packets decrypted with the key log's ``GM_ESP`` keys: counts per SPI, ICV and replay checks."""
    sas: dict[bytes, EspSA] = {spi: make_sa(spi, tid, enc + auth) for spi, (tid, enc, auth) in log.esp.items()}
    if not any(packet[:4] in sas for _, packet in packets):
        return None
    per_spi: dict[str, dict[str, Any]] = {}
    for frame, packet in packets:
        sa = sas.get(packet[:4])
        if sa is None:
            continue
        entry = per_spi.setdefault(packet[:4].hex(), {"transform": sa.name, "decrypted": 0, "bad_icv": [], "replay": [], "malformed": [], "next_headers": []})
        try:
            _seq, next_header, _payload = sa.open(packet)
        except EspError as exc:
            entry[exc.kind if exc.kind in entry else "malformed"].append(frame)
            continue
        entry["decrypted"] += 1
        if next_header not in entry["next_headers"]:
            entry["next_headers"].append(next_header)
    return {"keylog": "GM_ESP lines found", "spis": per_spi, "reading": codec.READING}
