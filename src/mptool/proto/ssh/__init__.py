"""SSH transport layer (RFC 4253): the banner, the binary packet, KEXINIT, the key-exchange
replies that carry the server host key, and the algorithm negotiation of RFC 4253 §7.1.

Shared by the capture analyzer (:mod:`mptool.proto.ssh.stream`, fed by the capture engine) and
the active probe (:mod:`mptool.proto.probe.ssh`). Algorithm names and strengths are data in
:mod:`mptool.proto.registry.ssh`.
"""
