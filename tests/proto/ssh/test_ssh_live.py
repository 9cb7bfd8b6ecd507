"""SSH against a real OpenSSH server (issue 14): ``proto probe --ssh`` equals ``sshd -T``'s
effective lists and ssh-audit's JSON; ``proto analyze`` on a tcpdump of ``ssh -o BatchMode=yes``
equals tshark's ``ssh.*`` fields and ``ssh-keygen -l``'s fingerprints; the probe and the analyzer
give the same verdict for the same algorithms."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import run_cli
from support.peers import tcpdump
from support.sshd import ECDH_ONLY, GEX_ONLY, LEGACY, MODERN, sshd, ssh_connect

pytestmark = pytest.mark.network

PSEUDO = ("ext-info-s", "ext-info-c", "kex-strict-s-v00@openssh.com", "kex-strict-c-v00@openssh.com")
#: host-key algorithm -> key type of the server's keys (sshd lists only algorithms it has a key for)
KEY_OF = {"ssh-ed25519": "ed25519", "rsa-sha2-512": "rsa", "rsa-sha2-256": "rsa", "ssh-rsa": "rsa", "ecdsa-sha2-nistp256": "ecdsa"}


def _probe(port: int) -> dict:
    result = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--ssh", "-f", "json", "--fail-on", "never", "--timeout", "10"])
    assert result.exit_code == 0, result.stderr
    [r] = result.json()["results"]
    assert r["check"] == "proto.probe.ssh"
    return r


@pytest.fixture(scope="module")
def keydir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sshkeys")


@pytest.mark.parametrize("name,options", [("modern", MODERN), ("legacy", LEGACY), ("gex", GEX_ONLY)])
def test_probe_lists_equal_sshd_T(keydir, name, options) -> None:
    with sshd(keydir, options) as server:
        effective = server.effective()
        r = _probe(server.port)
    m = r["measurements"]
    lists = m["server_kexinit"]
    assert [k for k in lists["kex_algorithms"] if k not in PSEUDO] == effective["kexalgorithms"]
    assert "kex-strict-s-v00@openssh.com" in lists["kex_algorithms"] and m["strict_kex_offered"] is True
    assert lists["encryption_algorithms_client_to_server"] == lists["encryption_algorithms_server_to_client"] == effective["ciphers"]
    assert lists["mac_algorithms_client_to_server"] == effective["macs"]
    assert lists["server_host_key_algorithms"] == [a for a in effective["hostkeyalgorithms"] if KEY_OF.get(a) in server.keys]
    # one key exchange per host-key type; every host key equals ssh-keygen's fingerprint and its signature verifies
    fingerprints = server.fingerprints()
    got = {KEY_OF[h["algorithm"]]: h for h in m["host_keys"]}
    assert sorted(got) == sorted(server.keys)
    for kind, h in got.items():
        assert h["fingerprint_sha256"] == fingerprints[kind] and h["signature_valid"] is True
    assert got["rsa"]["bits"] == 3072 and got["ed25519"]["bits"] == 256
    if name == "gex":
        assert {h["kex"] for h in m["host_keys"]} == {"diffie-hellman-group-exchange-sha256"} and all(h["gex_group_bits"] >= 2048 for h in m["host_keys"])
    assert m["connections"] == 1 + len(server.keys)
    assert m["verdict"] == ("weak" if name == "legacy" else "strong_not_gm")
    assert r["status"] == ("fail" if name == "legacy" else "warn")
    weak = {a["name"] for a in m["algorithms"] if a["verdict"] == "weak"}
    assert weak == ({"diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "3des-cbc", "hmac-md5", "ssh-rsa"} if name == "legacy" else set())


def test_probe_ecdh_kex_and_ecdsa_key(keydir) -> None:
    with sshd(keydir, ECDH_ONLY, kinds=("ecdsa", "ed25519")) as server:
        r = _probe(server.port)
        fingerprints = server.fingerprints()
    hosts = {h["algorithm"]: h for h in r["measurements"]["host_keys"]}
    assert sorted(hosts) == ["ecdsa-sha2-nistp256", "ssh-ed25519"]
    assert hosts["ecdsa-sha2-nistp256"]["kex"] == "ecdh-sha2-nistp256" and hosts["ecdsa-sha2-nistp256"]["signature_valid"] is True
    assert hosts["ecdsa-sha2-nistp256"]["fingerprint_sha256"] == fingerprints["ecdsa"]


def test_probe_budget_is_respected(keydir) -> None:
    with sshd(keydir, MODERN) as server:
        result = run_cli(["proto", "probe", f"127.0.0.1:{server.port}", "--ssh", "-f", "json", "--fail-on", "never", "--max-connections", "2"])
    [r] = result.json()["results"]
    assert r["measurements"]["connections"] == 2 and len(r["measurements"]["host_keys"]) == 1
    assert "proto.probe.budget_exhausted" in {f["code"] for f in r["findings"]}


def test_probe_agrees_with_ssh_audit(keydir) -> None:
    audit = shutil.which("ssh-audit") or str(Path(sys.executable).with_name("ssh-audit"))
    assert Path(audit).exists(), "ssh-audit (PyPI, the test extra) is required"
    with sshd(keydir, LEGACY) as server:
        r = _probe(server.port)
        out = subprocess.run([audit, "-j", "-p", str(server.port), "127.0.0.1"], capture_output=True, text=True, timeout=120)
    report = json.loads(out.stdout)
    m = r["measurements"]
    assert m["banner"] == report["banner"]["raw"]
    assert [a["algorithm"] for a in report["kex"]] == [k for k in m["server_kexinit"]["kex_algorithms"] if k != "ext-info-s"]
    assert [a["algorithm"] for a in report["enc"]] == m["server_kexinit"]["encryption_algorithms_client_to_server"]
    assert [a["algorithm"] for a in report["mac"]] == m["server_kexinit"]["mac_algorithms_client_to_server"]
    theirs = {(f["hostkey"], "SHA256:" + f["hash"]) for f in report["fingerprints"] if f["hash_alg"] == "SHA256"}
    ours = {(h["type"], h["fingerprint_sha256"]) for h in m["host_keys"]}
    assert ours == theirs
    sizes = {a["algorithm"]: a.get("keysize") for a in report["key"]}
    assert all(sizes[h["algorithm"]] == h["bits"] for h in m["host_keys"] if sizes.get(h["algorithm"]))


CLIENTS = {
    "modern": (MODERN, ()),
    "legacy": (LEGACY, ("-o", "KexAlgorithms=diffie-hellman-group1-sha1", "-o", "Ciphers=aes128-cbc", "-o", "MACs=hmac-sha1", "-o", "HostKeyAlgorithms=ssh-rsa")),
}


@pytest.fixture(scope="module")
def captured(keydir, tmp_path_factory) -> dict:
    """Both configurations: a capture of one ssh client connection each, and the probe of the same server."""
    tmp = tmp_path_factory.mktemp("sshcap")
    out = {}
    for name, (options, client) in CLIENTS.items():
        with sshd(keydir, options) as server:
            capture = tmp / f"{name}.pcap"
            for _attempt in range(3):  # on a loaded machine tcpdump may attach its filter late: capture again
                with tcpdump(capture, f"tcp port {server.port}"):
                    time.sleep(1.5)
                    done = ssh_connect(server.port, *client)
                    assert "Permission denied" in done.stderr, done.stderr  # key exchange completed, login refused
                    time.sleep(1)
                if len(_tshark(capture, server.port)) == 2:
                    break
            out[name] = {"capture": capture, "port": server.port, "probe": _probe(server.port), "fingerprints": server.fingerprints()}
    return out


def _tshark(capture: Path, port: int) -> list[dict[str, str]]:
    fields = ["tcp.srcport", "ssh.kex_algorithms", "ssh.server_host_key_algorithms", "ssh.encryption_algorithms_client_to_server", "ssh.mac_algorithms_client_to_server", "ssh.protocol"]
    out = subprocess.run(["tshark", "-r", str(capture), "-d", f"tcp.port=={port},ssh", "-Y", "ssh.kex_algorithms", "-T", "fields", "-E", "separator=|", *sum((["-e", f] for f in fields), [])], capture_output=True, text=True, check=True, timeout=60)
    return [dict(zip(fields, line.split("|"))) for line in out.stdout.splitlines()]


@pytest.mark.parametrize("name", list(CLIENTS))
def test_analyze_equals_tshark_and_ssh_keygen(captured, name) -> None:
    c = captured[name]
    evidence = run_cli(["proto", "analyze", str(c["capture"]), "-f", "json", "--fail-on", "never"]).json()
    # the capture may begin with the tail of wait_port's probe connection (a banner, no KEXINIT)
    [ch] = [r for r in evidence["results"] if r["check"] == "proto.ssh.channel" and r["measurements"]["client_kexinit"]]
    m = ch["measurements"]
    rows = {("server" if row["tcp.srcport"] == str(c["port"]) else "client"): row for row in _tshark(c["capture"], c["port"])}
    for side in ("client", "server"):
        lists = m[f"{side}_kexinit"]
        assert ",".join(lists["kex_algorithms"]) == rows[side]["ssh.kex_algorithms"]
        assert ",".join(lists["server_host_key_algorithms"]) == rows[side]["ssh.server_host_key_algorithms"]
        assert ",".join(lists["encryption_algorithms_client_to_server"]) == rows[side]["ssh.encryption_algorithms_client_to_server"]
        assert ",".join(lists["mac_algorithms_client_to_server"]) == rows[side]["ssh.mac_algorithms_client_to_server"]
    assert m["established"] is True and m["strict_kex"] is True
    neg = m["negotiated"]
    if name == "legacy":
        assert (neg["kex"], neg["host_key"], neg["cipher_client_to_server"], neg["mac_server_to_client"]) == ("diffie-hellman-group1-sha1", "ssh-rsa", "aes128-cbc", "hmac-sha1")
        assert m["host_key"]["fingerprint_sha256"] == c["fingerprints"]["rsa"] and m["host_key"]["bits"] == 3072
        assert m["verdict"] == "weak" and ch["status"] == "fail"
    else:
        assert m["host_key"]["fingerprint_sha256"] == c["fingerprints"]["ed25519"]
        assert m["verdict"] == "strong_not_gm" and ch["status"] == "warn"
    assert {i["id"] for i in m["indicators"]} == {"DEV-RMGT", "DEV-AUTH"}


@pytest.mark.parametrize("name", list(CLIENTS))
def test_probe_and_analyze_give_the_same_verdicts(captured, name) -> None:
    """Each algorithm the captured connection negotiated has, in the probe of the same server, the
    verdict and reason the analyzer gave; the host key the same reason (one vocabulary)."""
    c = captured[name]
    evidence = run_cli(["proto", "analyze", str(c["capture"]), "-f", "json", "--fail-on", "never"]).json()
    [m] = [r["measurements"] for r in evidence["results"] if r["check"] == "proto.ssh.channel" and r["measurements"]["client_kexinit"]]
    probe = c["probe"]["measurements"]
    probed = {(a["kind"], a["name"]): a["verdict"] for a in probe["algorithms"]}
    for a in m["algorithms"]:
        assert probed[(a["kind"], a["name"])] == a["verdict"], a
    analyzed_reasons = set(m["reasons"])
    assert analyzed_reasons <= set(probe["reasons"])
    if name == "modern":  # OpenSSH's defaults on both sides: the endpoint verdict is the connection's
        assert probe["verdict"] == m["verdict"] == "strong_not_gm"


def test_analyze_reads_the_probes_own_key_exchanges(keydir, tmp_path) -> None:
    """The analyzer on a tcpdump of ``proto probe --ssh``: one SSH connection per probe connection,
    each host-key exchange showing the probed host key with the fingerprint the probe recorded,
    and no NEWKEYS (the probe never completes a session: undetermined, not established)."""
    capture = tmp_path / "probe.pcap"
    with sshd(keydir, MODERN) as server:
        for _attempt in range(3):
            with tcpdump(capture, f"tcp port {server.port}"):
                time.sleep(1.5)
                probe = _probe(server.port)["measurements"]
                time.sleep(1)
            evidence = run_cli(["proto", "analyze", str(capture), "-f", "json", "--fail-on", "never"]).json()
            channels = [r["measurements"] for r in evidence["results"] if r["check"] == "proto.ssh.channel" and r["measurements"]["client_kexinit"]]
            if len(channels) == probe["connections"]:
                break
    assert len(channels) == probe["connections"] == 3
    assert all(c["banners"]["client"] == "SSH-2.0-mptool_probe" and c["established"] is False and c["verdict"] == "undetermined" for c in channels)
    assert channels[0]["server_kexinit"] == probe["server_kexinit"]
    seen = {c["host_key"]["fingerprint_sha256"]: c["negotiated"]["host_key"] for c in channels[1:]}
    assert seen == {h["fingerprint_sha256"]: h["algorithm"] for h in probe["host_keys"]}
