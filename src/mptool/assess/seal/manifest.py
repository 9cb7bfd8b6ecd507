"""Write and verify the sealed manifest of a case directory (format: :mod:`mptool.assess.seal`)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mptool.core import jsonio
from mptool.algo.api import DEFAULT_USER_ID, sm2
from mptool.assess.fileio import write_bytes_atomic
from mptool.assess.seal.keys import load_certificate, load_private_key
from mptool.core.errors import InputError, UsageError
from mptool.core.inputs import new_sm3

SEAL_DIR = "seal"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CERTIFICATE = "signer.pem"
SCHEMA = "mptool.case-seal/1"


def _digests(path: Path) -> dict[str, Any]:
    sm3, sha = new_sm3(), hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sm3.update(chunk)
            sha.update(chunk)
            size += len(chunk)
    return {"size": size, "sm3": sm3.hexdigest(), "sha256": sha.hexdigest()}


def case_files(directory: Path) -> dict[str, dict[str, Any]]:
    """Every regular file under ``directory`` but ``seal/``, by POSIX relative path."""
    out: dict[str, dict[str, Any]] = {}
    for root, dirs, files in os.walk(directory):
        rel_root = Path(root).relative_to(directory)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d != SEAL_DIR]
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            out[(rel_root / name).as_posix()] = _digests(path)
    return out


def canonical(data: dict[str, Any]) -> bytes:
    """The canonical bytes of the manifest."""
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = _dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch and epoch.isdigit() else _dt.datetime.now(_dt.UTC)
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _pem(der: bytes) -> bytes:
    import base64

    body = base64.b64encode(der).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n").encode()


def seal_case(directory: str, key_file: str, cert_file: str, password: bytes | None = None) -> dict[str, Any]:
    """Seal ``directory``: write seal/manifest.json, manifest.sig and signer.pem; return the manifest."""
    base = Path(directory)
    if not base.is_dir():
        raise InputError(directory, "not a directory")
    from mptool import __version__

    d = load_private_key(key_file, password)
    cert = load_certificate(cert_file)
    if sm2.public_key_from_private(d) != cert.public_key:
        raise UsageError(f"{key_file}: the key does not belong to the certificate {cert_file}")
    files = case_files(base)
    manifest = {
        "schema": SCHEMA,
        "created": _now(),
        "tool": {"name": "mptool", "version": __version__},
        "files": [{"path": p, **v} for p, v in files.items()],
        "signer": {"subject": cert.subject, "issuer": cert.issuer, "serial": cert.serial,
                   "certificate_sm3": sm2.sm3(cert.der).hex(), "certificate_sha256": hashlib.sha256(cert.der).hexdigest()},
        "signature": {"algorithm": "SM2-with-SM3", "user_id": DEFAULT_USER_ID.decode("ascii"), "encoding": "DER SEQUENCE{r,s}",
                      "file": f"{SEAL_DIR}/{SIGNATURE}", "over": f"the exact bytes of {SEAL_DIR}/{MANIFEST}"},
    }
    body = canonical(manifest)
    r, s = sm2.sign(d, body, DEFAULT_USER_ID)
    target = base / SEAL_DIR
    target.mkdir(exist_ok=True)
    write_bytes_atomic(target / CERTIFICATE, _pem(cert.der))
    write_bytes_atomic(target / SIGNATURE, sm2.encode_signature_der(r, s))
    write_bytes_atomic(target / MANIFEST, body)
    return manifest


@dataclass
class SealReport:
    """What ``assess verify`` found."""

    signature_ok: bool
    signer: dict[str, Any] = field(default_factory=dict)
    files: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Signature valid and every file as sealed."""
        return self.signature_ok and not (self.added or self.changed or self.missing or self.problems)


def verify_case(directory: str) -> SealReport:
    """Check the signature and every file of a sealed case directory."""
    base = Path(directory)
    seal = base / SEAL_DIR
    if not (seal / MANIFEST).is_file():
        raise InputError(str(seal / MANIFEST), "no seal: run mptool assess seal first")
    body = (seal / MANIFEST).read_bytes()
    report = SealReport(signature_ok=False)
    try:
        manifest = jsonio.loads(body)
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError):
        report.problems.append(f"{SEAL_DIR}/{MANIFEST}: not a seal manifest ({SCHEMA})")
        return report
    report.signer = manifest.get("signer") or {}
    try:
        cert = load_certificate(str(seal / CERTIFICATE))
        signature = sm2.decode_signature((seal / SIGNATURE).read_bytes())
        report.signature_ok = sm2.verify(cert.public_key, body, signature, DEFAULT_USER_ID)
        if sm2.sm3(cert.der).hex() != report.signer.get("certificate_sm3"):
            report.problems.append(f"{SEAL_DIR}/{CERTIFICATE}: not the certificate named in the manifest")
    except (InputError, OSError, sm2.SM2Error) as exc:
        report.problems.append(f"{SEAL_DIR}: {exc}")
    if not report.signature_ok:
        report.problems.append(f"{SEAL_DIR}/{SIGNATURE}: bad signature over {SEAL_DIR}/{MANIFEST}")
    present = case_files(base)
    report.files = len(listed)
    for path, entry in listed.items():
        now = present.get(path)
        if now is None:
            report.missing.append(path)
        elif any(now[k] != entry.get(k) for k in ("size", "sm3", "sha256")):
            report.changed.append(path)
    report.added = [p for p in present if p not in listed]
    return report
