"""使用的密码算法 of the basic-info table, ticked from what the evidence shows.

Every option of the template's checklist (分组 SM1 SM4 SM7 AES DES 3DES; 非对称 SM2 SM9 RSA1024
RSA2048; 杂凑 SM3 SHA-1 SHA-256 SHA-384 SHA-512 MD5; 序列 ZUC) is matched against the
algorithm-bearing strings of the evidence (cipher suites, certificate key and signature
algorithms, verified algorithms). The owner's claim (``report.algorithms`` of the case) is
compared: claimed but never seen, and seen but not claimed, are warnings (R1 rule, M).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mptool.assess.yamlio import package_data

#: Pattern per checklist option (case-insensitive) over evidence strings.
PATTERNS: dict[str, str] = {
    "SM1": r"\bSM1\b",
    "SM4": r"SM4",
    "SM7": r"\bSM7\b",
    "AES": r"AES",
    "DES": r"(?<![3_A-Z])DES(?!_EDE|-EDE)",
    "3DES": r"3DES|DES_EDE|DES-EDE|TRIPLE",
    "SM2": r"SM2|\bECC_SM4|\bECDHE_SM4|\bIBSDH|SM2DH",
    "SM9": r"SM9",
    "RSA1024": r"RSA[-_ ]?(?:512|768|1024)\b",
    "RSA2048": r"RSA[-_ ]?(?:2048|3072|4096)\b|_RSA_|WITHRSA|RSAENCRYPTION",
    "SM3": r"SM3",
    "SHA-1": r"SHA-?1\b|_SHA$|SHA1WITH",
    "SHA-256": r"SHA-?256",
    "SHA-384": r"SHA-?384",
    "SHA-512": r"SHA-?512",
    "MD5": r"MD5",
    "ZUC": r"ZUC",
}


@dataclass
class Ticks:
    """The checklist: per category the options with ticked/claimed flags, and the warnings."""

    categories: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    claimed: list[str] = field(default_factory=list)
    claimed_not_seen: list[str] = field(default_factory=list)
    seen_not_claimed: list[str] = field(default_factory=list)


def _norm(name: str) -> str:
    return re.sub(r"[\s_]", "", name).upper().replace("SHA1", "SHA-1").replace("SHA256", "SHA-256").replace("SHA384", "SHA-384").replace("SHA512", "SHA-512")


def ticks(texts: list[str], claimed: list[str]) -> Ticks:
    """Tick the checklist from evidence ``texts``; compare with the ``claimed`` algorithms."""
    options = package_data("report.yaml")["algorithms"]
    seen = {name for name, pattern in PATTERNS.items() if any(re.search(pattern, t, re.IGNORECASE) for t in texts if t)}
    known = {_norm(o): o for opts in options.values() for o in opts}
    claim = [known.get(_norm(c), c) for c in claimed]
    out = Ticks(claimed=claim)
    for category, opts in options.items():
        out.categories[category] = [{"name": o, "ticked": o in seen, "claimed": o in claim} for o in opts]
    out.seen = [o for opts in options.values() for o in opts if o in seen]
    if claimed:
        out.claimed_not_seen = [c for c in claim if c not in seen]
        out.seen_not_claimed = [s for s in out.seen if s not in claim]
    return out
