"""Active protocol testing: probing live TLS, TLCP and IKE endpoints, and a TLCP test server.

Modules:

- :mod:`.wire` — byte cursor and length-prefixed vectors (TLS presentation language).
- :mod:`.records` — TLS/TLCP record framing over sockets, with deadlines.
- :mod:`.messages` — handshake messages (TLS 1.0-1.3 hellos, TLCP key exchange formats).
- :mod:`.suites` — cipher-suite parameters of the TLCP suites this package speaks.
- :mod:`.keys` — SM2 private keys and certificates from PEM/DER files.
- :mod:`.tlcp_crypto` — TLCP PRF, key block and record protection (SM3/SM4).
- :mod:`.tlcp` — TLCP client and server handshakes (ECC and ECDHE).
- :mod:`.tls_probe`, :mod:`.ike_probe` — version/suite enumeration.
- :mod:`.probe`, :mod:`.serve` — the ``mptool proto probe`` and ``serve`` commands' domain code.
"""
