"""Verdicts of ``proto analyze``: the passive checks.

- :mod:`.capture` — ``proto.capture.summary``;
- :mod:`.tls` — ``proto.tls.*`` (channel, ske, certificate_verify, certificates);
- :mod:`.ipsec` — ``proto.ike.exchange`` and ``proto.esp.channel``;
- :mod:`.verdict` — the cipher/MAC strength scale both use.
"""
