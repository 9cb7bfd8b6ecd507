"""``mptool device lab``: a lab application storing records encrypted and MACed through an SDF device.

The application itself runs in a child process (:mod:`mptool.device.lab.worker`) that loads the
SDF library; this module prepares the job, writes ``DIR/lab.sqlite``, ``DIR/lab.json`` (the
application's configuration: layout, key index, the wrapped key blobs) and ``DIR/README.md``,
and, only when asked (``--export-keys``), the session keys in clear for the evaluator's
``mptool data sample --key/--mac-key`` rehearsal (lab only).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mptool.core import jsonio
from mptool.core.errors import InputError, UsageError
from mptool.core.model import Finding, Severity, Status
from mptool.core.report import ReportBuilder
from mptool.device.lab.worker import ENCRYPTED, MAC_OVER, TABLE
from mptool.device.runner import termination

DATABASE = "lab.sqlite"
CONFIG = "lab.json"
README = "README.md"
INTEGRITY = ("hmac-sm3", "sm2")
LAB_ONLY = "LAB ONLY: keys exported from the simulated/lab device for rehearsing `mptool data sample`; never do this with a production system's keys"


@dataclass
class LabOptions:
    """The options of ``mptool device lab``."""

    directory: str
    sdf: str | None = None
    softsdf: str | None = None
    password: str | None = None
    key_index: int = 1
    records: int = 200
    seed: int = 1
    integrity: str = "hmac-sm3"
    export_keys: str | None = None
    force: bool = False
    timeout: float = 300.0


def _run_worker(job: dict[str, Any], subject: str, timeout: float) -> dict[str, Any]:
    """Run the application in a child; its answer (InputError for a fatal answer, a crash or a hang)."""
    proc = subprocess.Popen([sys.executable, "-m", "mptool.device.lab.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(json.dumps(job).encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise InputError(subject, f"the library did not answer within {timeout:g} s (last SDF function: {_last_call(err) or 'none'}); the lab application was killed") from None
    if proc.returncode != 0:
        how = termination(proc.returncode)
        raise InputError(subject, f"the lab application died ({how}) in {_last_call(err) or 'an unknown place'}")
    answer = json.loads(out)
    if not answer.pop("ok"):
        message = answer["message"]
        if "SDF_OpenDevice" in message or "SDF_OpenSession" in message:
            message += " (for mptool's soft device: run `mptool device softsdf --init DIR` first)"
        raise InputError(subject, message)
    return answer


def _last_call(stderr: bytes) -> str | None:
    calls = [line.split(":", 1)[1].strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.startswith("mptool-lab-call:")]
    return calls[-1] if calls else None


def data_sample_argv(directory: str, integrity: str, sign_public_key: str | None) -> list[str]:
    """The ``mptool data sample`` rehearsal command (keys by environment reference, never in clear)."""
    argv = ["mptool", "data", "sample", str(Path(directory) / DATABASE), "--table", TABLE]
    for column in ENCRYPTED:
        argv += ["--column", column]
    argv += ["--key", "env:LAB_DATA_KEY", "--mac-column", "row_mac", "--mac-over", ",".join(MAC_OVER)]
    argv += ["--mac-key", "env:LAB_MAC_KEY"] if integrity == "hmac-sm3" else ["--sign-key", sign_public_key or "SIGN_PUBLIC_KEY"]
    return argv


def _readme(config: dict[str, Any]) -> str:
    sample = " ".join(config["rehearsal"]["data_sample"])
    keys = "\n".join(f"- `{name}`: {info['protection']}" for name, info in config["keys"].items())
    return f"""# mptool lab application ({config['database']})

Made by `mptool device lab` for rehearsing a 密评 of stored data. **Synthetic records only**
(ID numbers with region code 99…, phone numbers in the 140 IoT range, random names).

Table `{TABLE}` ({config['records']} rows):

| column | stored as |
|---|---|
""" + "".join(f"| `{c}` | {d.replace('|', chr(92) + '|')} |\n" for c, d in config["columns"].items()) + f"""
Keys (device key index {config['device']['key_index']}; blobs in `{CONFIG}`, as the application stores them):

{keys}

## Rehearsal

