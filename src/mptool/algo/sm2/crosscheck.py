"""The same SM2 operations through the independent pure-Python ``gmssl`` package (3.2.x).

Used by ``mptool algo … --cross-check`` to record a second answer, and by the differential
tests. The elliptic-curve arithmetic (``CryptSM2._kg``/``_add_point``), SM3 (``gmssl.sm3``) and
KDF (``sm3_kdf``) are gmssl's; this module only adapts inputs and outputs, and works around
gmssl's known bugs (see docs/sm2.md):

* ``public_key.lstrip("04")`` strips characters, not a prefix, even from an X||Y whose X starts
  with hex 04/40/...: we set ``public_key`` (X||Y in hex) again after construction;
* decryption never checks C3: we recompute C3 with gmssl's point multiplication and SM3;
* mode 0 is C1C2C3 and mode 1 C1C3C2, without the 04 prefix: we pass C1 without prefix and
  choose the mode from the order;
* the user ID is hard-coded in ``sign_with_sm3``: we compute ZA with gmssl's SM3 for any ID and
  call the digest-level ``sign``/``verify``;
* the nonce comes from ``random.choice`` and is not range-checked: we always pass our own k
  (from ``secrets`` when none is given), and ``encrypt`` is composed from gmssl primitives
  because ``CryptSM2.encrypt`` cannot take an injected k;
* ``verify`` does not check 1 <= r, s <= n-1: we apply that check first, as GB/T 32918.2 §7.1 B1/B2.

Every function raises :class:`CrossCheckError` when gmssl fails on an input (for example the
point at infinity, which its string-based arithmetic cannot represent).
"""

from __future__ import annotations

import hmac
import secrets
from importlib import metadata
from typing import Any

from mptool.algo.primitives.blockmodes import xor
from mptool.algo.sm2.curve import SM2P256V1, Curve, Point
from mptool.algo.sm2.encryption import Decrypted, ciphertext_candidates, decrypt_error, encode_ciphertext
from mptool.algo.sm2.errors import SM2Error
from mptool.algo.sm2.keyexchange import KeyExchangeResult, by_role, finish, x_bar
from mptool.algo.sm2.signature import DEFAULT_USER_ID

BACKEND = "gmssl"


class CrossCheckError(SM2Error):
    """gmssl could not compute the answer (not a verdict on the input)."""


def backend_version() -> str:
    """``gmssl <version>`` of the installed package."""
    return f"{BACKEND} {metadata.version('gmssl')}"


def _gmssl() -> tuple[Any, Any]:
    try:
        from gmssl import sm2 as gsm2
        from gmssl import sm3 as gsm3
    except ImportError as exc:  # pragma: no cover - gmssl is a declared dependency
        raise CrossCheckError(f"gmssl is not importable: {exc}") from None
    return gsm2, gsm3


def _table(curve: Curve) -> dict[str, str]:
    size = 2 * curve.field_bytes
    return {
        "n": f"{curve.n:0{size}X}",
        "p": f"{curve.p:0{size}X}",
        "g": f"{curve.gx:0{size}x}{curve.gy:0{size}x}",
        "a": f"{curve.a:0{size}X}",
        "b": f"{curve.b:0{size}X}",
    }


def _point_hex(point: Point, curve: Curve) -> str:
    size = 2 * curve.field_bytes
    return f"{point[0]:0{size}x}{point[1]:0{size}x}"


def _parse_point(value: str | None, curve: Curve) -> Point:
    size = 2 * curve.field_bytes
    if not value or len(value) != 2 * size:
        raise CrossCheckError("gmssl: the result is the point at infinity or malformed")
    return (int(value[:size], 16), int(value[size:], 16))


def _crypt(curve: Curve, private_key: int | None = None, public_key: Point | None = None, mode: int = 1) -> Any:
    gsm2, _ = _gmssl()
    size = 2 * curve.field_bytes
    priv = f"{private_key:0{size}x}" if private_key is not None else ""
    pub = _point_hex(public_key, curve) if public_key is not None else ""
    crypt = gsm2.CryptSM2(private_key=priv, public_key=pub, ecc_table=_table(curve), mode=mode)
    crypt.public_key = pub  # undo lstrip("04"), which also eats an X that starts with hex 04
    return crypt


