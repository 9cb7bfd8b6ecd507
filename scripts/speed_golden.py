#!/usr/bin/env python3
"""Golden evidence for the speed work (issue 20): the same inputs must give byte-identical evidence.

Usage: .venv/bin/python scripts/speed_golden.py [--write]   (--write: with the code before a change;
       without it, compare the current code with the stored files)

Each case is a command line run in a scratch directory holding the inputs that :func:`make_inputs`
writes (seeded, so every run writes the same bytes) and copies of a few bundled vectors. The
evidence is stored in ``vectors/speed/<case>.json`` with its ``tool`` block (library versions of
the machine, the last key of the canonical JSON) cut off; tests/core/test_speed_golden.py runs the
cases again and compares the bytes.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "vectors" / "speed"

#: case name -> mptool arguments (run with the scratch directory as the working directory).
CASES: dict[str, list[str]] = {
    "rng_set_jobs2": ["rng", "test", "set.bin", "--bits", "20000", "--count", "40", "--jobs", "2"],
    "rng_set_jobs1": ["rng", "test", "set.bin", "--bits", "20000", "--count", "12", "--jobs", "1"],
    "rng_set_default": ["rng", "test", "set.bin", "--bits", "20000"],
    "rng_set_million": ["rng", "test", "million.bin", "--bits", "1000000", "--jobs", "2"],
    "rng_one_bits": ["rng", "test", "set.bin", "--bits", "20000", "--count", "1"],
    "rng_whole": ["rng", "test", "one.bin"],
    "algo_sm3": ["algo", "verify", "sm3", "--data", "616263", "--digest", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"],
    "algo_sm3_bad": ["algo", "verify", "sm3", "--data", "@value.bin", "--digest", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"],
    "algo_sm3_file": ["algo", "verify", "sm3", "--data", "@value.bin", "--digest", "@value.sm3"],
    "algo_sm4_match": ["algo", "verify", "sm4", "--mode", "cbc", "--key", "0123456789abcdeffedcba9876543210", "--iv", "00" * 16, "--padding", "none", "--plaintext", "@value.bin", "--ciphertext", "@value.sm4"],
    "algo_sm4_mismatch": ["algo", "verify", "sm4", "--mode", "cbc", "--key", "0123456789abcdeffedcba9876543210", "--iv", "00" * 16, "--padding", "none", "--plaintext", "@value.bin", "--ciphertext", "@value.bad"],
    "cert_lint": ["cert", "lint", "certs"],
    "proto_analyze_tlcp": ["proto", "analyze", "tlcp_gmssl_4suites.pcap"],
    "proto_analyze_tls": ["proto", "analyze", "tls12_tls13_openssl.pcap"],
    "proto_analyze_ipsec": ["proto", "analyze", "ikev2_psk_esp_natt.pcap"],
}
COMMON = ["-f", "json", "--deterministic", "--no-progress"]


def make_inputs(where: Path) -> None:
    """Write the inputs of every case into ``where``."""
    rng = np.random.default_rng(20)
    (where / "set.bin").write_bytes(rng.integers(0, 256, size=40 * 2500, dtype=np.uint8).tobytes())
    (where / "one.bin").write_bytes(rng.integers(0, 256, size=12_500, dtype=np.uint8).tobytes())
    (where / "million.bin").write_bytes(np.random.default_rng(2020).integers(0, 256, size=5 * 125_000, dtype=np.uint8).tobytes())
    value = rng.integers(0, 256, size=4096, dtype=np.uint8).tobytes()
    (where / "value.bin").write_bytes(value)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    digest = hashes.Hash(hashes.SM3())
    digest.update(value)
    (where / "value.sm3").write_bytes(digest.finalize())
    encryptor = Cipher(algorithms.SM4(bytes.fromhex("0123456789abcdeffedcba9876543210")), modes.CBC(bytes(16))).encryptor()
    ciphertext = encryptor.update(value) + encryptor.finalize()
    (where / "value.sm4").write_bytes(ciphertext)
    (where / "value.bad").write_bytes(ciphertext[:-1] + bytes([ciphertext[-1] ^ 1]))
    shutil.copytree(ROOT / "vectors" / "certs" / "sm2", where / "certs")
    for name in ("tlcp_gmssl_4suites.pcap", "tls12_tls13_openssl.pcap", "ikev2_psk_esp_natt.pcap"):
        shutil.copy(ROOT / "vectors" / "pcaps" / name, where / name)


def without_tool(text: str) -> str:
    """The evidence up to its ``tool`` block (the last key; it names the machine's library versions)."""
    cut = text.rfind('\n  "tool": {')
    assert cut > 0, "no tool block in the evidence"
    return text[:cut]


def run_case(name: str, where: Path) -> tuple[int, str]:
    """Exit code and evidence (without the tool block) of one case, run in ``where``."""
    from click.testing import CliRunner

    from mptool.cli import cli

    result = CliRunner().invoke(cli, [*CASES[name], *COMMON], catch_exceptions=False)
    return result.exit_code, without_tool(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write vectors/speed/*.json from the current code")
    args = parser.parse_args()
    import os
    import tempfile

    # mptool comes from the installed (editable) checkout, or from PYTHONPATH=<other src> first:
    # regenerate the golden files from reference code with `git archive REV src | tar -x -C DIR`
    # and PYTHONPATH=DIR/src.
    with tempfile.TemporaryDirectory() as scratch:
        make_inputs(Path(scratch))
        os.chdir(scratch)
        for name in CASES:
            code, text = run_case(name, Path(scratch))
            target = GOLDEN / f"{name}.json"
            if args.write:
                target.write_text(f"{code}\n{text}", encoding="utf-8")
                print(f"{name}: exit {code}, {len(text)} characters")
            else:
                same = target.read_text(encoding="utf-8") == f"{code}\n{text}"
                print(f"{name}: {'same' if same else 'DIFFERENT'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
