"""``mptool algo``: algorithm validation (thin layer over :mod:`mptool.algo`)."""

from __future__ import annotations

from typing import Any

import click

from mptool.algo import DEFAULT_SM2_USER_ID
from mptool.cli.output import OutputOptions, evidence_options
from mptool.core.errors import exit_code_epilog


@click.group(epilog=exit_code_epilog())
def group() -> None:
    """Known-answer validation of SM2, SM3, SM4, AES, DES/3DES and RSA, and checks of values from a system."""


@group.command(epilog=exit_code_epilog())
@click.argument("files", nargs=-1, required=True, metavar="FILE|-...")
@click.option("--expect", "expected", metavar="HEX", default=None, help="Expected SM3 or SHA-256 digest (one FILE only).")
@evidence_options
def digest(files: tuple[str, ...], expected: str | None, out: OutputOptions) -> None:
    """Record the SM3 and SHA-256 digests of files (e.g. firmware, configuration) as evidence.

    With --expect, the digest is compared with the expected value (SM3 or SHA-256,
    told apart by which one matches; a mismatch of both is a failure).
    """
    from mptool.algo.commands import digest_files

    if expected is not None and len(files) != 1:
        raise click.UsageError("--expect takes exactly one FILE")
    builder = out.builder()
    digest_files(builder, files, expected, progress=out.progress)
    out.finish(builder)


_VALUE = "HEX|@FILE|b64:…"


