"""Reading certificates from files: PEM (bundles), DER, PKCS#7 (.p7b, PEM or DER) and directories.

Every input is recorded (name, size, SHA-256, SM3) through :func:`mptool.core.inputs.read_input`;
anything that is not a certificate is an :class:`InputError` naming the file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mptool.core.pem import PemError, is_pem, pem_blocks
from mptool.cert.x509.parse import Cert, CertParseError, parse_certificate
from mptool.core.errors import InputError
from mptool.core.inputs import read_input
from mptool.core.model import InputRecord

MAX_CERT_FILE = 16 << 20
_CERT_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE"})
_P7_LABELS = frozenset({"PKCS7", "CERTIFICATE CHAIN"})


@dataclass
class LoadedFiles:
    """Certificates read from some inputs, in input order, and the input records."""

    certs: list[Cert] = field(default_factory=list)
    records: list[InputRecord] = field(default_factory=list)
    #: files of a directory that hold no certificate, as (name, reason) (``skip_strays``)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _pkcs7_certificates(data: bytes, pem: bool) -> list[bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    loader = pkcs7.load_pem_pkcs7_certificates if pem else pkcs7.load_der_pkcs7_certificates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        certs = loader(data)
    return [c.public_bytes(Encoding.DER) for c in certs]


def _pem_blocks(name: str, data: bytes) -> list[bytes]:
    ders: list[bytes] = []
    try:
        for block in pem_blocks(data, _CERT_LABELS | _P7_LABELS):
            if block.label in _P7_LABELS:
                try:
                    ders.extend(_pkcs7_certificates(block.der, pem=False))
                except Exception as exc:  # noqa: BLE001 - ValueError, UnsupportedAlgorithm, … (issue 21)
                    raise InputError(name, f"PKCS#7 block cannot be read: {type(exc).__name__}: {exc}") from None
            else:
                ders.append(block.der)
    except PemError as exc:
        raise InputError(name, str(exc)) from None
    return ders


_BASE64_TEXT = re.compile(rb"^[A-Za-z0-9+/=\s]+$")


def unarmoured_base64(data: bytes) -> bytes | None:
    """The DER inside Base64 text without PEM armour (a certificate pasted from a web form or a
    database field), or None when ``data`` is not such text."""
    text = data.strip()
    if len(text) < 64 or not _BASE64_TEXT.match(text):
        return None
    try:
        der = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return der if der[:1] == b"\x30" else None


def split_certificates(name: str, data: bytes) -> list[bytes]:
    """The DER certificates in one file's bytes (PEM bundle, DER certificate, PKCS#7, or Base64
    of a DER certificate or PKCS#7 without the PEM armour)."""
    return _split(name, data)[0]


def _split(name: str, data: bytes) -> tuple[list[bytes], Cert | None]:
    """:func:`split_certificates`, with the certificate already parsed when the file is one DER
    certificate (telling DER from DER PKCS#7 parses it: :func:`parse_all` need not again)."""
    if not is_pem(data) and data[:1] != b"\x30":
        der = unarmoured_base64(data)
        if der is not None:
            data = der
    if is_pem(data):
        ders = _pem_blocks(name, data)
        if not ders:
            raise InputError(name, "PEM file holds no CERTIFICATE or PKCS7 block")
        return ders, None
    if data[:1] != b"\x30":
        raise InputError(name, "neither PEM nor DER, nor Base64 of DER (a DER certificate starts with a SEQUENCE, 0x30)")
    try:
        return [data], parse_certificate(data, name)
    except CertParseError as cert_error:
        try:
            ders = _pkcs7_certificates(data, pem=False)
        except Exception:  # noqa: BLE001 - not PKCS#7 either (ValueError, UnsupportedAlgorithm, …)
            raise InputError(name, str(cert_error)) from None
        if not ders:
            raise InputError(name, "PKCS#7 structure holds no certificate")
        return ders, None


def parse_all(name: str, ders: Iterable[bytes], seen: set[str] | None = None, parsed: Cert | None = None) -> list[Cert]:
    """Parse DER certificates from ``name``; sources are ``name`` or ``name#i`` for bundles.

    Copies are dropped by SHA-256 *before* parsing (a bundle of 10,000 copies of one certificate
    parses one); ``seen`` carries the digests across files. ``parsed``: one of them already
    parsed under its source (a DER file, by :func:`_split`), used instead of parsing it again.
    """
    ders = list(ders)
    seen = set() if seen is None else seen
    certs: list[Cert] = []
    for index, der in enumerate(ders):
        digest = hashlib.sha256(der).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        source = name if len(ders) == 1 else f"{name}#{index + 1}"
        if parsed is not None and parsed.der == der and parsed.source == source:
            certs.append(parsed)
            continue
        try:
            certs.append(parse_certificate(der, source))
        except CertParseError as exc:
            raise InputError(source, str(exc)) from None
    return certs


def _files_in(path: str) -> list[str]:
    root = Path(path)
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    if not files:
        raise InputError(path, "directory holds no file")
    return [str(p) for p in files]


def load_files(paths: Iterable[str], *, skip_strays: bool = False) -> LoadedFiles:
    """Read every certificate in ``paths`` (files or directories), recording each input file.

    With ``skip_strays`` a file found in a directory that holds no readable certificate (a README,
    a key, a CSR) is recorded in :attr:`LoadedFiles.skipped` with the reason and the others are
    read; a file named on the command line is always an input error when it is not a certificate.
    """
    loaded = LoadedFiles()
    seen: set[str] = set()
    for path in paths:
        in_directory = path != "-" and Path(path).is_dir()
        for name in _files_in(path) if in_directory else [path]:
            try:
                data, record = read_input(name, max_size=MAX_CERT_FILE)
                ders, parsed = _split(record.name, data)
                certs = parse_all(record.name, ders, seen, parsed)
            except InputError as exc:
                if not (skip_strays and in_directory):
                    raise
                loaded.skipped.append((name, exc.problem))
                continue
            loaded.records.append(record)
            loaded.certs.extend(certs)
    if skip_strays and not loaded.certs and loaded.skipped:
        first, reason = loaded.skipped[0]
        raise InputError(first, f"no certificate in the input ({len(loaded.skipped)} file(s) skipped; this one: {reason})")
    return loaded
