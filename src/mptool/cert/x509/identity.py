"""What a report cites about a certificate: subject, issuer, serial, validity, key, fingerprints."""

from __future__ import annotations

from typing import Any

from mptool.cert.x509.parse import Cert
from mptool.core.inputs import new_sm3

#: Key sizes of named curves by the name :mod:`mptool.cert.x509.strength` gives them.
_CURVE_BITS = {"sm2p256v1": 256, "P-256": 256, "P-384": 384, "P-521": 521, "P-224": 224, "P-192": 192, "secp256k1": 256}


def _key(cert: Cert) -> tuple[str, int | None]:
    """(key type, size in bits): RSA modulus bits, EC/SM2 curve order bits."""
    from mptool.cert.x509.strength import key_strength

    strength = key_strength(cert)
    if cert.key.kind == "sm2":
        return "SM2", 256
    if cert.key.kind == "rsa":
        return "RSA", strength.size
    if cert.key.kind == "ec":
        name = strength.curve or strength.algorithm
        size = strength.size or _CURVE_BITS.get(name)
        if size is None:
            try:
                size = int(cert.x509.public_key().key_size)  # type: ignore[union-attr]
            except Exception:  # noqa: BLE001 - a curve cryptography does not know
                size = None
        return f"EC {name}", size
    return strength.algorithm, strength.size


def identity(cert: Cert) -> dict[str, Any]:
    """The identity of one certificate for evidence and reports (RFC 5280 §4.1.2 fields)."""
    kind, size = _key(cert)
    sm3 = new_sm3()
    sm3.update(cert.der)
    return {
        "source": cert.source,
        "subject": cert.subject_text,
        "issuer": cert.issuer_text,
        "serial": format(cert.serial, "X") if cert.serial >= 0 else f"-{-cert.serial:X}",
        "not_before": cert.not_before.isoformat(),
        "not_after": cert.not_after.isoformat(),
        "key_type": kind,
        "key_bits": size,
        "sha256": cert.sha256,
        "sm3": sm3.hexdigest(),
    }


def one_line(entry: dict[str, Any]) -> str:
    """The identity as one line of a text report."""
    size = f"-{entry['key_bits']}" if entry.get("key_bits") else ""
    return (
        f"subject {entry['subject'] or '(empty)'}; issuer {entry['issuer'] or '(empty)'}; serial {entry['serial']}; "
        f"valid {entry['not_before']} to {entry['not_after']}; key {entry['key_type']}{size}; SM3 {entry['sm3']}; SHA-256 {entry['sha256']}"
    )
