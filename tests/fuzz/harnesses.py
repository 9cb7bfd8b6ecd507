"""Fuzz harnesses: every parser mptool reaches from a file, outside ``mptool.proto`` (issue 21),
and the SSH packet parser of ``mptool.proto.ssh`` (issue 14; ``ssh-packets``).

Each harness takes the bytes of one input and drives the same entry point the CLI uses. A
documented failure (:class:`mptool.core.errors.MptoolError`: an input error, exit 3) is the
expected answer to a malformed input; any other exception is a crash (exit 128 through the
CLI) and fails the harness.

Used by ``scripts/fuzz.py`` (atheris, coverage-guided, long runs) and by
``tests/fuzz/test_fuzz.py`` (a few seconds of each harness, and the crash corpus replayed).
The seeds are the repository's own files (:func:`seeds`).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors"
#: inputs that once crashed a harness, one directory per harness (replayed by the tests)
CRASHES = Path(__file__).resolve().parent / "crashes"
#: seeds are cut to this size (the mutator works on the beginning of large files)
MAX_SEED = 64 * 1024

_SCRATCH = Path(tempfile.gettempdir()) / f"mptool-fuzz-{os.getpid()}"


def _scratch(name: str, data: bytes) -> str:
    """Write ``data`` to a per-process scratch file (loaders that take a path) and return its path."""
    _SCRATCH.mkdir(exist_ok=True)
    path = _SCRATCH / name
    path.write_bytes(data)
    return str(path)


def _expected(call: Callable[[], object]) -> None:
    """Run ``call``; a documented error (MptoolError) is an expected outcome, anything else raises."""
    from mptool.core.errors import MptoolError

    try:
        call()
    except MptoolError:
        pass


# --- the harnesses -----------------------------------------------------------------------


def fuzz_certificate(data: bytes) -> None:
    """``cert lint`` on one file: PEM bundle, DER, PKCS#7 -> parse -> every lint rule."""
    from mptool.cert.lint import lint_certificates
    from mptool.cert.x509.loader import parse_all, split_certificates

    def run() -> None:
        for cert in parse_all("fuzz.pem", split_certificates("fuzz.pem", data)):
            lint_certificates([cert])

    _expected(run)


def fuzz_certificate_chain(data: bytes) -> None:
    """A peer's certificate list (proto's door into cert): parse, lint, path validation."""
    from mptool.cert.api import certificate_roles, check_certificates

    ders = [data, *_chain_tail()]
    _expected(lambda: check_certificates(ders, lint=False))
    certificate_roles(ders, tlcp=True)


def fuzz_crl(data: bytes) -> None:
    """``--crl`` files: PEM or DER CRL -> entries, problems, extensions."""
    from mptool.cert.x509.crl import load_crls

    def run() -> None:
        crls, _ = load_crls([_scratch("fuzz.crl", data)])
        for crl in crls:  # as revocation uses them: a CRL with problems is never used
            (crl.number, crl.delta_base, crl.idp_der, crl.issuer_key)
            if not crl.problems():
                crl.entries()

    _expected(run)


def fuzz_seal_keys(data: bytes) -> None:
    """``assess seal --sign-key/--sign-cert``: SM2 private keys (PKCS#8, SEC1, encrypted) and certificates."""
    from mptool.assess.seal.keys import load_certificate, load_private_key

    path = _scratch("fuzz.key", data)
    _expected(lambda: load_private_key(path, b"fuzz-password"))
    _expected(lambda: load_private_key(path, None))
    _expected(lambda: load_certificate(data=data))


def fuzz_algo_keys(data: bytes) -> None:
    """``algo rsa-verify --public-key`` and ``sm2-verify --public-key``: RSA keys and certificates, SM2 points."""
    from mptool.algo.checks.evidence import load_rsa_public_key
    from mptool.algo.sm2 import SM2Error, decode_public_key

    _expected(lambda: load_rsa_public_key(data))
    try:
        decode_public_key(data)
    except SM2Error:
        pass


def fuzz_vectors(data: bytes) -> None:
    """``algo verify FILE``: format detection and the CAVP, PKCS#1, Wycheproof, ACVP, GM JSON readers."""
    from mptool.algo.vectors import loader
    from mptool.algo.vectors.cavp import VectorFormatError

    try:
        loader.load(loader.Source("fuzz.rsp", data, "fuzz-expected.json", data))
    except VectorFormatError:
        pass


