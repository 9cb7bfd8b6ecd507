"""Certificate and CRL builder for mptool's x509-limbo-format suite (see scripts/limbo_generate.py).

mptool's own builder (not x509-limbo's): every EC key is derived from the case id and a counter
(``ec.derive_private_key``), serial numbers are hashes of the same label, and ECDSA signatures are
deterministic (RFC 6979); RSA and DSA keys come from primes drawn by a PRNG seeded with the
case id and ML-DSA keys from a derived seed (FIPS 204). Every key is therefore fixed and the EC
and RSA cases are byte-for-byte reproducible; DSA and ML-DSA signatures are randomised by
cryptography (no deterministic mode), so those certificates differ between runs but not their
verdicts.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import random
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, ed448, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
FAR = _dt.datetime(2969, 5, 2, tzinfo=UTC)
ROOT_NAME = "CN=x509-limbo-root"
DEFAULT: Any = object()  #: "use the builder's default for this extension"


def name(text: str) -> x509.Name:
    """An RFC 4514 string as an x509.Name ("" is the empty name)."""
    return x509.Name.from_rfc4514_string(text) if text else x509.Name([])


def at(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def ku(*bits: str) -> x509.KeyUsage:
    """A keyUsage with the named bits set (cryptography attribute names)."""
    fields = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"]
    unknown = set(bits) - set(fields)
    assert not unknown, unknown
    return x509.KeyUsage(**{f: f in bits for f in fields})


def dns(*names: str) -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName([x509.DNSName(n) for n in names])


CA_KU = ku("key_cert_sign", "crl_sign")
EE_KU = ku("digital_signature")
SERVER_EKU = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])


@dataclass
class Node:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: Any

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()


def pem_of(der: bytes, label: str = "CERTIFICATE") -> str:
    import base64

    b64 = base64.b64encode(der).decode()
    return f"-----BEGIN {label}-----\n" + "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64)) + f"\n-----END {label}-----\n"


def _sign_args(key: Any) -> dict[str, Any]:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"algorithm": hashes.SHA256(), "ecdsa_deterministic": True}
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)) or type(key).__module__.endswith("mldsa") or "MLDSA" in type(key).__name__:
        return {"algorithm": None}
    return {"algorithm": hashes.SHA256()}


def sign(builder: Any, key: Any) -> Any:
    """Sign a certificate or CRL builder with ``key`` (deterministic ECDSA for EC keys)."""
    return builder.sign(key, **_sign_args(key))


@dataclass
class Case:
    """One limbo test case being built; ``doc()`` gives its JSON form."""

    id: str
    description: str
    expected: str = ""
    counter: int = 0
    kind: str = "SERVER"
    trusted: list[Node] = field(default_factory=list)
    untrusted: list[Node] = field(default_factory=list)
    peer: Node | None = None
    peer_pem: str | None = None
    features: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    time: _dt.datetime | None = None
    key_usage: list[str] = field(default_factory=list)
    eku: list[str] = field(default_factory=list)
    peer_name: tuple[str, str] | None = ("DNS", "example.com")
    peer_names: list[tuple[str, str]] = field(default_factory=list)
    max_depth: int | None = None
    crls: list[str] = field(default_factory=list)
    extra_pems: dict[str, list[str]] = field(default_factory=dict)

    def label(self, what: str) -> bytes:
        self.counter += 1
        return hashlib.sha256(f"{self.id}/{what}/{self.counter}".encode()).digest()

    def key(self, curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
        """A fresh EC key, derived from the case id (reproducible)."""
        curve = curve or ec.SECP256R1()
        order = {"secp256r1": 2**256 - 2**224, "secp384r1": 2**383, "secp521r1": 2**520, "secp192r1": 2**191, "secp256k1": 2**255}.get(curve.name, 2**190)
        return ec.derive_private_key(int.from_bytes(self.label("key"), "big") % (order - 1) + 1, curve)

    def rsa(self, bits: int) -> rsa.RSAPrivateKey:
        """An RSA key of exactly ``bits`` bits from primes drawn by a PRNG seeded with the case id."""
        rng = random.Random(self.label("rsa"))
        e = 65537
        while True:
            p, q = _prime(rng, (bits + 1) // 2, top2=True), _prime(rng, bits // 2, top2=True)
            n, phi = p * q, (p - 1) * (q - 1)
            if p != q and n.bit_length() == bits and math.gcd(e, phi) == 1:
                break
        d = pow(e, -1, phi)
        public = rsa.RSAPublicNumbers(e, n)
        return rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), public).private_key()

    def dsa(self, bits: int = 3072, qbits: int = 256) -> dsa.DSAPrivateKey:
        """A DSA key (FIPS 186 sizes) with p, q, g and x drawn by a PRNG seeded with the case id."""
        rng = random.Random(self.label("dsa"))
        q = _prime(rng, qbits)
        while True:
            k = rng.getrandbits(bits - qbits) | (1 << (bits - qbits - 1))
            p = k * q + 1
            if p.bit_length() == bits and _probably_prime(p, rng):
                break
        g = pow(2, (p - 1) // q, p)
        x = rng.randrange(2, q - 1)
        params = dsa.DSAParameterNumbers(p, q, g)
        return dsa.DSAPrivateNumbers(x, dsa.DSAPublicNumbers(pow(g, x, p), params)).private_key()

    def mldsa(self, level: int) -> Any:
        """An ML-DSA key from a 32-byte seed derived from the case id (FIPS 204 key generation)."""
        from cryptography.hazmat.primitives.asymmetric import mldsa

        cls = {44: mldsa.MLDSA44PrivateKey, 65: mldsa.MLDSA65PrivateKey, 87: mldsa.MLDSA87PrivateKey}[level]
        return cls.from_seed_bytes(self.label("mldsa"))

    def serial(self) -> int:
        return int.from_bytes(self.label("serial")[:19], "big") | 1

    # --- certificates ------------------------------------------------------------------------

    def _cert(self, issuer: x509.Name, subject: x509.Name, key: Any, signer: Any, nb: _dt.datetime, na: _dt.datetime, exts: list[tuple[Any, bool]], serial: int | None, unchecked: list[tuple[Any, bool]] | None = None, version: x509.Version | None = None) -> x509.Certificate:
        b = x509.CertificateBuilder().issuer_name(issuer).subject_name(subject).public_key(key.public_key())
        serial = self.serial() if serial is None else serial
        if 0 < serial < 1 << 159:
            b = b.serial_number(serial)
        else:
            b._serial_number = serial  # out of the profile on purpose (rfc5280::serial::*)
        b = b.not_valid_before(nb).not_valid_after(na)
        for value, critical in exts:
            b = b.add_extension(value, critical=critical)
        for value, critical in unchecked or []:
            b._extensions.append(x509.Extension(value.oid, critical, value))  # duplicates on purpose
        if version is not None:
            b._version = version
            if version == x509.Version.v1:
                b._extensions = []
        return sign(b, signer)

    def root(
        self, *, subject: str = ROOT_NAME, key: Any = None, bc: Any = DEFAULT, kus: Any = DEFAULT, san: Any = DEFAULT, aki: Any = None, ski: Any = DEFAULT,
        nc: Any = None, extra: list[tuple[Any, bool]] | None = None, nb: _dt.datetime = EPOCH, na: _dt.datetime = FAR,
    ) -> Node:
        """A self-signed trust anchor (CA/B-style defaults: critical basicConstraints cA, keyUsage
        keyCertSign+cRLSign, SAN example.com, SKI, no AKI)."""
        key = key or self.key()
        exts = _ca_exts(key, None, bc=x509.BasicConstraints(True, None) if bc is DEFAULT else bc, kus=kus, san=san, aki=aki, ski=ski, nc=nc, extra=extra)
        return Node(self._cert(name(subject), name(subject), key, key, nb, na, exts, None), key)

    def ica(
        self, parent: Node, *, pathlen: int | None = None, subject: str | None = None, issuer: str | None = None, key: Any = None, bc: Any = DEFAULT, kus: Any = DEFAULT,
        san: Any = DEFAULT, aki: Any = DEFAULT, ski: Any = DEFAULT, nc: Any = None, extra: list[tuple[Any, bool]] | None = None, nb: _dt.datetime = EPOCH, na: _dt.datetime = FAR,
    ) -> Node:
        """An intermediate CA under ``parent`` (subject names the parent's serial, so it is never self-issued by accident)."""
        key = key or self.key()
        subject_name = name(subject) if subject is not None else name(f"CN=x509-limbo-intermediate-pathlen-{pathlen},OU={parent.cert.serial_number}")
        issuer_name = name(issuer) if issuer is not None else parent.cert.subject
        exts = _ca_exts(key, parent, bc=x509.BasicConstraints(True, pathlen) if bc is DEFAULT else bc, kus=kus, san=san, aki=aki, ski=ski, nc=nc, extra=extra)
        return Node(self._cert(issuer_name, subject_name, key, parent.key, nb, na, exts, None), key)

    def leaf(
        self, parent: Node, *, subject: str | None = "CN=example.com", issuer: str | None = None, key: Any = None, bc: Any = None, kus: Any = DEFAULT, eku: Any = DEFAULT,
        san: Any = DEFAULT, aki: Any = DEFAULT, extra: list[tuple[Any, bool]] | None = None, unchecked: list[tuple[Any, bool]] | None = None,
        version: x509.Version | None = None, nb: _dt.datetime = EPOCH, na: _dt.datetime = FAR, serial: int | None = None, signer: Any = None,
    ) -> Node:
        """An end-entity certificate signed by ``parent`` (defaults: CN=example.com, keyUsage
        digitalSignature, EKU serverAuth, SAN example.com, AKI from the parent key, SKI)."""
        key = key or self.key()
        exts: list[tuple[Any, bool]] = [(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)]
        if bc is not None:
            exts.append(bc if isinstance(bc, tuple) else (bc, True))
        if aki is DEFAULT:
            exts.append((x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()), False))
        elif aki is not None:
            exts.append(aki)
        exts += _opt(kus, (EE_KU, False)) + _opt(eku, (SERVER_EKU, False)) + _opt(san, (dns("example.com"), False))
        exts += extra or []
        issuer_name = name(issuer) if issuer is not None else parent.cert.subject
        cert = self._cert(issuer_name, name(subject or ""), key, signer or parent.key, nb, na, exts, serial, unchecked, version)
        return Node(cert, key)

    def crl(
        self, signer: Node | None, revoked: list[x509.RevokedCertificate] | None = None, *, issuer: x509.Name | None = None, key: Any = None,
        this: _dt.datetime | None = None, nxt: _dt.datetime | None = None, number: Any = DEFAULT, extra: tuple[Any, bool] | None = None, aki: bool = True,
    ) -> str:
        """A CRL (defaults: thisUpdate 1970, nextUpdate far future, cRLNumber 1 non-critical, AKI of the signer)."""
        issuer = issuer or signer.cert.subject  # type: ignore[union-attr]
        signing_key = key or signer.key  # type: ignore[union-attr]
        b = x509.CertificateRevocationListBuilder().issuer_name(issuer).last_update(this or EPOCH).next_update(nxt or FAR)
        if number is DEFAULT:
            b = b.add_extension(x509.CRLNumber(1), critical=False)
        elif number is not None:
            b = b.add_extension(number[0], critical=number[1])
        if aki and signer is not None:
            b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.key.public_key()), critical=False)
        for entry in revoked or []:
            b = b.add_revoked_certificate(entry)
        if extra is not None:
            b = b.add_extension(extra[0], critical=extra[1])
        return sign(b, signing_key).public_bytes(serialization.Encoding.PEM).decode()

    def revoked(self, serial: int | None = None, when: _dt.datetime | None = None, ext: tuple[Any, bool] | None = None) -> x509.RevokedCertificate:
        b = x509.RevokedCertificateBuilder().serial_number(self.serial() if serial is None else serial).revocation_date(when or EPOCH)
        if ext is not None:
            b = b.add_extension(ext[0], critical=ext[1])
        return b.build()

    # --- the case ----------------------------------------------------------------------------

    def doc(self) -> dict[str, Any]:
        assert self.expected in ("SUCCESS", "FAILURE"), self.id
        peer_pem = self.peer_pem or (self.peer.pem if self.peer else None)
        assert peer_pem, self.id
        return {
            "id": self.id,
            "conflicts_with": self.conflicts,
            "features": self.features,
            "importance": "undetermined",
            "description": self.description,
            "validation_kind": self.kind,
            "trusted_certs": [n.pem for n in self.trusted] + self.extra_pems.get("trusted", []),
            "untrusted_intermediates": [n.pem for n in self.untrusted] + self.extra_pems.get("untrusted", []),
            "peer_certificate": peer_pem,
            "peer_certificate_key": None,
            "validation_time": self.time.isoformat().replace("+00:00", "Z") if self.time else None,
            "signature_algorithms": [],
            "key_usage": self.key_usage,
            "extended_key_usage": self.eku,
            "expected_result": self.expected,
            "expected_peer_name": {"kind": self.peer_name[0], "value": self.peer_name[1]} if self.peer_name else None,
            "expected_peer_names": [{"kind": k, "value": v} for k, v in self.peer_names],
            "max_chain_depth": self.max_depth,
            "crls": self.crls,
        }


SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]


def _probably_prime(n: int, rng: random.Random, rounds: int = 24) -> bool:
    """Trial division, then Miller-Rabin with bases from ``rng``."""
    if n < 4 or n % 2 == 0:
        return n in (2, 3)
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(rng: random.Random, bits: int, *, top2: bool = False) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if top2:
            candidate |= 1 << (bits - 2)
        if _probably_prime(candidate, rng):
            return candidate


def _opt(value: Any, default: tuple[Any, bool]) -> list[tuple[Any, bool]]:
    if value is DEFAULT:
        return [default]
    if value is None:
        return []
    return [value if isinstance(value, tuple) else (value, False)]


def _ca_exts(key: Any, parent: Node | None, *, bc: Any, kus: Any, san: Any, aki: Any, ski: Any, nc: Any, extra: list[tuple[Any, bool]] | None) -> list[tuple[Any, bool]]:
    exts: list[tuple[Any, bool]] = []
    if bc is not None:
        exts.append(bc if isinstance(bc, tuple) else (bc, True))
    exts += _opt(kus, (CA_KU, False))
    exts += _opt(san, (dns("example.com"), False))
    if aki is DEFAULT and parent is not None:
        exts.append((x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()), False))
    elif aki not in (None, DEFAULT):
        exts.append(aki)
    exts += _opt(ski, (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False))
    if nc is not None:
        exts.append(nc if isinstance(nc, tuple) else (nc, True))
    exts += extra or []
    return exts
