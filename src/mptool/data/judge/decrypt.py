"""Decrypting sampled values with a given key: which algorithm, mode and IV layout they use.

Without the plaintext (unlike ``algo identify``), a combination is judged by what the decryption
itself proves: an authenticated mode's tag verifies (GCM, strong), PKCS#7 padding is valid after
ECB/CBC decryption (a random key or layout gives valid padding for about 1 value in 256), or, for
the stream modes CTR/CFB/OFB which have neither, the plaintext is UTF-8 text. Every combination is
tried on the first :data:`PROBE` values; the best one is then applied to every sampled value.
The ciphers are those of :mod:`mptool.algo.api` (GB/T 32907-2016 SM4, FIPS 197 AES, GB/T 17964-2021 modes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mptool.algo import api as algo
from mptool.data.judge.encoding import is_text

PROBE = 32
#: Share of values that must decrypt for the algorithm, mode and layout to be established.
ESTABLISHED_SHARE = 0.5
BLOCK_MODES = ("ecb", "cbc")
STREAM_MODES = ("ctr", "cfb", "ofb")
AEAD_MODES = ("gcm",)
ALL_MODES = (*AEAD_MODES, *BLOCK_MODES, *STREAM_MODES)
#: Algorithms tried by ``--algorithm auto`` for a key of a given length.
AUTO_ALGORITHMS = ("sm4", "aes")
#: Algorithms that are commercial cryptographic (GM) algorithms.
APPROVED = frozenset({"sm4"})
_STRENGTH = {"gcm": 3, "ecb": 2, "cbc": 2, "ctr": 1, "cfb": 1, "ofb": 1}
GCM_NONCE = 12
GCM_TAG = 16


@dataclass(frozen=True)
class Candidate:
    """One algorithm, mode and IV layout."""

    algorithm: str
    mode: str
    layout: str  #: none | iv prefixed | iv appended | all-zero iv | iv given | nonce prefixed, tag appended | nonce given, tag appended
    order: int

    @property
    def name(self) -> str:
        return f"{self.algorithm.upper()}-{self.mode.upper()} ({self.layout})"


@dataclass
class Decryption:
    """What decrypting the sampled values established."""

    established: bool
    candidate: Candidate | None
    values: int
    decrypted: int  #: values with valid padding / verifying tag (stream modes: text plaintext)
    plaintext_text: int  #: decrypted values whose plaintext is UTF-8 text
    candidates_tried: int
    alternatives: list[str] = field(default_factory=list)
    ivs_distinct: int | None = None
    failed_positions: list[int] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.decrypted / self.values if self.values else 0.0

    def measurements(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "established": self.established,
            "values": self.values,
            "decrypted": self.decrypted,
            "decrypted_share": round(self.share, 4),
            "plaintext_text": self.plaintext_text,
            "candidates_tried": self.candidates_tried,
        }
        if self.candidate is not None:
            c = self.candidate
            out.update(
                algorithm=c.algorithm.upper(),
                mode=c.mode.upper(),
                iv_layout=c.layout,
                padding="pkcs7" if c.mode in BLOCK_MODES else "none",
                evidence={"gcm": "the GCM tag verifies", "ecb": "PKCS#7 padding is valid", "cbc": "PKCS#7 padding is valid"}.get(c.mode, "the plaintext is UTF-8 text"),
                approved_algorithm=c.algorithm in APPROVED,
            )
        if self.alternatives:
            out["alternatives"] = self.alternatives
        if self.ivs_distinct is not None:
            out["ivs_distinct"] = self.ivs_distinct
        if self.failed_positions:
            out["failed_positions"] = self.failed_positions[:20]
        return out


def candidates(key: bytes, algorithm: str, mode: str, iv: bytes | None) -> list[Candidate]:
    """Every combination to try for ``key`` (``algorithm``/``mode`` may be ``auto``)."""
    names = AUTO_ALGORITHMS if algorithm == "auto" else (algorithm,)
    names = tuple(n for n in names if len(key) in algo.CIPHERS[n].key_sizes)
    modes = ALL_MODES if mode == "auto" else (mode,)
    out: list[Candidate] = []
    for name in names:
        for m in modes:
            if m in AEAD_MODES and algo.CIPHERS[name].block_size != 16:
                continue
            if m == "ecb":
                layouts: tuple[str, ...] = ("none",)
            elif m in AEAD_MODES:
                layouts = (*(("nonce given, tag appended",) if iv is not None else ()), "nonce prefixed, tag appended")
            else:
                layouts = (*(("iv given",) if iv is not None else ()), "iv prefixed", "iv appended", "all-zero iv")
            out.extend(Candidate(name, m, layout, len(out) + i) for i, layout in enumerate(layouts))
    return out


def _split(c: Candidate, value: bytes, iv: bytes | None) -> tuple[bytes, bytes, bytes] | None:
    """(iv or nonce, body, tag) of ``value`` under the candidate's layout."""
    size = algo.CIPHERS[c.algorithm].block_size
    if c.layout == "none":
        return b"", value, b""
    if c.mode in AEAD_MODES:
        nonce, rest = (iv, value) if c.layout.startswith("nonce given") else (value[:GCM_NONCE], value[GCM_NONCE:])
        if nonce is None or len(rest) < GCM_TAG or len(nonce) < 8:
            return None
        return nonce, rest[:-GCM_TAG], rest[-GCM_TAG:]
    if c.layout == "iv given":
        this_iv, body = iv or b"", value
    elif c.layout == "iv prefixed":
        this_iv, body = value[:size], value[size:]
    elif c.layout == "iv appended":
        this_iv, body = value[-size:], value[:-size]
    else:
        this_iv, body = bytes(size), value
    if len(this_iv) != size or not body:
        return None
    return this_iv, body, b""


