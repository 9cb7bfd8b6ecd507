"""Protocol identifier tables: :mod:`.tls` (TLS/TLCP, with the generated IANA tables of
:mod:`._iana_tls`) and :mod:`.ipsec` (IKEv1/IKEv2/ESP)."""
