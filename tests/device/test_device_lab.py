"""``mptool device lab`` on the soft device, rehearsed with ``mptool data sample`` and ``device test``; the --timeout path."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest
from device_support import _reproducible_random, PASSWORD, SMALL_RANDOM, requires_toolchain, result, softsdf, statuses

from conftest import run_cli, validate_evidence
from mptool.device.lab.records import generate, id_check_digit

pytestmark = requires_toolchain
RECORDS = 60
OVER = "id,name,id_card_enc,phone_enc"


def _lab(directory, *extra: str, library=None):
    return run_cli(["device", "lab", str(directory), "--sdf", str(library or softsdf()), "--password", PASSWORD, "--records", str(RECORDS), "-f", "json", "--no-progress", *extra])


def _sample(db, keys: dict, *extra: str, env_keys: bool = True):
    env = {"LAB_DATA_KEY": keys["data_key"], "LAB_MAC_KEY": keys["mac_key"]} if env_keys else None
    args = ["data", "sample", str(db), "--table", "customers", "--column", "id_card_enc", "--column", "phone_enc", "--order", "first",
            "--key", "env:LAB_DATA_KEY", "--mac-column", "row_mac", "--mac-key", "env:LAB_MAC_KEY", "--mac-over", OVER, "-f", "json", *extra]
    return run_cli(args, env=env)


def _plaintexts() -> list[bytes]:
    """Every synthetic personal value the lab wrote (same seed as the lab's default)."""
    out: list[bytes] = []
    for r in generate(RECORDS, 1):
        out += [r.id_card.encode(), r.phone.encode(), r.name.encode("utf-8"), json.dumps(r.name).encode()]
    return out


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One lab on the good soft device, with its keys exported (lab only)."""
    root = tmp_path_factory.mktemp("lab")
    keys_file = root / "keys.json"
    res = _lab(root / "lab", "--export-keys", str(keys_file), "-o", str(root / "lab-evidence.json"))
    assert res.exit_code == 0, res.stderr
    return {"root": root, "dir": root / "lab", "db": root / "lab" / "lab.sqlite", "keys_file": keys_file, "keys": json.loads(keys_file.read_text()),
            "evidence_file": root / "lab-evidence.json", "stderr": res.stderr}


def test_synthetic_records_have_the_id_layout_and_are_reproducible() -> None:
    records = generate(20, 7)
    assert records == generate(20, 7) and records != generate(20, 8)
    for r in records:
        assert len(r.id_card) == 18 and r.id_card.startswith("99") and r.id_card[17] == id_check_digit(r.id_card[:17])
        assert len(r.phone) == 11 and r.phone.startswith("140")
    assert id_check_digit("11010519491231002") == "X"  # GB 11643-1999 example


def test_lab_writes_database_config_and_evidence(lab) -> None:
    evidence = validate_evidence(lab["evidence_file"].read_text(encoding="utf-8"))
    r = result(evidence, "device.lab.create")
    assert r["status"] == "pass"
    m = r["measurements"]
    assert m["records"] == RECORDS and m["readback_rows"] == 8 and m["key_index"] == 1
    assert (m["algorithm"], m["mode_of_operation"], m["iv_layout"]) == ("SM4", "CBC", "iv prefixed")
    assert "SDF_GenerateKeyWithIPK_ECC" in m["key_protection"]["data_key"] and "SDF_ExchangeDigitEnvelopeBaseOnECC" in m["key_export"]["function"]
    assert {f["code"] for f in r["findings"]} == {"device.lab.create.keys_exported", "device.lab.create.plaintext_column"}
    assert evidence["parameters"]["password_given"] is True and evidence["inputs"][0]["name"].endswith("libsoftsdf.so")
    config = json.loads((lab["dir"] / "lab.json").read_text(encoding="utf-8"))
    assert config["device"]["key_index"] == 1 and set(config["keys"]) == {"data_key", "mac_key"}
    assert "--key" in config["rehearsal"]["data_sample"] and "env:LAB_DATA_KEY" in config["rehearsal"]["data_sample"]
    assert "LAB ONLY" in (lab["dir"] / "README.md").read_text(encoding="utf-8")
    assert stat.S_IMODE(lab["keys_file"].stat().st_mode) == 0o600 and "LAB ONLY" in lab["keys"]["warning"]
    assert "LAB ONLY" in lab["stderr"] and str(lab["keys_file"]) in lab["stderr"]
    con = sqlite3.connect(lab["db"])
    rows = con.execute("SELECT id, name, id_card_enc, phone_enc, row_mac FROM customers ORDER BY id").fetchall()
    con.close()
    assert len(rows) == RECORDS
    assert all(isinstance(r[2], bytes) and len(r[2]) == 48 and len(r[3]) == 32 for r in rows)  # IV ‖ SM4-CBC(PKCS#7)
    assert len({r[2][:16] for r in rows}) == RECORDS  # a fresh IV per value


def test_data_sample_establishes_sm4_cbc_and_verifies_every_mac(lab, tmp_path) -> None:
    out = tmp_path / "sample.json"
    res = _sample(lab["db"], lab["keys"], "--column", "name", "-o", str(out))
    assert res.exit_code == 1, res.stderr  # only the deliberately clear name column fails
    raw = out.read_bytes()
    evidence = validate_evidence(raw.decode())
    assert evidence["summary"]["data"]["verdicts"] == {
        "customers.id_card_enc": "encrypted_established",
        "customers.phone_enc": "encrypted_established",
        "customers.name": "plaintext",
        "customers.row_mac": "integrity_established",
    }
    for r in evidence["results"]:
        if r["check"] == "data.column.decrypt":
            m = r["measurements"]
            assert (m["algorithm"], m["mode"], m["iv_layout"], m["decrypted_share"]) == ("SM4", "CBC", "iv prefixed", 1.0), r["subject"]
    integrity = next(r for r in evidence["results"] if r["check"] == "data.column.integrity")["measurements"]
    assert integrity["rows"] == RECORDS and integrity["verified"] == RECORDS and integrity["construction"]["separator"] == "|"
    # the sampled values and the keys are nowhere in the evidence
    for secret in (*_plaintexts(), lab["keys"]["data_key"].encode(), lab["keys"]["mac_key"].encode()):
        assert secret not in raw


def test_no_plaintext_personal_data_nor_key_in_what_the_lab_writes_besides_the_database(lab) -> None:
    blobs = {
        "evidence": lab["evidence_file"].read_bytes(),
        "lab.json": (lab["dir"] / "lab.json").read_bytes(),
        "README.md": (lab["dir"] / "README.md").read_bytes(),
        "keys file": lab["keys_file"].read_bytes(),
        "stderr": lab["stderr"].encode(),
    }
    for where, blob in blobs.items():
        for value in _plaintexts():
            assert value not in blob, where
        assert PASSWORD.encode() not in blob, where
        if where != "keys file":
            assert lab["keys"]["data_key"].encode() not in blob and lab["keys"]["mac_key"].encode() not in blob, where
    # the database does hold the clear name (on purpose) but no clear ID or phone number
    db = lab["db"].read_bytes()
    for r in generate(RECORDS, 1):
        assert r.id_card.encode() not in db and r.phone.encode() not in db


def test_tampering_one_row_is_found_by_data_sample(lab, tmp_path) -> None:
    db = tmp_path / "tampered.sqlite"
    db.write_bytes(lab["db"].read_bytes())
    con = sqlite3.connect(db)
    (phone,) = con.execute("SELECT phone_enc FROM customers WHERE id = 17").fetchone()
    swapped = con.execute("SELECT phone_enc FROM customers WHERE id = 18").fetchone()[0]
    assert phone != swapped
    con.execute("UPDATE customers SET phone_enc = ? WHERE id = 17", (swapped,))  # a valid ciphertext moved to another row
    con.execute("UPDATE customers SET name = name || '·' WHERE id = 40")
    con.commit()
    con.close()
    res = _sample(db, lab["keys"])
    assert res.exit_code == 1
    evidence = res.json()
    integrity = next(r for r in evidence["results"] if r["check"] == "data.column.integrity")
    assert integrity["measurements"]["verdict"] == "integrity_partial"
    assert integrity["measurements"]["verified"] == RECORDS - 2 and integrity["measurements"]["failed_positions"] == [16, 39]
    assert "data.column.integrity.mismatch" in {f["code"] for f in integrity["findings"]}
    # the moved ciphertext still decrypts: only the MAC finds it
    assert evidence["summary"]["data"]["verdicts"]["customers.phone_enc"] == "encrypted_established"


def test_a_wrong_key_establishes_nothing(lab) -> None:
    wrong = {"data_key": "00" * 16, "mac_key": "11" * 16}
    evidence = _sample(lab["db"], wrong).json()
    verdicts = evidence["summary"]["data"]["verdicts"]
    assert verdicts["customers.id_card_enc"] == "looks_encrypted_not_verified" and verdicts["customers.row_mac"] == "integrity_not_established"


def test_device_test_on_the_same_soft_device_passes(lab) -> None:
    res = run_cli(["device", "test", "--sdf", str(softsdf()), "--password", PASSWORD, *SMALL_RANDOM, "-f", "json", "--no-progress"])
    assert res.exit_code == 0, res.stderr
    assert {c: s for c, s in statuses(res.json()).items() if s not in ("pass", "info")} == {}


def test_existing_lab_exports_the_same_keys_and_refuses_to_be_overwritten(lab) -> None:
    res = _lab(lab["dir"])
    assert res.exit_code == 3 and res.stderr.count("\n") == 1 and "--force" in res.stderr and "Traceback" not in res.stderr
    before = lab["db"].read_bytes()
    res = _lab(lab["dir"], "--export-keys", "-")
    assert res.exit_code == 0, res.stderr
    assert f"export LAB_DATA_KEY={lab['keys']['data_key']}" in res.stderr and f"export LAB_MAC_KEY={lab['keys']['mac_key']}" in res.stderr
    assert "LAB ONLY" in res.stderr
    evidence = res.json()
    assert result(evidence, "device.lab.create")["measurements"]["mode"] == "export"
    assert lab["keys"]["data_key"] not in res.stdout and lab["db"].read_bytes() == before


def test_sm2_signature_integrity_verified_with_the_exported_public_key(tmp_path) -> None:
    keys_file = tmp_path / "keys.json"
    res = _lab(tmp_path / "lab", "--integrity", "sm2", "--export-keys", str(keys_file))
    assert res.exit_code == 0, res.stderr
    config = json.loads((tmp_path / "lab" / "lab.json").read_text())
    assert set(config["keys"]) == {"data_key"} and config["rehearsal"]["data_sample"][-2:] == ["--sign-key", config["sign_public_key"]]
    keys = json.loads(keys_file.read_text())
    res = run_cli(["data", "sample", str(tmp_path / "lab" / "lab.sqlite"), "-t", "customers", "-c", "id_card_enc", "--key", keys["data_key"],
                   "--mac-column", "row_mac", "--sign-key", config["sign_public_key"], "--mac-over", OVER, "-f", "json"])
    assert res.exit_code == 0, res.stderr
    assert res.json()["summary"]["data"]["verdicts"] == {"customers.id_card_enc": "encrypted_established", "customers.row_mac": "integrity_established"}


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["--password", "Wrong-Pw-123"], 3, "SDR_PRKRERR"),
        (["--key-index", "99"], 3, "SDR_KEYNOTEXIST"),
        (["--sdf", "/nonexistent/lib.so"], 3, "/nonexistent/lib.so"),
        (["--softsdf", "x"], 2, "exactly one"),
    ],
)
def test_bad_input_is_one_line(tmp_path, args: list[str], code: int, needle: str) -> None:
    base = ["device", "lab", str(tmp_path / "lab"), "--records", "3"]
    if "--sdf" not in args:
        base += ["--sdf", str(softsdf())]
    if "--password" not in args:
        base += ["--password", PASSWORD]
    res = run_cli([*base, *args])
    assert res.exit_code == code, res.stderr
    assert needle in res.stderr and res.stderr.strip().count("\n") == 0 and "Traceback" not in res.stderr
    assert "Wrong-Pw-123" not in res.stderr and not (tmp_path / "lab" / "lab.sqlite").exists()


def test_without_hmac_the_lab_says_use_sm2(tmp_path) -> None:
    res = _lab(tmp_path / "lab", library=softsdf("nohash", without=("hash", "2023")))
    assert res.exit_code == 3 and "SDF_HMACInit" in res.stderr and "--integrity sm2" in res.stderr
    res = _lab(tmp_path / "lab", "--integrity", "sm2", library=softsdf("nohash", without=("hash", "2023")))
    assert res.exit_code == 0, res.stderr  # e = SM3(Z‖M) by mptool when the device has no hash functions


def test_a_hanging_library_times_out_in_one_check_and_the_rest_run() -> None:
    res = run_cli(["device", "test", "--sdf", str(softsdf("hang", faults=("hang",))), "--password", PASSWORD, *SMALL_RANDOM, "--timeout", "3", "-f", "json", "--no-progress"])
    assert res.exit_code == 4, res.stderr  # documented: a hung check is 'error' → incomplete
    evidence = res.json()
    bad = {c: s for c, s in statuses(evidence).items() if s not in ("pass", "info")}
    assert bad == {"device.sdf.mac": "error"}
    finding = result(evidence, "device.sdf.mac")["findings"][0]
    assert finding["code"] == "device.sdf.library_timeout"
    assert finding["data"]["last_function"] == "SDF_CalculateMAC" and finding["data"]["timeout_s"] == 3
    # the checks after the hang ran in a new process
    assert result(evidence, "device.sdf.hmac")["status"] == "pass" and result(evidence, "device.sdf.error_handling")["status"] == "pass"


def test_a_crashing_library_is_one_line_and_leaves_no_database(tmp_path) -> None:
    """The application runs in a child process: a segfault in the library is reported, mptool survives."""
    res = _lab(tmp_path / "lab", "--integrity", "sm2", library=softsdf("crash", faults=("crash",)))
    assert res.exit_code == 3, res.stderr
    assert "SIGSEGV" in res.stderr and "SDF_InternalSign_ECC" in res.stderr and res.stderr.strip().count("\n") == 0
    assert not (tmp_path / "lab" / "lab.sqlite").exists() and not list((tmp_path / "lab").glob(".lab.sqlite.*"))
