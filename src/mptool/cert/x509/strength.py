"""Security strength of a certificate's public key, in bits (NIST SP 800-57 Part 1 Rev. 5 §5.6.1,
tables 2–3): the same table and thresholds the ``assess`` domain uses for Ra (GB/T 43206 table 2:
≥ 112 bits ok, 80–111 weak, < 80 broken; src/mptool/assess/data/mapping-v1.yaml ``rsa_bits``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from mptool.cert.x509 import oids
from mptool.cert.x509.parse import Cert

#: (smallest modulus, strength): RSA and finite-field (DSA) keys, SP 800-57 table 2
MODULUS_BITS: tuple[tuple[int, int], ...] = ((15360, 256), (7680, 192), (3072, 128), (2048, 112), (1024, 80), (0, 40))
#: named curves by OID: (name, strength), SP 800-57 table 2 (f = order size / 2)
CURVES: dict[str, tuple[str, int]] = {
    "1.2.840.10045.3.1.1": ("P-192", 80),
    "1.3.132.0.33": ("P-224", 112),
    "1.2.840.10045.3.1.7": ("P-256", 128),
    "1.3.132.0.34": ("P-384", 192),
    "1.3.132.0.35": ("P-521", 256),
    "1.3.132.0.10": ("secp256k1", 128),
    oids.SM2_CURVE: ("sm2p256v1", 128),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 128),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 192),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 256),
}
EDWARDS = {"1.3.101.112": ("Ed25519", 128), "1.3.101.113": ("Ed448", 224), "1.3.101.110": ("X25519", 128), "1.3.101.111": ("X448", 224)}
DSA = "1.2.840.10040.4.1"
#: the classes (GB/T 43206 table 2 as used by assess): bits ≥ OK → ok, ≥ WEAK → weak, else broken
OK, WEAK = 112, 80
#: curves the Web-PKI accepts (CA/B Forum BR §6.1.5; Mozilla Root Store Policy §5.1)
WEBPKI_CURVES = {"P-256", "P-384", "P-521"}


@dataclass(frozen=True)
class KeyStrength:
    """What the key is and how strong."""

    algorithm: str  #: "RSA-2048", "P-256", "explicit curve (256-bit order)", …
    bits: int | None  #: security strength (None: unknown)
    size: int | None  #: modulus or order size in bits
    explicit: bool = False
    curve: str | None = None

    @property
    def level(self) -> str:
        """ok, weak, broken or unknown."""
        if self.bits is None:
            return "unknown"
        return "ok" if self.bits >= OK else "weak" if self.bits >= WEAK else "broken"


def modulus_strength(bits: int) -> int:
    """Strength of an RSA/DSA modulus of ``bits`` bits."""
    return next(strength for minimum, strength in MODULUS_BITS if bits >= minimum)


@functools.cache
def _rsa_public_key_type() -> type:
    """RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1),
    declared here: pyasn1_modules.rfc3447 would import the whole of rfc2459 (~30 ms) for it."""
    from pyasn1.type import namedtype, univ

    class RSAPublicKey(univ.Sequence):
        componentType = namedtype.NamedTypes(namedtype.NamedType("modulus", univ.Integer()), namedtype.NamedType("publicExponent", univ.Integer()))

    return RSAPublicKey


def _rsa_modulus_bits(cert: Cert) -> int | None:
    from pyasn1.codec.der import decoder
    from pyasn1.error import PyAsn1Error

    try:
        decoded, _ = decoder.decode(cert.key.point, asn1Spec=_rsa_public_key_type()())
    except (PyAsn1Error, ValueError, OverflowError):
        return None
    return int(decoded["modulus"]).bit_length()


def key_strength(cert: Cert) -> KeyStrength:
    """The security strength of ``cert``'s subject public key."""
    key = cert.key
    if key.kind == "rsa":
        size = _rsa_modulus_bits(cert)
        return KeyStrength(f"RSA-{size}", modulus_strength(size) if size else None, size)
    if key.kind in ("ec", "sm2"):
        if key.curve == "explicit" and key.explicit_params is not None:
            size = key.explicit_params["n"].bit_length()
            name = "sm2p256v1" if key.kind == "sm2" else None
            return KeyStrength(f"explicit curve ({size}-bit order)", size // 2, size, explicit=True, curve=name)
        name, bits = CURVES.get(key.curve or "", (key.curve or "unknown curve", None))  # type: ignore[assignment]
        return KeyStrength(name, bits, None, curve=name)
    if key.algorithm in EDWARDS:
        name, bits = EDWARDS[key.algorithm]
        return KeyStrength(name, bits, None)
    if key.algorithm == DSA:
        try:
            size = cert.x509.public_key().key_size  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - inherited or unsupported parameters
            return KeyStrength("DSA", None, None)
        return KeyStrength(f"DSA-{size}", modulus_strength(size), size)
    return KeyStrength(key.algorithm, None, None)


def strength_problems(strength: KeyStrength, *, webpki: bool) -> list[tuple[str, str, str]]:
    """(code, severity, message) for a key: broken keys are errors, weak keys warnings (errors in
    Web-PKI mode), and in Web-PKI mode also explicit curves, curves other than P-256/384/521 and
    RSA moduli that are not a whole number of bytes."""
    found: list[tuple[str, str, str]] = []
    if strength.level == "broken":
        found.append(("broken", "error", f"{strength.algorithm} key gives {strength.bits} bits of security (< {WEAK}: broken)"))
    elif strength.level == "weak":
        found.append(("weak", "error" if webpki else "warn", f"{strength.algorithm} key gives {strength.bits} bits of security ({WEAK}–{OK - 1}: weak)"))
    if strength.algorithm.startswith("RSA-") and strength.size and strength.size % 8:
        found.append(("odd_size", "error" if webpki else "warn", f"RSA modulus of {strength.size} bits is not a whole number of bytes"))
    if strength.explicit:
        found.append(("explicit_curve", "error" if webpki else "warn", "EC key with explicit curve parameters (RFC 5480 §2.1.1: namedCurve MUST be used)"))
    elif webpki and strength.curve is not None and strength.curve not in WEBPKI_CURVES:
        found.append(("curve", "error", f"curve {strength.curve} is not accepted in the Web-PKI (P-256, P-384, P-521 only)"))
    return found