@group.command(epilog=exit_code_epilog())
@click.argument("args", nargs=-1, metavar="[FORM | --vectors FILE...]")
@click.option("--vectors", "vector_files", is_flag=True, help="Treat the arguments as vector files or directories of them (CAVP .rsp/.txt, Wycheproof, ACVP prompt + expectedResults, mptool GM JSON); in a directory, files that are no vectors are skipped with the reason (exit 4).")
@click.option("--algo", "algorithm", metavar="NAME", help="With vectors: run only this algorithm (sm2 sm3 sha hmac sm4 aes tdes rsa).")
@click.option("--mode", metavar="MODE", help="Cipher mode (ecb cbc cfb cfb8 ofb ctr gcm ccm xts); with vectors: run only this mode.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes for vector files (default: number of CPUs).")
@click.option("--data", metavar=_VALUE, help="sm3, hmac-sm3: the data.")
@click.option("--digest", metavar=_VALUE, help="sm3: the captured digest.")
@click.option("--key", metavar=_VALUE, help="hmac-sm3 and ciphers: the key.")
@click.option("--mac", metavar=_VALUE, help="hmac-sm3: the captured MAC.")
@click.option("--iv", metavar=_VALUE, help="Ciphers: IV, GCM/CCM nonce or XTS tweak.")
@click.option("--aad", metavar=_VALUE, help="GCM/CCM: additional authenticated data.")
@click.option("--tag", metavar=_VALUE, help="GCM/CCM: the tag (default: the last 16 bytes of --ciphertext).")
@click.option("--plaintext", metavar=_VALUE, help="Ciphers, sm2-decrypt: the plaintext.")
@click.option("--ciphertext", metavar=_VALUE, help="Ciphers, sm2-decrypt: the captured ciphertext.")
@click.option("--padding", type=click.Choice(["pkcs7", "none"]), help="ECB/CBC padding (default pkcs7).")
@click.option("--xts-standard", type=click.Choice(["gb", "ieee"]), help="XTS tweak convention: GB/T 17964-2021 or IEEE 1619 (default gb for SM4, ieee otherwise).")
@click.option("--public-key", metavar=_VALUE, help="sm2-verify: 04||X||Y, 02/03||X or X||Y; rsa-verify: PEM or DER (use @file).")
@click.option("--private-key", metavar=_VALUE, help="sm2-decrypt: d, or a PKCS#8/SEC1 key file (@key.pem).")
@click.option("--key-password", metavar="TEXT", help="sm2-decrypt: password of an encrypted PKCS#8 private key (never recorded).")
@click.option("--message", metavar=_VALUE, help="sm2-verify, rsa-verify: the signed message.")
@click.option("--signature", metavar=_VALUE, help="sm2-verify: DER or raw r||s; rsa-verify: the signature.")
@click.option("--id", "user_id", metavar="TEXT", help=f"sm2-verify: the signer's ID as text (default {DEFAULT_SM2_USER_ID.decode()}).")
@click.option("--id-hex", metavar="HEX", help="sm2-verify: the signer's ID in hex.")
@click.option("--curve", type=click.Choice(["sm2p256v1", "sm2-test"]), help="SM2 curve (default sm2p256v1; sm2-test is the GB/T 32918 example curve).")
@click.option("--order", type=click.Choice(["auto", "c1c3c2", "c1c2c3", "asn1"]), help="sm2-decrypt: ciphertext encoding (default auto: try all).")
@click.option("--scheme", type=click.Choice(["pkcs1v15", "pss"]), help="rsa-verify: signature scheme (default pkcs1v15).")
@click.option("--hash", "hash_name", metavar="NAME", help="rsa-verify: hash (default sha256).")
@click.option("--cross-check", is_flag=True, help="Also compute with gmssl (SM2/SM3/SM4) and record both answers.")
@evidence_options
def verify(args: tuple[str, ...], vector_files: bool, algorithm: str | None, mode: str | None, jobs: int | None, cross_check: bool, out: OutputOptions, **values: str | None) -> None:
    """Known-answer tests, or judge values captured from a system.

    \b
    mptool algo verify                         every bundled vector
    mptool algo verify --vectors FILE|DIR...   user vector files, format detected from content
    mptool algo verify sm3 --data HEX --digest HEX
    mptool algo verify hmac-sm3 --key HEX --data HEX --mac HEX
    mptool algo verify sm4|aes|des|3des --mode MODE --key HEX [--iv HEX] [--aad HEX] [--tag HEX]
                       --plaintext HEX --ciphertext HEX [--padding pkcs7|none]
    mptool algo verify sm2-verify --public-key HEX --message HEX --signature HEX [--id TEXT|--id-hex HEX]
    mptool algo verify sm2-decrypt --private-key HEX|@key.pem [--key-password PW] --ciphertext HEX --plaintext HEX [--order ...]
    mptool algo verify rsa-verify --public-key @key.pem --message HEX --signature HEX --scheme pss --hash sha256

    Values are hex, @path (raw bytes of a file) or b64:…. Exit 0 when the values match, 1 when
    they do not, 3 for malformed input.
    """
    from mptool.algo import commands

    builder = out.builder()
    if vector_files or not args:
        if not vector_files and any(v is not None for v in values.values()):
            raise click.UsageError("value options need a FORM, e.g. 'algo verify sm3 --data … --digest …'")
        if vector_files and not args:
            raise click.UsageError("--vectors needs at least one FILE")
        if cross_check:
            raise click.UsageError("--cross-check applies to the evidence forms; vector runs compare every output with the file's expected value")
        commands.verify_vectors(builder, args, algorithm=algorithm, mode=mode, jobs=jobs, progress=out.progress)
    else:
        if len(args) != 1:
            raise click.UsageError("give one FORM (or --vectors FILE...)")
        if algorithm is not None or jobs is not None:
            raise click.UsageError("--algo and --jobs apply to vector runs only")
        user_id, hash_name = values.pop("user_id"), values.pop("hash_name")
        options = {**values, "mode": mode, "id": user_id, "hash": hash_name}
        commands.verify_evidence(builder, args[0], options, cross_check=cross_check)
    out.finish(builder)


@group.command(epilog=exit_code_epilog())
@click.option("--key", required=True, metavar=_VALUE, help="The key (symmetric key, or SM2 private key d).")
@click.option("--plaintext", required=True, metavar=_VALUE, help="The known plaintext.")
@click.option("--ciphertext", required=True, metavar=_VALUE, help="The captured ciphertext.")
@click.option("--iv", metavar=_VALUE, help="IV/nonce/tweak if known (an IV prefixed to the ciphertext and an all-zero IV are tried too).")
@click.option("--aad", metavar=_VALUE, help="GCM/CCM additional data.")
@click.option("--tag", metavar=_VALUE, help="GCM/CCM tag if stored separately (else tags of 16/12/8/4 bytes appended to the ciphertext are tried).")
@evidence_options
def identify(out: OutputOptions, **values: str | None) -> None:
    """Find which algorithm, mode, padding and encoding turn PLAINTEXT into CIPHERTEXT under KEY.

    Tries SM4/AES/DES/3DES x ECB/CBC/CFB/CFB8/OFB/CTR/GCM/CCM/XTS x paddings x IV layouts, and
    SM2 decryption (ASN.1, C1C3C2, C1C2C3, with/without 04). Each match says how strong the
    evidence is: an authenticated mode or SM2's C3 is strong, a single ECB block is weak.
    Exit 1 when nothing matches.
    """
    from mptool.algo.commands import run_identify

    builder = out.builder()
    run_identify(builder, values)
    out.finish(builder)


