"""Issue 20: ``algo verify`` on a 100 MB value read through ``@file`` (once refused above 64 MiB).

The value is read with one allocation of the file's size and never converted to hex on a match,
so the whole process stays within twice the input (peak RSS measured by ``getrusage`` of the
child process; this bounds memory, it does not time anything).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import hashes

SIZE = 100_000_000


def _peak_rss_of(command: list[str]) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``command`` in a fresh child (through a wrapper, so RUSAGE_CHILDREN is that child's alone)."""
    wrapper = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"
    )
    result = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True)
    *_, last = result.stderr.strip().splitlines()
    return result, int(last) * 1024  # ru_maxrss is in KiB on Linux


def test_sm3_of_a_100_mb_file_within_twice_its_size(tmp_path: Path) -> None:
    data = tmp_path / "data.bin"
    block = os.urandom(1 << 20)
    with data.open("wb") as handle:
        for _ in range(SIZE // len(block)):
            handle.write(block)
        handle.write(block[: SIZE % len(block)])
    h = hashes.Hash(hashes.SM3())
    h.update(data.read_bytes())
    digest = h.finalize().hex()
    evidence = tmp_path / "evidence.json"
    result, peak = _peak_rss_of([sys.executable, "-m", "mptool", "algo", "verify", "sm3", "--data", f"@{data}", "--digest", digest, "-f", "json", "-o", str(evidence), "--quiet"])
    assert result.returncode == 0, result.stderr
    assert f'"size": {SIZE}' in evidence.read_text()
    assert peak <= 2 * SIZE, f"peak RSS {peak / 2**20:.0f} MiB for a {SIZE / 2**20:.0f} MiB input"


def test_sm4_of_a_100_mb_file_holds_the_two_inputs_and_no_third_copy(tmp_path: Path) -> None:
    """A match is found piece by piece: neither the padded plaintext nor the computed ciphertext is
    built whole, so the peak is the two inputs and the interpreter (before: about 4.4 × one value)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, iv = bytes(range(16)), bytes(range(16, 32))
    plaintext = os.urandom(SIZE)
    encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    (tmp_path / "pt.bin").write_bytes(plaintext)
    (tmp_path / "ct.bin").write_bytes(encryptor.update(plaintext) + encryptor.finalize())
    del plaintext
    evidence = tmp_path / "evidence.json"
    result, peak = _peak_rss_of([sys.executable, "-m", "mptool", "algo", "verify", "sm4", "--mode", "cbc", "--padding", "none", "--key", key.hex(), "--iv", iv.hex(),
                                 "--plaintext", f"@{tmp_path / 'pt.bin'}", "--ciphertext", f"@{tmp_path / 'ct.bin'}", "-f", "json", "-o", str(evidence), "--quiet"])
    assert result.returncode == 0, result.stderr
    assert '"status": "pass"' in evidence.read_text()
    assert peak <= 2 * SIZE + (64 << 20), f"peak RSS {peak / 2**20:.0f} MiB for two {SIZE / 2**20:.0f} MiB inputs"
