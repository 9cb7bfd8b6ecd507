#!/usr/bin/env python3
"""The GM/T 0022 IPSec lab in one command: a GM IPSec capture with its key log.

    sudo python3 scripts/ipsec_lab.py --out lab/          # as root (network namespaces, tcpdump)

Two network namespaces joined by a veth pair (addresses 10.<n>.0.1/.2, inside the namespaces
only); ``mptool proto serve --ike`` in the east one on UDP 4500, ``mptool proto probe --ike
--full`` from the west one, tcpdump on the west end of the link. Writes into --out:
``gm-ipsec.pcap`` (the capture), ``ike.keys`` (the key log, for ``proto analyze --ike-keylog``),
``serve.json`` and ``probe.json`` (both sides' evidence), ``pki/`` (the SM2 PKI, made with the
system openssl: a root, signing and encryption certificates for each side). Everything else is
removed on exit, also on failure. Then:

    mptool proto analyze lab/gm-ipsec.pcap --ike-keylog lab/ike.keys
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SM2_ID = "distid:1234567812345678"
ENC_USAGE = "keyEncipherment,dataEncipherment,keyAgreement"


def run(*args: str, cwd: Path | None = None) -> None:
    """Run a command; its failure ends the lab with its stderr."""
    done = subprocess.run(args, cwd=cwd, capture_output=True, timeout=120)
    if done.returncode:
        sys.exit(f"ipsec_lab: {' '.join(args[:3])}… failed: {done.stderr.decode(errors='replace').strip()}")


def make_pki(pki: Path) -> None:
    """Root CA plus server/client signing and encryption certificates (SM2 with SM3)."""
    pki.mkdir(parents=True, exist_ok=True)
    run("openssl", "genpkey", "-algorithm", "SM2", "-out", "ca.key", cwd=pki)
    run("openssl", "req", "-new", "-x509", "-key", "ca.key", "-sm3", "-sigopt", SM2_ID, "-subj", "/C=CN/O=mptool lab/CN=mptool lab SM2 root", "-days", "3650",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem", cwd=pki)
    for name, subject, usage in (
        ("server_sign", "/C=CN/O=mptool lab/CN=gm-vpn-responder", "digitalSignature"),
        ("server_enc", "/C=CN/O=mptool lab/CN=gm-vpn-responder", ENC_USAGE),
        ("client_sign", "/C=CN/O=mptool lab/CN=gm-vpn-initiator", "digitalSignature"),
        ("client_enc", "/C=CN/O=mptool lab/CN=gm-vpn-initiator", ENC_USAGE),
    ):
        run("openssl", "genpkey", "-algorithm", "SM2", "-out", f"{name}.key", cwd=pki)
        run("openssl", "req", "-new", "-key", f"{name}.key", "-sm3", "-sigopt", SM2_ID, "-subj", subject, "-out", f"{name}.csr", cwd=pki)
        (pki / f"{name}.ext").write_text(f"basicConstraints=critical,CA:FALSE\nkeyUsage=critical,{usage}\n")
        run("openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-sm3", "-sigopt", SM2_ID, "-vfyopt", SM2_ID,
            "-days", "3650", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=pki)


def netns(tag: str) -> tuple[str, str, str, str, str, str]:
    """Create the namespace pair; returns (west, east, west_if, east_if, west_ip, east_ip)."""
    n = 100 + os.getpid() % 100
    west, east, wif, eif = f"{tag}w", f"{tag}e", f"{tag}vw", f"{tag}ve"
    wip, eip = f"10.{n}.0.1", f"10.{n}.0.2"
    run("ip", "netns", "add", west)
    run("ip", "netns", "add", east)
    run("ip", "link", "add", wif, "type", "veth", "peer", "name", eif)
    for ns, ifname, addr in ((west, wif, wip), (east, eif, eip)):
        run("ip", "link", "set", ifname, "netns", ns)
        run("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", ifname)
        run("ip", "-n", ns, "link", "set", ifname, "up")
        run("ip", "-n", ns, "link", "set", "lo", "up")
    return west, east, wif, eif, wip, eip


def wait_for(proc: subprocess.Popen[bytes], marker: bytes, what: str) -> None:
    """Read ``proc``'s stderr until ``marker`` (at most 30 s)."""
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    seen, ends = b"", time.monotonic() + 30
    while marker not in seen:
        if proc.poll() is not None or time.monotonic() > ends:
            sys.exit(f"ipsec_lab: {what} did not start: {seen.decode(errors='replace')}")
        seen += proc.stderr.read() or b""
        time.sleep(0.05)


def lab(out: Path, esp_packets: int, gcm: bool) -> int:
    """Run the lab; the probe's exit code."""
    out.mkdir(parents=True, exist_ok=True)
    pki = out / "pki"
    make_pki(pki)
    tag = f"gml{os.getpid() % 100000}"
    west, east, wif, _eif, _wip, eip = netns(tag)
    mptool = [sys.executable, "-m", "mptool"]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        serve = subprocess.Popen(
            ["ip", "netns", "exec", east, *mptool, "proto", "serve", "--ike", "--host", eip, "--port", "4500", "--max-connections", "1",
             "--sign-cert", str(pki / "server_sign.pem"), "--sign-key", str(pki / "server_sign.key"), "--enc-cert", str(pki / "server_enc.pem"),
             "--enc-key", str(pki / "server_enc.key"), "--ca", str(pki / "ca.pem"), "--keylog", str(out / "serve.keys"), "-f", "json", "-o", str(out / "serve.json")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(serve)
        wait_for(serve, b"listening on", "proto serve --ike")
        dump = subprocess.Popen(["ip", "netns", "exec", west, "tcpdump", "-U", "--immediate-mode", "-n", "-s", "0", "-i", wif, "-w", str(out / "gm-ipsec.pcap"), "udp port 4500"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(dump)
        wait_for(dump, b"listening on", "tcpdump")
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
            sys.stderr.write(probe.stderr.decode(errors="replace"))
        print(f"ipsec_lab: wrote {out / 'gm-ipsec.pcap'} and {out / 'ike.keys'} (probe exit {probe.returncode}); "
              f"now: mptool proto analyze {out / 'gm-ipsec.pcap'} --ike-keylog {out / 'ike.keys'}")
        return probe.returncode
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for ns in (west, east):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("ipsec-lab"), help="output directory (default ./ipsec-lab)")
    parser.add_argument("--esp-packets", type=int, default=3, help="ESP echo packets (default 3)")
    parser.add_argument("--gcm", action="store_true", help="ESP SM4-GCM instead of SM4-CBC + HMAC-SM3")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("ipsec_lab: needs root (network namespaces and tcpdump)")
    return lab(args.out, args.esp_packets, args.gcm)


if __name__ == "__main__":
    sys.exit(main())