1. The evaluator obtains the keys: {config['key_export']['how']}
   ({LAB_ONLY}).
2. `export LAB_DATA_KEY=… LAB_MAC_KEY=…` from that file, then

       {sample}

   gives `encrypted_established` (SM4, CBC, IV prefixed) for the encrypted columns and
   `integrity_established` for `row_mac`; `-c name` gives `plaintext` (left in clear on purpose).
3. `mptool device test --sdf {config['device']['library']} --password …` tests the device itself.
"""


def run_lab(builder: ReportBuilder, options: LabOptions, library: str) -> list[str]:
    """Create the lab with ``library`` (or export an existing lab's keys); adds the result; lines for stderr."""
    from mptool.device.checks.lab import CREATE

    assert options.password is not None

    if options.integrity not in INTEGRITY:
        raise UsageError(f"--integrity: one of {', '.join(INTEGRITY)}")
    target = Path(options.directory)
    db, config_path = target / DATABASE, target / CONFIG
    mode = "create"
    existing: dict[str, Any] = {}
    if db.exists() and not options.force:
        if options.export_keys is None:
            raise InputError(options.directory, f"already holds {DATABASE}: give --force to re-create it, or --export-keys FILE to export its keys")
        try:
            existing = jsonio.loads(config_path.read_text(encoding="utf-8"))
            if not existing["keys"]["data_key"]["ecccipher_c1c3c2_hex"] or "key_index" not in existing["device"]:
                raise KeyError("keys")
        except (OSError, ValueError, KeyError):
            raise InputError(str(config_path), "missing or not a lab configuration: re-create the lab with --force") from None
        mode = "export"
    key_index = int(existing["device"]["key_index"]) if existing else options.key_index
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(options.directory, f"cannot create the directory: {exc.strerror or exc}") from None
    tmp = target / f".{DATABASE}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    job = {
        "library": str(Path(library).resolve()),
        "mode": mode,
        "database": str(tmp),
        "records": options.records,
        "seed": options.seed,
        "key_index": key_index,
        "password": options.password,
        "integrity": existing.get("integrity", options.integrity),
        "export": options.export_keys is not None,
        "wrapped_keys": {name: info["ecccipher_c1c3c2_hex"] for name, info in existing.get("keys", {}).items()},
    }
    subject = os.path.basename(library)
    try:
        answer = _run_worker(job, subject, options.timeout)
        if mode == "create":
            os.replace(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)
    integrity = job["integrity"]
    builder.parameters.update(
        {"library": library, "directory": options.directory, "mode": mode, "key_index": key_index, "password_given": True,
         "records": options.records if mode == "create" else existing.get("records"), "seed": options.seed, "integrity": integrity,
         "export_keys": options.export_keys}
    )
    if mode == "create":
        config = _config(options, library, key_index, integrity, answer)
        config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (target / README).write_text(_readme(config), encoding="utf-8")
    else:
        config = existing
    findings: list[Finding] = [
        Finding(code=CREATE.code("plaintext_column"), severity=Severity.INFO, message="column name is stored in clear on purpose (`data sample -c name` → plaintext)"),
    ]
    problems = answer.get("readback_problems", [])
    for problem in problems:
        findings.append(Finding(code=CREATE.code("readback_failed"), severity=Severity.ERROR, message=problem))
    lines: list[str] = []
    if options.export_keys is not None:
        keys = answer["exported_keys"]
        lines = _export(options.export_keys, keys, config)
        findings.append(Finding(code=CREATE.code("keys_exported"), severity=Severity.INFO, message=f"{LAB_ONLY} (written to {options.export_keys if options.export_keys != '-' else 'stderr'})", data={"keys": sorted(keys)}))
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    measurements = {
        "mode": mode,
        "database": str(db),
        "database_sha256": digest,
        "table": TABLE,
        "records": config["records"],
        "columns": config["columns"],
        "encrypted_columns": list(ENCRYPTED),
        "algorithm": "SM4", "mode_of_operation": "CBC", "iv_layout": "iv prefixed", "padding": "PKCS#7",
        "integrity": config["integrity_algorithm"], "mac_column": "row_mac", "mac_over": list(MAC_OVER), "mac_separator": "|",
        "key_index": key_index,
        "key_protection": {name: info["protection"] for name, info in config["keys"].items()},
        "key_export": config["key_export"],
        "readback_rows": answer.get("readback_rows"),
        "rehearsal": config["rehearsal"],
        "synthetic_data": True,
    }
    builder.add(CREATE.result(Status.FAIL if problems else Status.PASS, subject=str(db), measurements=measurements, findings=findings))
    return lines


