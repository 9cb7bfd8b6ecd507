"""File digests as evidence (SM3 per GB/T 32905-2016, SHA-256 per FIPS 180-4)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from mptool.core.errors import InputError
from mptool.core.inputs import open_input
from mptool.core.model import Finding, Severity, Status
from mptool.core.progress import DISABLED, Progress
from mptool.core.registry import check
from mptool.core.report import ReportBuilder


def _normalise_hex(value: str) -> str:
    text = "".join(value.split()).lower()
    if text.startswith("0x"):
        text = text[2:]
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise InputError("--expect", f"expected 64 hex digits (a 256-bit SM3 or SHA-256 digest), got {len(text)} characters")
    return text


def _size_or_none(name: str) -> int | None:
    try:
        return None if name == "-" else os.path.getsize(name)
    except OSError:
        return None


@check(
    "algo.digest.file",
    "File digest (SM3 and SHA-256)",
    "GB/T 32905-2016 §5 (SM3); FIPS 180-4 §6.2 (SHA-256)",
    {"algo.digest.mismatch": "the file's SM3 and SHA-256 digests both differ from the expected digest"},
)
def digest_files(builder: ReportBuilder, files: Sequence[str], expected: str | None, progress: Progress = DISABLED) -> None:
    """Stream each file through SM3 and SHA-256 and record both digests.

    With an expected digest the result passes when it equals the file's SM3 or its
    SHA-256 digest (the measurement says which), and fails otherwise.
    """
    spec = digest_files.spec  # type: ignore[attr-defined]
    wanted = _normalise_hex(expected) if expected is not None else None
    for name in files:
        with open_input(name) as reader, progress.task(f"digest {name}", _size_or_none(name)) as advance:
            for chunk in reader.chunks():
                advance(len(chunk))
            record = reader.record()
        builder.add_input(record)
        measurements = {"sm3": record.sm3, "sha256": record.sha256, "size": record.size}
        if wanted is None:
            builder.add(spec.result(Status.INFO, subject=record.name, measurements=measurements))
            continue
        matched = [alg for alg in ("sm3", "sha256") if measurements[alg] == wanted]
        measurements["expected"] = wanted
        measurements["matched_algorithm"] = matched[0] if matched else None
        findings = []
        if not matched:
            findings.append(
                Finding(
                    code="algo.digest.mismatch",
                    severity=Severity.ERROR,
                    message="the file's SM3 and SHA-256 digests both differ from the expected value",
                    location=record.name,
                    data={"expected": wanted, "sm3": record.sm3, "sha256": record.sha256},
                )
            )
        builder.add(spec.result(Status.PASS if matched else Status.FAIL, subject=record.name, measurements=measurements, findings=findings))
