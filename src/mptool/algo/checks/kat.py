"""``algo verify`` over vector files: the bundled set or user files, one result per algorithm and mode.

Files are parsed and run in a process pool (one task per file, largest first); each task
returns per-group tallies and the first failures, merged here in a deterministic order.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mptool.algo.vectors import handlers as kat
from mptool.algo.vectors.cavp import VectorFormatError
from mptool.algo.vectors.loader import Source, bundled_files, load, pair_sources, vectors_dir
from mptool.algo.vectors.model import ACCEPTABLE
from mptool.core.errors import InputError
from mptool.core.inputs import read_input
from mptool.core.model import Finding, Severity, Status
from mptool.core.progress import DISABLED, Progress
from mptool.core.registry import CheckSpec, register
from mptool.core.report import ReportBuilder

#: Failures listed per group (all are counted).
MAX_LISTED_FAILURES = 20
#: Below this much vector data a pool costs more than it saves.
POOL_THRESHOLD_BYTES = 2_000_000

_KAT_DOC = """Run {what} known-answer vectors and compare every output with the expected value.

Each vector's expected verdict is honoured: a valid case must produce the expected output, an
invalid case (CAVP ``FAIL``/``Result = F``, Wycheproof ``invalid``) must be rejected, an
``acceptable`` case may go either way. A case the backend cannot run is reported as skipped
with the reason, never as passed. One result per algorithm and mode with vectors run, passed,
failed and skipped."""

#: The finding codes of every algo.kat.<algorithm> check.
KAT_FINDINGS = {
    "algo.kat.mismatch": "a valid vector gave an output other than its expected value",
    "algo.kat.invalid_accepted": "an invalid vector (expected to be rejected) was accepted",
    "algo.kat.more_failures": "more vectors failed than are listed (all are counted)",
}

KAT_SPECS: dict[str, CheckSpec] = {
    "sm2": register("algo.kat.sm2", "SM2 standard examples", "GB/T 32918.2-2016 Annex A; GB/T 32918.3-2016 Annex A; GB/T 32918.4-2016 Annex A; GB/T 32918.5-2017 Annex A, C; GB/T 35276-2017 §7", _KAT_DOC.format(what="SM2 signature, encryption, KDF and key-exchange"), KAT_FINDINGS),
    "sm3": register("algo.kat.sm3", "SM3 known-answer tests", "GB/T 32905-2016 Annex A", _KAT_DOC.format(what="SM3"), KAT_FINDINGS),
    "sha": register("algo.kat.sha", "SHA-1/SHA-2 known-answer tests", "FIPS 180-4; CAVP SHAVS (ShortMsg, LongMsg, Monte)", _KAT_DOC.format(what="SHA-1 and SHA-2"), KAT_FINDINGS),
    "hmac": register("algo.kat.hmac", "HMAC known-answer tests", "GM/T 0042-2015 Appendix D.3 (HMAC-SM3); RFC 2104; FIPS 198-1", _KAT_DOC.format(what="HMAC"), KAT_FINDINGS),
    "sm4": register("algo.kat.sm4", "SM4 known-answer tests", "GB/T 32907-2016 Annex A; GB/T 17964-2021 (modes, XTS); RFC 8998 §3 (GCM, CCM)", _KAT_DOC.format(what="SM4 (all modes)"), KAT_FINDINGS),
    "aes": register("algo.kat.aes", "AES known-answer tests", "FIPS 197; NIST SP 800-38A/C/D/E; CAVP AESAVS, GCMVS, CCMVS, XTSVS", _KAT_DOC.format(what="AES (all modes, KAT/MMT/MCT)"), KAT_FINDINGS),
    "tdes": register("algo.kat.tdes", "3DES known-answer tests", "NIST SP 800-67r2; SP 800-38A; CAVP TMOVS", _KAT_DOC.format(what="Triple-DES"), KAT_FINDINGS),
    "rsa": register("algo.kat.rsa", "RSA known-answer tests", "RFC 8017 (PKCS #1 v2.2) §7.1, §7.2, §8.1, §8.2; FIPS 186-5 §5.4; CAVP RSA2VS", _KAT_DOC.format(what="RSA signature and encryption"), KAT_FINDINGS),
}
FILE_SPEC = register(
    "algo.kat.file",
    "Vector file support",
    "NIST CAVP response files; PKCS #1 v2.1 example vectors (RSA Laboratories); C2SP Wycheproof test vectors; NIST ACVP JSON; GB/T 32905/32907/32918 worked examples",
    "Record vector files or test groups that mptool cannot run (a withdrawn mode, an unsupported Wycheproof algorithm or ACVP test type) as skipped with the reason.",
)
ALGORITHM_ALIASES = {"3des": "tdes", "hmac-sm3": "hmac", "des": "tdes", "sha1": "sha", "sha2": "sha"}


@dataclass
class GroupTally:
    """Counts and first failures of one algorithm/mode group."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    acceptable: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    failed_flags: Counter[str] = field(default_factory=Counter)
    files: set[str] = field(default_factory=set)

    def merge(self, other: "GroupTally") -> None:
        """Add another tally (from another file) to this one."""
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        self.acceptable += other.acceptable
        self.failures.extend(other.failures[: max(0, MAX_LISTED_FAILURES - len(self.failures))])
        self.skip_reasons.update(other.skip_reasons)
        self.failed_flags.update(other.failed_flags)
        self.files |= other.files


