"""``mptool proto analyze``: evidence of the TLS, TLCP, SSH, IKE and ESP channels (and cleartext conversations) in captures."""

from __future__ import annotations

import datetime as _dt
import gc
import os
from collections.abc import Sequence
from typing import Any

from mptool.algo.api import DEFAULT_USER_ID
from mptool.core.errors import InputError
from mptool.core.inputs import open_input, read_input
from mptool.core.progress import DISABLED, Progress
from mptool.core.report import ReportBuilder
from mptool.proto.capture.reader import CaptureReader
from mptool.proto.capture.engine import Analyzer
from mptool.proto.channels import channel_rows
from mptool.proto.judge.capture import capture_summary
from mptool.proto.judge.cleartext import conversation_result
from mptool.proto.judge.ssh import channel_result as ssh_channel_result
from mptool.proto.judge.ipsec import esp_result, ike_certificate_results, ike_result, link_ike
from mptool.proto.judge.tls import certificate_results, certificate_verify_result, channel_result, ske_result, summaries

PROGRESS_EVERY = 4096  # packets between progress updates
#: TLS/TLCP connections of one capture listed one result each; after them, a connection whose
#: result equals an earlier one's but for the client endpoint, frames and traffic counters is
#: counted in that result (``similar_connections``), so evidence stays compact (issue 21).
MAX_LISTED_CONNECTIONS = 1000
_VARYING = ("client", "frames", "application_data", "application_data_flowed", "gaps", "alerts")


class _Compactor:
    """Groups connection results beyond :data:`MAX_LISTED_CONNECTIONS` by their invariant part."""

    def __init__(self) -> None:
        self.groups: dict[str, dict[str, Any]] = {}
        self.listed = 0

    def merge(self, results: list[Any], frames: list[int]) -> bool:
        """True when ``results`` (channel result first) were counted in an earlier group."""
        import json

        channel = results[0]
        fixed = {k: v for k, v in channel.measurements.items() if k not in _VARYING}
        key = json.dumps([[r.check, r.status.value, [(f.code, f.message) for f in r.findings]] for r in results] + [fixed], sort_keys=True, default=str)
        group = self.groups.get(key)
        if group is not None and self.listed >= MAX_LISTED_CONNECTIONS:
            group["similar_connections"] = group.get("similar_connections", 0) + 1
            group["similar_last_frame"] = max(group.get("similar_last_frame", 0), frames[1])
            return True
        self.listed += 1
        if len(self.groups) < 4 * MAX_LISTED_CONNECTIONS:
            self.groups.setdefault(key, channel.measurements)
        return False


def load_trust(paths: Sequence[str], builder: ReportBuilder) -> list[bytes]:
    """DER trust anchors of ``--trust FILE|DIR`` (the cert domain's one loader; each file recorded as an input)."""
    from mptool.cert.api import load_trust_anchors

    anchors, records = load_trust_anchors(paths)
    for record in records:
        builder.add_input(record)
    return anchors


def analyze_captures(builder: ReportBuilder, captures: Sequence[str], *, trust_paths: Sequence[str] = (), cert_checks: bool = True, progress: Progress = DISABLED, extract_certs: str | None = None, ike_keylog: str | None = None) -> None:
    """Analyse each capture in turn and add its results to ``builder``; with ``extract_certs``,
    write every certificate seen to that directory as PEM named by its SM3 fingerprint; with
    ``ike_keylog``, decrypt and verify the GM/T 0022 exchanges it holds keys for."""
    if extract_certs is not None and not os.path.isdir(extract_certs):
        raise InputError(extract_certs, "--extract-certs needs an existing directory")
    _freeze_imports()
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
            "certificate_chain_checks": "once per distinct certificate list and role in a capture (the first connection that sent it)",
            "extract_certs": extract_certs,
        }
    )
    seen: dict[bytes, None] = {}
    totals = {"tls_connections": 0, "tls_connections_listed": 0, "ike_exchanges": 0, "esp_channels": 0, "ssh_connections": 0, "cleartext_conversations": 0}
    for name in captures:
        results = analyze_one(builder, name, trust=trust, cert_checks=cert_checks, progress=progress, certificates=seen, keylog=keylog)
        for key in totals:
            totals[key] += results[key]
    builder.summary_extra.update(totals)
    builder.summary_extra["channels"] = channel_rows(builder.results)
    if extract_certs is not None:
        builder.summary_extra["extracted_certificates"] = write_certificates(extract_certs, list(seen))


_frozen = False


