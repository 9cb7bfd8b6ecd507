#!/usr/bin/env python3
"""Fuzz mptool's file parsers (tests/fuzz/harnesses.py) with atheris, coverage-guided (issue 21).

    .venv/bin/python scripts/fuzz.py --list
    .venv/bin/python scripts/fuzz.py all --time 2 --jobs 2          # what the test suite runs
    .venv/bin/python scripts/fuzz.py certificate --runs 1000000     # a long run of one harness
    .venv/bin/python scripts/fuzz.py all --runs 1000000 --jobs 2 --keep-going --work /tmp/fz

Each harness runs in its own process (libFuzzer runs once per process), seeded with the
repository's real files (certificates, CRLs, vector files, rng data, keys, assessments) and
the crash corpus (tests/fuzz/crashes/HARNESS/). An unexpected exception is a crash: the
input is saved under WORK/crashes/HARNESS/ and the run fails; with --keep-going the run goes
on and each distinct crash (exception type and innermost mptool frame) is saved once. The
last line of each harness is a JSON summary: executions, seconds, coverage, crashes.

Without atheris (not installable on the platform) a plain random mutator runs instead
(--engine mutate; no coverage feedback).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _signature(exc: BaseException) -> str:
    """Exception type and the innermost frame inside mptool (or the innermost at all)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/mptool/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(exc).__name__}@{where}"


class Target:
    """A harness wrapped for fuzzing: counts executions, saves crashing inputs."""

    def __init__(self, name: str, crashes: Path, keep_going: bool) -> None:
        from tests.fuzz.harnesses import HARNESSES

        self.name = name
        self.function = HARNESSES[name].function
        self.crashes = crashes / name
        self.keep_going = keep_going
        self.executions = 0
        self.found: dict[str, str] = {}
        self.started = time.monotonic()

    def __call__(self, data: bytes) -> None:
        self.executions += 1
        try:
            self.function(data)
        except (MemoryError, RecursionError, Exception) as exc:  # noqa: BLE001 - every escape is a crash
            signature = _signature(exc)
            if signature not in self.found:
                self.crashes.mkdir(parents=True, exist_ok=True)
                path = self.crashes / f"{re.sub(r'[^A-Za-z0-9_.@-]', '_', signature)}-{hashlib.sha1(data).hexdigest()[:12]}"
                path.write_bytes(data)
                self.found[signature] = str(path)
                print(f"fuzz {self.name}: CRASH {signature}: {str(exc)[:200]!r} -> {path}", file=sys.stderr, flush=True)
            if not self.keep_going:
                self.summary()
                raise

    def summary(self, coverage: int | None = None) -> dict[str, object]:
        data = {
            "harness": self.name,
            "executions": self.executions,
            "seconds": round(time.monotonic() - self.started, 1),
            "crashes": sorted(self.found),
        }
        print("FUZZ-SUMMARY " + json.dumps(data, ensure_ascii=False), flush=True)
        return data


def seed_corpus(name: str, corpus: Path) -> None:
    """Write the harness's seeds and its crash corpus into ``corpus`` (once)."""
    from tests.fuzz.harnesses import CRASHES, HARNESSES

    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    seeds = list(HARNESSES[name].seeds())
    seeds += [p.read_bytes() for p in sorted((CRASHES / name).glob("*")) if p.is_file()]
    for data in seeds:
        (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)


def run_one(args: argparse.Namespace, name: str) -> int:
    """Fuzz one harness in this process."""
    from tests.fuzz.harnesses import HARNESSES

    work = Path(args.work)
    corpus = work / "corpus" / name
    harness = HARNESSES[name]
    if args.engine == "atheris":
        import atheris

        # nothing of mptool is imported before this point (the harness module imports lazily),
        # so the seeds' and the harness's imports are instrumented: the harness's packages
        # (harness.instrument, less harness.exclude; docs/reliability.md "Cost of one execution")
        with atheris.instrument_imports(include=list(harness.instrument), exclude=list(harness.exclude) or None):
            seed_corpus(name, corpus)
            target = Target(name, work / "crashes", args.keep_going)
            for path in sorted(corpus.iterdir())[:3]:  # the harness's own imports, instrumented
                try:
                    target.function(path.read_bytes())
                except Exception:  # noqa: BLE001 - a crashing seed is found again by the fuzzer
                    pass
        if harness.setup is not None:
            harness.setup()
        options = [f"-max_len={args.max_len}", "-rss_limit_mb=3072", "-timeout=60", f"-seed={args.seed}", "-print_final_stats=1"]
        if args.runs:
            options.append(f"-runs={args.runs}")
        if args.time:
            options.append(f"-max_total_time={args.time}")
        import atexit

        atexit.register(target.summary)
        atheris.Setup([sys.argv[0], *options, str(corpus)], target)
        atheris.Fuzz()
        return 0
    seed_corpus(name, corpus)
    target = Target(name, work / "crashes", args.keep_going)
    if harness.setup is not None:
        harness.setup()
    return _mutate(args, target, corpus)


