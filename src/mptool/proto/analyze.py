"""``mptool proto analyze``: evidence of the TLS, TLCP, IKE and ESP channels in captures."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.errors import InputError
from mptool.core.inputs import open_input, read_input
from mptool.core.progress import DISABLED, Progress
from mptool.core.report import ReportBuilder
from mptool.proto.capture.reader import CaptureReader
from mptool.proto.capture.engine import Analyzer
from mptool.proto.judge.capture import capture_summary
from mptool.proto.judge.cleartext import conversation_result
from mptool.proto.judge.ipsec import count_exchanges, esp_result, ike_certificate_results, ike_result, link_ike
from mptool.proto.judge.tls import certificate_results, certificate_verify_result, channel_result, ske_result, summaries

PROGRESS_EVERY = 4096  # packets between progress updates


def load_trust(paths: Sequence[str], builder: ReportBuilder) -> list[bytes]:
    """DER trust anchors from PEM or DER files (each recorded as an input)."""
    from cryptography import x509

    anchors: list[bytes] = []
    for path in paths:
        data, record = read_input(path, max_size=1 << 20)
        builder.add_input(record)
        try:
            if b"-----BEGIN" in data:
                certs = x509.load_pem_x509_certificates(data)
                anchors += [c.public_bytes(_der()) for c in certs]
            else:
                x509.load_der_x509_certificate(data)
                anchors.append(data)
        except ValueError as exc:
            raise InputError(path, f"not a PEM or DER certificate: {exc}") from None
    return anchors


def _der() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def analyze_captures(builder: ReportBuilder, captures: Sequence[str], *, trust_paths: Sequence[str] = (), cert_checks: bool = True, progress: Progress = DISABLED, ike_keylog: str | None = None) -> None:
    """Analyse each capture in turn and add its results to ``builder``."""
    trust = load_trust(trust_paths, builder)
    keylog = _load_ike_keylog(builder, ike_keylog)
    builder.parameters.update(
        {
            "trust_anchors": list(trust_paths),
            "certificate_checks": cert_checks,
            "certificate_validity_time": "time of the capture's first packet",
            "sm2_user_id": DEFAULT_USER_ID.decode(),
            "esp_randomness_alpha": 0.001,
            "esp_randomness_skipped_iv_bytes": 16,
            "tcp_out_of_order_limit_bytes": 4 << 20,
        }
    )
    totals = {"tls_connections": 0, "ike_exchanges": 0, "esp_channels": 0, "cleartext_conversations": 0}
    for name in captures:
        results = analyze_one(builder, name, trust=trust, cert_checks=cert_checks, progress=progress, keylog=keylog)
        for key in totals:
            totals[key] += results[key]
    builder.summary_extra.update(totals)


def _load_ike_keylog(builder: ReportBuilder, path: str | None) -> Any:
    """The GM/T 0022 key log of ``--ike-keylog`` (its content never enters the evidence)."""
    if path is None:
        return None
    from mptool.proto.ipsec.gm.keylog import parse

    data, record = read_input(path, max_size=16 << 20)
    builder.add_input(record)
    builder.parameters["ike_keylog"] = record.name
    return parse(data.decode("utf-8", "replace"), path)


def analyze_one(builder: ReportBuilder, name: str, *, trust: Sequence[bytes], cert_checks: bool, progress: Progress, keylog: Any = None) -> dict[str, int]:
    """Read one capture, then add the summary, TLS/TLCP, IKE and ESP results in frame order."""
    analyzer = Analyzer()
    first_time: float | None = None
    with open_input(name) as reader:
        capture = CaptureReader(reader, reader.name)
        total = _size(name)
        with progress.task(f"analyze {name}", total) as advance:
            done = 0
            for frame, ts, link, data in capture:
                if first_time is None:
                    first_time = ts
                analyzer.packet(frame, link, data)
                if frame % PROGRESS_EVERY == 0:
                    advance(reader.size - done)
                    done = reader.size
            reader.drain()
            advance(reader.size - done)
        record = reader.record()
    builder.add_input(record)
    subject = record.name
    flows = analyzer.finish()
    at = _dt.datetime.fromtimestamp(first_time, tz=_dt.timezone.utc) if first_time is not None else None
    counts = {"tls_connections": len(flows), "ike_exchanges": len(analyzer.ike), "esp_channels": len(analyzer.esp)}
    builder.add(capture_summary(capture.info, analyzer, subject, counts, at))
    counts["cleartext_conversations"] = len(analyzer.cleartext)
    linted: set[bytes] = set()
    for index, flow in enumerate(flows, 1):
        conn = flow.conn
        assert conn is not None
        label = f"{subject} #{index}"
        certs, client_certs = summaries(conn)
        builder.add(_guarded(channel_result, label, conn, subject, index, certs, client_certs))
        for extra in (_guarded(ske_result, label, conn, subject, index, certs), _guarded(certificate_verify_result, label, conn, subject, index, client_certs)):
            if extra is not None:
                builder.add(extra)
        if cert_checks:
            builder.extend(certificate_results(conn, index, subject, trust, at, linted))
    ike_measurements = []
    for index, exchange in enumerate(sorted(analyzer.ike.values(), key=lambda e: e.messages[0].frame), 1):
        result = _guarded(ike_result, f"{subject} #{index}", exchange, subject, index, keylog)
        ike_measurements.append(result.measurements)
        builder.add(result)
        if cert_checks:
            builder.extend(ike_certificate_results(exchange, index, subject, trust, at, linted))
    for index, channel in enumerate(sorted(analyzer.esp.values(), key=lambda c: c.first_frame), 1):
        builder.add(_guarded(esp_result, f"{subject} #{index}", channel, subject, index, link_ike(channel, ike_measurements), keylog))
    numbers: dict[str, int] = {}  # credential groups -> small numbers, in order of appearance
    for index, conv in enumerate(sorted(analyzer.cleartext.values(), key=lambda c: (c.first_frame, c.server, c.port)), 1):
        builder.add(_guarded(conversation_result, f"{subject} #{index}", conv, subject, index, numbers))
    return counts


def _guarded(func: Any, label: str, *args: Any) -> Any:
    """Run one check function; a bug or an unforeseen input becomes an ``error`` result (exit 4)."""
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - recorded, never swallowed
        return func.spec.error_result(label, exc)


def _size(name: str) -> int | None:
    import os

    try:
        return os.stat(name).st_size if name != "-" else None
    except OSError:
        return None
