"""``mptool rng test``: read sequences, run the plan on every core, decide, and record evidence."""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from typing import Any

import numpy as np

from mptool.core.errors import InputError
from mptool.core.model import Finding, Severity, Status
from mptool.core.progress import DISABLED, Progress
from mptool.core.registry import get
from mptool.core.report import ReportBuilder
from mptool.rng import decision
from mptool.rng.battery import Tests, evaluate, evaluate_batch, evaluate_packed
from mptool.rng.heap import keep_freed_memory
from mptool.rng.params import MIN_BITS, MAX_SEQUENCES, PROFILE_SOURCE, PROFILES, SINGLE_MIN_BITS, Item, Plan, parse_overrides, resolve, single_use_poker_m
from mptool.rng.reader import SequenceSource, open_source

#: How worker processes start: forkserver where the platform has it (Linux), else spawn (Windows,
#: macOS's default); workers only import mptool.rng.battery, so both give the same results.
_START_METHOD = "forkserver" if "forkserver" in get_all_start_methods() else "spawn"
#: Bits of work handed to a worker at once (16 sequences of 10^6 bits, whose linear complexity
#: blocks then share one Berlekamp–Massey pass), and evaluated together in process.
BATCH_BITS = 16_000_000
#: A set of at most this many bits is evaluated in this process: starting the worker pool
#: (a forkserver and workers importing numpy and scipy) costs more than it saves below it.
IN_PROCESS_BITS = 32_000_000
#: Memory the default number of workers must fit in (all processes together).
MEMORY_BUDGET = 1 << 30
#: Measured on the benchmark machine (docs/benchmarks.md): a process with numpy and scipy
#: loaded, plus about 2.5 bytes per bit of sequence in a worker (1 byte in the main process).
PROCESS_BASE = 100 << 20


@dataclass(frozen=True)
class RunOptions:
    """What ``mptool rng test`` was asked to do."""

    source: str
    #: None: binary, refusing text layouts ('0'/'1', hex, xxd) with the option that reads them
    input_format: str | None = None
    bits: int | None = None
    count: int | None = None
    params: Sequence[str] = ()
    profile: str | None = None
    jobs: int | None = None


