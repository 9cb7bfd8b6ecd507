"""IPsec peers for tests: two network namespaces joined by a veth pair, strongSwan charon in each.

Layout (protocols.md §5): namespaces ``<tag>w`` (initiator) and ``<tag>e`` (responder), veth
10.<n>.0.1 <-> 10.<n>.0.2, protected subnets 10.<n>.1.0/24 and 10.<n>.2.0/24 on each ``lo``.
Each charon runs in a private mount namespace with a tmpfs on /run (its pid file is a fixed
path) and its own strongswan.conf (STRONGSWAN_CONF) whose vici socket lives in the test's
directory; ESP goes through the kernel-libipsec plugin (userspace ESP over TUN, UDP 4500),
because this kernel refuses XFRM SAs. Everything is removed on exit, also on failure.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from support.peers import require, stop

CHARON = "/usr/lib/ipsec/charon"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@dataclass(frozen=True)
class NetnsPair:
    """Two namespaces and their addresses."""

    west: str
    east: str
    west_if: str
    east_if: str
    west_ip: str
    east_ip: str
    west_net: str
    east_net: str


@contextlib.contextmanager
def netns_pair(tag: str) -> Iterator[NetnsPair]:
    """Create two namespaces joined by a veth pair; delete them on exit.

    Names are ``tag`` (5 characters at most are used) plus the process id, so two test runs
    on one machine do not collide; one run must not use the same tag twice at once.
    """
    require("ip")
    n = 100 + os.getpid() % 100
    unique = f"{tag[:5]}{os.getpid() % 1000000}"  # concurrent test runs must not share names
    pair = NetnsPair(f"{unique}w", f"{unique}e", f"{unique}vw", f"{unique}ve", f"10.{n}.0.1", f"10.{n}.0.2", f"10.{n}.1.1", f"10.{n}.2.1")
    try:
        _ip("netns", "add", pair.west)
        _ip("netns", "add", pair.east)
        _ip("link", "add", pair.west_if, "type", "veth", "peer", "name", pair.east_if)
        _ip("link", "set", pair.west_if, "netns", pair.west)
        _ip("link", "set", pair.east_if, "netns", pair.east)
        for ns, ifname, addr, net in ((pair.west, pair.west_if, pair.west_ip, pair.west_net), (pair.east, pair.east_if, pair.east_ip, pair.east_net)):
            _ip("-n", ns, "addr", "add", f"{addr}/24", "dev", ifname)
            _ip("-n", ns, "link", "set", ifname, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", f"{net}/24", "dev", "lo")
        yield pair
    finally:
        for ns in (pair.west, pair.east):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)


STRONGSWAN_CONF = """\
charon {{
    load_modular = yes
    port = 500
    port_nat_t = 4500
    install_routes = yes
{options}
    filelog {{
        log {{
            path = {log}
            default = 1
            ike = 2
        }}
    }}
    plugins {{
        include /etc/strongswan.d/charon/*.conf
        vici {{
            socket = unix://{vici}
        }}
        kernel-libipsec {{
            load = yes
        }}
    }}
}}
"""

#: the pre-shared key of the namespace tests (never outside them)
TEST_PSK = "mptool test pre-shared key, loopback namespaces only"


def swanctl_text(tree: Mapping[str, object], depth: int = 0) -> str:
    """swanctl.conf syntax from nested mappings: a mapping is a section ``name { … }``, any other
    value a ``key = value`` line; None values are left out."""
    pad = "    " * depth
    lines = []
    for key, value in tree.items():
        if isinstance(value, Mapping):
            lines.append(f"{pad}{key} {{\n{swanctl_text(value, depth + 1)}{pad}}}\n")
        elif value is not None:
            lines.append(f"{pad}{key} = {value}\n")
    return "".join(lines)


def ike_connection(version: int, local: str, proposals: str, local_auth: Mapping[str, str], remote_auth: Mapping[str, str], children: Mapping[str, Mapping[str, str]], remote: str | None = None) -> dict[str, object]:
    """One swanctl connection section (for :func:`swanctl_text`)."""
    return {"version": version, "local_addrs": local, "remote_addrs": remote, "proposals": proposals, "local": dict(local_auth), "remote": dict(remote_auth), "children": dict(children)}


def psk_secret(secret: str, *ids: str) -> dict[str, object]:
    """The ``secrets`` section with one shared key (for the given ids, or any)."""
    entry: dict[str, object] = {f"id-{chr(ord('a') + n)}": identity for n, identity in enumerate(ids)}
    entry["secret"] = f'"{secret}"'
    return {"ike-test": entry}


@dataclass
class Charon:
    """One running charon: its namespace, vici URI and log."""

    netns: str
    uri: str
    log: Path
    proc: subprocess.Popen

    def swanctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """Run swanctl against this charon (in its network namespace)."""
        cmd = ["ip", "netns", "exec", self.netns, "swanctl", *args, "--uri", self.uri]
        return subprocess.run(cmd, capture_output=True, timeout=timeout)


@contextlib.contextmanager
def charon(netns: str, workdir: Path, swanctl_conf: str, options: str = "") -> Iterator[Charon]:
    """Start charon in ``netns`` with ``swanctl_conf`` loaded; stop it on exit.

    ``options``: extra ``charon { }`` settings, e.g. ``block_threshold = 100``.
    """
    require("swanctl")
    assert Path(CHARON).exists(), "charon is required: Debian package strongswan-charon"
    workdir.mkdir(parents=True, exist_ok=True)
    vici = workdir / "charon.vici"
    log = workdir / "charon.log"
    conf = workdir / "strongswan.conf"
    vici.unlink(missing_ok=True)
    conf.write_text(STRONGSWAN_CONF.format(log=log, vici=vici, options=options))
    (workdir / "swanctl.conf").write_text(swanctl_conf)
    env = {**os.environ, "STRONGSWAN_CONF": str(conf)}
    cmd = ["ip", "netns", "exec", netns, "unshare", "--mount", "--propagation", "private", "sh", "-c", f"mount -t tmpfs tmpfs /run && exec {CHARON}"]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peer = Charon(netns, f"unix://{vici}", log, proc)
    try:
        deadline = time.monotonic() + 20
        while not vici.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"charon did not start in {netns}: {detail}")
            time.sleep(0.1)
        while True:  # the socket file appears just before charon accepts on it
            loaded = peer.swanctl("--load-all", "--noprompt", "--file", str(workdir / "swanctl.conf"))
            if loaded.returncode == 0:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"swanctl --load-all failed: {loaded.stdout.decode(errors='replace')[-1000:]} {loaded.stderr.decode(errors='replace')[-1000:]}")
            time.sleep(0.2)
        yield peer
    finally:
        stop(proc)


def swanctl_conf(version: int, local: str, remote: str, local_id: str, remote_id: str, local_ts: str, remote_ts: str, proposals: str, esp: str) -> str:
    """A swanctl.conf with one PSK connection ``net`` and one child ``net``."""
    child = {"net": {"local_ts": local_ts, "remote_ts": remote_ts, "esp_proposals": esp}}
    connection = ike_connection(version, local, proposals, {"auth": "psk", "id": local_id}, {"auth": "psk", "id": remote_id}, child, remote=remote)
    return swanctl_text({"connections": {"net": connection}, "secrets": psk_secret(TEST_PSK, "west", "east")})
