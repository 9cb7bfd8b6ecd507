"""Values as people paste them (issue 15): hex with separators, C arrays, Base64, text, files."""

from __future__ import annotations

import pytest

from conftest import run_cli
from mptool.algo.primitives.values import decode_literal
from mptool.core.errors import InputError

ABC_SM3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905-2016 Annex A.1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("616263", b"abc"),
        ("61 62 63", b"abc"),
        ("61:62:63", b"abc"),
        ("61-62-63", b"abc"),
        ("0x616263", b"abc"),
        ("hex:616263", b"abc"),
        ("{0x61, 0x62, 0x63}", b"abc"),
        ("0x61,0x62,0x63", b"abc"),
        ("\\x61\\x62\\x63", b"abc"),
        ("b64:YWJj", b"abc"),
        ("text:abc", b"abc"),
        ("text:1234", b"1234"),  # digits as text, not the hex 0x1234
        ("utf8:密评", "密评".encode()),
    ],
)
def test_forms(text: str, expected: bytes) -> None:
    assert decode_literal("--data", text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [("YWJjZA==", "b64:YWJjZA=="), ("hello world", "text:"), ("abc", "text:")],
)
def test_a_wrong_form_suggests_the_right_one(text: str, hint: str) -> None:
    with pytest.raises(InputError) as error:
        decode_literal("--data", text)
    assert error.value.message.startswith("--data: ") and hint in error.value.message


def test_every_form_gives_the_standard_digest_on_the_command_line() -> None:
    """GB/T 32905 'abc' through sm3 --data in three forms: the same verdict."""
    for form in ("616263", "text:abc", "{0x61,0x62,0x63}"):
        result = run_cli(["algo", "verify", "sm3", "--data", form, "--digest", ABC_SM3, "-f", "json"])
        assert result.exit_code == 0, (form, result.stderr)


def test_text_key_of_16_characters() -> None:
    """A 16-character text key (as applications often configure) is its UTF-8 bytes."""
    assert decode_literal("--key", "text:1234567890abcdef") == b"1234567890abcdef"
