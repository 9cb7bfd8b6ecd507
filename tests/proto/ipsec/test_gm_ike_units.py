"""The GM/T 0022 building blocks: key derivation against the formulas computed independently
(``cryptography``'s HMAC-SM3 and SM3), the codec, ESP's ICV and replay window, the key log."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes, hmac

from mptool.core.errors import InputError
from mptool.proto.ipsec.gm import codec, crypto, keylog
from mptool.proto.ipsec.gm.codec import GmDecodeError
from mptool.proto.ipsec.gm.esp import EspError, EspSA, make_sa
from mptool.proto.ipsec.gm.session import IkeSA


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def test_phase1_derivation_follows_the_reported_formulas() -> None:
    ni, nr, cki, ckr, ski, skr = os.urandom(32), os.urandom(32), os.urandom(8), os.urandom(8), os.urandom(16), os.urandom(16)
    keys = crypto.derive_phase1(ni, nr, cki, ckr, ski, skr)
    skeyid = _hmac_sm3(_sm3(ni + nr), cki + ckr)
    d = _hmac_sm3(skeyid, cki + ckr + b"\x00")
    a = _hmac_sm3(skeyid, d + cki + ckr + b"\x01")
    e = _hmac_sm3(skeyid, a + cki + ckr + b"\x02")
    assert (keys.skeyid, keys.d, keys.a, keys.e) == (skeyid, d, a, e)
    assert keys.iv == _sm3(ski + skr)[:16] and keys.enc_key == e[:16]


def test_quick_mode_hashes_put_ni_before_the_sa() -> None:
    keys = crypto.derive_phase1(*(os.urandom(n) for n in (32, 32, 8, 8, 16, 16)))
    msgid, ni, nr, sa = 0x1234_5679, os.urandom(32), os.urandom(32), codec.encode_sa(codec.esp_proposal(b"\x00\x00\x10\x00"))
    mid = msgid.to_bytes(4, "big")
    assert crypto.qm_hash1(keys, msgid, ni, sa) == _hmac_sm3(keys.a, mid + ni + sa)
    assert crypto.qm_hash1(keys, msgid, ni, sa) != _hmac_sm3(keys.a, mid + sa + ni)  # RFC 2409's order
    assert crypto.qm_hash2(keys, msgid, ni, sa, nr) == _hmac_sm3(keys.a, mid + ni + sa + nr)
    assert crypto.qm_hash3(keys, msgid, ni, nr) == _hmac_sm3(keys.a, b"\x00" + mid + ni + nr)


def test_keymat_expands_as_rfc_2409() -> None:
    keys = crypto.derive_phase1(*(os.urandom(n) for n in (32, 32, 8, 8, 16, 16)))
    spi, ni, nr = b"\x01\x02\x03\x04", os.urandom(32), os.urandom(32)
    seed = bytes([3]) + spi + ni + nr
    k1 = _hmac_sm3(keys.d, seed)
    k2 = _hmac_sm3(keys.d, k1 + seed)
    assert crypto.keymat(keys, 3, spi, ni, nr, 48) == (k1 + k2)[:48]


def test_envelope_fields_round_trip_and_reject_another_key() -> None:
    sk = os.urandom(16)
    body = crypto.seal_field(sk, b"nonce value")
    assert crypto.open_field(sk, body, "nonce") == b"nonce value"
    wrong = bytes(16) if sk != bytes(16) else b"\x01" * 16
    # under another key the padding is random: it is rejected, except about 1 time in 256 when the
    # last byte happens to read as valid PKCS#7 padding; the value itself never comes back
    try:
        opened = crypto.open_field(wrong, body, "nonce")
    except GmDecodeError:
        opened = None
    assert opened != b"nonce value"
    rejected = 0
    for _ in range(20):
        try:
            crypto.open_field(wrong, crypto.seal_field(sk, b"nonce value"), "nonce")
        except GmDecodeError:
            rejected += 1
    assert rejected >= 15  # P(fewer) is far below 1e-20 at ~1/256 false acceptance


def test_codec_round_trip_and_malformed_input() -> None:
    msg = codec.Message(os.urandom(8), bytes(8), codec.EXCH_MAIN, payloads=[(codec.P_SA, codec.encode_sa(codec.phase1_proposal())), (codec.P_CERT, codec.cert_payload(4, b"\x30\x00"))])
    data = codec.encode(msg)
    assert data[17] == 0x11
    back = codec.decode(data)
    assert back.payloads == msg.payloads
    assert codec.decode_sa(back.need(codec.P_SA)).transforms[0][1] == codec.PHASE1
    for bad in (data[:20], data[:30], data[:28] + b"\x00\x00\x00\x02" + data[32:], data[:17] + b"\x30" + data[18:]):
        with pytest.raises(GmDecodeError):
            codec.decode(bad)


def test_phase1_cbc_chains_iv_between_messages() -> None:
    a = IkeSA(os.urandom(8), os.urandom(8))
    a.ni, a.nr, a.sk_i, a.sk_r = os.urandom(32), os.urandom(32), os.urandom(16), os.urandom(16)
    b = IkeSA(a.icookie, a.rcookie, ni=a.ni, nr=a.nr, sk_i=a.sk_i, sk_r=a.sk_r)
    a.derive()
    b.derive()
    for payload in (b"first", b"second message"):
        m = codec.Message(a.icookie, a.rcookie, codec.EXCH_MAIN, payloads=[(codec.P_HASH, payload)])
        header, first = codec.decode_header(a.seal(m))
        assert b.open(header, first).payloads == [(codec.P_HASH, payload)]
    assert a.iv == b.iv == a.phase1_last


@pytest.mark.parametrize("transform", [codec.ESP_SM4_CBC, codec.ESP_SM4_GCM])
def test_esp_round_trip_icv_and_replay_window(transform: int) -> None:
    material = os.urandom(52)
    sender, receiver = make_sa(b"\x00\x00\x01\x00", transform, material), make_sa(b"\x00\x00\x01\x00", transform, material)
    packets = [sender.seal(f"packet {n}".encode()) for n in range(1, 71)]
    assert receiver.open(packets[0])[2] == b"packet 1"
    for packet in packets[2:70]:
        receiver.open(packet)
    for late in (packets[1], packets[40]):  # seq 2 is left of the 64-packet window (highest 70); seq 41 was seen
        with pytest.raises(EspError) as replay:
            receiver.open(late)
        assert replay.value.kind == "replay"
    forged = bytearray(sender.seal(b"x"))
    forged[-1] ^= 1
    with pytest.raises(EspError) as icv:
        receiver.open(bytes(forged))
    assert icv.value.kind == "bad_icv"
    with pytest.raises(EspError) as other:
        EspSA(b"\x00\x00\x02\x00", transform, material[:20], material[20:52]).open(packets[0])
    assert other.value.kind == "unknown_spi"


def test_replay_window_edges() -> None:
    sa = make_sa(b"\x00\x00\x03\x00", codec.ESP_SM4_CBC, bytes(48))
    sender = make_sa(b"\x00\x00\x03\x00", codec.ESP_SM4_CBC, bytes(48))
    p = {n: sender.seal(b"d", seq=n) for n in (1, 5, 64, 68, 69)}
    sa.open(p[68])
    sa.open(p[5])  # inside the window (68 - 5 < 64), out of order: accepted once
    for seq, kind in ((5, "replay"), (1, "replay"), (68, "replay")):
        with pytest.raises(EspError) as exc:
            sa.open(p[seq])
        assert exc.value.kind == kind
    assert sa.open(p[69])[0] == 69


def test_keylog_round_trip_and_errors() -> None:
    ike = IkeSA(os.urandom(8), os.urandom(8), sk_i=os.urandom(16), sk_r=os.urandom(16))
    ike.esp_in = make_sa(b"\x00\x00\x04\x00", codec.ESP_SM4_CBC, os.urandom(48))
    ike.esp_out = make_sa(b"\x00\x00\x05\x00", codec.ESP_SM4_GCM, os.urandom(20))
    log = keylog.parse(keylog.render([ike]).decode(), "k")
    assert log.ike == {(ike.icookie, ike.rcookie): (ike.sk_i, ike.sk_r)}
    assert log.esp[b"\x00\x00\x05\x00"] == (codec.ESP_SM4_GCM, ike.esp_out.enc_key, b"")
    with pytest.raises(InputError):
        keylog.parse("GM_IKE 00 11 22 33\n", "k")