def fuzz_vector_run(data: bytes) -> None:
    """``algo verify FILE`` to the verdicts: every vector a damaged file still yields is run."""
    from mptool.algo.vectors import handlers, loader
    from mptool.algo.vectors.cavp import VectorFormatError

    try:
        vf = loader.load(loader.Source("fuzz.rsp", data, "fuzz-expected.json", data))
    except VectorFormatError:
        return
    for vector in vf.vectors[:8]:
        handlers.run_vector(vector)


def fuzz_rng_reader(data: bytes) -> None:
    """``rng test --input-format binary|ascii|hex``: the decoders and the sequence cutter."""
    from mptool.rng.reader import open_source

    path = _scratch("fuzz.rng", data)
    for fmt in ("binary", "ascii", "hex"):
        def run(fmt: str = fmt) -> None:
            for _ in open_source(path, fmt, 64, None).sequences():
                pass
            open_source(path, fmt, None, None)

        _expected(run)


def fuzz_rng_params(data: bytes) -> None:
    """``rng test --param``: the parameter parser and the plan it resolves."""
    from mptool.rng.params import parse_overrides, resolve

    text = data.decode("utf-8", "replace")
    _expected(lambda: resolve(20_000, parse_overrides(text.split("\n"))))


def fuzz_pem(data: bytes) -> None:
    """The one PEM reader (core/pem.py)."""
    from mptool.core.pem import PemError, pem_blocks

    try:
        for _ in pem_blocks(data):
            pass
    except PemError:
        pass


def fuzz_sm2_codecs(data: bytes) -> None:
    """SM2 encodings (GB/T 35276): signatures (DER/raw), ciphertexts (ASN.1, C1C3C2, C1C2C3), points."""
    from mptool.algo import sm2
    from mptool.algo.sm2.encryption import ciphertext_candidates

    for call in (
        lambda: sm2.detect_signature(data),
        lambda: sm2.decode_signature(data),
        lambda: ciphertext_candidates(data, "auto", sm2.SM2P256V1),
        lambda: sm2.decrypt(_FUZZ_D, data),
        lambda: sm2.decode_public_key(data, sm2.SM2_TEST_CURVE),
    ):
        try:
            call()
        except sm2.SM2Error:
            pass


def fuzz_assessment(data: bytes) -> None:
    """``assess`` commands: the assessment YAML (ruamel), its schema and the cross-checks."""
    from mptool.assess.model.loader import load_case

    path = _scratch("assessment.yaml", data)
    _expected(lambda: load_case(path, verify_evidence=True))


#: the export formats of ``data sample`` FILE, picked by the first byte of a ``data-export`` input
_EXPORT_SUFFIXES = (".csv", ".tsv", ".jsonl")
#: the SM4 and HMAC-SM3 keys of the ``data-export`` seeds (tests/data/data_support.py)
_DATA_KEY, _DATA_MAC_KEY = "0123456789abcdeffedcba9876543210", "6d61632d6b65792d666f722d74657374732d3031"


def fuzz_data_export(data: bytes) -> None:
    """``data sample FILE``: a CSV/TSV/JSON-lines export (byte 0: format, randomness suite, row
    order) -> sampling -> encoding detection, statistics, SM4 decryption with ``--key`` and the
    HMAC-SM3 construction search of ``--mac-column`` -> the column judgements."""
    from mptool.core.report import ReportBuilder
    from mptool.data.commands import SampleOptions, sample_evidence

    flags, body = (data[0], data[1:]) if data else (0, b"")
    path = _scratch("export" + _EXPORT_SUFFIXES[flags % 3], body)
    options = SampleOptions(
        source=path, table=None, columns=("value",), rows=50, order="first" if flags & 8 else "random", seed=1,
        key=_DATA_KEY, mac_column="mac", mac_key=_DATA_MAC_KEY, mac_over=("id", "name"), randomness=bool(flags & 4),
    )
    _expected(lambda: sample_evidence(ReportBuilder("data sample", [path], deterministic=True), options))


def fuzz_gm_ike(data: bytes) -> None:
    """The GM/T 0022 responder (proto serve --ike): one IKE datagram in state start or after a
    genuine message 1 (so message 3's certificates, envelope and SIG are parsed), or one ESP packet."""
    from tests.fuzz.harness_gm_ike import feed

    feed(data)


