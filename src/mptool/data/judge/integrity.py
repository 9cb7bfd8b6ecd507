"""Verifying an integrity column: an HMAC-SM3 or an SM2 signature over other columns of the row.

The message a system MACs or signs is not written down in the data, so several constructions are
tried on the first :data:`PROBE` rows: the named columns' stored values (their bytes as stored:
UTF-8 of text, the raw bytes of BLOBs; NULL as empty) joined with no separator, ``|``, ``,``,
TAB or ``:``; the stored MAC/signature decoded as hex, Base64 or raw. The construction verifying
most rows is then applied to every sampled row. HMAC-SM3 is GM/T 0042-2015 / RFC 2104 with SM3
(GB/T 32905-2016); SM2 signatures are GB/T 32918.2-2016 with the user ID (default: the GB/T 35276 one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mptool.algo import api as algo
from mptool.algo.api import DEFAULT_USER_ID
from mptool.data.judge.encoding import decode_one

PROBE = 16
SEPARATORS = ("", "|", ",", "\t", ":")
MAC_ENCODINGS = ("hex", "base64", "raw")
#: Share of rows that must verify for the construction to be established.
ESTABLISHED_SHARE = 0.5


def stored_bytes(value: str | bytes | None) -> bytes:
    if value is None:
        return b""
    return value if isinstance(value, bytes) else value.encode("utf-8")


@dataclass(frozen=True)
class Verifier:
    """HMAC-SM3 with a key, or SM2 signature verification with a public key."""

    algorithm: str  #: HMAC-SM3 | SM2
    key: bytes = b""
    public_key: Any = None
    user_id: bytes = DEFAULT_USER_ID

    def verify(self, message: bytes, tag: bytes) -> bool:
        if self.algorithm == "HMAC-SM3":
            import hmac

            return hmac.compare_digest(algo.hmac_sm3(self.key, message), tag)
        try:
            signature = algo.sm2.decode_signature(tag)
        except (algo.SM2Error, ValueError):
            return False
        return bool(algo.sm2.verify(self.public_key, message, signature, self.user_id))


@dataclass
class Verification:
    """What verifying the integrity column established."""

    algorithm: str
    rows: int
    verified: int
    missing: int  #: rows whose MAC/signature is NULL or not in the column's encoding
    construction: dict[str, Any] | None
    constructions_tried: int
    failed_positions: list[int] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.rows

    @property
    def share(self) -> float:
        return self.verified / self.rows if self.rows else 0.0

    @property
    def established(self) -> bool:
        return self.construction is not None and self.share >= ESTABLISHED_SHARE

    def measurements(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "algorithm": self.algorithm,
            "rows": self.rows,
            "verified": self.verified,
            "failed": self.rows - self.verified,
            "verified_share": round(self.share, 4),
            "missing_or_undecodable": self.missing,
            "established": self.established,
            "constructions_tried": self.constructions_tried,
        }
        if self.construction is not None:
            out["construction"] = self.construction
        if self.failed_positions:
            out["failed_positions"] = self.failed_positions[:50]
        return out


def _message(row: Sequence[str | bytes | None], separator: str) -> bytes:
    return separator.encode().join(stored_bytes(v) for v in row)


def verify_rows(over: Sequence[Sequence[str | bytes | None]], tags: Sequence[str | bytes | None], over_names: Sequence[str], verifier: Verifier) -> Verification:
    """``over[i]`` are row i's covered values, ``tags[i]`` its stored MAC/signature."""
    combos = [(sep, enc) for enc in MAC_ENCODINGS for sep in SEPARATORS]
    best: tuple[int, str, str] | None = None
    for sep, enc in combos:
        hits = 0
        for row, tag in zip(over[:PROBE], tags[:PROBE]):
            decoded = decode_one(tag, enc)
            hits += bool(decoded) and verifier.verify(_message(row, sep), decoded)
        if hits and (best is None or hits > best[0]):
            best = (hits, sep, enc)
    if best is None:
        return Verification(verifier.algorithm, len(tags), 0, sum(1 for t in tags if t is None), None, len(combos), list(range(len(tags))))
    _hits, sep, enc = best
    verified = missing = 0
    failed: list[int] = []
    for position, (row, tag) in enumerate(zip(over, tags)):
        decoded = decode_one(tag, enc)
        if not decoded:
            missing += 1
            failed.append(position)
        elif verifier.verify(_message(row, sep), decoded):
            verified += 1
        else:
            failed.append(position)
    construction = {"columns": list(over_names), "separator": sep, "mac_encoding": enc, "values_as": "stored bytes (UTF-8 of text, raw BLOB bytes, NULL as empty)"}
    return Verification(verifier.algorithm, len(tags), verified, missing, construction, len(combos), failed)
