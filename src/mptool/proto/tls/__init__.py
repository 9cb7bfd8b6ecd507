"""The TLS / TLCP wire format: one codec for the analyzer, the prober and the TLCP endpoint.

- :mod:`.record` — record header, content types, ``MAX_RECORD``, record framing (RFC 5246 §6.2, GB/T 38636 §6.3);
- :mod:`.handshake` — handshake message framing and reassembly (RFC 5246 §7.4);
- :mod:`.messages` — hellos and extensions, Certificate, ServerKeyExchange, CertificateRequest,
  ClientKeyExchange, CertificateVerify and alerts: parsers and (for the active side) encoders;
- :mod:`.transport` — records over a socket with a deadline (active side);
- :mod:`.stream` — a TLS/TLCP connection rebuilt from two captured byte streams (passive side);
- :mod:`.ske` — what a ServerKeyExchange signs, and its verification;
- :mod:`.certinfo` — what the analyzer reports about a certificate it saw.

Where the RFCs and GB/T 38636 leave a choice, the decisions are listed in docs/proto.md.
"""
