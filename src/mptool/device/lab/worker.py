"""The child process of ``mptool device lab`` (``python -m mptool.device.lab.worker``): the application.

It loads the SDF library (never in mptool's own process: a vendor library may crash or hang),
reads its job as JSON on stdin (the access password travels there) and writes one JSON answer on
stdout. Before each SDF function it writes ``mptool-lab-call: NAME`` on stderr, so that the parent
can name the function a crashing library died in.

Create: the device generates two SM4 session keys wrapped under the encryption key pair of
``key_index`` (SDF_GenerateKeyWithIPK_ECC: the ECCCipher blobs are the application's stored key
material); each sensitive value is SM4-CBC encrypted by SDF_Encrypt with a fresh IV from
SDF_GenerateRandom (stored IV ‖ ciphertext, PKCS#7 padding); each row gets HMAC-SM3
(SDF_HMACInit/Update/Final) or an SM2 signature (SDF_HashInit with the signing public key and
ID, SDF_InternalSign_ECC) over ``id|name|id_card_enc|phone_enc``. Then it reads its own data
back the way the application would: SDF_ImportKeyWithISK_ECC of the stored blobs, SDF_Decrypt,
MAC/verify again. Export (lab only): SDF_ExchangeDigitEnvelopeBaseOnECC re-wraps each blob to an
SM2 key generated here, which decrypts it: the evaluator's copy of the keys.
"""

from __future__ import annotations

import ctypes
import json
import sqlite3
import sys
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID, pad, sm2, unpad
from mptool.device.lab.records import Record, generate
from mptool.device.sdf.binding import SDFCallError, SDFLibrary, Session, addr
from mptool.device.sdf.constants import SGD_SM2_3, SGD_SM3, SGD_SM4_CBC, error_name
from mptool.device.sdf.structs import ECCrefPublicKey, ECCSignature, ecc_cipher_type, get_field, point_of, public_key, put_field

TABLE = "customers"
ENCRYPTED = ("id_card_enc", "phone_enc")
MAC_OVER = ("id", "name", "id_card_enc", "phone_enc")
SEPARATOR = b"|"
CIPHER_ROOM = 1024

#: functions each part needs
NEEDS: dict[str, list[str]] = {
    "base": ["SDF_GetPrivateKeyAccessRight", "SDF_GenerateRandom", "SDF_GenerateKeyWithIPK_ECC", "SDF_ImportKeyWithISK_ECC", "SDF_Encrypt", "SDF_Decrypt"],
    "hmac-sm3": ["SDF_HMACInit", "SDF_HMACUpdate", "SDF_HMACFinal"],
    "sm2": ["SDF_ExportSignPublicKey_ECC", "SDF_InternalSign_ECC"],
    "export": ["SDF_ExchangeDigitEnvelopeBaseOnECC"],
}


class Fatal(Exception):
    """The job cannot be done: one line for the user (exit 3)."""