def _config(options: LabOptions, library: str, key_index: int, integrity: str, answer: dict[str, Any]) -> dict[str, Any]:
    wrapped = f"SM4 session key generated by the device, stored only as an ECCCipher wrapped under the encryption key pair of index {key_index} (SDF_GenerateKeyWithIPK_ECC); the application re-imports it with SDF_ImportKeyWithISK_ECC after SDF_GetPrivateKeyAccessRight"
    keys = {"data_key": {"use": "SM4-CBC of id_card_enc and phone_enc", "protection": wrapped, "ecccipher_c1c3c2_hex": answer["wrapped_keys"]["data_key"]}}
    if integrity == "hmac-sm3":
        keys["mac_key"] = {"use": "HMAC-SM3 of row_mac", "protection": wrapped, "ecccipher_c1c3c2_hex": answer["wrapped_keys"]["mac_key"]}
        algorithm = "HMAC-SM3 (SDF_HMACInit/Update/Final, GM/T 0018-2023)"
    else:
        algorithm = f"SM2 signature by the signing key of index {key_index} (SDF_InternalSign_ECC over e = SM3(Z‖M), user ID 1234567812345678), raw r‖s"
    over = "|".join(MAC_OVER)
    return {
        "lab_only": "synthetic records made by mptool device lab; not real personal data",
        "database": DATABASE,
        "table": TABLE,
        "records": answer["records"],
        "columns": {
            "id": "INTEGER PRIMARY KEY",
            "name": "TEXT, in clear on purpose (data sample: plaintext)",
            "city": "TEXT, in clear (not sensitive)",
            "id_card_enc": "BLOB: IV (16 bytes from SDF_GenerateRandom) ‖ SM4-CBC(PKCS#7(ID number)) by SDF_Encrypt",
            "phone_enc": "BLOB: IV (16 bytes from SDF_GenerateRandom) ‖ SM4-CBC(PKCS#7(mobile number)) by SDF_Encrypt",
            "created": "TEXT date, in clear",
            "row_mac": f"TEXT hex: {algorithm} over {over} (stored values: text as UTF-8, BLOBs raw, joined by '|')",
        },
        "integrity": integrity,
        "integrity_algorithm": algorithm,
        **({"sign_public_key": answer["sign_public_key"]} if "sign_public_key" in answer else {}),
        "device": {"library": library, "key_index": key_index},
        "keys": keys,
        "key_export": {
            "function": "SDF_ExchangeDigitEnvelopeBaseOnECC (GM/T 0018-2012 6.3), with the access password of the key index",
            "how": f"`mptool device lab {options.directory} --sdf {library} --password … --export-keys keys.json` re-wraps each blob to an SM2 key mptool generates and decrypts it (mode 0600 file)",
        },
        "rehearsal": {"data_sample": data_sample_argv(options.directory, integrity, answer.get("sign_public_key"))},
    }


def _export(destination: str, keys: dict[str, str], config: dict[str, Any]) -> list[str]:
    """Write the keys (lab only) to ``destination`` (mode 0600) or return them as stderr lines for ``-``."""
    env = {"data_key": "LAB_DATA_KEY", "mac_key": "LAB_MAC_KEY"}
    if destination == "-":
        return [f"mptool: {LAB_ONLY}", *(f"export {env.get(n, n.upper())}={v}" for n, v in sorted(keys.items()))]
    body = {"warning": LAB_ONLY, "database": config["database"], "table": config["table"], **keys, "environment": {env.get(n, n.upper()): v for n, v in keys.items()}}
    try:
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(body, indent=2) + "\n")
        os.chmod(destination, 0o600)
    except OSError as exc:
        raise InputError(destination, f"cannot write the key file: {exc.strerror or exc}") from None
    return [f"mptool: {LAB_ONLY}: written to {destination} (mode 0600)"]
