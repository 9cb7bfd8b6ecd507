"""``mptool proto probe``: active probing of live TLS, TLCP, RFC 8998 and IKE endpoints.

- :mod:`.run` — the command's domain code (targets, options, one result per protocol);
- :mod:`.hello` — one bounded probe connection (ClientHello, first flight) and the :class:`~.hello.Budget`;
- :mod:`.enumerate` — the one "offer all, remove the chosen one, repeat" routine;
- :mod:`.tls` (``proto.probe.tls``, ``proto.probe.rfc8998``), :mod:`.tlcp` (``proto.probe.tlcp``),
  :mod:`.ike` (``proto.probe.ike``) — per-protocol probes;
- :mod:`.report`, :mod:`.certcheck` — evidence form of a probe, cert-domain checks;
- :mod:`.keys` — SM2 private keys and certificates from PEM/DER files.
"""
