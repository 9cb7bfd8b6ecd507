"""Every check of the proto domain, in one table.

Passive (``proto analyze``): ``proto.capture.summary``, ``proto.tls.*``, ``proto.ike.exchange``,
``proto.esp.channel``. Active (``proto probe``/``proto serve``): the specs of :mod:`.active`.
"""

from __future__ import annotations

from mptool.core.registry import CheckSpec
from mptool.proto import analyze, report_ipsec, report_tls
from mptool.proto.checks import active

CHECKS: tuple[CheckSpec, ...] = (
    analyze.capture_summary.spec,  # type: ignore[attr-defined]
    report_tls.channel_result.spec,  # type: ignore[attr-defined]
    report_tls.ske_result.spec,  # type: ignore[attr-defined]
    report_tls.certificate_verify_result.spec,  # type: ignore[attr-defined]
    report_tls.certificates_unparsable.spec,  # type: ignore[attr-defined]
    report_ipsec.ike_result.spec,  # type: ignore[attr-defined]
    report_ipsec.esp_result.spec,  # type: ignore[attr-defined]
    active.PROBE_TLCP,
    active.PROBE_TLS,
    active.PROBE_RFC8998,
    active.PROBE_IKE,
    active.SERVE_CLIENT,
)
