"""SM2 signature columns (``--sign-key``): all rows verify, a changed row is found.

``cryptography`` has no SM2, so rows are signed with ``mptool.algo.api.sm2`` (validated against the
GB/T 32918 examples and gmssl in tests/sm2); this tests the data domain's construction search.
"""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest
from conftest import run_cli
from mptool.algo.api import sm2


def _signed_orders(tmp_path: Path) -> tuple[Path, bytes]:
    """A table of 12 rows signed over ``id,amount``, row 5 changed after signing; the public point."""
    d = sm2.generate_private_key()
    db = tmp_path / "sig.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount TEXT, sig BLOB)")
    for i in range(12):
        r, s = sm2.sign(d, f"{i},{i * 100}".encode())
        conn.execute("INSERT INTO orders VALUES (?, ?, ?)", (i, "999" if i == 5 else str(i * 100), sm2.encode_signature_der(r, s)))
    conn.commit()
    conn.close()
    return db, sm2.encode_public_key(sm2.public_key_from_private(d))


def _integrity(db: Path, sign_key: str) -> dict:
    res = run_cli(["data", "sample", str(db), "-t", "orders", "-c", "amount", "--order", "first", "--mac-column", "sig", "--sign-key", sign_key, "--mac-over", "id,amount", "-f", "json", "--no-randomness"])
    data = res.json()
    [r] = [r for r in data["results"] if r["check"] == "data.column.integrity"]
    return {"inputs": [i["name"] for i in data["inputs"]], **r["measurements"]}


def test_sm2_signature_column(tmp_path: Path) -> None:
    db, public = _signed_orders(tmp_path)
    m = _integrity(db, public.hex())
    assert (m["algorithm"], m["verdict"], m["verified"], m["failed_positions"]) == ("SM2", "integrity_partial", 11, [5])
    assert m["construction"]["separator"] == "," and m["construction"]["mac_encoding"] == "raw"


#: SubjectPublicKeyInfo of an SM2 point, DER: AlgorithmIdentifier {id-ecPublicKey (RFC 5480), sm2p256v1
#: (GB/T 33560 OID 1.2.156.10197.1.301)}, BIT STRING 00 || 04 || X || Y
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def test_sign_key_as_a_public_key_file(tmp_path: Path) -> None:
    """--sign-key FILE goes through algo's one SM2 key loader and the file is an input of the evidence."""
    db, public = _signed_orders(tmp_path)
    pem = tmp_path / "signer.pem"
    pem.write_text("-----BEGIN PUBLIC KEY-----\n" + base64.encodebytes(_SPKI_PREFIX + public).decode() + "-----END PUBLIC KEY-----\n")
    m = _integrity(db, str(pem))
    assert (m["verdict"], m["verified"], m["failed_positions"]) == ("integrity_partial", 11, [5])
    assert m["inputs"] == [str(db), str(pem)]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"-----BEGIN CERTIFICATE-----\nabcde\n-----END CERTIFICATE-----\n", "not valid base64"),  # was exit 128 (binascii.Error)
        (None, "not an SM2 public key (algorithm 1.2.840.113549.1.1.1)"),  # an RSA certificate
        (b"\x30\x03\x02\x01", "expected an SM2 public key"),
    ],
)
def test_bad_sign_key_file_is_exit_3(tmp_path: Path, content: bytes | None, problem: str) -> None:
    db, _ = _signed_orders(tmp_path)
    key = tmp_path / "key.pem"
    key.write_bytes(content if content is not None else (Path(__file__).parents[2] / "vectors/certs/rsa/ee-cert.pem").read_bytes())
    res = run_cli(["data", "sample", str(db), "-t", "orders", "-c", "amount", "--mac-column", "sig", "--sign-key", str(key)])
    assert res.exit_code == 3, res.stderr
    assert res.stderr.strip() == res.stderr.strip().splitlines()[0] and res.stderr.startswith(f"mptool: error: --sign-key {key}: ") and problem in res.stderr
