"""Active protocol testing: probing live TLS, TLCP and IKE endpoints, and a TLCP test server.

Modules (the byte cursor and vector builders are :mod:`mptool.proto.wire`, shared with
the passive analyzer):

- :mod:`.records` — TLS/TLCP record framing over sockets, with deadlines; handshake reassembly.
- :mod:`.messages` — handshake messages (TLS 1.0-1.3 hellos, TLCP key exchange formats).
- :mod:`.suites` — parameters of the TLCP suites this package runs.
- :mod:`.keys` — SM2 private keys and certificates from PEM/DER files.
- :mod:`.tlcp_crypto` — TLCP PRF, key block and record protection (SM3/SM4).
- :mod:`.tlcp` — TLCP client and server handshakes (ECC and ECDHE).
- :mod:`.hello` — one bounded probe connection (ClientHello, first flight) and the budget.
- :mod:`.tlcp_probe`, :mod:`.tls_probe`, :mod:`.ike_probe` — per-protocol enumeration.
- :mod:`.report`, :mod:`.certcheck` — evidence form of a probe, cert-domain checks.
- :mod:`.probe`, :mod:`.serve` — the ``mptool proto probe`` and ``serve`` commands' domain code.
"""
