"""SM2 signature columns (``--sign-key``): all rows verify, a changed row is found.

``cryptography`` has no SM2, so rows are signed with ``mptool.algo.api.sm2`` (validated against the
GB/T 32918 examples and gmssl in tests/sm2); this tests the data domain's construction search.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import run_cli
from mptool.algo.api import sm2


def test_sm2_signature_column(tmp_path: Path) -> None:
    d = sm2.generate_private_key()
    public = sm2.encode_public_key(sm2.public_key_from_private(d)).hex()
    db = tmp_path / "sig.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount TEXT, sig BLOB)")
    for i in range(12):
        r, s = sm2.sign(d, f"{i},{i * 100}".encode())
        conn.execute("INSERT INTO orders VALUES (?, ?, ?)", (i, "999" if i == 5 else str(i * 100), sm2.encode_signature_der(r, s)))
    conn.commit()
    conn.close()
    res = run_cli(["data", "sample", str(db), "-t", "orders", "-c", "amount", "--order", "first", "--mac-column", "sig", "--sign-key", public, "--mac-over", "id,amount", "-f", "json", "--no-randomness"])
    [r] = [r for r in res.json()["results"] if r["check"] == "data.column.integrity"]
    m = r["measurements"]
    assert (m["algorithm"], m["verdict"], m["verified"], m["failed_positions"]) == ("SM2", "integrity_partial", 11, [5])
    assert m["construction"]["separator"] == "," and m["construction"]["mac_encoding"] == "raw"
