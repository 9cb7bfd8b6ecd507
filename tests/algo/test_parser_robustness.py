"""Damaged vector files never crash the loader or the runner: a parse either succeeds or raises
VectorFormatError (which the CLI turns into exit 3), and every parsed vector runs to a verdict."""

from __future__ import annotations

import copy
import re
import time
import json

from algo_support import VECTORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from mptool.algo.vectors import handlers as kat
from mptool.algo.vectors import loader
from mptool.algo.vectors.cavp import VectorFormatError

SAMPLES = [
    VECTORS / "aes/cavp/CBC/CBCMMT128.rsp",
    VECTORS / "aes/cavp/CCM/DVPT128.rsp",
    VECTORS / "aes/mct/CFB8MCT128.rsp",
    VECTORS / "aes/xts/XTSGenAES128.rsp",
    VECTORS / "tdes/cavp/CFB/TCFB1MMT1.rsp",
    VECTORS / "rsa/cavp/SigVerPSS_186-3.rsp",
    VECTORS / "sha/SHA1Monte.rsp",
    VECTORS / "hmac/rfc-4231-sha256.txt",
    VECTORS / "rsa/pkcs1-v2.1/pss-vect.txt",
    VECTORS / "gm/gm_standard_examples.json",
    VECTORS / "wycheproof/aes_ccm_test.json",
    VECTORS / "extra/acvp/ACVP-AES-ECB-1.0-prompt.json",
]
HEADS = {p: p.read_bytes()[:6000] for p in SAMPLES}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(SAMPLES),
    cut=st.integers(0, 6000),
    position=st.integers(0, 6000),
    junk=st.binary(max_size=12) | st.sampled_from([b"=", b"[", b"\n", b"zz", b'"', b"}", b"COUNT = ", b"# Modulus:\n"]),
)
def test_damaged_files_give_format_errors_or_verdicts(sample, cut: int, position: int, junk: bytes) -> None:
    data = HEADS[sample][:cut]
    data = data[:position] + junk + data[position:]
    try:
        parsed = loader.load(loader.Source(sample.name, data))
    except VectorFormatError:
        return
    for vector in parsed.vectors[:20]:
        assert kat.run_vector(vector).status in (kat.PASS, kat.FAIL, kat.SKIP)


JSON_SAMPLES = [
    VECTORS / "gm/gm_standard_examples.json",
    VECTORS / "wycheproof/aes_gcm_test.json",
    VECTORS / "extra/wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json",
    VECTORS / "extra/acvp/ACVP-AES-ECB-1.0-prompt.json",
]
PARSED = {p: json.loads(p.read_text()) for p in JSON_SAMPLES}


def _paths(node, prefix=()):  # every (container, key) path of a JSON document
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


PATHS = {p: list(_paths(PARSED[p]))[:4000] for p in JSON_SAMPLES}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(JSON_SAMPLES),
    index=st.integers(0, 3999),
    value=st.sampled_from([None, 0, -1, 2**70, 1.5, True, "", "zz", "0", [], {}, [1], {"a": 1}]),
)
def test_structurally_damaged_json_gives_format_errors_or_verdicts(sample, index: int, value) -> None:
    document = copy.deepcopy(PARSED[sample])
    path = PATHS[sample][index % len(PATHS[sample])]
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    files = [(sample.name, json.dumps(document).encode())]
    if sample.name.startswith("ACVP"):
        files.append(("expected.json", (VECTORS / "extra/acvp/ACVP-AES-ECB-1.0-expectedResults.json").read_bytes()))
    try:
        for source in loader.pair_sources(files):
            parsed = loader.load(source)
            for vector in parsed.vectors[:30]:
                assert kat.run_vector(vector).status in (kat.PASS, kat.FAIL, kat.SKIP)
    except VectorFormatError:
        return


