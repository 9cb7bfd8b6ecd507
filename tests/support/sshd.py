"""A real OpenSSH server for the SSH tests: ``/usr/sbin/sshd -D -f <own config>`` on 127.0.0.1,
with host keys made by ssh-keygen in a temporary directory, stopped (by its pid) on exit."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.peers import free_port, require, stop, wait_port

SSHD = "/usr/sbin/sshd"

#: sshd_config options of the configurations the tests use
MODERN: dict[str, str] = {}
LEGACY = {
    "Ciphers": "+aes128-cbc,3des-cbc",
    "MACs": "+hmac-sha1,hmac-md5",
    "KexAlgorithms": "+diffie-hellman-group1-sha1,diffie-hellman-group14-sha1",
    "HostKeyAlgorithms": "+ssh-rsa",
}
GEX_ONLY = {"KexAlgorithms": "diffie-hellman-group-exchange-sha256"}
ECDH_ONLY = {"KexAlgorithms": "ecdh-sha2-nistp256", "HostKeyAlgorithms": "ecdsa-sha2-nistp256,ssh-ed25519"}


@dataclass
class Sshd:
    port: int
    config: Path
    keys: dict[str, Path]  #: key type (ed25519, rsa, ecdsa) -> private key file

    def effective(self) -> dict[str, list[str]]:
        """``sshd -T -f cfg``: the effective lists (kexalgorithms, ciphers, macs, hostkeyalgorithms, …)."""
        out = subprocess.run([SSHD, "-T", "-f", str(self.config)], capture_output=True, text=True, check=True, timeout=30).stdout
        lists = {}
        for line in out.splitlines():
            key, _, value = line.partition(" ")
            if key in ("kexalgorithms", "ciphers", "macs", "hostkeyalgorithms", "compression"):
                lists[key] = value.split(",")
        return lists

    def fingerprints(self) -> dict[str, str]:
        """``ssh-keygen -l`` SHA-256 fingerprint per key type."""
        out = {}
        for kind, path in self.keys.items():
            text = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", f"{path}.pub"], capture_output=True, text=True, check=True).stdout
            out[kind] = text.split()[1]
        return out


def host_keys(directory: Path, kinds: tuple[str, ...] = ("ed25519", "rsa")) -> dict[str, Path]:
    require("ssh-keygen")
    keys = {}
    for kind in kinds:
        path = directory / f"host_{kind}"
        if not path.exists():
            extra = ["-b", "3072"] if kind == "rsa" else ["-b", "256"] if kind == "ecdsa" else []
            subprocess.run(["ssh-keygen", "-q", "-t", kind, *extra, "-N", "", "-f", str(path)], check=True, capture_output=True, timeout=60)
        keys[kind] = path
    return keys


@contextlib.contextmanager
def sshd(directory: Path, options: dict[str, str], kinds: tuple[str, ...] = ("ed25519", "rsa")) -> Iterator[Sshd]:
    """Start sshd with ``options`` on a free 127.0.0.1 port; no login can succeed (no keys, no passwords)."""
    assert os.path.exists(SSHD), "openssh-server is required (.ci/apt-packages.txt)"
    os.makedirs("/run/sshd", exist_ok=True)  # privilege separation directory
    keys = host_keys(directory, kinds)
    port = free_port()
    lines = [f"ListenAddress 127.0.0.1", f"Port {port}", *(f"HostKey {p}" for p in keys.values()), "PidFile none", "UsePAM no", "StrictModes no",
             "PasswordAuthentication no", "KbdInteractiveAuthentication no", "AuthorizedKeysFile none", "LogLevel ERROR",
             *(f"{k} {v}" for k, v in options.items())]
    config = directory / f"sshd_{port}.cfg"
    config.write_text("\n".join(lines) + "\n")
    subprocess.run([SSHD, "-t", "-f", str(config)], check=True, capture_output=True, timeout=30)
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_port(port, proc=proc)
        yield Sshd(port, config, keys)
    finally:
        stop(proc)


def ssh_connect(port: int, *options: str) -> subprocess.CompletedProcess:
    """One ``ssh -o BatchMode=yes`` connection (authentication fails; the key exchange completes)."""
    require("ssh")
    cmd = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", *options, "-p", str(port), "nobody@127.0.0.1", "true"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)