def default_jobs(bits: int) -> int:
    """Worker processes by default: every core this process may run on, as far as memory allows.

    The estimate keeps the main process and all workers under :data:`MEMORY_BUDGET`
    (9 workers at 10^6 bits, 2 at 10^8 bits).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    per_worker = PROCESS_BASE + int(2.5 * bits)
    main = PROCESS_BASE + bits
    return max(1, min(cores, (MEMORY_BUDGET - main) // per_worker))


def run_suite(builder: ReportBuilder, options: RunOptions, progress: Progress = DISABLED) -> None:
    """Run the GM/T 0005-2021 suite on the input and add one result per item to ``builder``."""
    profile = PROFILES[options.profile] if options.profile else None
    bits = options.bits if options.bits is not None else (profile.bits if profile else None)
    count = options.count if options.count is not None else (profile.count if profile else None)
    if (bits is not None and bits <= 0) or (count is not None and count <= 0):
        raise InputError("--bits/--count", "must be positive")
    if bits is not None and bits < MIN_BITS:
        raise InputError("--bits", f"{bits} bits is too short a sequence: at least {MIN_BITS} (GM/T 0005-2021 Annex A uses 2×10^4 and more)")
    if count is not None and count > MAX_SEQUENCES:
        raise InputError("--count", f"{count} sequences: at most {MAX_SEQUENCES} in one run")
    overrides = parse_overrides(options.params)
    source = open_source(options.source, options.input_format, bits, count)
    n = source.sequence_bits
    if n < MIN_BITS:
        raise InputError(source.path, f"too little data: sequences of {n} bits, at least {MIN_BITS} needed")
    if profile is not None and profile.name == "single":
        if n < SINGLE_MIN_BITS:
            raise InputError(source.path, f"too little data: the single-use profile needs at least {SINGLE_MIN_BITS} bits, got {n}")
        overrides.setdefault("poker", {"m": [single_use_poker_m(n)]})
    plan = resolve(n, overrides, profile.tests if profile else None)
    jobs = options.jobs or default_jobs(n)
    _record_parameters(builder, options, plan, source, jobs)
    total = source.count
    if total == 1:  # one sequence: progress by item
        with progress.task(f"GM/T 0005-2021, {n} bits", len(plan.items)) as advance:
            (sequence,) = list(source.sequences())  # to the end, so the input is fully digested
            matrix, problems = evaluate(sequence, plan.tests, on_test=advance)
            matrix = matrix[None]
    else:
        with progress.task(f"GM/T 0005-2021, sequences of {n} bits", total) as advance:
            matrix, problems = _compute(plan.tests, source.sequences(), n, jobs, advance)
    for record in source.records:
        builder.add_input(record)
    for name, reason in source.skipped:
        builder.skip_input(name, reason)
    builder.parameters["count"] = int(matrix.shape[0])
    _add_results(builder, plan, matrix, problems, subject=source.path if source.path != "-" else "<stdin>")
    if matrix.shape[0] == 1:
        _single_sequence_note(builder, len(plan.items))
    elif builder.summary_extra["rng"]["items_failed"]:
        builder.summary_extra.setdefault("notes", []).append(set_failure_note(builder.summary_extra["rng"]))


def set_failure_note(verdict: dict[str, Any]) -> str:
    """What a failed set decision weighs: the chance that a perfect source fails it too."""
    return (
        f"set of {verdict['sequences']} sequences: a perfect source fails this decision (every one of {verdict['items']} items must pass "
        f"GM/T 0005-2021 clauses 6.2 and 6.3) with probability ≈ {verdict['perfect_source_fails']:.3f} (binomial pass counts, items taken as "
        f"independent; a larger set does not lower it: ≈ 0.088 for 1000 sequences of 10^6 bits); weigh the {verdict['items_failed']} "
        "failed item(s) against it: an item far below its threshold (see each finding's chance) or failing again on a new, independent set "
        "is strong evidence against the generator, one item one short of its threshold on one set is weak evidence"
    )


def _single_sequence_note(builder: ReportBuilder, items: int) -> None:
    """What one sequence can and cannot show, in the evidence and on the screen (issue 15)."""
    chance = decision.perfect_source_failure(1, items)  # 1 − (1 − α)^items
    builder.summary_extra["single_sequence"] = {
        "items": items,
        "alpha": decision.ALPHA,
        "perfect_source_fails_any_item": round(chance, 4),
        "reference": "GM/T 0005-2021 clause 6 (the decision is taken on a set of sequences: pass rate §6.2, uniformity §6.3)",
        "set_decision": "--bits N --count 1000, or --profile factory",
    }
    builder.summary_extra.setdefault("notes", []).append(
        f"one sequence: a perfect source fails at least one of these {items} items with probability "
        f"1 − (1 − {decision.ALPHA})^{items} = {chance:.3f} (about one time in {round(1 / chance)}), so one failed item "
        "on one sequence does not condemn a generator and one pass does not clear it; GM/T 0005-2021 clause 6 decides on a "
        "set of sequences: give --bits N --count 1000 (e.g. 1000 × 10^6 bits) or --profile factory"
    )


def _record_parameters(builder: ReportBuilder, options: RunOptions, plan: Plan, source: SequenceSource, jobs: int) -> None:
    builder.parameters.update(
        {
            "input_format": source.input_format,
            "bits": plan.bits,
            "count": source.count,
            "length_class": plan.length_class,
            "alpha": decision.ALPHA,
            "alpha_t": decision.ALPHA_T,
            "tests": {test: [dict(p) for p in sets] for test, sets in plan.tests.items()},
            "overrides": plan.overrides,
            "profile": options.profile,
            "jobs": jobs,
        }
    )
    if options.profile:
        builder.parameters["profile_source"] = PROFILE_SOURCE


def _packed_batches(sequences: Iterator[np.ndarray], size: int) -> Iterator[tuple[bytes, int]]:
    """Batches of ``size`` sequences, each packed into whole bytes, as (bytes, number of sequences)."""
    batch: list[bytes] = []
    for sequence in sequences:
        batch.append(np.packbits(sequence).tobytes())
        del sequence  # let the reader reuse the memory before it reads the next sequence
        if len(batch) == size:
            yield b"".join(batch), size
            batch = []
    if batch:
        yield b"".join(batch), len(batch)


def _compute(tests: Tests, sequences: Iterator[np.ndarray], n: int, jobs: int, advance: Any) -> tuple[np.ndarray, dict[int, str]]:
    """(sequences, items, 3) array of P, Q, statistic, and the per-item problems.

    A small set (at most :data:`IN_PROCESS_BITS`, found by reading that far ahead) or ``jobs`` = 1
    is evaluated here, batch by batch; a larger one by a pool of ``jobs`` worker processes.
    """
    results: list[np.ndarray] = []
    problems: dict[int, str] = {}
    size = max(1, BATCH_BITS // n)
    keep_freed_memory()
    ahead = list(islice(sequences, max(1, IN_PROCESS_BITS // n) + 1)) if jobs > 1 else []
    if jobs == 1 or len(ahead) * n <= IN_PROCESS_BITS:
        remaining = chain(ahead, sequences)
        del ahead
        while batch := list(islice(remaining, size)):
            matrix, found = evaluate_batch(batch, tests)
            del batch
            results.append(matrix)
            problems.update(found)
            advance(matrix.shape[0])
    else:
        context = get_context(_START_METHOD)
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=keep_freed_memory) as pool:
            pending: deque[tuple[Future[Any], int]] = deque()
            for packed, number in _packed_batches(_drain(ahead, sequences), size):
                pending.append((pool.submit(evaluate_packed, packed, n, number, tests), number))
                del packed
                while len(pending) >= 2 * jobs:
                    _collect(pending.popleft(), results, problems, advance)
            while pending:
                _collect(pending.popleft(), results, problems, advance)
    if not results:
        return np.empty((0, 0, 3)), problems
    return np.concatenate(results), problems


def _drain(ahead: list[np.ndarray], rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """The sequences read ahead (released as they are handed on), then the rest of the input."""
    ahead.reverse()
    while ahead:
        yield ahead.pop()
    yield from rest


def _collect(job: tuple[Future[Any], int], results: list[np.ndarray], problems: dict[int, str], advance: Any) -> None:
    future, size = job
    matrix, found = future.result()
    results.append(matrix)
    problems.update(found)
    advance(size)


def _add_results(builder: ReportBuilder, plan: Plan, matrix: np.ndarray, problems: dict[int, str], subject: str) -> None:
    count = matrix.shape[0]
    failed = decided = 0
    least = 1.0
    for index, item in enumerate(plan.items):
        spec = get(f"rng.gmt0005.{item.test}")
        values = matrix[:, index, :]
        problem = problems.get(index)
        if problem is not None or np.isnan(values).any():
            kind, _, reason = (problem or "error: no value computed").partition(": ")
            status = Status.NA if kind == "na" else Status.ERROR
            finding = Finding(code="rng.gmt0005.not_applicable" if status is Status.NA else "rng.gmt0005.check_error", severity=Severity.INFO if status is Status.NA else Severity.ERROR, message=reason, data={"item": item.label})
            builder.add(spec.result(status, subject=subject, measurements={"item": item.label, "params": item.evidence_params()}, findings=[finding]))
            continue
        result = decision.decide(values[:, 0], values[:, 1])
        failed += not result.ok
        decided += 1
        if not result.ok:
            least = min(least, _failure_chance(result, values))
        builder.add(spec.result(Status.PASS if result.ok else Status.FAIL, subject=subject, measurements=_measurements(item, values, result), findings=_findings(item, result, count)))
    builder.summary_extra["rng"] = {
        "verdict": "pass" if failed == 0 and all(r.status is not Status.ERROR for r in builder.results) else "fail",
        "sequences": count,
        "bits": plan.bits,
        "items": len(plan.items),
        "items_failed": failed,
        "perfect_source_fails": round(decision.perfect_source_failure(count, decided), 4),
        **({"least_likely_failure": float(f"{least:.3g}")} if failed else {}),
    }


def _failure_chance(result: decision.ItemDecision, values: np.ndarray) -> float:
    """How likely a perfect source fails this item this badly: its P-value on one sequence; on a set,
    the chance of so few passing sequences (§6.2) or P_T itself (§6.3), whichever is smaller."""
    if values.shape[0] == 1:
        return float(values[0, 0])
    chances = [decision.pass_count_chance(result.passed, values.shape[0])] if not result.pass_rate_ok else []
    if not result.uniform and result.p_t is not None:
        chances.append(result.p_t)
    return min(chances, default=1.0)


def _measurements(item: Item, values: np.ndarray, result: decision.ItemDecision) -> dict[str, Any]:
    """The evidence of one item; the first scalar fields are the ones the text report shows."""
    data: dict[str, Any] = {"item": item.label}
    if values.shape[0] == 1:
        data.update(p_value=float(values[0, 0]), q_value=float(values[0, 1]), statistic=_finite(values[0, 2]))
    else:
        data.update(passed=result.passed, threshold=result.threshold)
        if result.p_t is not None:
            data.update(p_t=result.p_t, uniform=result.uniform)
        data.update(p_value=[float(v) for v in values[:, 0]], q_value=[float(v) for v in values[:, 1]])
    data.update(params=item.evidence_params(), sequences=int(values.shape[0]), passed=result.passed, threshold=result.threshold)
    return data


def _finite(value: float) -> float | str:
    """JSON has no infinity: an infinite statistic (a constant sequence) is recorded as a string."""
    return float(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def _findings(item: Item, result: decision.ItemDecision, count: int) -> Iterable[Finding]:
    if not result.pass_rate_ok:
        data: dict[str, Any] = {"passed": result.passed, "threshold": result.threshold}
        if count == 1:
            message = f"{item.label}: P-value below α = {decision.ALPHA}"
        else:
            chance = decision.pass_count_chance(result.passed, count)
            message = (
                f"{item.label}: {result.passed} of {count} sequences have P ≥ {decision.ALPHA}, at least {result.threshold} needed (GM/T 0005-2021 §6.2); "
                f"a perfect source passes {result.passed} or fewer with probability {chance:.2g}"
            )
            data["perfect_source_this_low"] = float(f"{chance:.3g}")
        yield Finding(code="rng.gmt0005.pass_rate", severity=Severity.ERROR, message=message, data=data)
    if not result.uniform:
        yield Finding(code="rng.gmt0005.uniformity", severity=Severity.ERROR, message=f"{item.label}: Q-values not uniform, P_T = {result.p_t:.3g} < α_T = {decision.ALPHA_T} (GM/T 0005-2021 §6.3)", data={"p_t": result.p_t})
