"""Benchmark: a portfolio workspace of 58 systems × 41 indicators × 5 objects (issue 13).

Usage: .venv/bin/python scripts/bench_portfolio.py [--systems 58] [--repeat 3] [--keep DIR]

Writes a workspace: 3 shared cases (machine room, SSL VPN gateway, server crypto machine, each
with a synthetic evidence file carrying a certificate expiry), 58 level-3 systems in 4 teams,
each with 5 objects per technical layer (one of them a ``ref:`` to the shared object of that
layer where there is one) judged on every technical indicator of the layer (mixed D/A/K/Ra/Rk,
deterministic), all management indicators, a report number and date on most, and plan.yaml
with three milestones. Then times, each as a fresh ``python -m mptool`` process (start-up
included): ``assess score WORKSPACE``, ``assess status``, ``assess summary -f json``,
``assess summary -o summary.docx``; best and worst of ``--repeat`` runs, with the peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mptool.assess.indicators import TECHNICAL_LAYERS, catalogue
from mptool.assess.portfolio.sample import case_yaml, write
from mptool.core.inputs import new_sm3

SHARED = {"physical": ("machine-room", "phy-room", "机房"), "network": ("vpn-gateway", "net-vpn", "SSL VPN网关"),
          "device": ("crypto-machine", "dev-hsm", "服务器密码机")}
TEAMS = ("一组", "二组", "三组", "四组")
OBJECTS_PER_LAYER = 5


def _factors(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return "D: true, A: true, K: true"
    if roll < 0.70:
        return f"D: true, A: false, K: true, Ra: {rng.choice(['1', '0.5'])}"
    if roll < 0.82:
        return "D: true, A: true, K: false, Rk: 1.2"
    if roll < 0.92:
        return "D: false"
    return "result: 不适用, reason: 无此类对象"


def _evidence(directory: Path, name: str, expiry: str) -> str:
    data = {"schema": "mptool.evidence/1", "command": "proto analyze", "started_at": "2026-03-02T09:00:00Z", "finished_at": "2026-03-02T09:00:01Z",
            "results": [{"check": "proto.tls.channel", "measurements": {"certificates": [{"subject": f"CN={name}", "not_after": expiry}]}}]}
    content = json.dumps(data).encode()
    sm3 = new_sm3()
    sm3.update(content)
    digest = sm3.hexdigest()
    write(directory / "evidence" / f"{digest[:16]}-{name}.json", content.decode())
    return (f"evidence:\n  - {{file: evidence/{digest[:16]}-{name}.json, sm3: {digest}, sha256: {hashlib.sha256(content).hexdigest()}, "
            f"objects: [{SHARED_ID[name]}], indicators: [], command: proto analyze, source: {name}.json}}\n")


SHARED_ID = {case: oid for case, oid, _ in SHARED.values()}


def build(root: Path, systems: int) -> None:
    cat = catalogue()
    rng = random.Random(13)
    technical = [i for i in cat.at_level(3) if i.kind == "technical"]
    management = [i.id for i in cat.at_level(3) if i.kind == "management"]
    for layer, (case, oid, name) in SHARED.items():
        judgements = [f"{{object: {oid}, indicator: {i.id}, D: true, A: true, K: true}}" for i in technical if i.layer == layer]
        text = case_yaml(f"{name}（共享）", 3, [(oid, layer, f"{{id: {oid}, layer: {layer}, name: {name}}}")], judgements, {}, fill=False)
        write(root / "shared" / case / "assessment.yaml", text + _evidence(root / "shared" / case, case, "2027-11-27T04:23:15Z"))
    plan = ["schema: mptool.plan/1", "name: 基准年度密评", "milestones:", "  - {date: 2026-06-30, percent: 60}",
            "  - {date: 2026-09-30, percent: 90}", "  - {date: 2026-10-31, percent: 100}", "systems:"]
    for n in range(systems):
        team = TEAMS[n % len(TEAMS)]
        name = f"sys{n:02d}"
        objects, judgements = [], []
        for layer in TECHNICAL_LAYERS:
            for k in range(OBJECTS_PER_LAYER):
                if k == 0 and layer in SHARED:
                    case, oid, _ = SHARED[layer]
                    objects.append((oid, layer, f"{{ref: shared/{case}#{oid}}}"))
                    continue
                oid = f"{layer[:3]}-{k}"
                objects.append((oid, layer, f"{{id: {oid}, layer: {layer}}}"))
                judgements += [f"{{object: {oid}, indicator: {i.id}, {_factors(rng)}}}" for i in technical if i.layer == layer]
        results = {m: rng.choice(["符合", "符合", "部分符合", "不符合"]) for m in management}
        extra = f"report: {{number: GM-2026-{n:04d}, date: '2026-0{1 + n % 9}-15'}}\n" if n % 5 else ""
        if n % 7 == 0:
            extra += "high_risks:\n  - {indicator: GEN-ALG, mitigated: false, reason: 口令以MD5存储}\n"
        write(root / team / name / "assessment.yaml", case_yaml(f"业务系统{n:02d}", 3, objects, judgements, results, inherited=(), extra=extra))
        plan.append(f"  {team}/{name}: {{team: {team}}}")
    write(root / "plan.yaml", "\n".join(plan) + "\n")


def _run(argv: list[str]) -> tuple[float, float, int, int]:
    """(wall s, CPU s of the process and its workers, exit code, peak RSS KiB of children so far)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mptool", *argv], capture_output=True)
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv}: exit {proc.returncode}: {proc.stderr.decode()[:400]}")
    cpu = (usage.ru_utime + usage.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu, proc.returncode, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=58)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", default=None, help="write the workspace here and keep it")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-portfolio-"))
    if root.exists():
        shutil.rmtree(root)
    build(root, args.systems)
    ws = str(root)
    judgements = sum(p.read_text(encoding="utf-8").count("{object:") for p in root.rglob("assessment.yaml"))
    print(f"workspace {ws}: {args.systems} systems + 3 shared cases, {judgements} technical judgements")
    print(f"machine: {platform.machine()} {platform.processor() or ''} nproc={os.cpu_count()} python {platform.python_version()}; load average {os.getloadavg()}")
    runs = {
        "assess score WORKSPACE": ["assess", "score", ws, "-q", "--no-progress", "-o", os.devnull],
        "assess status": ["assess", "status", ws, "--today", "2026-07-01", "-q", "--no-progress", "-o", os.devnull],
        "assess summary -f json": ["assess", "summary", ws, "-f", "json", "--today", "2026-07-01", "-q", "-o", os.devnull],
        "assess summary -o summary.docx": ["assess", "summary", ws, "--today", "2026-07-01", "-q", "-o", str(root.parent / f"{root.name}-summary.docx")],
    }
    for label, argv in runs.items():
        times, cpus = [], []
        for _ in range(args.repeat):
            elapsed, cpu, code, rss = _run(argv)
            times.append(elapsed)
            cpus.append(cpu)
        print(f"{label:32} wall best {min(times):6.2f} s worst {max(times):6.2f} s; CPU best {min(cpus):6.2f} s "
              f"(exit {code}; peak RSS of children so far {rss / 1024:.0f} MiB; load {os.getloadavg()[0]:.1f})")
    print(f"load average after: {os.getloadavg()}")
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
