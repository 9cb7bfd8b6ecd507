"""Benchmark of ``mptool cert``: a 5-certificate SM2 chain and linting 1,000 certificates.

Run: ``.venv/bin/python scripts/bench_cert.py`` (about 30 s); ``--compare-src DIR`` lints the
1,000 certificates interleaved with the code of another src/ tree (issue 20); ``--pkilint PYTHON``
lints the same 1,000 certificate files with mptool and with pkilint (the Python of a separate
venv with ``pip install pkilint``; never a dependency of mptool), interleaved (issue 20). The certificates are derived
from the bundled Tongsuo SM2 test chain and re-signed with mptool's SM2 (mptool.cert.synth).
Numbers go to docs/benchmarks.md ("cert" section).
"""

from __future__ import annotations

import base64
import datetime as _dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography import x509

from mptool.cert.checks.path import path_results
from mptool.cert.x509.loader import load_files
from mptool.cert.x509.parse import parse_certificate
from mptool.cert.path.build import PathOptions
from mptool.cert.synth import resign, sm2_chain, sm2_key
from mptool.core.bundled import data_path

AT = _dt.datetime(2026, 11, 27, tzinfo=_dt.timezone.utc)


def _pem(ders: list[bytes]) -> str:
    out = []
    for der in ders:
        b64 = base64.b64encode(der).decode()
        out.append("-----BEGIN CERTIFICATE-----\n" + "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64)) + "\n-----END CERTIFICATE-----\n")
    return "".join(out)


def bench_chain(templates: list, runs: int = 50) -> dict[str, float]:
    """Parse + build + validate a 5-certificate SM2 chain (4 SM2 signature checks), in-process."""
    ders = sm2_chain(*templates, 5)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        certs = [parse_certificate(d, f"c{i}") for i, d in enumerate(ders)]
        results = path_results(certs[0], certs[1:4], certs[4:], PathOptions(at=AT), subject="bench")
        times.append(time.perf_counter() - start)
        assert results[0].status.value == "pass", results[0]
    return {"median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000, "max_ms": max(times) * 1000}


def bench_chain_cli(templates: list, runs: int = 5) -> float:
    """The same chain through ``mptool cert chain`` in a new process (includes Python start-up)."""
    ders = sm2_chain(*templates, 5)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "leaf.pem").write_text(_pem(ders[:1]))
        (d / "inter.pem").write_text(_pem(ders[1:4]))
        (d / "root.pem").write_text(_pem(ders[4:]))
        cmd = [sys.executable, "-m", "mptool", "cert", "chain", str(d / "leaf.pem"), "--intermediates", str(d / "inter.pem"), "--trust", str(d / "root.pem"), "--at", "2026-11-27T00:00:00Z", "-f", "json", "-o", str(d / "out.json"), "-q"]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, check=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _lint_bundle(template, count: int) -> list[bytes]:
    issuer = sm2_key(99)
    issuer_name = x509.Name.from_rfc4514_string("CN=bench CA,C=CN")
    start = time.perf_counter()
    ders = [
        resign(template, subject=x509.Name.from_rfc4514_string(f"CN=bench {i},C=CN"), issuer=issuer_name, subject_key=sm2_key(1000 + i), issuer_key=issuer, serial=10_000 + i)
        for i in range(count)
    ]
    return ders


def bench_lint(template, count: int = 1000) -> dict[str, float]:
    """``mptool cert lint`` on a PEM bundle of ``count`` distinct SM2 certificates, in a new process."""
    start = time.perf_counter()
    ders = _lint_bundle(template, count)
    made = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "bundle.pem"
        bundle.write_text(_pem(ders))
        cmd = [sys.executable, "-m", "mptool", "cert", "lint", str(bundle), "-f", "json", "-o", str(Path(tmp) / "out.json"), "-q", "--fail-on", "never"]
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        elapsed = time.perf_counter() - start
    return {"certificates": count, "lint_s": elapsed, "generation_s": made}


def bench_limbo(runs: int = 3) -> dict[str, float]:
    """The 252-case x509-limbo suite (vectors/certs/limbo): in-process ``run_suite`` and a
    ``mptool cert limbo`` process, min / median / max of ``runs``."""
    import json as _json

    from mptool.cert.checks.limbo import run_suite

    path = data_path("certs", "limbo", "limbo-mptool.json")
    suite = _json.loads(path.read_text(encoding="utf-8"))
    inproc, cli = [], []
    for _ in range(runs):
        start = time.perf_counter()
        run_suite(suite, b"1234567812345678")
        inproc.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "mptool", "cert", "limbo", str(path), "-o", str(Path(tmp) / "results.json"), "-q"]
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, check=True)
            cli.append(time.perf_counter() - start)
    return {"cases": len(suite["testcases"]), "inproc": sorted(inproc), "cli": sorted(cli)}


