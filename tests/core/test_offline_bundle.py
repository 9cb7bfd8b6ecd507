"""Issue 15: ``scripts/build-offline-bundle`` makes a wheelhouse that installs mptool with no index.

The bundle is built with this venv's pip (``pip wheel`` on the source tree: the mptool wheel plus a
wheel of every dependency, taken from pip's cache or its configured index), then installed into a
fresh venv with ``pip install --no-index --find-links`` and pip's own configuration switched off
(``PIP_CONFIG_FILE`` = the null device, no ``PIP_*`` variables), so nothing but the wheelhouse can
be used; the installed ``mptool demo`` must then complete. The build needs the index pip is
configured with (or a warm cache): where it cannot be reached the test fails, saying so — it never
passes without having installed from the bundle. About 1½ minutes (marked slow; runs in CI).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build-offline-bundle"


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


@pytest.mark.slow
def test_bundle_installs_without_an_index_and_runs_the_demo(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    built = subprocess.run([sys.executable, str(SCRIPT), "--out", str(bundle), "--no-test-extra"], capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, f"the bundle could not be built (is pip's index or cache reachable?): {built.stderr[-2000:]}"
    wheels = sorted(p.name for p in (bundle / "wheels").glob("*.whl"))
    for name in ("mptool-", "cryptography-", "numpy-", "scipy-", "click-", "pydantic-", "gmssl-"):
        assert any(w.startswith(name) for w in wheels), (name, wheels)
    assert (bundle / "install.sh").is_file() and (bundle / "install.ps1").is_file()
    assert "--no-index" in (bundle / "install.sh").read_text() and "--no-index" in (bundle / "install.ps1").read_text()
    sums = (bundle / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(wheels)

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--find-links", str(bundle / "wheels"), (bundle / "requirements.txt").read_text().strip()],
        capture_output=True, text=True, timeout=900, env=_offline_env(),
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    where = subprocess.run([str(python), "-c", "import mptool; print(mptool.__file__)"], capture_output=True, text=True, env=_offline_env(), cwd=tmp_path)
    assert where.returncode == 0 and str(target) in where.stdout  # the installed copy, not this source tree

    mptool = target / ("Scripts/mptool.exe" if os.name == "nt" else "bin/mptool")
    demo_dir = tmp_path / "demo"
    demo = subprocess.run([str(mptool), "demo", "-d", str(demo_dir)], capture_output=True, text=True, timeout=900, env=_offline_env(), cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    evidence = sorted(demo_dir.glob("*.json"))
    assert len(evidence) >= 10
    digest = json.loads((demo_dir / "algo-hash.json").read_text())
    assert digest["results"][0]["measurements"]["digest"] == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905 A.1
