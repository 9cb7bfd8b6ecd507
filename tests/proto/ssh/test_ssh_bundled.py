"""The bundled SSH capture (vectors/pcaps/ssh_openssh_modern_legacy.pcap; ground truth in its
SOURCES.md row, fingerprints from ssh-keygen -l), and hostile SSH bytes: findings, never crashes."""

from __future__ import annotations

import socket
import subprocess
import threading

import pytest

from conftest import run_cli
from mptool.proto.ssh import packet as P
from mptool.proto.ssh.stream import SSHConnection
from mptool.proto.judge.ssh import channel_result
from support.peers import free_port

ED25519 = "SHA256:WVxEZXXG68RM79N+4/6n++duXxTF7AA++bqWVVOG2qY"
RSA = "SHA256:Y67SB3nDvxPSNCXil1X+/nWHdVPGZxUUdBXxxz0ezuQ"


def _channels(data) -> list[dict]:
    ev = run_cli(["proto", "analyze", str(data.path("pcaps", "ssh_openssh_modern_legacy.pcap")), "-f", "json", "--fail-on", "never"]).json()
    assert ev["summary"]["ssh_connections"] == 2
    return [r for r in ev["results"] if r["check"] == "proto.ssh.channel"]


def test_bundled_capture_ground_truth(data) -> None:
    modern, legacy = (r["measurements"] for r in _channels(data))
    assert modern["server"] == "127.0.0.1:22022" and legacy["server"] == "127.0.0.1:22023"
    assert modern["negotiated"]["kex"] == "sntrup761x25519-sha512" and modern["negotiated"]["cipher_server_to_client"] == "chacha20-poly1305@openssh.com"
    assert modern["negotiated"]["mac_client_to_server"] == "implicit (AEAD)"
    assert (modern["host_key"]["type"], modern["host_key"]["bits"], modern["host_key"]["fingerprint_sha256"]) == ("ssh-ed25519", 256, ED25519)
    assert (legacy["host_key"]["type"], legacy["host_key"]["bits"], legacy["host_key"]["fingerprint_sha256"]) == ("ssh-rsa", 3072, RSA)
    assert [legacy["negotiated"][k] for k in ("kex", "host_key", "cipher_client_to_server", "mac_client_to_server")] == ["diffie-hellman-group1-sha1", "ssh-rsa", "aes128-cbc", "hmac-sha1"]
    assert modern["strict_kex"] is legacy["strict_kex"] is True
    assert (modern["verdict"], legacy["verdict"]) == ("strong_not_gm", "weak")
    assert modern["banners"]["server"] == "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"


def test_bundled_capture_equals_tshark(data) -> None:
    path = data.path("pcaps", "ssh_openssh_modern_legacy.pcap")
    fields = ["tcp.srcport", "ssh.kex_algorithms", "ssh.encryption_algorithms_client_to_server"]
    out = subprocess.run(["tshark", "-r", str(path), "-d", "tcp.port==22022,ssh", "-d", "tcp.port==22023,ssh", "-Y", "ssh.kex_algorithms", "-T", "fields", "-E", "separator=|", *sum((["-e", f] for f in fields), [])], capture_output=True, text=True, check=True, timeout=60).stdout
    rows = [line.split("|") for line in out.splitlines()]
    ours = []
    for m in (r["measurements"] for r in _channels(data)):
        client_port = m["client"].rsplit(":", 1)[1]
        server_port = m["server"].rsplit(":", 1)[1]
        ours += [[client_port, ",".join(m["client_kexinit"]["kex_algorithms"]), ",".join(m["client_kexinit"]["encryption_algorithms_client_to_server"])],
                 [server_port, ",".join(m["server_kexinit"]["kex_algorithms"]), ",".join(m["server_kexinit"]["encryption_algorithms_client_to_server"])]]
    assert sorted(ours) == sorted(rows)


