"""Fixtures of the assess tests: real evidence made by running mptool on the bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, run_cli


def _evidence(tmp_path_factory: pytest.TempPathFactory, name: str, argv: list[str]) -> Path:
    out = tmp_path_factory.mktemp("evidence") / f"{name}.json"
    result = run_cli([*argv, "-f", "json", "-o", str(out), "--quiet", "--no-progress", "--deterministic"])
    assert result.exit_code in (0, 1), result.stderr
    return out


@pytest.fixture(scope="session")
def tlcp_evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """proto analyze of the GmSSL TLCP capture (4 TLCP connections, SM2 chain to the lab root)."""
    pcaps = DATA.pcaps
    return _evidence(tmp_path_factory, "tlcp", ["proto", "analyze", str(pcaps / "tlcp_gmssl_4suites.pcap"), "--trust", str(pcaps / "tlcp_lab_root_ca.pem")])


@pytest.fixture(scope="session")
def tls_evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """proto analyze of the OpenSSL TLS 1.2/1.3 capture (RSA-2048 certificate, AES/ChaCha20)."""
    return _evidence(tmp_path_factory, "tls", ["proto", "analyze", str(DATA.pcaps / "tls12_tls13_openssl.pcap")])


@pytest.fixture(scope="session")
def chain_evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cert chain of the real Tongsuo SM2 TLCP server certificate."""
    t = DATA.certs / "sm2" / "tlcp" / "tongsuo"
    return _evidence(tmp_path_factory, "chain", ["cert", "chain", str(t / "server_sign.pem"), "--intermediates", str(t / "sub-ca.pem"), "--trust", str(t / "root-ca.pem"), "--at", "2026-01-01T00:00:00Z"])


@pytest.fixture(scope="session")
def expired_chain_evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cert chain of the expired Tongsuo certificate: no valid path."""
    t = DATA.certs / "sm2" / "tlcp" / "tongsuo"
    return _evidence(tmp_path_factory, "chain-expired", ["cert", "chain", str(t / "server_sign_expired.pem"), "--intermediates", str(t / "sub-ca.pem"), "--trust", str(t / "root-ca.pem"), "--at", "2026-01-01T00:00:00Z"])
