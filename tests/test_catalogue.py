"""The committed check catalogue (src/mptool/schemas/checks-v1.json) against the domains' CHECKS tables.

Evidence consumers rely on check ids and finding codes: none may disappear or change meaning;
additions are allowed once the regenerated catalogue is committed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import run_cli
from mptool.core import catalogue
from mptool.core.registry import DOMAINS, domain_checks

COMMITTED = catalogue.committed()
CURRENT = catalogue.generate()
REGENERATE = "regenerate with: python -m mptool.core.catalogue --write"


def _by_id(data: dict) -> dict[str, dict]:
    return {entry["id"]: entry for entry in data["checks"]}


@pytest.mark.parametrize("entry", COMMITTED["checks"], ids=lambda e: e["id"])
def test_no_committed_check_or_code_disappears_or_changes_meaning(entry: dict) -> None:
    current = _by_id(CURRENT).get(entry["id"])
    assert current is not None, f"check {entry['id']} disappeared"
    assert current["title"] == entry["title"], f"{entry['id']}: title changed"
    assert set(current["rule_ids"]) >= set(entry["rule_ids"]), f"{entry['id']}: a rule id disappeared"
    for code, meaning in entry["findings"].items():
        assert code in current["findings"], f"{entry['id']}: finding code {code} disappeared"
        assert current["findings"][code] == meaning, f"{entry['id']}: finding code {code} changed meaning"


def test_committed_catalogue_is_current() -> None:
    """Additions (and wording of references and descriptions) must be committed too."""
    assert catalogue.render(CURRENT) == catalogue.render(COMMITTED), REGENERATE


def test_an_addition_is_allowed_but_a_removal_is_not() -> None:
    """The append-only rule itself, on a copy: a new code passes, a dropped one fails."""
    entry = json.loads(json.dumps(COMMITTED["checks"][0]))
    grown = {**entry, "findings": {**entry["findings"], "x.new": "a new code"}}
    assert set(grown["findings"]) >= set(entry["findings"])
    shrunk = {**entry, "findings": dict(list(entry["findings"].items())[1:])}
    assert not set(shrunk["findings"]) >= set(entry["findings"])


def test_every_check_is_in_its_domain_table_and_nowhere_else() -> None:
    """A fresh interpreter: importing every domain registers exactly the checks of the tables."""
    code = (
        "import json; from mptool.core import registry; tables = registry.load_all();"
        "print(json.dumps([sorted(s.id for s in tables), sorted(registry._REGISTRY)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    tables, registered = json.loads(out.stdout)
    assert tables == registered
    assert len(tables) == len(set(tables))


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_table_holds_its_own_checks(domain: str) -> None:
    specs = domain_checks(domain)
    assert specs and all(spec.id.startswith(domain + ".") for spec in specs)


@pytest.mark.parametrize("entry", COMMITTED["checks"], ids=lambda e: e["id"])
def test_citations_name_public_sources_only(entry: dict) -> None:
    """No reference to files outside the repository, to our own notes or to issue numbers."""
    text = entry["reference"] + " " + entry["description"] + " " + " ".join(entry["findings"].values())
    for private in ("cert-rules", "spec/", ".md", "shared/", "issue "):
        assert private not in text, f"{entry['id']} cites {private!r}"
    assert all(code.startswith(entry["domain"] + ".") for code in entry["findings"])


def test_checks_command_reads_the_same_table() -> None:
    result = run_cli(["checks", "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == CURRENT["checks"]


def test_undeclared_finding_code_is_refused() -> None:
    from mptool.core.model import Finding, Severity, Status
    from mptool.core.registry import UndeclaredFinding, get

    spec = get("algo.digest.file")
    with pytest.raises(UndeclaredFinding):
        spec.result(Status.FAIL, findings=[Finding(code="algo.digest.made_up", severity=Severity.ERROR, message="x")])
    declared = spec.result(Status.FAIL, findings=[Finding(code="algo.digest.mismatch", severity=Severity.ERROR, message="x")])
    assert declared.findings[0].code == "algo.digest.mismatch"