@dataclass
class FileResult:
    """What one worker returns for one file."""

    name: str
    format: str
    groups: dict[str, GroupTally]
    unsupported: list[tuple[str, str]]
    skipped: str = ""  #: why a file found in a directory was left out (it is no vector file)


def _selected(algorithm: str, mode: str, want_algo: str | None, want_mode: str | None) -> bool:
    if want_algo and algorithm != want_algo:
        return False
    return not want_mode or mode == want_mode


def run_source(source: Source, want_algo: str | None = None, want_mode: str | None = None) -> FileResult:
    """Parse one file and run its (selected) vectors. Picklable: runs in a worker process."""
    parsed = load(source, algorithm=want_algo, mode=want_mode)
    groups: dict[str, GroupTally] = {}
    for vector in parsed.vectors:
        if not _selected(vector.algorithm, vector.mode, want_algo, want_mode):
            continue
        tally = groups.get(vector.group)
        if tally is None:
            tally = groups[vector.group] = GroupTally(files={source.name})
        outcome = kat.run_vector(vector)
        if outcome.status == kat.PASS:
            tally.passed += 1
            tally.acceptable += vector.expect == ACCEPTABLE
        elif outcome.status == kat.SKIP:
            tally.skipped += 1
            tally.skip_reasons[str(outcome.detail.get("reason", ""))] += 1
        else:
            tally.failed += 1
            tally.failed_flags.update(vector.flags)
            if len(tally.failures) < MAX_LISTED_FAILURES:
                tally.failures.append({"vector": vector.ident, "expected_result": vector.expect, "flags": list(vector.flags), **outcome.detail})
    unsupported = [(g, reason) for g, reason in parsed.unsupported if not want_algo or g.startswith(want_algo)]
    return FileResult(source.name, parsed.format, groups, unsupported)


def _run_one(args: tuple[Source, str | None, str | None]) -> FileResult:
    source = args[0]
    try:
        return run_source(*args)
    except VectorFormatError as exc:
        if not source.optional:
            raise
        return FileResult(source.name, "", {}, [], skipped=str(exc).removeprefix(f"{source.name}: "))


def normalise_algorithm(name: str | None) -> str | None:
    """The vector-group name of an ``--algo`` value (``3des`` -> ``tdes``, ``hmac-sm3`` -> ``hmac``)."""
    if name is None:
        return None
    name = name.lower()
    return ALGORITHM_ALIASES.get(name, name)


def bundled_sources(builder: ReportBuilder, algorithm: str | None = None) -> list[Source]:
    """Read the bundled vector files (those that can hold ``algorithm``), recording each as an input."""
    root = vectors_dir()
    sources = []
    for path in bundled_files(normalise_algorithm(algorithm)):
        data, record = read_input(str(path))
        rel = path.relative_to(root).as_posix()
        builder.add_input(record.model_copy(update={"name": f"mptool:vectors/algo/{rel}"}))
        sources.append(Source(rel, data))
    return sources


def _expand(path: str) -> list[str]:
    """A directory's files (recursively, hidden ones left out, sorted); a file stays itself."""
    root = Path(path)
    if path == "-" or not root.is_dir():
        return [path]
    files = sorted(str(p) for p in root.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))
    if not files:
        raise InputError(path, "directory holds no file")
    return files


def user_sources(builder: ReportBuilder, paths: Sequence[str]) -> list[Source]:
    """Read user vector files (recording each) and pair ACVP prompts with expected results.

    A directory is read file by file; a file in it that is no vector file (a README, a PDF, an
    ACVP prompt without its answers) is recorded as skipped with the reason (exit 4), and the
    others run. A file named on the command line that is no vector file is an input error.
    """
    files = []
    optional: set[str] = set()
    records = {}
    for path in paths:
        names = _expand(path)
        if names != [path]:
            optional.update(names)
        for name in names:
            data, record = read_input(name, max_size=512 * 1024 * 1024)
            records[name] = record
            files.append((name, data))
    skipped: list[tuple[str, str]] = []
    try:
        sources = pair_sources(files, skipped, frozenset(optional))
    except VectorFormatError as exc:
        name, _, problem = str(exc).partition(": ")
        raise InputError(name, problem) from None
    skipped_names = {name for name, _ in skipped}
    for name, _ in files:
        if name not in skipped_names:
            builder.add_input(records[name])
    for name, reason in skipped:
        builder.skip_input(name, reason)
    if not sources:
        raise InputError(skipped[0][0] if skipped else "vectors", f"no vector file in the input ({len(skipped)} skipped; this one: {skipped[0][1] if skipped else 'none'})")
    return sources


