"""The GM/T 0022 IPSec lab in one call (``mptool lab ipsec``): a GM IPSec capture with its key log.

Two network namespaces joined by a veth pair (addresses 10.<n>.0.1/.2, inside the namespaces
only); ``mptool proto serve --ike`` in the east one on UDP 4500, ``mptool proto probe --ike
--full`` from the west one, ``tcpdump --immediate-mode`` on the west end of the link. Writes into
the output directory: ``gm-ipsec.pcap`` (the capture), ``ike.keys`` (the key log, for ``proto
analyze --ike-keylog``), ``serve.json`` and ``probe.json`` (both sides' evidence), ``pki/`` (the SM2
PKI made with the system openssl: a root, signing and encryption certificates for each side).
The namespaces and processes are removed on exit, also on failure. Linux, as root.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mptool.core.errors import ExitCode, MptoolError

SM2_ID = "distid:1234567812345678"
ENC_USAGE = "keyEncipherment,dataEncipherment,keyAgreement"


class LabError(MptoolError):
    """The lab cannot run here or a step of it failed (exit 4: the environment lacks what it needs)."""

    exit_code = ExitCode.INCOMPLETE


@dataclass(frozen=True)
class LabResult:
    """What the lab wrote and the probe's exit code."""

    capture: Path
    keylog: Path
    probe_exit: int


def is_root() -> bool:
    """Whether this process may create network namespaces and capture (effective uid 0)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _run(*args: str, cwd: Path | None = None) -> None:
    """Run a command; its failure ends the lab with its stderr."""
    try:
        done = subprocess.run(args, cwd=cwd, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabError(f"lab ipsec: {' '.join(args[:3])}… could not run: {exc}") from None
    if done.returncode:
        raise LabError(f"lab ipsec: {' '.join(args[:3])}… failed: {done.stderr.decode(errors='replace').strip()[-500:]}")


def make_pki(pki: Path) -> None:
    """Root CA plus responder/initiator signing and encryption certificates (SM2 with SM3)."""
    pki.mkdir(parents=True, exist_ok=True)
    _run("openssl", "genpkey", "-algorithm", "SM2", "-out", "ca.key", cwd=pki)
    _run("openssl", "req", "-new", "-x509", "-key", "ca.key", "-sm3", "-sigopt", SM2_ID, "-subj", "/C=CN/O=mptool lab/CN=mptool lab SM2 root", "-days", "3650",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem", cwd=pki)
    for name, subject, usage in (
        ("server_sign", "/C=CN/O=mptool lab/CN=gm-vpn-responder", "digitalSignature"),
        ("server_enc", "/C=CN/O=mptool lab/CN=gm-vpn-responder", ENC_USAGE),
        ("client_sign", "/C=CN/O=mptool lab/CN=gm-vpn-initiator", "digitalSignature"),
        ("client_enc", "/C=CN/O=mptool lab/CN=gm-vpn-initiator", ENC_USAGE),
    ):
        _run("openssl", "genpkey", "-algorithm", "SM2", "-out", f"{name}.key", cwd=pki)
        _run("openssl", "req", "-new", "-key", f"{name}.key", "-sm3", "-sigopt", SM2_ID, "-subj", subject, "-out", f"{name}.csr", cwd=pki)
        (pki / f"{name}.ext").write_text(f"basicConstraints=critical,CA:FALSE\nkeyUsage=critical,{usage}\n")
        _run("openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-sm3", "-sigopt", SM2_ID, "-vfyopt", SM2_ID,
             "-days", "3650", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=pki)


def _netns(tag: str) -> tuple[str, str, str, str]:
    """Create the namespace pair; returns (west, east, west interface, east address)."""
    n = 100 + os.getpid() % 100
    west, east, wif, eif = f"{tag}w", f"{tag}e", f"{tag}vw", f"{tag}ve"
    wip, eip = f"10.{n}.0.1", f"10.{n}.0.2"
    _run("ip", "netns", "add", west)
    _run("ip", "netns", "add", east)
    _run("ip", "link", "add", wif, "type", "veth", "peer", "name", eif)
    for ns, ifname, addr in ((west, wif, wip), (east, eif, eip)):
        _run("ip", "link", "set", ifname, "netns", ns)
        _run("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", ifname)
        _run("ip", "-n", ns, "link", "set", ifname, "up")
        _run("ip", "-n", ns, "link", "set", "lo", "up")
    return west, east, wif, eip


def _wait_for(proc: subprocess.Popen[bytes], marker: bytes, what: str) -> None:
    """Read ``proc``'s stderr until ``marker`` (at most 30 s)."""
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    seen, ends = b"", time.monotonic() + 30
    while marker not in seen:
        if proc.poll() is not None or time.monotonic() > ends:
            raise LabError(f"lab ipsec: {what} did not start: {seen.decode(errors='replace').strip()[-500:]}")
        seen += proc.stderr.read() or b""
        time.sleep(0.05)