def compare_lint(template, reference: str, count: int = 1000, rounds: int = 2) -> None:
    """Issue 20: ``cert lint`` of ``count`` certificates, interleaved with the code of ``reference``
    (a src/ tree, e.g. ``git archive 188877c src``), wall times and their ratio with the load average."""
    import os
    import resource

    ders = _lint_bundle(template, count)
    times: dict[str, list[float]] = {"reference": [], "this": []}
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "bundle.pem"
        bundle.write_text(_pem(ders))
        for _ in range(rounds):
            for name, src in (("reference", reference), ("this", None)):
                env = dict(os.environ, PYTHONPATH=src) if src else None
                cmd = [sys.executable, "-m", "mptool", "cert", "lint", str(bundle), "-f", "json", "--json-output", str(Path(tmp) / f"{name}.json"), "-o", os.devnull, "-q", "--fail-on", "never", "--deterministic"]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(cmd, check=True, env=env)
                times[name].append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                print(f"| {name} | {times[name][-1]:.2f} s | {cpu:.2f} s | {' '.join(open('/proc/loadavg').read().split()[:3])} |")
        cut = '\n  "tool": {'
        same = [(Path(tmp) / f"{n}.json").read_text().split(cut)[0].replace(f"{n}.json", "X") for n in ("reference", "this")]
    ratio = statistics.median(times["this"]) / statistics.median(times["reference"])
    print(f"ratio this/reference (median wall): {ratio:.2f}; evidence {'identical' if same[0] == same[1] else 'DIFFERENT'}")


#: pkilint's own ``lint_pkix_cert lint`` (RFC 5280 validators, JSON report) over every file of a
#: directory in one process: the validator is built once, as a batch user of its API would.
PKILINT_DRIVER = """
import sys
from pathlib import Path
from pkilint import loader, report, validation
from pkilint.pkix import certificate, name, extension
doc_validator = certificate.create_pkix_certificate_validator_container(
    certificate.create_decoding_validators(name.ATTRIBUTE_TYPE_MAPPINGS, extension.EXTENSION_MAPPINGS),
    [certificate.create_issuer_validator_container([]), certificate.create_validity_validator_container(),
     certificate.create_subject_validator_container([]), certificate.create_extensions_validator_container([]),
     certificate.create_spki_validator_container([])],
)
load = loader.RFC5280CertificateDocumentLoader().get_file_loader_func(loader.DocumentFormat.DETECT)
findings = 0
with open(sys.argv[2], "w") as out:
    for path in sorted(Path(sys.argv[1]).iterdir()):
        with path.open("rb") as handle:
            cert = load(handle, path.name)
        results = doc_validator.validate(cert.root)
        severity = validation.ValidationFindingSeverity.INFO  # the CLI's default threshold
        out.write(str(report.ReportGeneratorJson(results, severity).generate()) + chr(10))
        findings += report.get_findings_count(results, severity)
print(findings, file=sys.stderr)
"""