def run_vectors(
    builder: ReportBuilder,
    sources: list[Source],
    *,
    algorithm: str | None = None,
    mode: str | None = None,
    jobs: int | None = None,
    progress: Progress = DISABLED,
) -> None:
    """Run every source and add one result per algorithm/mode group to ``builder``."""
    want_algo, want_mode = normalise_algorithm(algorithm), mode.lower() if mode else None
    jobs = jobs or os.cpu_count() or 1
    size = sum(len(s.data) + len(s.companion) for s in sources)
    use_pool = jobs > 1 and len(sources) > 1 and size >= POOL_THRESHOLD_BYTES
    builder.parameters.update(
        {"algorithm": want_algo or "all", "mode": want_mode or "all", "jobs": jobs if use_pool else 1, "backend": "cryptography (OpenSSL); SM2: mptool.algo.sm2; CFB1/SM4-CCM/SM4-XTS/XTS-GB/GCM with short or long IVs composed over the backend's ECB"}
    )
    ordered = sorted(sources, key=lambda s: -(len(s.data) + len(s.companion)))
    tasks = [(s, want_algo, want_mode) for s in ordered]
    results: dict[str, FileResult] = {}
    with progress.task("algo vectors", total=len(tasks)) as advance:
        try:
            if use_pool:
                with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
                    for result in pool.map(_run_one, tasks):
                        results[result.name] = result
                        advance(1)
            else:
                for task in tasks:
                    result = _run_one(task)
                    results[result.name] = result
                    advance(1)
        except VectorFormatError as exc:
            name, _, problem = str(exc).partition(": ")
            raise InputError(name, problem) from None
    for source in sources:
        if results[source.name].skipped:
            builder.skip_input(source.name, results[source.name].skipped)
    _report(builder, [results[s.name] for s in sources if not results[s.name].skipped])


def _report(builder: ReportBuilder, results: list[FileResult]) -> None:
    groups: dict[str, GroupTally] = {}
    for result in results:
        for name, tally in result.groups.items():
            groups.setdefault(name, GroupTally()).merge(tally)
    total_run = total_failed = total_skipped = 0
    for name in sorted(groups):
        tally = groups[name]
        family = name.split("-", 1)[0]
        spec = KAT_SPECS.get(family, KAT_SPECS["aes"])
        total_run += tally.passed + tally.failed
        total_failed += tally.failed
        total_skipped += tally.skipped
        builder.add(_group_result(spec, name, tally))
    for result in results:
        for group, reason in result.unsupported:
            builder.add(FILE_SPEC.skipped_result(f"{result.name} ({group})", reason, file=result.name))
    if not groups and not any(r.unsupported for r in results):
        raise InputError("--algo/--mode" if builder.parameters.get("algorithm") != "all" else "vectors", "no vector matches the selection")
    builder.summary_extra.update(vectors_run=total_run, vectors_failed=total_failed, vectors_skipped=total_skipped)


def _group_result(spec: CheckSpec, name: str, tally: GroupTally) -> Any:
    findings = [
        Finding(
            code="algo.kat.invalid_accepted" if f.get("problem") else "algo.kat.mismatch",
            severity=Severity.ERROR,
            message=f.get("problem") or (f"rejected: {f['rejected']}" if "rejected" in f else f"{f.get('field', 'output')} differs from the expected value"),
            location={"vector": f["vector"]},
            data={k: v for k, v in f.items() if k != "vector"},
        )
        for f in tally.failures
    ]
    if tally.failed > len(tally.failures):
        findings.append(Finding(code="algo.kat.more_failures", severity=Severity.ERROR, message=f"{tally.failed - len(tally.failures)} more failing vectors not listed"))
    for reason, count in sorted(tally.skip_reasons.items()):
        findings.append(Finding(code="algo.backend_unsupported", severity=Severity.INFO, message=f"{count} vectors skipped: {reason}", data={"count": count}))
    measurements = {
        "vectors_run": tally.passed + tally.failed,
        "passed": tally.passed,
        "failed": tally.failed,
        "skipped": tally.skipped,
        "acceptable": tally.acceptable,
        "files": sorted(tally.files),
    }
    if tally.failed_flags:
        measurements["failed_by_flag"] = dict(sorted(tally.failed_flags.items()))
    if tally.failed:
        status = Status.FAIL
    elif tally.skipped:
        status = Status.SKIPPED
    else:
        status = Status.PASS
    return spec.result(status, subject=name.upper(), measurements=measurements, findings=findings)
