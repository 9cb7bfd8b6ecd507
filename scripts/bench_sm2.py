#!/usr/bin/env python3
"""Benchmark the project's pure-Python SM2 (mptool.algo.sm2) on one core.

Reports operations per second (best of ``--repeat`` runs of ``--seconds`` each) for key
derivation, signing, verification (with and without ZA/e), encryption, decryption and one side
of the key exchange, plus the one-off fixed-base table build, and gmssl 3.2 verification for
comparison. The process is pinned to one CPU where the OS allows it. Numbers go to
docs/benchmarks.md (section SM2); nothing here is asserted by the tests.

    .venv/bin/python scripts/bench_sm2.py [--seconds 2] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable

from mptool.algo import sm2
from mptool.algo.sm2 import crosscheck, ec

D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
MESSAGE = b"message digest"


def rate(fn: Callable[[], object], seconds: float, repeat: int) -> float:
    """Best operations per second over ``repeat`` timed runs of about ``seconds`` each."""
    best = 0.0
    for _ in range(repeat):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            fn()
            count += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, count / (now - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--no-gmssl", action="store_true", help="skip the (slow) gmssl comparison")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    results: dict[str, float] = {}
    for curve in (sm2.SM2P256V1, sm2.SM2_TEST_CURVE):
        ec._base_table.cache_clear()
        start = time.perf_counter()
        ec._base_table(curve)
        results[f"{curve.name} fixed-base table build (ms, once per process)"] = 1000 * (time.perf_counter() - start)

    curve = sm2.SM2P256V1
    pub = sm2.public_key_from_private(D, curve)
    sig = sm2.sign(D, MESSAGE, curve=curve)
    e = sm2.message_digest(pub, MESSAGE, curve=curve)
    ct = sm2.encrypt(pub, MESSAGE, curve=curve)
    ct_asn1 = sm2.encrypt(pub, MESSAGE, order="asn1", curve=curve)
    ct_old = sm2.encrypt(pub, MESSAGE, order="c1c2c3", point_prefix=False, curve=curve)
    der = sm2.encode_signature_der(*sig)
    rb, big_rb = sm2.ephemeral_key(curve=curve)
    ops: dict[str, Callable[[], object]] = {
        "public_key_from_private (d*G)": lambda: sm2.public_key_from_private(D, curve),
        "sign (ZA + e + signature)": lambda: sm2.sign(D, MESSAGE, curve=curve),
        "verify (ZA + e + verification)": lambda: sm2.verify(pub, MESSAGE, sig, curve=curve),
        "verify_digest (e given)": lambda: sm2.verify_digest(pub, e, sig, curve=curve),
        "decode DER signature + verify": lambda: sm2.verify(pub, MESSAGE, sm2.decode_signature(der), curve=curve),
        "encrypt (C1C3C2)": lambda: sm2.encrypt(pub, MESSAGE, curve=curve),
        "decrypt (C1C3C2, auto)": lambda: sm2.decrypt(D, ct, curve=curve),
        "decrypt (ASN.1, auto)": lambda: sm2.decrypt(D, ct_asn1, curve=curve),
        "decrypt (C1C2C3 no 04, auto: tried last)": lambda: sm2.decrypt(D, ct_old, curve=curve),
        "key exchange, one side (K, S_B, S_A)": lambda: sm2.key_exchange("initiator", D, rb, pub, big_rb, 16, curve=curve),
    }
    if not args.no_gmssl:
        ops["gmssl 3.2 verify (crosscheck.verify), for comparison"] = lambda: crosscheck.verify(pub, MESSAGE, sig, curve=curve)
    for name, fn in ops.items():
        results[f"{name} (ops/s)"] = rate(fn, args.seconds, args.repeat)

    meta = {
        "python": platform.python_version(),
        "cpus_visible": os.cpu_count(),
        "pinned_to_one_cpu": hasattr(os, "sched_setaffinity"),
        "seconds": args.seconds,
        "repeat": args.repeat,
    }
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
        return
    print(f"SM2 benchmark, sm2p256v1, Python {meta['python']}, one core, best of {args.repeat} x {args.seconds} s")
    print(f"| {'operation':<62} | {'value':>9} |")
    print(f"|{'-' * 64}|{'-' * 11}|")
    for name, value in results.items():
        print(f"| {name:<62} | {value:>9.1f} |")


if __name__ == "__main__":
    main()
