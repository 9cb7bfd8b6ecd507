"""Issue 20: the strict DER walk (mptool.cert.x509.strict) never accepts what pyasn1-fasder refuses.

The walk replaces fasder's decode only when its own rules, stricter than fasder's, all hold; the
lint verdict CERT-FMT-001 (and its message) stays fasder's. For every bundled certificate and for
seeded random mutations of some of them: when the walk accepts, fasder accepts too, and the
fields, slices and key the walk reads equal those read from fasder's pyasn1 object.
"""

from __future__ import annotations

import random

from mptool.cert.x509 import parse, strict
from mptool.cert.x509.der import slice_certificate
from tests.cert.test_tbs_fast_path import _bundled, _crafted


def _agrees(der: bytes) -> bool | None:
    """None when the walk refuses; else whether fasder accepts and every view is equal."""
    walked = strict.walk(der)
    if walked is None:
        return None
    decoded, _error = parse._decode_strict(der)
    if decoded is None:
        return False
    spki = parse._spki_from_asn1(decoded["tbsCertificate"]["subjectPublicKeyInfo"])
    key = parse._public_key_info(walked.key_algorithm, walked.key_parameters, walked.key_bits, 0, walked.key_curve)
    return parse._fields_from_asn1(decoded) == walked.fields and slice_certificate(der) == walked.slices and spki == key


def _mutations(der: bytes, rng: random.Random, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        b = bytearray(der)
        i = rng.randrange(len(b))
        kind = rng.randrange(4)
        if kind == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif kind == 1:
            b[i] = rng.choice([0x00, 0x01, 0x02, 0x05, 0x06, 0x13, 0x30, 0x31, 0x7F, 0x80, 0x81, 0xFF])
        elif kind == 2:
            del b[i]
        else:
            b.insert(i, rng.randrange(256))
        out.append(bytes(b))
    return out


def test_walk_agrees_with_fasder_on_every_bundled_certificate() -> None:
    cases = list(_bundled())
    verdicts = [_agrees(der) for der in cases]
    assert False not in verdicts
    walked = sum(v is True for v in verdicts)
    assert walked > 400 and walked < len(cases)  # most are walked; a few are left to fasder


def test_walk_refuses_the_crafted_non_der_variants() -> None:
    der = next(d for d in _bundled() if strict.walk(d) is not None and bytes.fromhex("0101ff") in d and bytes.fromhex("034200") in d)
    for variant in _crafted(der):
        assert strict.walk(variant) is None
        assert parse._decode_strict(variant)[0] is None


def test_walk_never_accepts_a_mutation_fasder_refuses() -> None:
    rng = random.Random(20)
    cases = list(_bundled())
    accepted = 0
    for der in cases[:: len(cases) // 8]:
        for mutated in _mutations(der, rng, 600):
            verdict = _agrees(mutated)
            assert verdict is not False, mutated.hex()
            accepted += verdict is True
    assert accepted > 500  # the mutations reached the accepting path, not only refusals


def test_oid_rules_are_fasders() -> None:
    """fasder refuses OIDs of fewer than three arcs, a first sub-identifier of 120 or more and
    arcs beyond 32 bits; the walk refuses them as well (and non-minimal sub-identifiers)."""
    for content in ("2a", "55", "7801", "883701", "2a8fffffff7f", "2a808001"):
        try:
            strict._oid(bytes.fromhex(content))
        except strict._Reject:
            continue
        raise AssertionError(content)
    assert strict._oid(bytes.fromhex("2a811ccf55018375")) == "1.2.156.10197.1.501"
    assert strict._oid(bytes.fromhex("770101")) == "2.39.1.1"


def test_signature_value_walk_agrees_with_fasder() -> None:
    """(r, s) read by the walk equal fasder's, and the walk refuses whatever fasder refuses."""
    from pyasn1_fasder import decode_der
    from pyasn1_modules import rfc3279

    from mptool.cert.x509.signature import SignatureVerdict, decode_sm2_signature

    rng = random.Random(3)
    bodies = [parse.parse_certificate(der, "t").slices.signature_bits[1:] for der in list(_bundled())[::50]]
    bodies = [b for b in bodies if b[:1] == b"\x30"]
    assert bodies
    accepted = 0
    for body in bodies + [m for b in bodies for m in _mutations(b, rng, 300)]:
        walked = strict.walk_signature_value(body)
        if walked is None:
            continue
        decoded, _ = decode_der(body, asn1Spec=rfc3279.ECDSA_Sig_Value())
        assert (int(decoded["r"]), int(decoded["s"])) == walked
        accepted += 1
    assert accepted > len(bodies)
    non_minimal = decode_sm2_signature(b"\x00" + bytes.fromhex("300702020001020101"), 7)
    assert isinstance(non_minimal, SignatureVerdict) and non_minimal.rule == "CERT-SIG-002" and "strict DER" in non_minimal.reason
    zero = decode_sm2_signature(b"\x00" + bytes.fromhex("3006020100020101"), 7)
    assert isinstance(zero, SignatureVerdict) and zero.rule == "CERT-SIG-003"
    assert decode_sm2_signature(b"\x00" + bytes.fromhex("3006020102020103"), 7) == (2, 3)