# --- the table ---------------------------------------------------------------------------


#: the packages whose Python code atheris instruments for coverage (by default)
INSTRUMENT = ("mptool", "pyasn1", "pyasn1_modules", "pyasn1_fasder", "ruamel")


@dataclass(frozen=True)
class Harness:
    """One fuzz target: the function, where its seeds come from, what atheris instruments
    (``instrument`` packages less ``exclude`` modules) and a ``setup`` run once in a long-run
    process before fuzzing (never in the test suite's replays; see tests/fuzz/cheap.py)."""

    name: str
    function: Callable[[bytes], None]
    seeds: Callable[[], Iterator[bytes]]
    instrument: tuple[str, ...] = INSTRUMENT
    exclude: tuple[str, ...] = ()
    setup: Callable[[], None] | None = None


def _files(*patterns: str) -> Callable[[], Iterator[bytes]]:
    def read() -> Iterator[bytes]:
        for pattern in patterns:
            for path in sorted(ROOT.glob(pattern)):
                if path.is_file():
                    yield path.read_bytes()[:MAX_SEED]

    return read


def _certificate_seeds() -> Iterator[bytes]:
    from mptool.core.pem import pem_blocks

    for data in _files("vectors/certs/**/*.pem", "vectors/certs/**/*.crt", "vectors/certs/**/*.der", "vectors/certs/**/*.p7b", "vectors/certs/**/*.p7c")():
        yield data
        if b"-----BEGIN" in data:
            for block in pem_blocks(data):
                yield block.der


def _der_certificate_seeds() -> Iterator[bytes]:
    from mptool.core.pem import pem_blocks

    for data in _certificate_seeds():
        if b"-----BEGIN" not in data and data[:1] == b"\x30":
            yield data
        elif b"-----BEGIN" in data:
            yield from (b.der for b in pem_blocks(data, frozenset({"CERTIFICATE"})))


