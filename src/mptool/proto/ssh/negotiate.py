"""The algorithm negotiation of RFC 4253 §7.1, from the two KEXINIT messages.

For each list the chosen algorithm is the first one on the **client's** list that is also on the
server's list (separately per direction for cipher, MAC and compression). For the key exchange,
§7.1 adds that the chosen method must be compatible with a host-key algorithm both support
(every registered kex method needs a signature-capable host key, and every registered host-key
algorithm is signature-capable, so the first common name is taken); the pseudo-names of RFC 8308
(``ext-info-c``/``-s``) and strict kex are never chosen. With an AEAD cipher (AES-GCM,
ChaCha20-Poly1305) the MAC list is not used (OpenSSH PROTOCOL §1.6, RFC 5647 §5.1): the MAC is
recorded as ``implicit (AEAD)``.
"""

from __future__ import annotations

from mptool.proto.registry.ssh import AEAD, KEX, PSEUDO, STRICT_KEX_CLIENT, STRICT_KEX_SERVER
from mptool.proto.ssh.packet import KexInit

IMPLICIT = "implicit (AEAD)"


def first_match(client: list[str], server: list[str]) -> str | None:
    """The first client name the server also lists (RFC 4253 §7.1), or None (no common algorithm)."""
    offered = set(server)
    for name in client:
        if name in offered:
            return name
    return None


def _kex_match(client: list[str], server: list[str]) -> str | None:
    offered = set(server)
    for name in client:
        entry = KEX.get(name)
        if name in offered and not (entry is not None and entry.cls == PSEUDO):
            return name
    return None


def negotiate(client: KexInit, server: KexInit) -> dict[str, str | None]:
    """Chosen algorithm per list: kex, host_key, cipher/mac/compression per direction."""
    c, s = client.lists, server.lists
    out: dict[str, str | None] = {
        "kex": _kex_match(c["kex_algorithms"], s["kex_algorithms"]),
        "host_key": first_match(c["server_host_key_algorithms"], s["server_host_key_algorithms"]),
    }
    for direction in ("client_to_server", "server_to_client"):
        cipher = first_match(c[f"encryption_algorithms_{direction}"], s[f"encryption_algorithms_{direction}"])
        out[f"cipher_{direction}"] = cipher
        if cipher in AEAD:
            out[f"mac_{direction}"] = IMPLICIT
        else:
            out[f"mac_{direction}"] = first_match(c[f"mac_algorithms_{direction}"], s[f"mac_algorithms_{direction}"])
        out[f"compression_{direction}"] = first_match(c[f"compression_algorithms_{direction}"], s[f"compression_algorithms_{direction}"])
    return out


def strict_kex(client: KexInit, server: KexInit) -> bool:
    """Both sides announce strict kex (OpenSSH PROTOCOL §1.10): the Terrapin mitigation is on."""
    return STRICT_KEX_CLIENT in client.names("kex_algorithms") and STRICT_KEX_SERVER in server.names("kex_algorithms")
