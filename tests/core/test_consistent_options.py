"""Issue 15: one trust-anchor option (``--trust FILE|DIR``, old names hidden aliases) and one file for two outputs refused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from conftest import DATA, run_cli
from mptool.cli import cli

TONGSUO = DATA.root / "certs" / "sm2" / "tlcp" / "tongsuo"
CHAIN = ["cert", "chain", str(TONGSUO / "server_sign.pem"), "--intermediates", str(TONGSUO / "sub-ca.pem"), "--at", "2026-01-01T00:00:00Z"]
CAPTURE = DATA.pcaps / "tlcp_gmssl_4suites.pcap"
LAB_ROOT = DATA.pcaps / "tlcp_lab_root_ca.pem"

pytestmark = pytest.mark.filterwarnings("ignore:Parsed a serial number")


def _commands(group: click.Group, ctx: click.Context, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += _commands(command, ctx, f"{prefix}{name} ")
        else:
            found.append((f"{prefix}{name}", command))
    return found


def test_every_trust_anchor_option_is_spelt_trust() -> None:
    """No command shows another name for trust anchors; the ones taking anchors all have --trust FILE|DIR."""
    ctx = click.Context(cli)
    takers = []
    for path, command in _commands(cli, ctx):
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            names = set(param.opts)
            assert not names & {"--roots", "--anchor", "--trust-anchor", "--trust-store", "--cafile", "--ca-file"}, path
            if "--ca" in names:
                assert path == "proto serve", path  # serve's --ca: certificates it sends and names in CertificateRequest
            if "--trust" in names:
                takers.append(path)
                assert param.metavar == "FILE|DIR" and param.multiple, path
    assert {"cert chain", "proto analyze", "proto probe"} <= set(takers)


@pytest.mark.parametrize("alias", ["--trust", "--ca", "--roots", "--trust-store", "--anchor"])
def test_cert_chain_accepts_the_old_names(alias: str) -> None:
    result = run_cli([*CHAIN, alias, str(TONGSUO / "root-ca.pem"), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.json()["parameters"]["trust_anchors"] == 1


def test_trust_directory_everywhere(tmp_path: Path) -> None:
    anchors = tmp_path / "anchors"
    anchors.mkdir()
    shutil.copy(TONGSUO / "root-ca.pem", anchors)
    shutil.copy(LAB_ROOT, anchors)
    chain = run_cli([*CHAIN, "--trust", str(anchors), "-f", "json"])
    assert chain.exit_code == 0 and chain.json()["parameters"]["trust_anchors"] == 2
    by_file = run_cli(["proto", "analyze", str(CAPTURE), "--trust", str(LAB_ROOT), "-f", "json", "--deterministic"])
    by_dir = run_cli(["proto", "analyze", str(CAPTURE), "--trust", str(anchors), "-f", "json", "--deterministic"])
    by_alias = run_cli(["proto", "analyze", str(CAPTURE), "--ca", str(anchors), "-f", "json", "--deterministic"])
    assert by_file.exit_code == by_dir.exit_code == by_alias.exit_code
    statuses = lambda r: [(x["check"], x["status"]) for x in r.json()["results"]]  # noqa: E731
    assert statuses(by_dir) == statuses(by_file) == statuses(by_alias)
    assert len(by_dir.json()["inputs"]) == 3  # the capture and both anchors


def test_help_shows_only_trust() -> None:
    for command in (["cert", "chain"], ["proto", "analyze"], ["proto", "probe"]):
        text = run_cli([*command, "--help"]).stdout
        assert "--trust FILE|DIR" in text and "--roots" not in text and "--trust-store" not in text
        assert "--ca " not in text and "--ca\n" not in text


def test_report_and_json_output_on_one_file_refused(tmp_path: Path) -> None:
    target = tmp_path / "evidence.json"
    link = tmp_path / "link.json"
    os.symlink(target, link)
    base = ["algo", "hash", "sm3", "--data", "text:abc"]
    for json_output in (str(target), str(link), str(tmp_path / "." / "evidence.json")):
        result = run_cli([*base, "-o", str(target), "--json-output", json_output])
        assert result.exit_code == 2, (json_output, result.stderr)
        assert "same file" in result.stderr
        assert not target.exists()
    target.write_text("old")
    assert run_cli([*base, "-o", str(target), "--json-output", str(link)]).exit_code == 2
    assert target.read_text() == "old"  # nothing written
    ok = run_cli([*base, "-o", str(tmp_path / "report.txt"), "--json-output", str(target)])
    assert ok.exit_code == 0 and target.read_text().startswith("{")
    assert run_cli([*base, "-o", os.devnull, "--json-output", os.devnull]).exit_code == 0
    proc = subprocess.run([sys.executable, "-m", "mptool", *base, "-o", str(link), "--json-output", str(target)], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
