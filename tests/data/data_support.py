"""One table, encrypted by the tests with ``cryptography`` (independent of mptool's own code),
written to SQLite, PostgreSQL or MariaDB with SQLAlchemy, and the verdicts it must get."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
AES_KEY = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
MAC_KEY = bytes.fromhex("6d61632d6b65792d666f722d74657374732d3031")
ROWS = 60
TAMPERED_ROW = 7  #: 0-based position (primary-key order) of the row whose plaintext was changed after MACing
CITIES = ("北京", "上海", "广州", "深圳")


def people(n: int = ROWS) -> list[dict[str, str]]:
    """Synthetic personal data: the strings that must never appear in evidence."""
    rng = random.Random(16)
    surnames = "赵钱孙李周吴郑王冯陈"
    return [
        {
            "name": f"{surnames[i % 10]}{'伟芳娜敏静丽强磊军洋'[rng.randrange(10)]}{i:03d}",
            "phone": f"1{rng.choice('3579')}{rng.randrange(10**9):09d}",
            "id_card": f"11010519{rng.randrange(1960, 2000)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(10000):04d}",
            "email": f"user{i:03d}.secret@example.cn",
            "city": CITIES[i % len(CITIES)],
        }
        for i in range(n)
    ]


def _cbc(algorithm: Any, plaintext: bytes, iv: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithm, modes.CBC(iv)).encryptor()
    return iv + enc.update(data) + enc.finalize()


def _ecb(key: bytes, plaintext: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return enc.update(data) + enc.finalize()


def _sm4_gcm(key: bytes, plaintext: bytes, nonce: bytes) -> bytes:
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    ct = enc.update(plaintext) + enc.finalize()
    return nonce + ct + enc.tag


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


def rows(n: int = ROWS) -> list[dict[str, Any]]:
    """The table's rows: one column per protection the issue lists."""
    rng = random.Random(39786)
    out = []
    for i, p in enumerate(people(n)):
        iv = rng.randbytes(16)
        nonce = rng.randbytes(12)
        row = {
            "id": i + 1,
            "name": p["name"],  # plaintext
            "phone_sm4cbc": _cbc(algorithms.SM4(SM4_KEY), p["phone"].encode(), iv),  # BLOB, IV prefixed
            "idcard_sm4gcm": base64.b64encode(_sm4_gcm(SM4_KEY, p["id_card"].encode(), nonce)).decode(),  # Base64 text
            "email_aescbc": _cbc(algorithms.AES(AES_KEY), p["email"].encode(), rng.randbytes(16)).hex(),  # hex text
            "city_sm4ecb": _ecb(SM4_KEY, p["city"].encode()).hex(),  # deterministic: 4 cities, repeats
            "name_b64": base64.b64encode(p["name"].encode()).decode(),  # Base64 of plaintext
            "phone_hex": p["phone"].encode().hex(),  # hex of plaintext
        }
        row["row_mac"] = hmac_sm3(MAC_KEY, f"{row['id']}|{row['name']}".encode()).hex()
        out.append(row)
    out[TAMPERED_ROW]["name"] = out[TAMPERED_ROW]["name"] + "改"  # changed after the MAC was computed
    return out


#: column -> verdict with the SM4 key given (--key SM4_KEY)
EXPECTED_WITH_SM4_KEY = {
    "name": "plaintext",
    "phone_sm4cbc": "encrypted_established",
    "idcard_sm4gcm": "encrypted_established",
    "email_aescbc": "looks_encrypted_not_verified",
    "city_sm4ecb": "encrypted_established",
    "name_b64": "encoding_only",
    "phone_hex": "encoding_only",
}
EXPECTED_WITHOUT_KEY = {**EXPECTED_WITH_SM4_KEY, "phone_sm4cbc": "looks_encrypted_not_verified", "idcard_sm4gcm": "looks_encrypted_not_verified", "city_sm4ecb": "looks_encrypted_not_verified"}
COLUMNS = tuple(EXPECTED_WITH_SM4_KEY)


def secrets(n: int = ROWS) -> list[str]:
    """Every plaintext the tests insert, and its encodings: none may appear in evidence."""
    out: list[str] = []
    for p, r in zip(people(n), rows(n)):
        out += [p["name"], p["phone"], p["id_card"], p["email"], r["name"], r["name_b64"], r["phone_hex"]]
    return out


def create_table(engine: Any, name: str = "customers") -> None:
    """Create and fill the table through SQLAlchemy (same schema on every database)."""
    from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, Text

    meta = MetaData()
    table = Table(
        name,
        meta,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("name", Text),
        Column("phone_sm4cbc", LargeBinary),
        Column("idcard_sm4gcm", Text),
        Column("email_aescbc", Text),
        Column("city_sm4ecb", String(128)),
        Column("name_b64", Text),
        Column("phone_hex", Text),
        Column("row_mac", String(64)),
        mysql_charset="utf8mb4",
    )
    meta.drop_all(engine)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), rows())


def sqlite_db(path: Path) -> Path:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    create_table(engine)
    engine.dispose()
    return path


def export_csv(path: Path) -> Path:
    import csv

    data = rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(data[0]))
        writer.writeheader()
        for row in data:
            writer.writerow({k: (v.hex() if isinstance(v, bytes) else v) for k, v in row.items()})
    return path


def export_jsonl(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows():
            handle.write(json.dumps({k: (base64.b64encode(v).decode() if isinstance(v, bytes) else v) for k, v in row.items()}, ensure_ascii=False) + "\n")
    return path


def sample_args(source: str, *extra: str) -> list[str]:
    args = ["data", "sample", source, "--table", "customers", "--order", "first", "-f", "json", "--deterministic"]
    for c in COLUMNS:
        args += ["-c", c]
    return [*args, *extra]


def verdicts(evidence: dict[str, Any], check: str = "data.column.protection") -> dict[str, str]:
    return {r["subject"].split(".", 1)[-1]: r["measurements"]["verdict"] for r in evidence["results"] if r["check"] == check}


def result(evidence: dict[str, Any], check: str, column: str) -> dict[str, Any]:
    [found] = [r for r in evidence["results"] if r["check"] == check and r["subject"].split(".", 1)[-1] == column]
    return found


def assert_no_secrets(blob: bytes, *more: str) -> None:
    for text in [*secrets(), *more]:
        assert text.encode("utf-8") not in blob, f"evidence contains {text!r}"
