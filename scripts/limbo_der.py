"""DER surgery for the limbo cases that cryptography's builder cannot express (mptool's own code).

A certificate is re-assembled from its tbsCertificate with one field replaced and re-signed
(deterministic ECDSA), or with its outer signatureAlgorithm swapped.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from limbo_build import Case, Node, pem_of

ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")
ECDSA_SHA384 = bytes.fromhex("300a06082a8648ce3d040303")


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def elements(data: bytes) -> list[bytes]:
    """The encoded TLVs directly inside ``data`` (the content of a constructed value)."""
    out, pos = [], 0
    while pos < len(data):
        length, head = data[pos + 1], 2
        if length & 0x80:
            count = length & 0x7F
            length, head = int.from_bytes(data[pos + 2 : pos + 2 + count], "big"), 2 + count
        out.append(data[pos : pos + head + length])
        pos += head + length
    return out


def content(encoded: bytes) -> bytes:
    length, head = encoded[1], 2
    if length & 0x80:
        head = 2 + (length & 0x7F)
    return encoded[head:]


def split_cert(cert: x509.Certificate) -> tuple[bytes, bytes, bytes]:
    tbs, alg, sig = elements(content(cert.public_bytes(serialization.Encoding.DER)))
    return tbs, alg, sig


def assemble(tbs: bytes, signer: ec.EllipticCurvePrivateKey) -> bytes:
    signature = signer.sign(tbs, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    return tlv(0x30, tbs + ECDSA_SHA256 + tlv(0x03, b"\x00" + signature))


def replace_tbs_field(cert: x509.Certificate, index: int, value: bytes) -> bytes:
    tbs, _alg, _sig = split_cert(cert)
    fields = elements(content(tbs))
    fields[index] = value
    return tlv(0x30, b"".join(fields))


def swap_outer_algorithm(cert: x509.Certificate) -> str:
    """``cert`` with signatureAlgorithm ecdsa-with-SHA384 while tbsCertificate.signature stays SHA-256."""
    tbs, _alg, sig = split_cert(cert)
    return pem_of(tlv(0x30, tbs + ECDSA_SHA384 + sig))


def negate_serial(node: Node) -> str:
    """A self-signed ``node`` re-issued with serial number -1 (not encodable through cryptography)."""
    return pem_of(assemble(replace_tbs_field(node.cert, 1, bytes.fromhex("0201ff")), node.key))


#: SubjectPublicKeyInfo of rsaEncryption with an empty BIT STRING (an unusable RSA key)
BROKEN_RSA_SPKI = bytes.fromhex("3012300d06092a864886f70d0101010500030100")


def broken_rsa_intermediate(c: Case, parent: Node) -> tuple[str, Node]:
    """An intermediate under ``parent`` whose public key is an unparsable RSA key; the returned
    Node carries a stand-in key so that a leaf "signed by" it can be built."""
    stand_in = c.ica(parent, subject="CN=x509-limbo-invalid-issuer-key", ski=None)
    tbs = replace_tbs_field(stand_in.cert, 6, BROKEN_RSA_SPKI)
    return pem_of(assemble(tbs, parent.key)), stand_in


def _int(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big")
    return tlv(0x02, raw)


P256 = {
    "p": 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    "a": 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    "b": 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    "gx": 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    "gy": 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    "n": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
}


def explicit_spki(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The SPKI of a P-256 key with the curve given as explicit ECParameters (RFC 3279 §2.3.5)."""
    p = P256
    field_id = tlv(0x30, tlv(0x06, bytes.fromhex("2a8648ce3d0101")) + _int(p["p"]))
    curve = tlv(0x30, tlv(0x04, p["a"].to_bytes(32, "big")) + tlv(0x04, p["b"].to_bytes(32, "big")))
    base = tlv(0x04, b"\x04" + p["gx"].to_bytes(32, "big") + p["gy"].to_bytes(32, "big"))
    params = tlv(0x30, _int(1) + field_id + curve + base + _int(p["n"]) + _int(1))
    algorithm = tlv(0x30, tlv(0x06, bytes.fromhex("2a8648ce3d0201")) + params)
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return tlv(0x30, algorithm + tlv(0x03, b"\x00" + point))


def with_explicit_curve(node: Node, signer: ec.EllipticCurvePrivateKey) -> str:
    """``node`` re-issued with its key in explicit-curve form, signed by ``signer``."""
    return pem_of(assemble(replace_tbs_field(node.cert, 6, explicit_spki(node.key)), signer))