def _kg(curve: Curve, k: int, point: Point) -> Point:
    try:
        return _parse_point(_crypt(curve)._kg(k, _point_hex(point, curve)), curve)
    except (TypeError, ValueError) as exc:
        raise CrossCheckError(f"gmssl point multiplication failed: {exc}") from None


def _sm3(data: bytes) -> bytes:
    _, gsm3 = _gmssl()
    return bytes.fromhex(gsm3.sm3_hash(list(data)))


def kdf(z: bytes, length: int) -> bytes:
    """gmssl's ``sm3_kdf`` (it takes Z as hex text and the length in bytes)."""
    _, gsm3 = _gmssl()
    if length == 0:
        return b""
    return bytes.fromhex(gsm3.sm3_kdf(z.hex().encode(), length))


def public_key_from_private(d: int, curve: Curve = SM2P256V1) -> Point:
    """d*G by gmssl's point multiplication."""
    return _kg(curve, d, curve.g)


def compute_za(public_key: Point, user_id: bytes = DEFAULT_USER_ID, curve: Curve = SM2P256V1) -> bytes:
    """ZA with gmssl's SM3 over ENTL || ID || a || b || xG || yG || xA || yA."""
    size = curve.field_bytes
    fields = b"".join(v.to_bytes(size, "big") for v in (curve.a, curve.b, curve.gx, curve.gy, *public_key))
    return _sm3((8 * len(user_id)).to_bytes(2, "big") + bytes(user_id) + fields)


def message_digest(public_key: Point, message: bytes, user_id: bytes = DEFAULT_USER_ID, curve: Curve = SM2P256V1) -> bytes:
    """e = SM3(ZA || M) with gmssl's SM3."""
    return _sm3(compute_za(public_key, user_id, curve) + bytes(message))


def sign(
    d: int, message: bytes, user_id: bytes = DEFAULT_USER_ID, *, k: int | None = None, curve: Curve = SM2P256V1
) -> tuple[int, int]:
    """gmssl's ``CryptSM2.sign`` over e = SM3(ZA || M); k from ``secrets`` when not given."""
    public = public_key_from_private(d, curve)
    e = message_digest(public, message, user_id, curve)
    size = 2 * curve.order_bytes
    kk = k if k is not None else secrets.randbelow(curve.n - 1) + 1
    result = _crypt(curve, private_key=d).sign(e, f"{kk:0{size}x}")
    if result is None:
        raise CrossCheckError("gmssl: degenerate signature for this k (r = 0, r + k = n or s = 0)")
    return (int(result[:size], 16), int(result[size:], 16))


def verify(
    public_key: Point,
    message: bytes,
    signature: tuple[int, int],
    user_id: bytes = DEFAULT_USER_ID,
    *,
    curve: Curve = SM2P256V1,
) -> bool:
    """gmssl's ``CryptSM2.verify`` over e = SM3(ZA || M), after the range check of r and s."""
    r, s = signature
    if not (1 <= r < curve.n and 1 <= s < curve.n):
        return False
    e = message_digest(public_key, message, user_id, curve)
    size = 2 * curve.order_bytes
    try:
        return bool(_crypt(curve, public_key=public_key).verify(f"{r:0{size}x}{s:0{size}x}", e))
    except (TypeError, ValueError) as exc:
        raise CrossCheckError(f"gmssl verify failed: {exc}") from None


def encrypt(
    public_key: Point,
    plaintext: bytes,
    *,
    k: int | None = None,
    order: str = "c1c3c2",
    point_prefix: bool = True,
    curve: Curve = SM2P256V1,
) -> bytes:
    """C1 = k*G, (x2, y2) = k*P, t = KDF, C3 = SM3(x2||M||y2), all by gmssl; encoded like ours."""
    size = curve.field_bytes
    while True:  # step A5: an all-zero t means drawing another k (an injected k is refused instead)
        kk = k if k is not None else secrets.randbelow(curve.n - 1) + 1
        c1 = _kg(curve, kk, curve.g)
        x2y2 = _kg(curve, kk, public_key)
        x2, y2 = x2y2[0].to_bytes(size, "big"), x2y2[1].to_bytes(size, "big")
        t = kdf(x2 + y2, len(plaintext))
        if any(t):
            break
        if k is not None:
            raise CrossCheckError("gmssl: KDF output is all zero for this k")
    c2 = xor(plaintext, t)
    c3 = _sm3(x2 + bytes(plaintext) + y2)
    return encode_ciphertext(c1, c3, c2, order=order, point_prefix=point_prefix, curve=curve)


