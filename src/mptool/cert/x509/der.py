"""Raw DER slices of a certificate: the TBS exactly as received (CERT-SIG-001) and its parts.

A tiny TLV walker, used only to cut the original bytes out of the encoding; the content is
decoded by pyasn1 (strictly, through pyasn1-fasder) and by cryptography.
"""

from __future__ import annotations

from dataclasses import dataclass


class TLVError(ValueError):
    """The bytes are not a well-formed tag-length-value element."""


@dataclass(frozen=True)
class TLV:
    """One element: its tag byte, where its content starts and where the element ends."""

    tag: int
    start: int  #: offset of the tag byte
    content: int  #: offset of the first content byte
    end: int  #: offset just past the content

    def raw(self, data: bytes) -> bytes:
        """The whole element (tag, length and content)."""
        return data[self.start : self.end]

    def value(self, data: bytes) -> bytes:
        """The content octets."""
        return data[self.content : self.end]


def read_tlv(data: bytes, offset: int = 0) -> TLV:
    """Read the element at ``offset`` (single-byte tags, definite lengths only)."""
    if offset + 2 > len(data):
        raise TLVError(f"truncated element at offset {offset}")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise TLVError(f"multi-byte tag at offset {offset}")
    first = data[offset + 1]
    pos = offset + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise TLVError(f"indefinite length at offset {offset} (BER, not DER)")
    else:
        count = first & 0x7F
        if pos + count > len(data):
            raise TLVError(f"truncated length at offset {offset}")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise TLVError(f"element at offset {offset} runs past the end of the data")
    return TLV(tag, offset, pos, pos + length)


def children(data: bytes, parent: TLV) -> list[TLV]:
    """The elements directly inside a constructed element."""
    items: list[TLV] = []
    pos = parent.content
    while pos < parent.end:
        item = read_tlv(data, pos)
        items.append(item)
        pos = item.end
    return items


@dataclass(frozen=True)
class CertificateSlices:
    """The original encodings of a certificate's parts."""

    tbs: bytes  #: tbsCertificate, as signed
    tbs_signature_algorithm: bytes  #: tbsCertificate.signature (AlgorithmIdentifier TLV)
    signature_algorithm: bytes  #: Certificate.signatureAlgorithm (AlgorithmIdentifier TLV)
    signature_bits: bytes  #: BIT STRING content of signatureValue (first byte: unused bits)
    trailing: int  #: bytes after the outer SEQUENCE


def slice_certificate(der: bytes) -> CertificateSlices:
    """Cut a DER certificate into its signed part and signature (RFC 5280 §4.1)."""
    outer = read_tlv(der)
    if outer.tag != 0x30:
        raise TLVError("not a SEQUENCE")
    parts = children(der, outer)
    if len(parts) != 3:
        raise TLVError(f"Certificate has {len(parts)} elements, expected 3")
    tbs, alg, sig = parts
    if sig.tag != 0x03:
        raise TLVError("signatureValue is not a BIT STRING")
    tbs_parts = children(der, tbs)
    index = 1 if tbs_parts and tbs_parts[0].tag == 0xA0 else 0
    if len(tbs_parts) <= index + 1:
        raise TLVError("tbsCertificate too short")
    return CertificateSlices(
        tbs=tbs.raw(der),
        tbs_signature_algorithm=tbs_parts[index + 1].raw(der),
        signature_algorithm=alg.raw(der),
        signature_bits=sig.value(der),
        trailing=len(der) - outer.end,
    )


def slice_signed(der: bytes) -> tuple[bytes, bytes]:
    """(to-be-signed bytes, signature BIT STRING content) of any SIGNED{} structure (e.g. a CRL)."""
    outer = read_tlv(der)
    parts = children(der, outer)
    if outer.tag != 0x30 or len(parts) != 3 or parts[2].tag != 0x03:
        raise TLVError("not a SEQUENCE{tbs, algorithm, BIT STRING}")
    return parts[0].raw(der), parts[2].value(der)