def _key_seeds() -> Iterator[bytes]:
    """SEC1 and PKCS#8 SM2 keys (DER and PEM), an encrypted PKCS#8 key, and the signer certificates."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from pyasn1.codec.der import encoder
    from pyasn1.type import univ
    from pyasn1_modules import rfc5208, rfc5915

    sm2_oid = univ.ObjectIdentifier("1.2.156.10197.1.301")
    sec1 = rfc5915.ECPrivateKey()
    sec1["version"] = 1
    sec1["privateKey"] = _FUZZ_D.to_bytes(32, "big")
    sec1["parameters"]["namedCurve"] = sm2_oid
    sec1_der = encoder.encode(sec1)
    info = rfc5208.PrivateKeyInfo()
    info["version"] = 0
    info["privateKeyAlgorithm"]["algorithm"] = univ.ObjectIdentifier("1.2.840.10045.2.1")
    info["privateKeyAlgorithm"]["parameters"] = encoder.encode(sm2_oid)
    info["privateKey"] = sec1_der
    pkcs8_der = encoder.encode(info)
    yield sec1_der
    yield pkcs8_der
    yield _pem("EC PRIVATE KEY", sec1_der)
    yield _pem("PRIVATE KEY", pkcs8_der)
    other = ec.derive_private_key(_FUZZ_D, ec.SECP256R1())
    yield other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"fuzz-password"))
    yield other.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    yield from _files("vectors/certs/sm2/realworld/*.pem", "vectors/certs/rsa/*.pem")()


def _pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n".encode()


def _vector_seeds() -> Iterator[bytes]:
    yield from _files("vectors/algo/**/*.rsp", "vectors/algo/**/*.txt", "vectors/algo/**/*.json", "vectors/algo/**/*.req")()


def _rng_seeds() -> Iterator[bytes]:
    data = (VECTORS / "rng/data.e").read_bytes()
    yield data[:4096]
    yield base64.b16encode(data[:512])
    yield bytes(range(256)) * 4
    yield b"0101 1100\n" * 64


def _param_seeds() -> Iterator[bytes]:
    yield b"serial.m=3,5\nuniversal.L=6\nuniversal.Q=640"
    yield b"block_frequency.m=128\nlongest_run.probabilities=nist\ndft.divisor=4"
    yield b"rank.probabilities=exact\nlinear_complexity.m=500\napproximate_entropy.m=10"


def _sm2_seeds() -> Iterator[bytes]:
    gm = json.loads((VECTORS / "algo/gm/gm_standard_examples.json").read_text(encoding="utf-8"))

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
        elif isinstance(node, str) and len(node) >= 64 and len(node) % 2 == 0:
            yield node

    for text in walk(gm):
        try:
            yield bytes.fromhex(text)
        except ValueError:
            continue


def _data_seeds() -> Iterator[bytes]:
    """The stored-data tests' synthetic table (each protected column as ``value``) as CSV, TSV and JSON lines."""
    import csv
    import io
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "data"))
    try:
        from data_support import rows  # type: ignore[import-not-found]
    except ImportError:  # the data test helpers are not there (installed package)
        return
    table = rows(24)
    for column in ("phone_sm4cbc", "idcard_sm4gcm", "email_aescbc", "city_sm4ecb", "name_b64", "name"):
        records = [{"id": r["id"], "name": r["name"], "value": r[column].hex() if isinstance(r[column], bytes) else r[column], "mac": r["row_mac"]} for r in table]
        for flags, delimiter in ((0, ","), (1, "\t")):
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(records[0]), delimiter=delimiter)
            writer.writeheader()
            writer.writerows(records)
            yield bytes([flags | 8]) + text.getvalue().encode()
        yield bytes([2 | 4]) + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _assessment_seeds() -> Iterator[bytes]:
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "assess"))
    try:
        from assess_support import case_text  # type: ignore[import-not-found]
    except ImportError:  # the assess test helpers are not there (installed package)
        return
    objects = {"net-vpn": "network", "app-portal": "application"}
    judgement = "{object: net-vpn, indicator: NET-AUTH, result: 符合, evidence: [tool.json]}"
    yield case_text(3, objects, []).encode()
    yield case_text(2, objects, [judgement], {"POL-SYSTEM": "符合"}).encode()
    yield case_text(1, objects, [], fill_na=False).encode()
    try:  # the golden cases: D/A/K judgements, management, a high risk, a compensation, risks
        from test_assess_golden import OWN_JUDGEMENTS, OWN_MANAGEMENT, OWN_OBJECTS  # type: ignore[import-not-found]
    except ImportError:
        return
    own = case_text(3, OWN_OBJECTS, OWN_JUDGEMENTS, OWN_MANAGEMENT)
    yield own.encode()
    yield (own + "high_risks:\n  - {indicator: NET-AUTH, object: net-tls, mitigated: false, reason: 未使用合规算法}\n").encode()
    judgements = [j for j in OWN_JUDGEMENTS if "APP-TCONF" not in j] + ["{object: app-web, indicator: APP-TCONF, D: false}"]
    extra = "compensations:\n  - {object: app-web, indicator: APP-TCONF, by: [net-tlcp, NET-CONF], reason: 网络层TLCP覆盖}\nrisks:\n  - {indicator: NET-ACL, level: 低, recommendation: 建议启用访问控制信息完整性保护}\n"
    yield case_text(3, OWN_OBJECTS, judgements, OWN_MANAGEMENT, extra=extra, scoring="{rule_set: quant-2021}").encode()


def fuzz_ssh_packets(data: bytes) -> None:
    """The SSH analyzer on two byte streams (byte 0 says where the client's ends): banner, binary
    packets, KEXINIT, KEX replies, host keys -> the ``proto.ssh.channel`` judgement; and the probe's
    reply parsers (host key, signature check) on the server stream's packets. Never raises."""
    from mptool.proto.judge.ssh import channel_result
    from mptool.proto.ssh import packet as P
    from mptool.proto.ssh.client import verify_signature
    from mptool.proto.ssh.stream import SSHConnection
    from mptool.proto.wire import DecodeError

    if not data:
        return
    cut = 1 + data[0] * (len(data) - 1) // 255
    sides = (data[1:cut], data[cut:])
    conn = SSHConnection((("192.0.2.1", 40000), ("192.0.2.2", 22)), 1, None)
    for i, chunk in enumerate(sides):
        for k in range(0, len(chunk), 512):
            conn.feed(i, chunk[k : k + 512], 2 + k)
    channel_result(conn, "fuzz", 1)
    pos = 0
    for _ in range(8):
        try:
            got = P.split_packet(sides[1], pos)
        except DecodeError:
            return
        if got is None or not got[0]:
            return
        payload, pos = got
        try:
            reply = P.parse_kex_reply(payload, payload[0])
            P.parse_host_key(reply.host_key_blob)
        except DecodeError:
            continue
        verify_signature(reply.host_key_blob, reply.signature, b"H")