def _run_calc(verb: str, algorithm: str, out: OutputOptions, values: dict[str, str | None]) -> None:
    from mptool.algo.commands import calculate
    from mptool.cli.output import record_secrets

    values["id"] = values.pop("user_id", None)
    values["hash"] = values.pop("hash_name", None)
    builder = out.builder()
    calculate(builder, verb, algorithm, values, record_secrets=record_secrets())
    out.finish(builder)


_CIPHERS_HELP = "sm4|aes|des|3des"
_cipher_options = [
    click.option("--mode", metavar="MODE", help="Ciphers: ecb cbc cfb cfb8 ofb ctr gcm ccm xts."),
    click.option("--key", metavar=_VALUE, help="Ciphers: the key."),
    click.option("--aad", metavar=_VALUE, help="GCM/CCM: additional authenticated data."),
    click.option("--tag-length", type=click.IntRange(4, 16), help="GCM/CCM: tag length in bytes (default 16)."),
    click.option("--padding", type=click.Choice(["pkcs7", "none"]), help="ECB/CBC padding (default pkcs7)."),
    click.option("--xts-standard", type=click.Choice(["gb", "ieee"]), help="XTS tweak convention (default gb for SM4, ieee otherwise)."),
    click.option("--curve", type=click.Choice(["sm2p256v1", "sm2-test"]), help="SM2 curve (default sm2p256v1)."),
    click.option("--hash", "hash_name", metavar="NAME", help="RSA: hash of OAEP/PSS/PKCS#1 (default sha256)."),
]


