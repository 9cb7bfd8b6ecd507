"""The TLCP endpoint (GB/T 38636-2020): handshakes, record protection and ``mptool proto serve``.

- :mod:`.suites` — the TLCP suites this package runs;
- :mod:`.crypto` — PRF, key block, Finished and record protection (SM3/SM4);
- :mod:`.channel` — record-level I/O of one connection (transcript, protection, alerts);
- :mod:`.client`, :mod:`.server` — the handshakes, one function per flight;
- :mod:`.serve` — the ``proto serve`` command (``proto.serve.tlcp_client``).
"""
