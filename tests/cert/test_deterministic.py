"""--deterministic gives byte-identical chain evidence; without a pinned validation time it is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, run_cli

TONGSUO = DATA.certs / "sm2" / "tlcp" / "tongsuo"
CHAIN = [str(TONGSUO / "server_sign.pem"), "--intermediates", str(TONGSUO / "sub-ca.pem"), "--trust", str(TONGSUO / "root-ca.pem")]


def test_deterministic_chain_evidence_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for i in range(2):
        run_dir = tmp_path / str(i)
        run_dir.mkdir()
        monkeypatch.chdir(run_dir)
        result = run_cli(["cert", "chain", *CHAIN, "--at", "2026-01-01T00:00:00Z", "-f", "json", "-o", "e.json", "--deterministic"])
        assert result.exit_code == 0, result.stderr
        outputs.append((run_dir / "e.json").read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("command", [["chain", *CHAIN], ["pair", str(TONGSUO / "server_sign.pem"), str(TONGSUO / "server_enc.pem")]])
def test_deterministic_without_validation_time_is_a_usage_error(command: list[str], tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    result = run_cli(["cert", *command, "-f", "json", "-o", str(out), "--deterministic"], env={"SOURCE_DATE_EPOCH": ""})
    assert result.exit_code == 2
    assert "--at" in result.stderr
    assert not out.exists()


def test_source_date_epoch_pins_the_validation_time() -> None:
    result = run_cli(["cert", "chain", *CHAIN, "-f", "json", "--deterministic"], env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert result.exit_code == 0, result.stderr
    assert result.json()["parameters"]["at"].startswith("2026-01-01T00:00:00")