def decrypt(d: int, ciphertext: bytes, *, order: str = "auto", curve: Curve = SM2P256V1) -> Decrypted:
    """gmssl's ``CryptSM2.decrypt`` on each candidate encoding, with C3 checked by gmssl primitives.

    Candidates are read as in :func:`mptool.algo.sm2.decrypt`; gmssl gets C1 without the 04
    prefix and mode 1 (C1C3C2) or 0 (C1C2C3); ASN.1 is re-laid out as C1C3C2.
    """
    size = curve.field_bytes
    attempts: list[tuple[str, str]] = []
    for cand in ciphertext_candidates(bytes(ciphertext), order, curve):
        if cand.c1 is None:
            attempts.append((cand.name, cand.problem))
            continue
        c1 = bytes.fromhex(_point_hex(cand.c1, curve))
        mode = 0 if cand.order == "c1c2c3" else 1
        body = c1 + (cand.c2 + cand.c3 if mode == 0 else cand.c3 + cand.c2)
        try:
            plaintext = _crypt(curve, private_key=d, mode=mode).decrypt(body)
        except (TypeError, ValueError) as exc:
            attempts.append((cand.name, f"gmssl failed: {exc}"))
            continue
        if plaintext is None:
            attempts.append((cand.name, "KDF output t is all zero"))
            continue
        shared = _kg(curve, d, cand.c1)
        u = _sm3(shared[0].to_bytes(size, "big") + plaintext + shared[1].to_bytes(size, "big"))
        if hmac.compare_digest(u, cand.c3):
            return Decrypted(plaintext, cand.order, cand.point_prefix)
        attempts.append((cand.name, "C3 mismatch"))
    raise decrypt_error(attempts)


def _add(curve: Curve, p1: Point, p2: Point) -> Point:
    crypt = _crypt(curve)
    try:
        return _parse_point(crypt._convert_jacb_to_nor(crypt._add_point(_point_hex(p1, curve) + "1", _point_hex(p2, curve))), curve)
    except (TypeError, ValueError) as exc:
        raise CrossCheckError(f"gmssl point addition failed: {exc}") from None


def key_exchange(
    role: str,
    private_key: int,
    ephemeral_private: int,
    peer_public_key: Point,
    peer_ephemeral_public: Point,
    key_length: int,
    *,
    own_id: bytes = DEFAULT_USER_ID,
    peer_id: bytes = DEFAULT_USER_ID,
    curve: Curve = SM2P256V1,
) -> KeyExchangeResult:
    """The key exchange of GB/T 32918.3 §6.1 with gmssl's point arithmetic, SM3 and KDF.

    gmssl has no key-exchange API; the point arithmetic, SM3 and KDF here are gmssl's, the
    assembly of K, S_B and S_A (:func:`~mptool.algo.sm2.keyexchange.finish`) is shared with
    :func:`mptool.algo.sm2.key_exchange` (same arguments, same result type).
    """
    own_public = _kg(curve, private_key, curve.g)
    own_ephemeral = _kg(curve, ephemeral_private, curve.g)
    t = (private_key + x_bar(own_ephemeral[0], curve) * ephemeral_private) % curve.n
    combined = _add(curve, peer_public_key, _kg(curve, x_bar(peer_ephemeral_public[0], curve), peer_ephemeral_public))
    shared = _kg(curve, curve.h * t, combined)
    id_a, id_b = by_role(role, own_id, peer_id)
    pub_a, pub_b = by_role(role, own_public, peer_public_key)
    ra, rb = by_role(role, own_ephemeral, peer_ephemeral_public)
    za, zb = compute_za(pub_a, id_a, curve), compute_za(pub_b, id_b, curve)
    return finish(shared, za, zb, ra, rb, key_length, curve, hash_fn=_sm3, kdf_fn=kdf)