def _ssh_seeds() -> Iterator[bytes]:
    from mptool.proto.ssh import packet as P

    names = {key: ["curve25519-sha256", "ext-info-c"] if key.startswith("kex") else ["ssh-ed25519"] if "host" in key else ["aes128-ctr"] if "encryption" in key else ["hmac-sha2-256"] if "mac" in key else ["none"] for key in P.KEXINIT_LISTS}
    kex = P.make_packet(P.build_kexinit(names, bytes(16)))
    key = P.ssh_string(b"ssh-ed25519") + P.ssh_string(bytes(32))
    rsa = P.ssh_string(b"ssh-rsa") + P.ssh_mpint(65537) + P.ssh_mpint((1 << 2047) + 1)
    for blob in (key, rsa):
        reply = P.make_packet(b"\x1f" + P.ssh_string(blob) + P.ssh_string(bytes(32)) + P.ssh_string(P.ssh_string(b"ssh-ed25519") + P.ssh_string(bytes(64))))
        client = b"SSH-2.0-client\r\n" + kex + P.make_packet(b"\x1e" + P.ssh_string(bytes(32))) + P.make_packet(b"\x15")
        server = b"SSH-2.0-server\r\n" + kex + reply + P.make_packet(b"\x15")
        yield bytes([len(client) * 255 // (len(client) + len(server))]) + client + server
    yield b"\x80SSH-1.5-old\r\nSSH-1.99-server\r\n"



#: the SM2 private key of the key seeds and of the ciphertext harness (GB/T 32918.4 Annex A's d_B on sm2p256v1)
_FUZZ_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8


@functools.lru_cache(maxsize=1)
def _chain_tail() -> tuple[bytes, ...]:
    from mptool.core.pem import pem_blocks

    tongsuo = VECTORS / "certs/sm2/tlcp/tongsuo"
    return tuple(block.der for name in ("sub-ca.pem", "root-ca.pem") for block in pem_blocks((tongsuo / name).read_bytes(), frozenset({"CERTIFICATE"})))


def _chain_harness() -> Harness:
    """``certificate-chain``: mptool instrumented without mptool.algo, the unchanged sub-CA and
    root parsed once per long-run process (tests/fuzz/cheap.py)."""
    from tests.fuzz.cheap import PROTO_EXCLUDE, PROTO_INSTRUMENT, memoize_certificates

    return Harness("certificate-chain", fuzz_certificate_chain, _der_certificate_seeds, instrument=PROTO_INSTRUMENT, exclude=PROTO_EXCLUDE, setup=memoize_certificates)


HARNESSES: dict[str, Harness] = {
    h.name: h
    for h in (
        Harness("certificate", fuzz_certificate, _certificate_seeds),
        _chain_harness(),
        Harness("crl", fuzz_crl, _files("vectors/certs/nist-pkits/crls/*.crl")),
        Harness("seal-keys", fuzz_seal_keys, _key_seeds),
        Harness("algo-keys", fuzz_algo_keys, _key_seeds),
        Harness("vectors", fuzz_vectors, _vector_seeds),
        Harness("vector-run", fuzz_vector_run, _vector_seeds),
        Harness("rng-reader", fuzz_rng_reader, _rng_seeds),
        Harness("rng-params", fuzz_rng_params, _param_seeds),
        Harness("pem", fuzz_pem, _files("vectors/certs/rsa/*.pem", "vectors/certs/ecdsa/*.pem", "vectors/pcaps/*.pem")),
        Harness("sm2-codecs", fuzz_sm2_codecs, _sm2_seeds),
        Harness("assessment", fuzz_assessment, _assessment_seeds),
        Harness("data-export", fuzz_data_export, _data_seeds),
    )
}

from tests.fuzz.proto_harnesses import PROTO_HARNESSES  # noqa: E402 (needs Harness and the helpers above)

HARNESSES.update(PROTO_HARNESSES)
