"""``algo identify``: which algorithm, mode, padding and layout turn this plaintext into this ciphertext?

Tries SM4, AES, DES and 3DES (as the key length allows) in ECB/CBC/CFB/CFB8/OFB/CTR/GCM/CCM/XTS
with PKCS#7, zero or no padding, the IV given, prefixed to the ciphertext or all-zero, AEAD tags
given or appended, both XTS tweak conventions, and, for a 32-byte key, SM2 decryption in every
GB/T 35276 encoding. Every match is reported with its strength:

* strong: an authenticated mode whose tag verifies (>= 8 bytes), or SM2 whose C3 verifies;
* medium: an unauthenticated mode reproducing two or more blocks;
* weak: one block or less (e.g. a single ECB block, which CBC with a zero IV also explains).

The work is bounded whatever the size of the values (issue 21: 8 MiB took minutes): an
unauthenticated mode is compared on the first :data:`PREFIX_BYTES` bytes (ECB and CBC also on
the last block, which holds the padding), and an authenticated mode's full decryption runs only
for a candidate whose CTR keystream reproduces that prefix. The evidence records the bound
(``parameters.comparison``) and each match says how many bytes it compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mptool.algo.primitives import ciphers
from mptool.core.model import Finding, Severity, Status
from mptool.core.registry import register
from mptool.core.report import ReportBuilder

SPEC = register(
    "algo.identify.match",
    "Algorithm, mode and encoding that reproduce a captured ciphertext",
    "GB/T 39786-2021 §6-§9 (algorithm compliance of the system's use); GB/T 17964-2021; GB/T 35276-2017 §7.2",
    """Search algorithms x modes x paddings x IV layouts x SM2 encodings for those that turn the
    captured plaintext into the captured ciphertext under the key, and rate each match: an
    authenticated mode or SM2's C3 is strong evidence, two or more unauthenticated blocks medium,
    a single block weak. No match at all is a failure.""",
    {
        "algo.identify.no_match": "no algorithm, mode and encoding tried reproduces the ciphertext from the plaintext and key",
        "algo.identify.weak_evidence": "the match rests on weak evidence (a single unauthenticated block)",
    },
)

PADDINGS = ("pkcs7", "zero", "none")
#: bytes of each candidate compared before the rest is skipped (a whole number of 16-byte blocks)
PREFIX_BYTES = 4096


@dataclass(frozen=True)
class Match:
    """One combination that reproduces the ciphertext."""

    algorithm: str
    mode: str
    detail: dict[str, object]
    strength: str
    reason: str

    @property
    def name(self) -> str:
        """e.g. ``SM4-CBC``."""
        return f"{self.algorithm.upper()}-{self.mode.upper()}" if self.mode else self.algorithm.upper()


def _ciphers_for(key: bytes) -> Iterator[tuple[str, str]]:
    for name, info in ciphers.CIPHERS.items():
        if len(key) in info.key_sizes:
            yield name, ""
        if info.block_size == 16 and len(key) in tuple(2 * k for k in info.key_sizes):
            yield name, "xts"


def _iv_layouts(given: bytes | None, ciphertext: bytes, size: int) -> Iterator[tuple[str, bytes, bytes]]:
    """(layout name, iv, ciphertext body)."""
    if given is not None:
        yield "iv given", given, ciphertext
    if len(ciphertext) > size:
        yield "iv prefixed to the ciphertext", ciphertext[:size], ciphertext[size:]
    yield "all-zero iv", bytes(size), ciphertext


def _strength_unauthenticated(compared: int, block: int, total: int | None = None) -> tuple[str, str]:
    of = f" (of {total}: the comparison is bounded)" if total is not None and total > compared else ""
    if compared >= 2 * block:
        return "medium", f"{compared} bytes{of} reproduced by an unauthenticated mode"
    return "weak", f"only {compared} bytes (at most one block) reproduced: other modes may explain them too"


def _block_reproduces(name: str, mode: str, key: bytes, data: bytes, body: bytes, iv: bytes, block: int) -> int:
    """Bytes compared when ECB/CBC turns ``data`` into ``body`` (0: it does not): everything when
    short, else the first PREFIX_BYTES and the last block (chained on the previous ciphertext block)."""
    if len(data) <= PREFIX_BYTES + block:
        return len(data) if ciphers.encrypt(name, mode, key, data, iv=iv)[0] == body else 0
    if ciphers.encrypt(name, mode, key, data[:PREFIX_BYTES], iv=iv)[0] != body[:PREFIX_BYTES]:
        return 0
    previous = body[-2 * block : -block] if mode == "cbc" else b""
    if ciphers.encrypt(name, mode, key, data[-block:], iv=previous)[0] != body[-block:]:
        return 0
    return PREFIX_BYTES + block


def _try_block_modes(name: str, key: bytes, plaintext: bytes, ciphertext: bytes, iv: bytes | None) -> Iterator[tuple[Match | None, int]]:
    block = ciphers.CIPHERS[name].block_size
    for padding in PADDINGS:
        data = ciphers.pad(plaintext, block, padding)
        if padding == "zero" and data == plaintext:
            continue
        if len(data) % block:
            continue
        if len(data) == len(ciphertext):
            compared = _block_reproduces(name, "ecb", key, data, ciphertext, b"", block)
            yield (Match(name, "ecb", {"padding": padding}, *_strength_unauthenticated(compared, block, len(data))) if compared else None), 1
        for layout, this_iv, body in _iv_layouts(iv, ciphertext, block):
            if len(body) != len(data) or len(this_iv) != block:
                continue
            compared = _block_reproduces(name, "cbc", key, data, body, this_iv, block)
            hit = Match(name, "cbc", {"padding": padding, "iv": layout}, *_strength_unauthenticated(compared, block, len(data))) if compared else None
            yield hit, 1


def _try_stream_modes(name: str, key: bytes, plaintext: bytes, ciphertext: bytes, iv: bytes | None) -> Iterator[tuple[Match | None, int]]:
    block = ciphers.CIPHERS[name].block_size
    for mode in ("cfb", "cfb8", "ofb", "ctr"):
        for layout, this_iv, body in _iv_layouts(iv, ciphertext, block):
            if len(body) != len(plaintext) or len(this_iv) != block:
                continue
            ct, _ = ciphers.encrypt(name, mode, key, plaintext[:PREFIX_BYTES], iv=this_iv)  # a stream mode's prefix is the prefix's encryption
            compared = len(ct)
            yield (Match(name, mode, {"iv": layout}, *_strength_unauthenticated(compared, block, len(plaintext))) if ct == body[:compared] else None), 1


def _keystream_counter(mode: str, nonce: bytes) -> bytes | None:
    """The first CTR block that encrypts the data of GCM (96-bit nonce: nonce || 2, SP 800-38D
    §7.1) or CCM (flags L-1 || nonce || 1, SP 800-38C A.3); None when it is not that simple."""
    if mode == "gcm":
        return nonce + (2).to_bytes(4, "big") if len(nonce) == 12 else None
    size = 15 - len(nonce)
    return bytes([size - 1]) + nonce + (1).to_bytes(size, "big")


def _aead_prefix_differs(name: str, mode: str, key: bytes, nonce: bytes, plaintext: bytes, ct: bytes) -> bool:
    """Whether the CTR keystream of a long AEAD candidate already fails on the first PREFIX_BYTES
    (then its full decryption and tag check cannot match and are skipped)."""
    counter = _keystream_counter(mode, nonce)
    if len(plaintext) <= PREFIX_BYTES or counter is None:
        return False
    head, _ = ciphers.encrypt(name, "ctr", key, plaintext[:PREFIX_BYTES], iv=counter)
    return head != ct[:PREFIX_BYTES]


def _try_aead(name: str, key: bytes, plaintext: bytes, ciphertext: bytes, iv: bytes | None, aad: bytes, tag: bytes | None) -> Iterator[tuple[Match | None, int]]:
    nonces = [("iv given", iv, ciphertext)] if iv is not None else []
    if len(ciphertext) > 12:
        nonces.append(("nonce prefixed to the ciphertext", ciphertext[:12], ciphertext[12:]))
    for mode in ("gcm", "ccm"):
        for layout, nonce, body in nonces:
            if nonce is None or (mode == "ccm" and not 7 <= len(nonce) <= 13):
                continue
            splits = [(body, tag)] if tag is not None else [(body[:-t], body[-t:]) for t in (16, 12, 8, 4) if len(body) >= t]
            for ct, this_tag in splits:
                if len(ct) != len(plaintext) or this_tag is None:
                    continue
                if _aead_prefix_differs(name, mode, key, nonce, plaintext, ct):
                    yield None, 1
                    continue
                try:
                    got = ciphers.decrypt(name, mode, key, ct, iv=nonce, aad=aad, tag=this_tag)
                except ValueError:  # includes AuthenticationError
                    yield None, 1
                    continue
                if got == plaintext:
                    strength = "strong" if len(this_tag) >= 8 else "medium"
                    yield Match(name, mode, {"nonce": layout, "tag_bytes": len(this_tag), "tag": "given" if tag is not None else "appended"}, strength, f"the {8 * len(this_tag)}-bit tag verifies"), 1
                else:
                    yield None, 1


def _try_xts(name: str, key: bytes, plaintext: bytes, ciphertext: bytes, iv: bytes | None) -> Iterator[tuple[Match | None, int]]:
    if len(plaintext) < 16:
        return
    for layout, tweak, body in _iv_layouts(iv, ciphertext, 16):
        if len(body) != len(plaintext) or len(tweak) != 16:
            continue
        # whole blocks before the last two (ciphertext stealing) do not depend on the length
        compared = PREFIX_BYTES if len(plaintext) > PREFIX_BYTES + 32 else len(plaintext)
        for convention in (ciphers.XTS_GB, ciphers.XTS_IEEE):
            ct, _ = ciphers.encrypt(name, "xts", key, plaintext[:compared], iv=tweak, xts_convention=convention)
            standard = "GB/T 17964-2021" if convention == ciphers.XTS_GB else "IEEE 1619"
            hit = Match(name, "xts", {"tweak": layout, "xts_standard": standard}, *_strength_unauthenticated(compared, 16, len(plaintext))) if ct == body[:compared] else None
            yield hit, 1


def _try_sm2(key: bytes, plaintext: bytes, ciphertext: bytes) -> Iterator[tuple[Match | None, int]]:
    from mptool.algo import sm2

    if len(key) != 32:
        return
    for curve in (sm2.SM2P256V1, sm2.SM2_TEST_CURVE):
        d = int.from_bytes(key, "big")
        try:
            curve.check_private_key(d)
            result = sm2.decrypt(d, ciphertext, order="auto", curve=curve)
        except sm2.SM2Error:
            yield None, 1
            continue
        hit = result.plaintext == plaintext
        yield (Match("sm2", "", {"curve": curve.name, "encoding": result.encoding}, "strong", "C3 = SM3(x2 || M || y2) verifies") if hit else None), 1


def search(key: bytes, plaintext: bytes, ciphertext: bytes, iv: bytes | None = None, aad: bytes = b"", tag: bytes | None = None) -> tuple[list[Match], int]:
    """Every match and the number of combinations tried."""
    matches: list[Match] = []
    tried = 0
    generators = []
    for name, kind in _ciphers_for(key):
        if kind == "xts":
            generators.append(_try_xts(name, key, plaintext, ciphertext, iv))
            continue
        generators.append(_try_block_modes(name, key, plaintext, ciphertext, iv))
        generators.append(_try_stream_modes(name, key, plaintext, ciphertext, iv))
        if ciphers.CIPHERS[name].block_size == 16:
            generators.append(_try_aead(name, key, plaintext, ciphertext, iv, aad, tag))
    generators.append(_try_sm2(key, plaintext, ciphertext))
    for gen in generators:
        for match, count in gen:
            tried += count
            if match is not None:
                matches.append(match)
    return matches, tried


def identify(builder: ReportBuilder, key: bytes, plaintext: bytes, ciphertext: bytes, iv: bytes | None, aad: bytes, tag: bytes | None) -> None:
    """Add one result per match (or one failure when nothing matches) to ``builder``."""
    matches, tried = search(key, plaintext, ciphertext, iv, aad, tag)
    builder.parameters.update(candidates_tried=tried, ciphers=sorted(ciphers.CIPHERS), paddings=list(PADDINGS), sm2_curves=["sm2p256v1", "sm2-test-fp256"])
    builder.parameters["comparison"] = {
        "prefix_bytes": PREFIX_BYTES,
        "bounded": len(plaintext) > PREFIX_BYTES,
        "rule": "unauthenticated modes compare the first prefix_bytes (ECB/CBC also the last block); "
        "GCM/CCM are decrypted and their tag checked in full only when their keystream reproduces that prefix",
    }
    builder.summary_extra["matches"] = len(matches)
    if not matches:
        finding = Finding(code="algo.identify.no_match", severity=Severity.ERROR, message=f"none of {tried} combinations reproduces the ciphertext from the plaintext and key")
        builder.add(SPEC.result(Status.FAIL, subject="ciphertext", measurements={"candidates_tried": tried}, findings=[finding]))
        return
    for match in matches:
        findings = []
        if match.strength == "weak":
            findings.append(Finding(code="algo.identify.weak_evidence", severity=Severity.WARN, message=match.reason))
        status = Status.WARN if match.strength == "weak" else Status.PASS
        measurements = {"algorithm": match.algorithm.upper(), "mode": match.mode.upper(), "strength": match.strength, "evidence": match.reason, **match.detail}
        builder.add(SPEC.result(status, subject=match.name, measurements=measurements, findings=findings))
