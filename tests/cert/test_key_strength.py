"""Key strength (CERT-FMT-016, cert.path.key_strength): the same thresholds as assess's Ra table."""

from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import pytest
from mptool.assess.yamlio import package_data
from cert_helpers import cert_path, cli_json, results_by_check
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mptool.cert.x509 import strength
from mptool.cert.x509.loader import load_files

T0 = _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)
MAPPING = Path(__file__).resolve().parents[2] / "src" / "mptool" / "assess" / "data" / "mapping-v1.yaml"


def test_same_table_and_thresholds_as_assess() -> None:
    data = package_data("mapping-v1.yaml")
    assert [(row["min_modulus"], row["bits"]) for row in data["rsa_bits"]] == list(strength.MODULUS_BITS)
    assert "≥112 → 1, 80–111 → 0.5, < 80 → 0.2" in MAPPING.read_text(encoding="utf-8")
    assert (strength.OK, strength.WEAK) == (112, 80)


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if all(pow(a, candidate - 1, candidate) == 1 for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)):
            return candidate


def _cert(tmp: Path, public_key: object, name: str) -> str:
    signer = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    b = x509.CertificateBuilder().subject_name(subject).issuer_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "ca")]))
    b = b.public_key(public_key).serial_number(7).not_valid_before(T0).not_valid_after(T0 + _dt.timedelta(days=30))  # type: ignore[arg-type]
    path = tmp / f"{name}.der"
    path.write_bytes(b.sign(signer, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
    return str(path)


def _strength_result(path: str) -> dict:
    evidence = cli_json(["cert", "lint", path])
    return results_by_check(evidence)["cert.format.key_strength"]


def test_rsa_768_is_broken(tmp_path: Path) -> None:
    rng = random.Random(768)
    n = 0
    while n.bit_length() != 768:
        n = _prime(384, rng) * _prime(384, rng)
    result = _strength_result(_cert(tmp_path, rsa.RSAPublicNumbers(65537, n).public_key(), "rsa768"))
    assert result["status"] == "fail" and result["measurements"]["bits"] == 40
    assert [f["code"] for f in result["findings"]] == ["cert.format.key_strength.broken"]


@pytest.mark.parametrize(("size", "codes"), [(1024, ["weak"]), (2047, ["weak", "odd_size"]), (2048, [])])
def test_rsa_sizes(tmp_path: Path, size: int, codes: list[str]) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=size).public_key()
    result = _strength_result(_cert(tmp_path, key, f"rsa{size}"))
    assert [f["code"].rsplit(".", 1)[1] for f in result["findings"]] == codes
    assert result["status"] == ("warn" if codes else "pass")


def test_p192_is_weak(tmp_path: Path) -> None:
    try:
        key = ec.generate_private_key(ec.SECP192R1()).public_key()
    except Exception:  # noqa: BLE001 - a backend without P-192
        pytest.skip("the OpenSSL behind cryptography has no P-192")
    result = _strength_result(_cert(tmp_path, key, "p192"))
    assert result["status"] == "warn" and {k: result["measurements"][k] for k in ("key", "bits", "level")} == {"key": "P-192", "bits": 80, "level": "weak"}


def test_explicit_curve_is_reported_by_lint_and_chain() -> None:
    path = cert_path("ecdsa/ee-cert-ec-explicit.pem")
    result = _strength_result(path)
    assert [f["code"] for f in result["findings"]] == ["cert.format.key_strength.explicit_curve"]
    evidence = cli_json(["cert", "chain", path, "--trust", cert_path("ecdsa/ca-cert-ec-named.pem"), "--at", "2025-01-01T00:00:00Z"])
    chain = results_by_check(evidence)["cert.path.key_strength"]
    assert chain["status"] == "warn" and "explicit curve" in chain["findings"][0]["message"]


def test_sm2_and_real_keys_are_ok() -> None:
    for name in ("sm2/realworld/cfca-cs-sm2-ca.pem", "rsa/root-cert.pem", "ecdsa/ca-cert-ec-named.pem"):
        cert = load_files([cert_path(name)]).certs[0]
        assert strength.key_strength(cert).level == "ok", name