class App:
    """The lab application's device calls over one session."""

    def __init__(self, lib: SDFLibrary, s: Session, key_index: int) -> None:
        self.lib, self.s, self.index = lib, s, key_index

    def ok(self, name: str, *args: Any) -> None:
        sys.stderr.write(f"mptool-lab-call: {name}\n")
        sys.stderr.flush()
        code = self.lib.call(name, *args)
        if code != 0:
            raise SDFCallError(name, code)

    def access(self, password: bytes) -> None:
        buf = ctypes.create_string_buffer(password, len(password))
        try:
            self.ok("SDF_GetPrivateKeyAccessRight", self.s.handle, self.index, addr(buf), len(password))
        except SDFCallError as exc:
            raise Fatal(f"{exc}: wrong --password for key index {self.index}, or no such index") from None

    def random(self, n: int) -> bytes:
        buf = ctypes.create_string_buffer(n)
        self.ok("SDF_GenerateRandom", self.s.handle, n, addr(buf))
        return buf.raw

    def generate_wrapped_key(self) -> tuple[bytes, int]:
        """(ECCCipher bytes, handle): a device-generated SM4 key wrapped under the enc key of the index."""
        cipher = ecc_cipher_type(CIPHER_ROOM)()
        handle = ctypes.c_void_p()
        self.ok("SDF_GenerateKeyWithIPK_ECC", self.s.handle, self.index, 128, addr(cipher), addr(handle))
        return cipher_bytes(cipher), int(handle.value or 0)

    def import_wrapped_key(self, blob: bytes) -> int:
        cipher = cipher_of(blob)
        handle = ctypes.c_void_p()
        self.ok("SDF_ImportKeyWithISK_ECC", self.s.handle, self.index, addr(cipher), addr(handle))
        return int(handle.value or 0)

    def destroy(self, handle: int) -> None:
        if self.lib.has("SDF_DestroyKey"):
            self.lib.call("SDF_DestroyKey", self.s.handle, handle)

    def crypt(self, name: str, handle: int, iv: bytes, data: bytes) -> bytes:
        ivbuf = ctypes.create_string_buffer(iv, 16)  # the device updates it (CBC chaining): a copy
        src = ctypes.create_string_buffer(data, len(data))
        dst = ctypes.create_string_buffer(len(data) + 16)
        length = ctypes.c_uint(len(data) + 16)
        self.ok(name, self.s.handle, handle, SGD_SM4_CBC, addr(ivbuf), addr(src), len(data), addr(dst), addr(length))
        return dst.raw[: length.value]

    def encrypt_value(self, handle: int, text: str) -> bytes:
        """IV ‖ SM4-CBC(PKCS#7(text)), the IV from the device's random generator."""
        iv = self.random(16)
        return iv + self.crypt("SDF_Encrypt", handle, iv, pad(text.encode("utf-8"), 16, "pkcs7"))

    def decrypt_value(self, handle: int, stored: bytes) -> str:
        return unpad(self.crypt("SDF_Decrypt", handle, stored[:16], stored[16:]), 16, "pkcs7").decode("utf-8")

    def hmac(self, handle: int, message: bytes) -> bytes:
        self.ok("SDF_HMACInit", self.s.handle, handle, SGD_SM3)
        data = ctypes.create_string_buffer(message, len(message))
        self.ok("SDF_HMACUpdate", self.s.handle, addr(data), len(message))
        out = ctypes.create_string_buffer(64)
        length = ctypes.c_uint(64)
        self.ok("SDF_HMACFinal", self.s.handle, addr(out), addr(length))
        return out.raw[: length.value]

    def sign_public(self) -> tuple[int, int]:
        key = ECCrefPublicKey()
        self.ok("SDF_ExportSignPublicKey_ECC", self.s.handle, self.index, addr(key))
        return point_of(key)

    def digest(self, point: tuple[int, int], message: bytes) -> bytes:
        """e = SM3(Z ‖ M): by the device (SDF_HashInit with the public key and ID) when it has SM3."""
        if self.lib.missing(["SDF_HashInit", "SDF_HashUpdate", "SDF_HashFinal"]):
            return sm2.message_digest(point, message)
        key = public_key(*point)
        uid = ctypes.create_string_buffer(DEFAULT_USER_ID, len(DEFAULT_USER_ID))
        self.ok("SDF_HashInit", self.s.handle, SGD_SM3, addr(key), addr(uid), len(DEFAULT_USER_ID))
        data = ctypes.create_string_buffer(message, len(message))
        self.ok("SDF_HashUpdate", self.s.handle, addr(data), len(message))
        out = ctypes.create_string_buffer(32)
        length = ctypes.c_uint(32)
        self.ok("SDF_HashFinal", self.s.handle, addr(out), addr(length))
        return out.raw[:32]

    def sign(self, point: tuple[int, int], message: bytes) -> bytes:
        e = self.digest(point, message)
        digest = ctypes.create_string_buffer(e, 32)
        sig = ECCSignature()
        self.ok("SDF_InternalSign_ECC", self.s.handle, self.index, addr(digest), 32, addr(sig))
        return get_field(sig.r) + get_field(sig.s)

    def exchange(self, blob: bytes, point: tuple[int, int]) -> bytes:
        """SDF_ExchangeDigitEnvelopeBaseOnECC: the blob re-wrapped to ``point``."""
        key = public_key(*point)
        src = cipher_of(blob)
        dst = ecc_cipher_type(CIPHER_ROOM)()
        self.ok("SDF_ExchangeDigitEnvelopeBaseOnECC", self.s.handle, self.index, SGD_SM2_3, addr(key), addr(src), addr(dst))
        return cipher_bytes(dst)


def cipher_bytes(value: ctypes.Structure) -> bytes:
    """An ECCCipher as C1(x‖y) ‖ C3 ‖ C2 (the layout stored in lab.json)."""
    length = min(int(value.L), CIPHER_ROOM)
    return get_field(value.x) + get_field(value.y) + bytes(value.M) + bytes(value.C)[:length]


def cipher_of(blob: bytes) -> ctypes.Structure:
    c2 = blob[96:]
    value = ecc_cipher_type(max(len(c2), CIPHER_ROOM))()
    put_field(value.x, blob[:32])
    put_field(value.y, blob[32:64])
    ctypes.memmove(ctypes.addressof(value.M), blob[64:96], 32)
    value.L = len(c2)
    ctypes.memmove(ctypes.addressof(value.C), c2, len(c2))
    return value


def mac_message(rid: int, name: str, id_card_enc: bytes, phone_enc: bytes) -> bytes:
    """The integrity message: the stored values of MAC_OVER (text as UTF-8, BLOBs raw) joined by '|'."""
    return SEPARATOR.join((str(rid).encode(), name.encode("utf-8"), id_card_enc, phone_enc))