def _options(options: list) -> Any:  # type: ignore[type-arg]
    def decorate(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


@group.command(epilog=exit_code_epilog())
@click.argument("algorithm", metavar=f"{_CIPHERS_HELP}|sm2|rsa")
@_options(_cipher_options)
@click.option("--iv", metavar=_VALUE, help="Ciphers: the IV, GCM/CCM nonce or XTS tweak.")
@click.option("--public-key", metavar=_VALUE, help="sm2: the public key (point, SPKI or certificate); rsa: PEM or DER (use @file).")
@click.option("--plaintext", required=True, metavar=_VALUE, help="The plaintext (text:… for text).")
@click.option("--order", type=click.Choice(["c1c3c2", "c1c2c3", "asn1"]), help="sm2: ciphertext encoding (default c1c3c2).")
@click.option("--scheme", type=click.Choice(["oaep", "pkcs1v15"]), help="rsa: encryption scheme (default oaep, MGF1 with --hash).")
@evidence_options
def encrypt(algorithm: str, out: OutputOptions, **values: str | None) -> None:
    """Encrypt a plaintext: SM4/AES/DES/3DES in a mode, SM2 or RSA; prints the ciphertext.

    \b
    mptool algo encrypt sm4 --mode cbc --key HEX --iv HEX --plaintext text:hello
    mptool algo encrypt sm4 --mode gcm --key HEX --iv HEX --aad HEX --plaintext HEX
    mptool algo encrypt sm2 --public-key @cert.pem --plaintext text:hello [--order asn1]
    mptool algo encrypt rsa --public-key @pub.pem --plaintext HEX [--scheme pkcs1v15]
    """
    _run_calc("encrypt", algorithm, out, values)


@group.command(epilog=exit_code_epilog())
@click.argument("algorithm", metavar=f"{_CIPHERS_HELP}|sm2|rsa")
@_options(_cipher_options)
@click.option("--iv", metavar=f"{_VALUE}|prefix", help="Ciphers: the IV/nonce/tweak, or 'prefix' when it leads the ciphertext.")
@click.option("--tag", metavar=_VALUE, help="GCM/CCM: the tag (default: the last --tag-length bytes of --ciphertext).")
@click.option("--private-key", metavar=_VALUE, help="sm2: d, or a PKCS#8/SEC1 key file (@key.pem); rsa: PEM or DER (use @file).")
@click.option("--key-password", metavar="TEXT", help="Password of an encrypted PKCS#8 private key (never recorded).")
@click.option("--ciphertext", required=True, metavar=_VALUE, help="The ciphertext.")
@click.option("--order", type=click.Choice(["auto", "c1c3c2", "c1c2c3", "asn1"]), help="sm2: ciphertext encoding (default auto: try all).")
@click.option("--scheme", type=click.Choice(["oaep", "pkcs1v15"]), help="rsa: encryption scheme (default oaep).")
@evidence_options
def decrypt(algorithm: str, out: OutputOptions, **values: str | None) -> None:
    """Decrypt a ciphertext and say what came out: length, padding valid, tag/C3 verified.

    The plaintext is shown (hex, and text where printable) in the text report; the JSON evidence
    records it by SM3 fingerprint and length only, unless --record-secrets. Valid padding or a
    verified tag shows a stored field is encrypted under the key without knowing its plaintext.
    Exit 0 when it decrypts (a warning on invalid padding), 1 when a tag, C3 or RSA padding fails.

    \b
    mptool algo decrypt sm4 --mode cbc --key HEX --iv prefix --ciphertext b64:…
    mptool algo decrypt sm2 --private-key @key.pem [--key-password PW] --ciphertext HEX
    """
    _run_calc("decrypt", algorithm, out, values)


@group.command(epilog=exit_code_epilog())
@click.argument("algorithm", metavar="sm2|rsa")
@click.option("--private-key", required=True, metavar=_VALUE, help="sm2: d, or a PKCS#8/SEC1 key file (@key.pem); rsa: PEM or DER (use @file).")
@click.option("--key-password", metavar="TEXT", help="Password of an encrypted PKCS#8 private key (never recorded).")
@click.option("--message", required=True, metavar=_VALUE, help="The message to sign.")
@click.option("--id", "user_id", metavar="TEXT", help=f"sm2: the signer's ID as text (default {DEFAULT_SM2_USER_ID.decode()}).")
@click.option("--id-hex", metavar="HEX", help="sm2: the signer's ID in hex.")
@click.option("--curve", type=click.Choice(["sm2p256v1", "sm2-test"]), help="SM2 curve (default sm2p256v1).")
@click.option("--scheme", type=click.Choice(["pss", "pkcs1v15"]), help="rsa: signature scheme (default pss, salt = hash length).")
@click.option("--hash", "hash_name", metavar="NAME", help="rsa: hash (default sha256).")
@evidence_options
def sign(algorithm: str, out: OutputOptions, **values: str | None) -> None:
    """Sign a message with SM2 (DER and r||s, verified before it is shown) or RSA.

    \b
    mptool algo sign sm2 --private-key @key.pem --message text:hello [--id TEXT]
    mptool algo sign rsa --private-key @key.pem --message HEX --scheme pkcs1v15 --hash sha256
    """
    _run_calc("sign", algorithm, out, values)


@group.command("hash", epilog=exit_code_epilog())
@click.argument("algorithm", metavar="sm3|sha1|sha256|…")
@click.option("--data", required=True, metavar=_VALUE, help="The data.")
@evidence_options
def hash_(algorithm: str, out: OutputOptions, **values: str | None) -> None:
    """Digest of a value: sm3, sha1, sha224, sha256, sha384, sha512, sha512-224, sha512-256, sha3-256."""
    _run_calc("hash", algorithm, out, values)


@group.command(epilog=exit_code_epilog())
@click.argument("algorithm", metavar="hmac-sm3|hmac-sha256|…")
@click.option("--key", required=True, metavar=_VALUE, help="The key.")
@click.option("--data", required=True, metavar=_VALUE, help="The data.")
@evidence_options
def mac(algorithm: str, out: OutputOptions, **values: str | None) -> None:
    """HMAC of a value: hmac-sm3, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512."""
    _run_calc("mac", algorithm, out, values)
