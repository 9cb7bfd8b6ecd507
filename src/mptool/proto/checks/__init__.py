"""Every check of the proto domain, in one table.

Where each check's code is, by its id:

- ``proto.capture.summary`` — :mod:`mptool.proto.judge.capture`;
- ``proto.tls.*`` (channel, ske, certificate_verify, certificates) — :mod:`mptool.proto.judge.tls`;
- ``proto.ssh.channel`` — :mod:`mptool.proto.judge.ssh` (codec and negotiation in :mod:`mptool.proto.ssh`);
- ``proto.ike.exchange``, ``proto.esp.channel`` — :mod:`mptool.proto.judge.ipsec`;
- ``proto.cleartext.channel`` — :mod:`mptool.proto.judge.cleartext` (recognisers in :mod:`mptool.proto.cleartext`);
- ``proto.probe.tlcp`` / ``.tls`` / ``.rfc8998`` / ``.ike`` / ``.ssh`` — declared in :mod:`.probe`, run by
  :mod:`mptool.proto.probe.tlcp`, :mod:`mptool.proto.probe.tls` and :mod:`mptool.proto.probe.ike`;
- ``proto.serve.tlcp_client``, ``proto.serve.listener`` — declared in :mod:`.serve`, run by :mod:`mptool.proto.tlcp.serve`;
- ``proto.probe.ike_full`` / ``proto.serve.ike_peer`` — declared in :mod:`.probe` / :mod:`.serve`, run by
  :mod:`mptool.proto.ipsec.gm.probe` / :mod:`mptool.proto.ipsec.gm.serve` (the GM/T 0022 endpoints);
- ``proto.probe.ike_exchange`` — declared in :mod:`.probe`, run by :mod:`mptool.proto.ipsec.std.probe`
  (standard IKEv1 / IKEv2 initiators).
"""

from __future__ import annotations

from mptool.core.registry import CheckSpec
from mptool.proto.checks import probe, serve
from mptool.proto.judge import capture, cleartext, ipsec, ssh, tls

CHECKS: tuple[CheckSpec, ...] = (
    capture.capture_summary.spec,  # type: ignore[attr-defined]
    tls.channel_result.spec,  # type: ignore[attr-defined]
    tls.ske_result.spec,  # type: ignore[attr-defined]
    tls.certificate_verify_result.spec,  # type: ignore[attr-defined]
    tls.certificates_unparsable.spec,  # type: ignore[attr-defined]
    ssh.channel_result.spec,  # type: ignore[attr-defined]
    ipsec.ike_result.spec,  # type: ignore[attr-defined]
    ipsec.esp_result.spec,  # type: ignore[attr-defined]
    cleartext.conversation_result.spec,  # type: ignore[attr-defined]
    probe.PROBE_TLCP,
    probe.PROBE_TLS,
    probe.PROBE_RFC8998,
    probe.PROBE_IKE,
    probe.PROBE_SSH,
    serve.SERVE_CLIENT,
    serve.SERVE_LISTENER,
    probe.PROBE_IKE_FULL,
    serve.SERVE_IKE,
    probe.PROBE_IKE_EXCHANGE,
)