def _judge(sides: tuple[bytes, bytes]) -> dict:
    conn = SSHConnection((("10.0.0.1", 40000), ("10.0.0.2", 22)), 1, 0)
    for i, data in enumerate(sides):
        for k in range(0, len(data), 7):
            conn.feed(i, data[k : k + 7], 2 + k)
    return channel_result(conn, "crafted", 1).model_dump(mode="json")


KEX = P.make_packet(P.build_kexinit({"kex_algorithms": ["curve25519-sha256"], "server_host_key_algorithms": ["ssh-ed25519"], "encryption_algorithms_client_to_server": ["aes128-ctr"], "encryption_algorithms_server_to_client": ["aes128-ctr"], "mac_algorithms_client_to_server": ["hmac-sha2-256"], "mac_algorithms_server_to_client": ["hmac-sha2-256"], "compression_algorithms_client_to_server": ["none"], "compression_algorithms_server_to_client": ["none"]}, bytes(16)))


@pytest.mark.parametrize("server", [
    b"SSH-1.5-old\r\n" + bytes(40),
    b"SSH-2.0-x\r\n" + b"\xff\xff\xff\xff\x04" + bytes(20),  # packet length out of range
    b"SSH-2.0-x\r\n" + b"\x00\x00\x00\x0c\x02" + bytes(12),  # padding < 4
    b"SSH-2.0-x\r\n" + KEX[:-3],  # truncated
    b"SSH-2.0-x\r\n" + P.make_packet(b"\x14" + bytes(16) + b"\x00\x00\x00\x05\xff\xfe\x80ab"),  # non-ASCII name-list
    b"SSH-2.0-x\r\n" + KEX + P.make_packet(b"\x1f\x00\x00\x00\x40ssh-ed25519"),  # KEX reply cut inside the host key
    b"SSH-" + b"x" * 400,  # identification line too long
])
def test_hostile_ssh_bytes_are_findings(server: bytes) -> None:
    result = _judge((b"SSH-2.0-client\r\n" + KEX, server))
    m = result["measurements"]
    assert result["status"] in ("info", "fail", "warn")
    if server.startswith(b"SSH-1."):
        assert m["verdict"] == "weak" and "proto.ssh.ssh1" in {f["code"] for f in result["findings"]}
    else:
        assert m["verdict"] == "undetermined" and (m["problems"] or not m["established"])


def _hostile_server(port: int, answer: bytes) -> tuple[threading.Thread, socket.socket]:
    listener = socket.create_server(("127.0.0.1", port))

    def run() -> None:
        with listener:
            listener.settimeout(0.5)
            while listener.fileno() >= 0:
                try:
                    conn, _ = listener.accept()
                except socket.timeout:
                    continue
                except OSError:
                    return
                with conn:
                    conn.settimeout(5)
                    try:
                        conn.recv(4096)
                        conn.sendall(answer)
                        while conn.recv(4096):  # keep it open until the client hangs up
                            pass
                    except OSError:
                        pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, listener


@pytest.mark.network
@pytest.mark.parametrize("answer,code", [
    (b"HTTP/1.1 400 Bad Request\r\n\r\n", "proto.probe.not_ssh"),
    (b"SSH-2.0-x\r\n\xff\xff\xff\xff\x04", "proto.probe.ssh.malformed"),
    (b"SSH-2.0-x\r\n" + KEX + P.make_packet(b"\x1f\x00\x00\x00\x40ssh-ed25519"), "proto.probe.ssh.malformed"),
    (b"SSH-1.5-x\r\n", "proto.probe.ssh.ssh1"),
])
def test_probe_of_hostile_server_gives_findings(answer: bytes, code: str) -> None:
    port = free_port()
    thread, listener = _hostile_server(port, answer)
    result = run_cli(["proto", "probe", f"127.0.0.1:{port}", "--ssh", "-f", "json", "--fail-on", "never", "--timeout", "3", "--max-connections", "3"])
    listener.close()  # ends the server's accept loop
    thread.join(30)
    assert result.exit_code == 0, result.stderr
    [r] = result.json()["results"]
    assert code in {f["code"] for f in r["findings"]}
