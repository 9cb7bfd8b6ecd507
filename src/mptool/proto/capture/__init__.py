"""Captures in, TCP byte streams and UDP datagrams out.

- :mod:`.reader` — pcap / pcapng (gzip too) reading, link types;
- :mod:`.netdecode` — Ethernet/SLL/IPv4/IPv6/TCP/UDP/ESP decoding of one frame;
- :mod:`.tcp` — TCP reassembly of one direction (:class:`~.tcp.HalfStream`);
- :mod:`.engine` — the :class:`~.engine.Analyzer` that routes flows to the TLS and IKE/ESP decoders.
"""
