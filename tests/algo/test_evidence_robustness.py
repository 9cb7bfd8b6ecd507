"""Arbitrary values given to the evidence forms end in a verdict (exit 0/1) or an input error
(exit 3) — never an internal error, and never more than one line on stderr."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli

HEX = st.binary(max_size=80).map(bytes.hex)
FORMS = {
    "sm3": ["--data", "--digest"],
    "hmac-sm3": ["--key", "--data", "--mac"],
    "sm2-verify": ["--public-key", "--message", "--signature"],
    "sm2-decrypt": ["--private-key", "--ciphertext", "--plaintext"],
    "rsa-verify": ["--public-key", "--message", "--signature"],
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form=st.sampled_from(sorted(FORMS)), values=st.lists(HEX, min_size=3, max_size=3))
def test_value_forms(form: str, values: list[str]) -> None:
    args = ["algo", "verify", form]
    for option, value in zip(FORMS[form], values):
        args += [option, value]
    result = run_cli(args + ["-f", "json", "-q"])
    assert result.exit_code in (0, 1, 3), (args, result.stderr)
    if result.exit_code == 3:
        assert len(result.stderr.strip().splitlines()) == 1
    else:
        result.json()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cipher=st.sampled_from(["sm4", "aes", "des", "3des"]),
    mode=st.sampled_from(["ecb", "cbc", "cfb", "cfb8", "ofb", "ctr", "gcm", "ccm", "xts"]),
    key=st.sampled_from([8, 16, 24, 32, 48, 64, 5]).map(lambda n: "11" * n),
    iv=st.one_of(st.none(), st.sampled_from([0, 7, 8, 12, 13, 16, 3]).map(lambda n: "22" * n)),
    tag=st.one_of(st.none(), st.sampled_from([0, 4, 16, 20]).map(lambda n: "33" * n)),
    plaintext=HEX,
    ciphertext=HEX,
    padding=st.sampled_from([None, "pkcs7", "none"]),
)
def test_cipher_forms(cipher, mode, key, iv, tag, plaintext, ciphertext, padding) -> None:
    args = ["algo", "verify", cipher, "--mode", mode, "--key", key, "--plaintext", plaintext, "--ciphertext", ciphertext]
    for option, value in (("--iv", iv), ("--tag", tag), ("--padding", padding)):
        if value is not None:
            args += [option, value]
    result = run_cli(args + ["-f", "json", "-q"])
    assert result.exit_code in (0, 1, 3), (args, result.stderr)
    if result.exit_code == 3:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from([8, 16, 24, 32, 64]).map(lambda n: "44" * n), plaintext=HEX, ciphertext=HEX, iv=st.one_of(st.none(), HEX))
def test_identify(key: str, plaintext: str, ciphertext: str, iv: str | None) -> None:
    args = ["algo", "identify", "--key", key, "--plaintext", plaintext, "--ciphertext", ciphertext] + (["--iv", iv] if iv is not None else [])
    result = run_cli(args + ["-f", "json", "-q"])
    assert result.exit_code in (0, 1, 3), (args, result.stderr)
