"""``proto analyze --extract-certs DIR`` (issue 14): every certificate of the captures as PEM named
by its SM3 fingerprint — checked with the system openssl (``x509 -outform DER | dgst -sm3``) and
against the distinct certificates tshark shows; recorded in the evidence."""

from __future__ import annotations

import subprocess

from conftest import run_cli


def test_extracted_certificates_are_named_by_sm3(data, tmp_path) -> None:
    pcaps = [data.path("pcaps", "tlcp_gmssl_4suites.pcap"), data.path("pcaps", "tls12_tls13_openssl.pcap")]
    out = tmp_path / "certs"
    out.mkdir()
    ev = run_cli(["proto", "analyze", *map(str, pcaps), "--extract-certs", str(out), "-f", "json", "--fail-on", "never", "--no-cert-checks"]).json()
    records = ev["summary"]["extracted_certificates"]
    files = sorted(out.glob("*.pem"))
    assert sorted(r["file"] for r in records) == sorted(map(str, files)) and files
    for path in files:
        der = subprocess.run(["openssl", "x509", "-in", str(path), "-outform", "DER"], capture_output=True, check=True).stdout
        digest = subprocess.run(["openssl", "dgst", "-sm3", "-r"], input=der, capture_output=True, check=True).stdout.split()[0].decode()
        assert path.name == f"{digest}.pem"
    shown = set()
    for pcap in pcaps:
        fields = subprocess.run(["tshark", "-r", str(pcap), "-d", "tcp.port==14431-14434,tls", "-T", "fields", "-e", "tls.handshake.certificate"], capture_output=True, text=True, check=True).stdout
        shown |= {c for line in fields.split() for c in line.split(",") if c}
    assert len(shown) == len(files)


def test_extract_certs_needs_a_directory(data, tmp_path) -> None:
    result = run_cli(["proto", "analyze", str(data.path("pcaps", "tls12_tls13_openssl.pcap")), "--extract-certs", str(tmp_path / "missing")])
    assert result.exit_code == 3 and "--extract-certs needs an existing directory" in result.stderr