def try_one(c: Candidate, key: bytes, value: bytes, iv: bytes | None) -> tuple[bool, bool, bytes | None]:
    """(decrypts, plaintext is text, the IV/nonce used) — the plaintext itself is dropped here."""
    parts = _split(c, value, iv)
    if parts is None:
        return False, False, None
    this_iv, body, tag = parts
    size = algo.CIPHERS[c.algorithm].block_size
    try:
        if c.mode in BLOCK_MODES:
            if len(body) % size:
                return False, False, this_iv
            plain = algo.unpad(algo.decrypt(c.algorithm, c.mode, key, body, iv=this_iv), size, "pkcs7")
            return True, is_text(plain), this_iv
        if c.mode in AEAD_MODES:
            plain = algo.decrypt(c.algorithm, c.mode, key, body, iv=this_iv, tag=tag)
            return True, is_text(plain) or not plain, this_iv
        plain = algo.decrypt(c.algorithm, c.mode, key, body, iv=this_iv)
        text = is_text(plain)
        return text, text, this_iv
    except ValueError:  # bad padding, tag that does not verify (AuthenticationError), bad length
        return False, False, this_iv


def _score(c: Candidate, key: bytes, values: Sequence[bytes], iv: bytes | None) -> tuple[int, int]:
    ok = text = 0
    for value in values:
        d, t, _ = try_one(c, key, value, iv)
        ok += d
        text += d and t
    return ok, text


def decrypt_values(values: Sequence[bytes], key: bytes, *, algorithm: str = "auto", mode: str = "auto", iv: bytes | None = None) -> Decryption:
    """Find the combination that decrypts ``values`` and measure it on all of them."""
    tried = candidates(key, algorithm, mode, iv)
    probe = list(values[:PROBE])
    scored: list[tuple[tuple[int, int, int, int], Candidate]] = []
    for c in tried:
        ok, text = _score(c, key, probe, iv)
        if ok:
            scored.append(((ok, text, _STRENGTH[c.mode], -c.order), c))
    if not scored:
        return Decryption(False, None, len(values), 0, 0, len(tried))
    scored.sort(key=lambda item: item[0], reverse=True)
    best_key, best = scored[0]
    alternatives = [c.name for k, c in scored[1:] if k[:2] == best_key[:2]]
    decrypted = text = 0
    ivs: set[bytes] = set()
    failed: list[int] = []
    for position, value in enumerate(values):
        d, t, used = try_one(best, key, value, iv)
        decrypted += d
        text += d and t
        if d and used and best.layout not in ("none", "all-zero iv", "iv given", "nonce given, tag appended"):
            ivs.add(used)
        if not d:
            failed.append(position)
    share = decrypted / len(values) if values else 0.0
    return Decryption(
        established=share >= ESTABLISHED_SHARE,
        candidate=best,
        values=len(values),
        decrypted=decrypted,
        plaintext_text=text,
        candidates_tried=len(tried),
        alternatives=alternatives,
        ivs_distinct=len(ivs) if ivs else None,
        failed_positions=failed,
    )