def _mutate(args: argparse.Namespace, target: Target, corpus: Path) -> int:
    """A plain random mutator (no coverage feedback), for platforms without atheris."""
    rng = random.Random(args.seed)
    pool = [p.read_bytes()[: args.max_len] for p in sorted(corpus.iterdir())] or [b""]
    deadline = time.monotonic() + (args.time or 1e12)
    interesting = [b"\x00", b"\xff", b"\x80", b"\x7f", b"\x30\x82", b"\x30\x80", b"\x02\x81\x00", b"\x00" * 8, b"-----BEGIN CERTIFICATE-----\n", b"=", b"\n", b"{", b"[" * 50]
    while (not args.runs or target.executions < args.runs) and time.monotonic() < deadline:
        data = bytearray(rng.choice(pool))
        for _ in range(rng.randint(1, 4)):
            op = rng.randrange(6)
            at = rng.randrange(len(data) + 1)
            if op == 0 and data:
                data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
            elif op == 1 and data:
                data[min(at, len(data) - 1)] = rng.randrange(256)
            elif op == 2:
                data[at:at] = rng.choice(interesting)
            elif op == 3:
                del data[at : at + rng.randint(1, 64)]
            elif op == 4:
                data = data[:at]
            else:
                other = rng.choice(pool)
                cut = rng.randrange(len(other) + 1)
                data[at:] = other[cut:]
        try:
            target(bytes(data))
        except Exception:  # noqa: BLE001 - already saved and reported
            target.summary()
            return 1
    target.summary()
    return 1 if target.found else 0


def run_all(args: argparse.Namespace, names: list[str]) -> int:
    """Each harness in a child process, ``--jobs`` at a time; a table of the summaries."""
    pending = list(names)
    running: list[tuple[str, subprocess.Popen[str]]] = []
    results: dict[str, dict[str, object]] = {}
    failed = []
    while pending or running:
        while pending and len(running) < args.jobs:
            name = pending.pop(0)
            command = [sys.executable, str(Path(__file__).resolve()), name, "--work", args.work, "--engine", args.engine, "--seed", str(args.seed), "--max-len", str(args.max_len)]
            command += ["--runs", str(args.runs)] if args.runs else []
            command += ["--time", str(args.time)] if args.time else []
            command += ["--keep-going"] if args.keep_going else []
            log = open(Path(args.work) / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed with the child
            running.append((name, subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)))
        time.sleep(0.2)
        for name, child in list(running):
            if child.poll() is None:
                continue
            running.remove((name, child))
            text = (Path(args.work) / f"{name}.log").read_text(encoding="utf-8", errors="replace")
            summary = {"harness": name, **_parse_summary(text)}
            summary["exit"] = child.returncode
            summary["crashes"] = sorted(p.name for p in (Path(args.work) / "crashes" / name).glob("*"))
            results[name] = summary
            if child.returncode != 0 or summary.get("crashes"):
                failed.append(name)
            print(json.dumps(summary, ensure_ascii=False), flush=True)
    (Path(args.work) / "summary.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if failed:
        print(f"fuzz: crashes or failures in {', '.join(failed)} (logs in {args.work})", file=sys.stderr)
    return 1 if failed else 0


def _parse_summary(text: str) -> dict[str, object]:
    summary: dict[str, object] = {}
    for line in text.splitlines():
        if line.startswith("FUZZ-SUMMARY "):
            summary.update(json.loads(line[len("FUZZ-SUMMARY ") :]))
    if m := re.search(r"Done (\d+) runs in (\d+) second", text):
        summary["executions"], summary["seconds"] = int(m.group(1)), int(m.group(2))
    if found := re.findall(r"cov: (\d+) ft: (\d+)", text):
        summary["coverage"], summary["features"] = int(found[-1][0]), int(found[-1][1])
    if "executions" not in summary:
        summary["tail"] = text[-2000:]
    return summary


def main() -> int:
    from tests.fuzz.harnesses import HARNESSES

    try:
        import atheris  # noqa: F401

        engine = "atheris"
    except ImportError:
        engine = "mutate"
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("harnesses", nargs="*", help="harness names, or 'all'")
    parser.add_argument("--list", action="store_true", help="list the harnesses")
    parser.add_argument("--runs", type=int, default=0, help="executions per harness (0: no limit)")
    parser.add_argument("--time", type=int, default=0, help="seconds per harness (0: no limit)")
    parser.add_argument("--jobs", type=int, default=1, help="harnesses run at once")
    parser.add_argument("--work", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "mptool-fuzz"), help="corpus, crashes and logs")
    parser.add_argument("--keep-going", action="store_true", help="save each distinct crash and go on")
    parser.add_argument("--engine", choices=["atheris", "mutate"], default=engine)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-len", type=int, default=65536)
    args = parser.parse_args()
    if args.list:
        for name, harness in HARNESSES.items():
            print(f"{name:20} {(harness.function.__doc__ or '').strip().splitlines()[0]}")
        return 0
    names = list(HARNESSES) if args.harnesses in ([], ["all"]) else args.harnesses
    unknown = [n for n in names if n not in HARNESSES]
    if unknown:
        parser.error(f"unknown harness {', '.join(unknown)} (--list)")
    Path(args.work).mkdir(parents=True, exist_ok=True)
    if len(names) == 1 and not args.harnesses == ["all"]:
        return run_one(args, names[0])
    return run_all(args, names)


if __name__ == "__main__":
    sys.exit(main())