def test_pss_salt_length_beyond_the_backend_range_is_a_verdict() -> None:
    """A damaged PSS vector with sLen = 2^70 (found by hypothesis): rejected, not an OverflowError."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from mptool.algo.vectors.model import Vector

    numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_numbers()
    vector = Vector("rsa", "pss", "verify", {"n": numbers.n, "e": numbers.e, "sig": bytes(256), "msg": b"m", "hash": "sha256", "salt_len": 2**70}, "damaged")
    try:
        kat._rsa_verify(vector)
    except kat.Rejected as exc:
        assert "rejected" in str(exc) or "verify" in str(exc)
    else:
        raise AssertionError("a zero signature cannot verify")


# issue 21: a line of one letter and a long whitespace run made the whole-line regular
# expressions backtrack quadratically (100 KB: about a minute); each line is now one pass.
_HOSTILE_RUN = " " * 200_000


@pytest.mark.parametrize(
    "text",
    [
        "COUNT = 0\nA" + _HOSTILE_RUN + "B\n",  # CAVP record line: no '=' after the run
        "COUNT = 0\nA" + _HOSTILE_RUN + "\tB = 1\n",
        "\n" * 200_000 + " " * 200_000,  # CAVP detection over blank lines
        "# Modulus:\n# Example\n# X" + _HOSTILE_RUN + "Y\n",  # PKCS#1 example title
        "# Modulus:\n# Example\n#" + _HOSTILE_RUN + "x" * 200_000 + "\n",  # PKCS#1 series header
        "# Modulus:\n# Example\n# A" + _HOSTILE_RUN + "B:\n",  # PKCS#1 field label
    ],
)
def test_long_whitespace_runs_parse_in_linear_time(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(VectorFormatError):
        loader.load(loader.Source("hostile.rsp", text.encode()))
    assert time.perf_counter() - start < 2.0


def test_linear_line_parsing_keeps_names_and_values() -> None:
    from mptool.algo.vectors import cavp

    _header, records = cavp.parse_records("# SM3\nCOUNT = 0\n  Len\t =  8 \nMsg = 61\nMD = ab=cd\n", "x")
    assert records == [(2, {}, {"count": "0", "len": "8", "msg": "61", "md": "ab=cd"})]
    for bad in ("COUNT = 0\n1A = 2\n", "COUNT = 0\nA\tB = 2\n", "COUNT = 0\nA-B = 2\n", "COUNT = 0\nnoequals\n"):
        with pytest.raises(VectorFormatError, match="expected 'NAME = value'"):
            cavp.parse_records(bad, "x")
    assert cavp.looks_like("x\n  Count\t= 1") and not cavp.looks_like("Country = 1\nCOUNTS = 2")


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("e", "-001", "e must be a positive hex integer"),  # found by fuzz vector-run: OverflowError, exit 128
        ("e", "0", "e must be a positive hex integer"),
        ("n", "0x10001", "n must be a positive hex integer"),  # int(…, 16) took the prefix
        ("n", "1_0", "n must be a positive hex integer"),  # and underscores
    ],
)
def test_rsa_modulus_and_exponent_are_positive_hex(field: str, value: str, problem: str) -> None:
    text = (VECTORS / "rsa/cavp/SigVerPSS_186-3.rsp").read_text(encoding="utf-8")
    damaged = re.sub(rf"(?m)^{field} = [0-9a-fA-F]+$", f"{field} = {value}", text, count=1)
    assert damaged != text
    with pytest.raises(VectorFormatError, match=problem):
        loader.load(loader.Source("damaged.rsp", damaged.encode()))


def test_counts_are_decimal_digits_only() -> None:
    text = (VECTORS / "aes/xts/XTSGenAES128.rsp").read_text(encoding="utf-8")
    damaged = re.sub(r"(?m)^DataUnitLen = \d+", "DataUnitLen = -128", text, count=1)
    assert damaged != text
    with pytest.raises(VectorFormatError, match="DataUnitLen must be a decimal integer"):
        loader.load(loader.Source("damaged.rsp", damaged.encode()))


def test_der_key_of_an_unknown_algorithm_is_unsupported() -> None:
    """fuzz vector-run: a PKCS#8/SPKI DER whose algorithm OID cryptography does not know raised
    UnsupportedAlgorithm (exit 128); it is an unsupported vector now."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    rsa_oid = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1
    unknown = bytes.fromhex("2a864886f70d010102")  # not a key algorithm
    private = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()).replace(rsa_oid, unknown)
    public = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo).replace(rsa_oid, unknown)
    with pytest.raises(kat.Unsupported, match="private key refused"):
        kat._rsa_private({"private_der": private})
    with pytest.raises(kat.Unsupported, match="public key refused"):
        kat._rsa_public({"public_der": public})
