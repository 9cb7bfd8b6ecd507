"""SM2 keys in every form through the one loader (mptool.algo.keys): keys and certificates made by
OpenSSL, and encrypted PKCS#8 built here from the PBES2/PBKDF2 definitions of RFC 8018 — with
GmSSL's parameters (PBKDF2-HMAC-SM3, SM4-CBC; OpenSSL refuses them) and, cross-checked against
``openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256``, the HMAC-SHA256 variant."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from algo_support import gm_entry
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ
from pyasn1_modules import rfc5208, rfc8018

from conftest import run_cli
from mptool.algo import api, sm2
from mptool.core.errors import InputError

OPENSSL = shutil.which("openssl")
SIGN = gm_entry("sm2_sign", "sign-sm2p256v1")
PASSWORD = "correct horse 密码"

# RFC 8018 Appendix B / GM OIDs, written out here rather than taken from mptool
OID_PBES2, OID_PBKDF2 = "1.2.840.113549.1.5.13", "1.2.840.113549.1.5.12"
OID_HMAC_SHA256, OID_HMAC_SM3 = "1.2.840.113549.2.9", "1.2.156.10197.1.401.2"
OID_AES256_CBC, OID_SM4_CBC = "2.16.840.1.101.3.4.1.42", "1.2.156.10197.1.104.2"


def _openssl(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL
    return subprocess.run([OPENSSL, *args], capture_output=True, timeout=60, input=input)


def _hmac(hash_name: str, key: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes, hmac

    h = hmac.HMAC(key, {"sha256": hashes.SHA256(), "sm3": hashes.SM3()}[hash_name])
    h.update(data)
    return h.finalize()


def pbkdf2(hash_name: str, password: bytes, salt: bytes, c: int, dk_len: int) -> bytes:
    """RFC 8018 §5.2 as written: T_i = F(P, S, c, i) = U_1 ^ … ^ U_c, U_1 = PRF(P, S || INT(i))."""
    blocks = []
    for i in range(1, -(-dk_len // 32) + 1):
        u = _hmac(hash_name, password, salt + i.to_bytes(4, "big"))
        t = bytearray(u)
        for _ in range(c - 1):
            u = _hmac(hash_name, password, u)
            t = bytearray(a ^ b for a, b in zip(t, u))
        blocks.append(bytes(t))
    return b"".join(blocks)[:dk_len]


def pbes2_encrypt(private_key_info: bytes, password: bytes, *, prf: str, cipher: str, iterations: int = 2048) -> bytes:
    """RFC 8018 §6.2.1 PBES2-Encrypt into an EncryptedPrivateKeyInfo (RFC 5958), DER."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    salt, iv = os.urandom(16), os.urandom(16)
    hash_name, prf_oid = {"hmacWithSHA256": ("sha256", OID_HMAC_SHA256), "hmacWithSM3": ("sm3", OID_HMAC_SM3)}[prf]
    key_len, cipher_oid = {"aes-256-cbc": (32, OID_AES256_CBC), "sm4-cbc": (16, OID_SM4_CBC)}[cipher]
    dk = pbkdf2(hash_name, password, salt, iterations, key_len)
    n = 16 - len(private_key_info) % 16
    algorithm = algorithms.AES(dk) if cipher.startswith("aes") else algorithms.SM4(dk)
    enc = Cipher(algorithm, modes.CBC(iv)).encryptor()
    data = enc.update(private_key_info + bytes([n]) * n) + enc.finalize()

    kdf_params = rfc8018.PBKDF2_params()
    kdf_params["salt"]["specified"] = salt
    kdf_params["iterationCount"] = iterations
    kdf_params["prf"]["algorithm"] = univ.ObjectIdentifier(prf_oid)
    kdf_params["prf"]["parameters"] = univ.Null("")
    params = rfc8018.PBES2_params()
    params["keyDerivationFunc"]["algorithm"] = univ.ObjectIdentifier(OID_PBKDF2)
    params["keyDerivationFunc"]["parameters"] = encoder.encode(kdf_params)
    params["encryptionScheme"]["algorithm"] = univ.ObjectIdentifier(cipher_oid)
    params["encryptionScheme"]["parameters"] = encoder.encode(univ.OctetString(iv))
    info = rfc5208.EncryptedPrivateKeyInfo()
    info["encryptionAlgorithm"]["algorithm"] = univ.ObjectIdentifier(OID_PBES2)
    info["encryptionAlgorithm"]["parameters"] = encoder.encode(params)
    info["encryptedData"] = data
    return encoder.encode(info)


def pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


@pytest.fixture(scope="module")
def keyset(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One SM2 key made by OpenSSL in each form, its public key and a self-signed certificate."""
    if OPENSSL is None:
        pytest.skip("openssl not available")
    folder = tmp_path_factory.mktemp("sm2keys")
    files = {name: folder / name for name in ("pkcs8.pem", "pkcs8.der", "sec1.pem", "sec1.der", "spki.pem", "spki.der", "cert.pem", "cert.der", "openssl-aes.pem")}
    if _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", str(files["pkcs8.pem"])).returncode:
        pytest.skip("openssl without SM2")
    steps = [
        ("pkcs8", "-topk8", "-nocrypt", "-in", files["pkcs8.pem"], "-outform", "DER", "-out", files["pkcs8.der"]),  # pkey -outform DER writes SEC1
        ("ec", "-in", files["pkcs8.pem"], "-out", files["sec1.pem"]),
        ("ec", "-in", files["pkcs8.pem"], "-outform", "DER", "-out", files["sec1.der"]),
        ("pkey", "-in", files["pkcs8.pem"], "-pubout", "-out", files["spki.pem"]),
        ("pkey", "-in", files["pkcs8.pem"], "-pubout", "-outform", "DER", "-out", files["spki.der"]),
        ("req", "-new", "-x509", "-key", files["pkcs8.pem"], "-sm3", "-sigopt", "distid:1234567812345678", "-subj", "/CN=evaluator", "-days", "30", "-out", files["cert.pem"]),
        ("x509", "-in", files["cert.pem"], "-outform", "DER", "-out", files["cert.der"]),
        ("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256", "-in", files["pkcs8.pem"], "-out", files["openssl-aes.pem"], "-passout", f"pass:{PASSWORD}"),
    ]
    for step in steps:
        made = _openssl(*map(str, step))
        assert made.returncode == 0, made.stderr
    return files


def _d_and_point(keyset: dict[str, Path]) -> tuple[int, tuple[int, int]]:
    text = _openssl("ec", "-in", str(keyset["pkcs8.pem"]), "-text", "-noout").stdout.decode()
    priv = text.split("priv:")[1].split("pub:")[0]
    d = int("".join(priv.split()).replace(":", ""), 16)
    return d, sm2.public_key_from_private(d)


def test_every_private_and_public_form_gives_the_same_key(keyset: dict[str, Path]) -> None:
    d, point = _d_and_point(keyset)
    for name in ("pkcs8.pem", "pkcs8.der", "sec1.pem", "sec1.der"):
        assert api.load_sm2_private_key(keyset[name].read_bytes(), name) == d, name
    assert api.load_sm2_private_key(d.to_bytes(32, "big")) == d
    for name in ("spki.pem", "spki.der", "cert.pem", "cert.der"):
        assert api.load_sm2_public_key(keyset[name].read_bytes(), name) == point, name
    assert api.load_sm2_public_key(sm2.encode_public_key(point)) == point
    assert api.load_sm2_public_key(sm2.encode_public_key(point, compressed=True)) == point


def test_openssl_pbes2_hmac_sha256_aes256_is_read(keyset: dict[str, Path]) -> None:
    d, _ = _d_and_point(keyset)
    data = keyset["openssl-aes.pem"].read_bytes()
    assert api.load_sm2_private_key(data, "k", PASSWORD.encode()) == d
    with pytest.raises(InputError, match="give --key-password"):
        api.load_sm2_private_key(data, "k")
    with pytest.raises(InputError) as wrong:
        api.load_sm2_private_key(data, "k", b"wrong")
    assert wrong.value.source == "--key-password" and "wrong" not in wrong.value.problem.replace("wrong password", "")


def test_own_pbes2_hmac_sha256_matches_openssl_both_ways(keyset: dict[str, Path], tmp_path: Path) -> None:
    d, _ = _d_and_point(keyset)
    info = keyset["pkcs8.der"].read_bytes()
    ours = tmp_path / "ours.pem"
    ours.write_text(pem("ENCRYPTED PRIVATE KEY", pbes2_encrypt(info, PASSWORD.encode(), prf="hmacWithSHA256", cipher="aes-256-cbc")))
    opened = _openssl("pkcs8", "-in", str(ours), "-passin", f"pass:{PASSWORD}", "-outform", "DER")
    assert opened.returncode == 0, opened.stderr
    assert api.load_sm2_private_key(opened.stdout, "openssl") == d  # OpenSSL decrypts what we built from RFC 8018 (it writes SEC1)
    assert api.load_sm2_private_key(ours.read_bytes(), "ours", PASSWORD.encode()) == d
    # and our PBKDF2 gives OpenSSL's key: decrypt OpenSSL's file with it
    theirs = decoder.decode(base64.b64decode("".join(keyset["openssl-aes.pem"].read_text().splitlines()[1:-1])), asn1Spec=rfc5208.EncryptedPrivateKeyInfo())[0]
    params = decoder.decode(theirs["encryptionAlgorithm"]["parameters"], asn1Spec=rfc8018.PBES2_params())[0]
    kdf = decoder.decode(params["keyDerivationFunc"]["parameters"], asn1Spec=rfc8018.PBKDF2_params())[0]
    assert str(kdf["prf"]["algorithm"]) == OID_HMAC_SHA256 and str(params["encryptionScheme"]["algorithm"]) == OID_AES256_CBC
    iv = bytes(decoder.decode(params["encryptionScheme"]["parameters"], asn1Spec=univ.OctetString())[0])
    dk = pbkdf2("sha256", PASSWORD.encode(), bytes(kdf["salt"]["specified"]), int(kdf["iterationCount"]), 32)
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    dec = Cipher(algorithms.AES(dk), modes.CBC(iv)).decryptor()
    plain = dec.update(bytes(theirs["encryptedData"])) + dec.finalize()
    assert plain[: -plain[-1]] == info


def test_gmssl_pbes2_hmac_sm3_sm4_cbc_is_read_where_openssl_refuses(keyset: dict[str, Path], tmp_path: Path) -> None:
    d, point = _d_and_point(keyset)
    gm = tmp_path / "gmssl.pem"
    gm.write_text(pem("ENCRYPTED PRIVATE KEY", pbes2_encrypt(keyset["pkcs8.der"].read_bytes(), PASSWORD.encode(), prf="hmacWithSM3", cipher="sm4-cbc")))
    assert _openssl("pkcs8", "-in", str(gm), "-passin", f"pass:{PASSWORD}").returncode != 0
    assert api.load_sm2_private_key(gm.read_bytes(), "gm", PASSWORD.encode()) == d
    # the same key through the calculator and algo verify; the password never reaches the evidence
    signed = run_cli(["algo", "sign", "sm2", "--private-key", f"@{gm}", "--key-password", PASSWORD, "--message", "text:hello", "-f", "json"])
    assert signed.exit_code == 0, signed.stderr
    assert PASSWORD not in signed.stdout and PASSWORD.encode().hex() not in signed.stdout
    signature = signed.json()["results"][0]["measurements"]["signature_der"]
    checked = run_cli(["algo", "verify", "sm2-verify", "--public-key", f"@{keyset['cert.pem']}", "--message", "text:hello", "--signature", signature])
    assert checked.exit_code == 0
    wrong = run_cli(["algo", "sign", "sm2", "--private-key", f"@{gm}", "--key-password", "nope", "--message", "text:hello"])
    assert wrong.exit_code == 3 and wrong.stderr.startswith("mptool: error: --key-password:") and "nope" not in wrong.stderr


def test_gmssl_pbes2_key_seals_an_assessment_case(keyset: dict[str, Path], tmp_path: Path) -> None:
    from mptool.assess.seal.keys import load_private_key

    d, _ = _d_and_point(keyset)
    gm = tmp_path / "gmssl.pem"
    gm.write_text(pem("ENCRYPTED PRIVATE KEY", pbes2_encrypt(keyset["pkcs8.der"].read_bytes(), b"pw", prf="hmacWithSM3", cipher="sm4-cbc")))
    assert load_private_key(str(gm), b"pw") == d
    with pytest.raises(InputError, match="--key-pass-file"):
        load_private_key(str(gm))


def test_bad_keys_are_one_line_input_errors(keyset: dict[str, Path]) -> None:
    with pytest.raises(InputError, match="not a readable SM2 private key"):
        api.load_sm2_private_key(b"\x30\x03\x02\x01\x01", "k")
    with pytest.raises(InputError, match="no PEM"):
        api.load_sm2_private_key(keyset["spki.pem"].read_bytes(), "k")
    with pytest.raises(InputError, match="SM2"):
        api.load_sm2_public_key(b"\x30\x03\x02\x01\x01", "p")
    ec = _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256").stdout
    with pytest.raises(InputError, match="not an SM2 key"):
        api.load_sm2_private_key(ec, "p256")
    assert SIGN["d"]  # the GB/T 32918.5 key as raw hex through the CLI
    assert run_cli(["algo", "sign", "sm2", "--private-key", SIGN["d"], "--key-password", "x", "--message", "00"]).exit_code == 3


def test_a_wrong_password_with_valid_padding_by_chance_is_still_a_wrong_password(keyset: dict[str, Path]) -> None:
    """About one wrong password in 256 decrypts to bytes ending in valid PKCS#7 padding; the
    loader must still say wrong password (it checks for a whole DER SEQUENCE), not that the key
    is unreadable. The search for such a password is deterministic for a given file."""
    from mptool.algo.keys.pbes2 import Pbes2Error, decrypt_pkcs8
    from mptool.algo.primitives import ciphers

    encrypted = pbes2_encrypt(keyset["pkcs8.der"].read_bytes(), PASSWORD.encode(), prf="hmacWithSHA256", cipher="aes-256-cbc", iterations=1)
    info, _ = decoder.decode(encrypted, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    params, _ = decoder.decode(info["encryptionAlgorithm"]["parameters"], asn1Spec=rfc8018.PBES2_params())
    kdf, _ = decoder.decode(params["keyDerivationFunc"]["parameters"], asn1Spec=rfc8018.PBKDF2_params())
    salt = bytes(kdf["salt"]["specified"])
    iv = bytes(decoder.decode(params["encryptionScheme"]["parameters"], asn1Spec=univ.OctetString())[0])
    data = bytes(info["encryptedData"])
    lucky = None
    for n in range(20000):
        candidate = f"wrong-{n}".encode()
        try:
            ciphers.unpad(ciphers.decrypt("aes", "cbc", pbkdf2("sha256", candidate, salt, 1, 32), data, iv=iv), 16, "pkcs7")
        except ValueError:
            continue
        lucky = candidate
        break
    assert lucky is not None  # P(no valid padding in 20000 tries) is below 1e-30
    with pytest.raises(Pbes2Error) as caught:
        decrypt_pkcs8(encrypted, lucky)
    assert caught.value.wrong_password
    assert decrypt_pkcs8(encrypted, PASSWORD.encode()) == keyset["pkcs8.der"].read_bytes()