def write_database(path: str, rows: list[tuple[Any, ...]]) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(
            f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, "
            "id_card_enc BLOB NOT NULL, phone_enc BLOB NOT NULL, created TEXT NOT NULL, row_mac TEXT NOT NULL)"
        )
        con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        con.commit()
    finally:
        con.close()


def create(app: App, job: dict[str, Any]) -> dict[str, Any]:
    integrity = job["integrity"]
    dek_blob, dek = app.generate_wrapped_key()
    mk_blob, mk = (app.generate_wrapped_key() if integrity == "hmac-sm3" else (b"", 0))
    point = app.sign_public() if integrity == "sm2" else None
    records: list[Record] = generate(int(job["records"]), int(job["seed"]))
    rows: list[tuple[Any, ...]] = []
    for r in records:
        id_card_enc = app.encrypt_value(dek, r.id_card)
        phone_enc = app.encrypt_value(dek, r.phone)
        message = mac_message(r.id, r.name, id_card_enc, phone_enc)
        tag = app.hmac(mk, message) if point is None else app.sign(point, message)
        rows.append((r.id, r.name, r.city, id_card_enc, phone_enc, r.created, tag.hex()))
    app.destroy(dek)
    if mk:
        app.destroy(mk)
    write_database(job["database"], rows)
    # read back as the application does: import the stored blobs, decrypt, MAC/verify again
    dek2 = app.import_wrapped_key(dek_blob)
    mk2 = app.import_wrapped_key(mk_blob) if mk_blob else 0
    checked = min(len(rows), 8)
    problems: list[str] = []
    for row, r in zip(rows[:checked], records[:checked]):
        if app.decrypt_value(dek2, row[3]) != r.id_card or app.decrypt_value(dek2, row[4]) != r.phone:
            problems.append(f"row {r.id}: SDF_Decrypt with the re-imported key does not give the stored value back")
        message = mac_message(r.id, r.name, row[3], row[4])
        if point is None and app.hmac(mk2, message).hex() != row[6]:
            problems.append(f"row {r.id}: HMAC-SM3 with the re-imported key differs")
        if point is not None and not sm2.verify(point, message, (int(row[6][:64], 16), int(row[6][64:], 16))):
            problems.append(f"row {r.id}: the device's SM2 signature does not verify with its exported public key")
    app.destroy(dek2)
    if mk2:
        app.destroy(mk2)
    out: dict[str, Any] = {
        "records": len(rows),
        "wrapped_keys": {"data_key": dek_blob.hex(), **({"mac_key": mk_blob.hex()} if mk_blob else {})},
        "readback_rows": checked,
        "readback_problems": problems,
    }
    if point is not None:
        out["sign_public_key"] = sm2.encode_public_key(point).hex()
    return out


def export(app: App, wrapped: dict[str, str]) -> dict[str, str]:
    """The session keys in clear (lab only), through a digital-envelope exchange to a key made here."""
    d = sm2.generate_private_key()
    point = sm2.public_key_from_private(d)
    keys: dict[str, str] = {}
    for name, blob in wrapped.items():
        rewrapped = app.exchange(bytes.fromhex(blob), point)
        keys[name] = sm2.decrypt(d, rewrapped, order="c1c3c2").plaintext.hex()
    return keys


def run(job: dict[str, Any]) -> dict[str, Any]:
    try:
        lib = SDFLibrary(job["library"])
    except OSError as exc:
        raise Fatal(str(exc)) from None
    if not lib.has("SDF_OpenDevice") or not lib.has("SDF_OpenSession"):
        raise Fatal("exports no SDF_OpenDevice/SDF_OpenSession: not a GM/T 0018 SDF library")
    parts = ["base", *([job["integrity"]] if job["mode"] == "create" else []), *(["export"] if job["export"] else [])]
    missing = lib.missing([f for p in parts for f in NEEDS[p]])
    if missing:
        hint = " (--integrity sm2 needs no HMAC)" if any(m.startswith("SDF_HMAC") for m in missing) else ""
        raise Fatal(f"the library does not export {', '.join(missing)}: the lab application needs it{hint}")
    try:
        with Session(lib) as s:
            app = App(lib, s, int(job["key_index"]))
            app.access(job["password"].encode("utf-8"))
            out = create(app, job) if job["mode"] == "create" else {}
            if job["export"]:
                out["exported_keys"] = export(app, out.get("wrapped_keys") or job["wrapped_keys"])
    except SDFCallError as exc:
        raise Fatal(f"{exc} ({error_name(exc.code)})" if error_name(exc.code) not in str(exc) else str(exc)) from None
    return out


def main() -> int:
    job = json.loads(sys.stdin.read())
    try:
        answer = {"ok": True, **run(job)}
    except Fatal as exc:
        answer = {"ok": False, "message": str(exc)}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
