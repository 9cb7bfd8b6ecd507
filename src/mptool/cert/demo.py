"""Demo runs of ``mptool cert`` on the bundled certificates (vectors/certs)."""

from __future__ import annotations

from mptool.core.demo import DemoRun
from mptool.core.bundled import data_path


def demo_runs() -> list[DemoRun]:
    """A chain run on the real Tongsuo SM2 TLCP chain, a pair run, and a lint run."""
    tongsuo = data_path("certs", "sm2", "tlcp", "tongsuo")
    tjfoc = data_path("certs", "sm2", "tlcp", "tjfoc")
    realworld = data_path("certs", "sm2", "realworld")
    return [
        DemoRun(
            "cert-chain-sm2",
            "SM2 chain: Tongsuo TLCP server signing cert -> sub-CA -> root (ZA with the default ID)",
            ["cert", "chain", str(tongsuo / "server_sign.pem"), "--intermediates", str(tongsuo / "sub-ca.pem"), "--trust", str(tongsuo / "root-ca.pem"), "--at", "2026-01-01T00:00:00Z", "--purpose", "any"],
        ),
        DemoRun(
            "cert-pair-tlcp",
            "TLCP signing/encryption pair of the tjfoc test server",
            ["cert", "pair", str(tjfoc / "sign.pem"), str(tjfoc / "enc.pem"), "--at", "2026-01-01T00:00:00Z"],
        ),
        DemoRun("cert-lint-realworld", "Lint of real-world SM2 CA certificates (NRCAC, CFCA, SHECA, …)", ["cert", "lint", str(realworld)]),
    ]
