"""A missing authorityKeyIdentifier: a lint error (CERT-EXT-007) that does not by itself
invalidate an RFC 5280 §6 path (it does under the Web-PKI rules of `cert limbo`)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli
from limbo_cases import NOW, SERVER, Node, _without_aki, dns, make


def _write(path: Path, node: Node) -> str:
    path.write_text(node.pem)
    return str(path)


def test_missing_aki_is_a_path_warning_and_a_lint_failure(tmp_path: Path) -> None:
    root = make("root", None, ca=True)
    ica = make("ica", root, ca=True)
    leaf = make("leaf", ica, ca=False, san=dns("example.com"), eku=SERVER)
    leaf = Node(_without_aki(leaf, ica), leaf.key)
    paths = {name: _write(tmp_path / f"{name}.pem", node) for name, node in (("root", root), ("ica", ica), ("leaf", leaf))}

    chain = run_cli(["cert", "chain", paths["leaf"], "--intermediates", paths["ica"], "--trust", paths["root"], "--at", NOW, "-f", "json"])
    assert chain.exit_code == 0, chain.stdout
    results = chain.json()["results"]
    chaining = [r for r in results if r["check"] == "cert.path.chaining"]
    assert chaining and all(r["status"] == "warn" for r in chaining)
    assert any("authorityKeyIdentifier" in f["message"] for r in chaining for f in r["findings"])

    lint = run_cli(["cert", "lint", paths["leaf"], "-f", "json"])
    assert lint.exit_code == 1
    aki = [r for r in lint.json()["results"] if r["check"] == "cert.ext.aki"]
    assert [r["status"] for r in aki] == ["fail"]