def _freeze_imports() -> None:
    """Once per process: move the objects the imports made (they live as long as the process)
    out of the cyclic garbage collector's reach, so its full collections during the analysis do
    not walk them again (50-70 ms per run on the benchmark captures). Only once, so a process that
    analyses many times (the test suite) does not keep freezing garbage that is not yet collected."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


def write_certificates(directory: str, ders: Sequence[bytes]) -> list[dict[str, str]]:
    """Each DER certificate as ``<directory>/<SM3 hex>.pem`` (all files or none, core/outputs.py);
    returns the evidence records (file, SM3, SHA-256, subject)."""
    import base64
    import hashlib

    from mptool.core.inputs import new_sm3
    from mptool.core.outputs import write_all_or_none

    if not os.path.isdir(directory):
        raise InputError(directory, "--extract-certs needs an existing directory")
    outputs, records = [], []
    for der in ders:
        h = new_sm3()
        h.update(der)
        sm3 = h.hexdigest()
        body = base64.encodebytes(der).decode("ascii").replace("\n", "")
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i : i + 64] for i in range(0, len(body), 64)) + "\n-----END CERTIFICATE-----\n"
        path = os.path.join(directory, f"{sm3}.pem")
        outputs.append((path, pem.encode("ascii")))
        records.append({"file": path, "sm3": sm3, "sha256": hashlib.sha256(der).hexdigest(), "subject": _subject(der)})
    write_all_or_none(outputs)
    return records


def _subject(der: bytes) -> str:
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der).subject.rfc4514_string()
    except ValueError:
        return "(not parsable)"


def _load_ike_keylog(builder: ReportBuilder, path: str | None) -> Any:
    """The GM/T 0022 key log of ``--ike-keylog`` (its content never enters the evidence)."""
    if path is None:
        return None
    from mptool.proto.ipsec.gm.keylog import parse

    data, record = read_input(path, max_size=16 << 20)
    builder.add_input(record)
    builder.parameters["ike_keylog"] = record.name
    return parse(data.decode("utf-8", "replace"), path)


def analyze_one(builder: ReportBuilder, name: str, *, trust: Sequence[bytes], cert_checks: bool, progress: Progress, certificates: dict[bytes, None] | None = None, keylog: Any = None) -> dict[str, int]:
    """Read one capture, then add the summary, TLS/TLCP, IKE and ESP results in frame order."""
    analyzer = Analyzer()
    with open_input(name, background_digest=True) as reader:  # the digests overlap the packet loop
        capture = CaptureReader(reader, reader.name)
        total = _size(name)
        with progress.task(f"analyze {name}", total) as advance:
            done = 0

            def tick(frame: int) -> None:
                nonlocal done
                advance(reader.size - done)
                done = reader.size

            first_time = analyzer.feed(capture, tick, PROGRESS_EVERY)
            reader.drain()
            advance(reader.size - done)
        record = reader.record()
    builder.add_input(record)
    subject = record.name
    flows = analyzer.finish()
    at = _dt.datetime.fromtimestamp(first_time, tz=_dt.timezone.utc) if first_time is not None else None
    counts = {"tls_connections": len(flows), "ike_exchanges": len(analyzer.ike), "esp_channels": len(analyzer.esp), "ssh_connections": len(analyzer.ssh)}
    builder.add(capture_summary(capture.info, analyzer, subject, counts, at))
    counts["cleartext_conversations"] = len(analyzer.cleartext)
    linted: set[bytes] = set()
    chains: set[tuple[Any, ...]] = set()
    compactor = _Compactor()
    summary_cache: dict[tuple[Any, ...], Any] = {}
    for index, flow in enumerate(flows, 1):
        conn = flow.conn
        assert conn is not None
        label = f"{subject} #{index}"
        certs, client_certs = summaries(conn, summary_cache)
        if certificates is not None:
            certificates.update(dict.fromkeys([*conn.certificates, *conn.client_certificates]))
        channel = _guarded(channel_result, label, conn, subject, index, certs, client_certs)
        extras = [r for r in (_guarded(ske_result, label, conn, subject, index, certs), _guarded(certificate_verify_result, label, conn, subject, index, client_certs)) if r is not None]
        if compactor.merge([channel, *extras], [conn.first_frame, conn.last_frame]):
            continue
        builder.add(channel)
        builder.extend(extras)
        if cert_checks:
            builder.extend(certificate_results(conn, index, subject, trust, at, linted, chains))
    counts["tls_connections_listed"] = compactor.listed
    for index, conn in enumerate(sorted(analyzer.ssh, key=lambda c: c.first_frame), 1):
        builder.add(_guarded(ssh_channel_result, f"{subject} #{index}", conn, subject, index))
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
    try:
        return os.stat(name).st_size if name != "-" else None
    except OSError:
        return None
