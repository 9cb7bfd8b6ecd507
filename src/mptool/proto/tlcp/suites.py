"""Parameters of the TLCP cipher suites (GB/T 38636-2020 §6.4.5.2.1; IDs as in GmSSL/Tongsuo).

Names come from :mod:`mptool.proto.registry.tls`, the table shared with ``proto analyze``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mptool.proto.registry import tls as ids

TLCP_VERSION = ids.TLCP_VERSION


@dataclass(frozen=True)
class TlcpSuite:
    """A TLCP suite this package can run: key exchange (ecc/ecdhe) and record protection (cbc/gcm)."""

    id: int
    name: str
    kex: str  #: "ecc" (SM2 encryption of the pre-master secret) or "ecdhe" (SM2 key exchange)
    mode: str  #: "cbc" (SM4-CBC + HMAC-SM3) or "gcm" (SM4-GCM)

    @property
    def hex_id(self) -> str:
        """The id as ``0xE013``."""
        return f"0x{self.id:04X}"


ECC_SM4_CBC_SM3 = TlcpSuite(0xE013, "ECC_SM4_CBC_SM3", "ecc", "cbc")
ECDHE_SM4_CBC_SM3 = TlcpSuite(0xE011, "ECDHE_SM4_CBC_SM3", "ecdhe", "cbc")
ECC_SM4_GCM_SM3 = TlcpSuite(0xE053, "ECC_SM4_GCM_SM3", "ecc", "gcm")
ECDHE_SM4_GCM_SM3 = TlcpSuite(0xE051, "ECDHE_SM4_GCM_SM3", "ecdhe", "gcm")

#: Suites implemented here, in this package's preference order.
IMPLEMENTED: dict[int, TlcpSuite] = {s.id: s for s in (ECC_SM4_CBC_SM3, ECC_SM4_GCM_SM3, ECDHE_SM4_CBC_SM3, ECDHE_SM4_GCM_SM3)}

def suite_name(suite_id: int) -> str:
    """The standard name of any suite id (GB/T name for 0xE0xx), from :mod:`mptool.proto.registry.tls`."""
    return ids.suite_name(suite_id)


def suite_entry(suite_id: int) -> dict[str, str]:
    """The evidence form of a suite: ``{"id": "0xE013", "name": "ECC_SM4_CBC_SM3"}``."""
    return {"id": ids.hex_id(suite_id), "name": ids.suite_name(suite_id)}
