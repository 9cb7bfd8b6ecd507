"""Demo run of ``mptool data``: the small bundled SQLite database ``vectors/data/demo-customers.sqlite``.

The table holds synthetic values: an SM4-CBC column (IV prefixed), a Base64-of-plaintext column
and an HMAC-SM3 column over ``id|name_b64``, with one row changed after its MAC was computed.
The demo keys are fixed and public (they protect nothing). Regenerate the file with
``python -m mptool.data.demo vectors/data/demo-customers.sqlite`` (IVs are derived, so the content is reproducible).
"""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
import sys
from pathlib import Path

from mptool.algo import api as algo
from mptool.core.bundled import data_path
from mptool.core.demo import DemoRun

DEMO_SM4_KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
DEMO_MAC_KEY = bytes.fromhex("6d7074 6f6f6c2d64656d6f2d6d61632d6b6579".replace(" ", ""))
ROWS = 50


def build(path: Path) -> Path:
    """Write the demo database to ``path`` (replacing it) and return it."""
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, phone_sm4 BLOB, name_b64 TEXT, row_mac TEXT)")
    for i in range(1, ROWS + 1):
        phone = f"1380013{i:04d}".encode()
        iv = hashlib.sha256(b"demo iv %d" % i).digest()[:16]
        ct, _ = algo.encrypt("sm4", "cbc", DEMO_SM4_KEY, algo.pad(phone, 16, "pkcs7"), iv=iv)
        name_b64 = base64.b64encode(f"客户{i:03d}".encode()).decode()
        mac = algo.hmac_sm3(DEMO_MAC_KEY, f"{i}|{name_b64}".encode()).hex()
        if i == 13:
            name_b64 = base64.b64encode("客户013改".encode()).decode()
        conn.execute("INSERT INTO customers VALUES (?, ?, ?, ?)", (i, iv + ct, name_b64, mac))
    conn.commit()
    conn.close()
    os.replace(tmp, path)
    return path


def demo_runs() -> list[DemoRun]:
    """One run: the three columns judged with the demo keys."""
    db = data_path("data", "demo-customers.sqlite")
    return [
        DemoRun(
            "data-sample",
            "stored data: SM4-CBC, Base64 and HMAC-SM3 columns (SQLite)",
            ["data", "sample", str(db), "--table", "customers", "-c", "phone_sm4", "-c", "name_b64", "--order", "first", "--key", DEMO_SM4_KEY.hex(), "--mac-column", "row_mac", "--mac-key", DEMO_MAC_KEY.hex(), "--mac-over", "id,name_b64"],
        )
    ]


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