def compare_pkilint(template, pkilint_python: str, count: int = 1000, rounds: int = 3) -> None:
    """Issue 20: ``mptool cert lint DIR`` and pkilint on the same ``count`` PEM files, interleaved;
    wall and CPU (user + system of the child) per run, the ratio of the medians, the load average."""
    import os
    import resource

    ders = _lint_bundle(template, count)
    times: dict[str, list[tuple[float, float]]] = {"mptool": [], "pkilint": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "certs"
        folder.mkdir()
        for i, der in enumerate(ders):
            (folder / f"cert{i:04d}.pem").write_text(_pem([der]))
        commands = {
            "mptool": [sys.executable, "-m", "mptool", "cert", "lint", str(folder), "-f", "json", "-o", str(Path(tmp) / "mptool.json"), "-q", "--fail-on", "never"],
            "pkilint": [pkilint_python, "-c", PKILINT_DRIVER, str(folder), str(Path(tmp) / "pkilint.txt")],
        }
        print(f"load average before: {' '.join(open('/proc/loadavg').read().split()[:3])}")
        for _ in range(rounds):
            for name, cmd in commands.items():
                env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(cmd, check=True, env=env, stderr=subprocess.DEVNULL)
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                times[name].append((wall, cpu))
                print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {' '.join(open('/proc/loadavg').read().split()[:3])} |")
        # pkilint as its command line is used, one process per certificate: a sample of 20 files
        cli = str(Path(pkilint_python).parent / "lint_pkix_cert")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        for path in sorted(folder.iterdir())[:20]:
            subprocess.run([cli, "lint", "-f", "JSON", str(path)], stdout=subprocess.DEVNULL, env=env)
        sample_wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sample_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    wall = statistics.median(w for w, _ in times["mptool"]) / statistics.median(w for w, _ in times["pkilint"])
    cpu = statistics.median(c for _, c in times["mptool"]) / statistics.median(c for _, c in times["pkilint"])
    print(f"ratio mptool/pkilint in one process (medians): wall {wall:.2f}, CPU {cpu:.2f}")
    print(f"lint_pkix_cert once per file, 20 files: {sample_wall:.2f} s wall, {sample_cpu:.2f} s CPU "
          f"(x{count // 20} = {sample_wall * count / 20:.0f} s wall, {sample_cpu * count / 20:.0f} s CPU for {count})")


def main() -> None:
    if sys.argv[1:2] == ["--pkilint"]:
        tongsuo = data_path("certs", "sm2", "tlcp", "tongsuo")
        compare_pkilint(load_files([str(tongsuo / "server_sign.pem")]).certs[0], sys.argv[2])
        return
    if sys.argv[1:2] == ["--compare-src"]:
        tongsuo = data_path("certs", "sm2", "tlcp", "tongsuo")
        compare_lint(load_files([str(tongsuo / "server_sign.pem")]).certs[0], sys.argv[2])
        return
    if sys.argv[1:] == ["--limbo"]:
        limbo = bench_limbo()
        print(f"x509-limbo suite ({limbo['cases']} cases) in-process: min/median/max " + " / ".join(f"{t:.2f}" for t in limbo["inproc"]) + " s")
        print("x509-limbo suite through `mptool cert limbo`: min/median/max " + " / ".join(f"{t:.2f}" for t in limbo["cli"]) + " s")
        return
    tongsuo = data_path("certs", "sm2", "tlcp", "tongsuo")
    templates = [load_files([str(tongsuo / n)]).certs[0] for n in ("root-ca.pem", "sub-ca.pem", "server_sign.pem")]
    chain = bench_chain(templates)
    print(f"5-certificate SM2 chain, in-process: median {chain['median_ms']:.1f} ms (min {chain['min_ms']:.1f}, max {chain['max_ms']:.1f}) over 50 runs")
    print(f"5-certificate SM2 chain, CLI process: median {bench_chain_cli(templates):.0f} ms over 5 runs")
    lint = bench_lint(templates[2])
    print(f"lint of {lint['certificates']} SM2 certificates, CLI process: {lint['lint_s']:.2f} s (generating them took {lint['generation_s']:.1f} s)")


if __name__ == "__main__":
    main()