def run_lab(out: Path, esp_packets: int = 3, gcm: bool = False) -> LabResult:
    """Run the lab into ``out``; LabError when not root or a step fails."""
    if not is_root():
        raise LabError("lab ipsec needs root (network namespaces, a veth pair and tcpdump); run it with sudo")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LabError(f"{out}: cannot create the output directory: {exc.strerror or exc}") from None
    pki = out / "pki"
    make_pki(pki)
    tag = f"gml{os.getpid() % 100000}"
    mptool = [sys.executable, "-m", "mptool"]
    procs: list[subprocess.Popen[bytes]] = []
    west = east = ""
    try:
        west, east, wif, eip = _netns(tag)
        serve = subprocess.Popen(
            ["ip", "netns", "exec", east, *mptool, "proto", "serve", "--ike", "--host", eip, "--port", "4500", "--max-connections", "1",
             "--sign-cert", str(pki / "server_sign.pem"), "--sign-key", str(pki / "server_sign.key"), "--enc-cert", str(pki / "server_enc.pem"),
             "--enc-key", str(pki / "server_enc.key"), "--ca", str(pki / "ca.pem"), "--keylog", str(out / "serve.keys"), "-f", "json", "-o", str(out / "serve.json")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(serve)
        _wait_for(serve, b"listening on", "proto serve --ike")
        dump = subprocess.Popen(["ip", "netns", "exec", west, "tcpdump", "-U", "--immediate-mode", "-n", "-s", "0", "-i", wif, "-w", str(out / "gm-ipsec.pcap"), "udp port 4500"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(dump)
        _wait_for(dump, b"listening on", "tcpdump")
        time.sleep(0.5)
        probe = subprocess.run(
            ["ip", "netns", "exec", west, *mptool, "proto", "probe", f"{eip}:4500", "--ike", "--full", "--esp-packets", str(esp_packets), *(["--esp-gcm"] if gcm else []),
             "--client-sign-cert", str(pki / "client_sign.pem"), "--client-sign-key", str(pki / "client_sign.key"), "--client-enc-cert", str(pki / "client_enc.pem"),
             "--client-enc-key", str(pki / "client_enc.key"), "--ca", str(pki / "ca.pem"), "--keylog", str(out / "ike.keys"), "-q", "-f", "json", "-o", str(out / "probe.json")],
            capture_output=True, timeout=120)
        serve.wait(timeout=60)
        time.sleep(0.5)
        dump.send_signal(signal.SIGINT)
        dump.wait(timeout=10)
        if probe.returncode not in (0, 1):
            raise LabError(f"lab ipsec: the probe exited {probe.returncode}: {probe.stderr.decode(errors='replace').strip()[-500:]}")
        return LabResult(out / "gm-ipsec.pcap", out / "ike.keys", probe.returncode)
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"lab ipsec: {exc.cmd[3] if len(exc.cmd) > 3 else exc.cmd} did not finish in {exc.timeout:g} s") from None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        for ns in (west, east):
            if ns:
                subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)
