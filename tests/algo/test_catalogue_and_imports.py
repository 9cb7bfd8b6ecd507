"""Algo checks are in the catalogue with clauses and descriptions; ``algo`` never imports scapy/scipy."""

from __future__ import annotations

import subprocess
import sys

from mptool.core import registry


def test_algo_checks_cite_clauses() -> None:
    specs = [s for s in registry.load_all() if s.domain == "algo"]
    ids = {s.id for s in specs}
    for expected in ("algo.kat.sm2", "algo.kat.aes", "algo.evidence.sm3", "algo.evidence.sm2_decrypt", "algo.identify.match", "algo.crosscheck.gmssl"):
        assert expected in ids
    for spec in specs:
        assert spec.reference and spec.description, spec.id


def test_algo_verify_imports_no_scapy_or_scipy() -> None:
    code = (
        "import sys\n"
        "from mptool.cli import cli\n"
        "try:\n"
        "    cli.main(['algo', 'verify', 'sm3', '--data', '616263', '--digest', "
        "'66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0', '-q', '--cross-check'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scapy', 'scipy')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
