"""Every vector group detects a wrong answer: the first valid vectors of each group, with their
expected output altered by one bit, must fail (guards against a runner that passes vacuously)."""

from __future__ import annotations

import copy
from collections import defaultdict

from mptool.algo.vectors import handlers as kat
from mptool.algo.vectors import loader
from mptool.algo.vectors.model import VALID, Vector

#: the expected-output fields of each operation, in order of preference
OUTPUT_FIELDS = {
    "encrypt": ("ct",),
    "decrypt": ("pt", "msg"),
    "both": ("ct",),
    "iterate": ("ciphertext",),
    "mct-encrypt": ("ct",),
    "mct-decrypt": ("pt",),
    "aead-encrypt": ("ct", "tag"),
    "aead-decrypt": ("pt", "tag"),
    "aead-both": ("ct", "tag"),
    "padded-both": ("ct",),
    "hash": ("digest",),
    "sha-monte": ("digest",),
    "mac": ("mac",),
    "verify": ("sig",),
    "sign": ("sig",),
    "sm2-sign": ("s",),
    "sm2-encrypt": ("ct_c1c3c2_raw",),
    "sm2-kdf": ("k",),
    "sm2-kex": ("k",),
}


def _flip(value: bytes | str) -> bytes | str:
    if isinstance(value, str):  # CFB1 bit strings
        return ("1" if value[0] == "0" else "0") + value[1:]
    return bytes([value[0] ^ 0x01]) + value[1:]


def _mutated(vector: Vector) -> Vector | None:
    for name in OUTPUT_FIELDS[vector.op]:
        value = vector.fields.get(name)
        if value:
            clone = copy.copy(vector)
            clone.fields = {**vector.fields, name: _flip(value)}
            return clone
    return None


def test_each_group_rejects_a_wrong_answer() -> None:
    root = loader.vectors_dir()
    checked: dict[str, int] = defaultdict(int)
    for path in loader.bundled_files():
        for vector in loader.load(loader.Source(path.relative_to(root).as_posix(), path.read_bytes())).vectors:
            if vector.expect != VALID or checked[vector.group] >= 3 or vector.fields.get("iterations"):
                continue
            mutated = _mutated(vector)
            if mutated is None:
                continue
            assert kat.run_vector(vector).status == kat.PASS, vector.ident
            assert kat.run_vector(mutated).status == kat.FAIL, mutated.ident
            checked[vector.group] += 1
    assert len(checked) >= 30 and all(n >= 1 for n in checked.values()), dict(checked)
