"""Statistics of a column's decoded values: lengths, text share, byte entropy, repetition, alignment.

Nothing here keeps a value: only counts, lengths and aggregate measures leave this module.
"""

from __future__ import annotations

import math
from functools import lru_cache
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from mptool.data.judge.encoding import is_text

#: Below this many bytes in the whole sample the byte entropy says too little.
MIN_BYTES = 64
#: How far below the entropy expected of uniformly random bytes a sample may fall and still look random.
ENTROPY_MARGIN = 0.35
#: Share of values that must be text for the column to be text.
TEXT_MAJORITY = 0.8
BLOCK = 16


def byte_entropy(data: bytes) -> float:
    """Shannon entropy of the byte histogram, in bits per byte (0..8)."""
    if not data:
        return 0.0
    counts = np.bincount(np.frombuffer(data, dtype=np.uint8), minlength=256).astype(float)
    p = counts[counts > 0] / len(data)
    return float(-(p * np.log2(p)).sum())


@lru_cache(maxsize=256)
def _simulated(n: int) -> tuple[float, float]:
    draws = np.random.default_rng(n).integers(0, 256, size=(32, n), dtype=np.uint8)
    values = [byte_entropy(row.tobytes()) for row in draws]
    return float(np.mean(values)), float(np.std(values))


def entropy_threshold(n: int) -> float:
    """The lowest byte entropy ``n`` uniformly random bytes plausibly show.

    Above 4096 bytes the plug-in estimate's bias is Miller-Madow's (255 / (2 n ln 2)); below it the
    mean and spread are simulated (seeded, so runs are reproducible). The margin is
    :data:`ENTROPY_MARGIN` or four standard deviations, whichever is larger.
    """
    if n <= 0:
        return 0.0
    if n > 4096:
        return 8.0 - 255 / (2 * n * math.log(2)) - ENTROPY_MARGIN
    bucket = 1 << max(6, (n - 1).bit_length())  # simulate at the next power of two, scale the bias
    mean, std = _simulated(min(bucket, 4096))
    if bucket != n:
        mean = 8.0 - (8.0 - mean) * bucket / n
    return max(0.0, mean - max(ENTROPY_MARGIN, 4 * std))


@dataclass(frozen=True)
class Stats:
    """Aggregate measures of one column."""

    values: int
    total_bytes: int
    lengths: dict[str, Any]
    text_share: float
    entropy: float  #: of the distinct values' bytes
    entropy_threshold: float
    looks_random: bool | None  #: None when the sample is too small to say
    distinct: int
    duplicates: int  #: values equal to an earlier value in the sample
    max_repeat: int
    repeated_blocks: int  #: aligned 16-byte blocks occurring more than once across the sample (ECB pattern)
    block_aligned_share: float

    def measurements(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "bytes": self.total_bytes,
            "lengths": self.lengths,
            "text_share": round(self.text_share, 4),
            "byte_entropy": round(self.entropy, 4),
            "entropy_threshold": round(self.entropy_threshold, 4),
            "distinct": self.distinct,
            "duplicates": self.duplicates,
            "max_repeat": self.max_repeat,
            "repeated_blocks": self.repeated_blocks,
            "block_aligned_share": round(self.block_aligned_share, 4),
        }


def analyse(values: list[bytes]) -> Stats:
    """Measure ``values`` (decoded bytes, non-null)."""
    joined = b"".join(values)
    lengths = [len(v) for v in values]
    counter = Counter(values)
    length_counts = Counter(lengths)
    blocks: Counter[bytes] = Counter()
    for v in values:
        if len(v) >= BLOCK:
            blocks.update(v[i : i + BLOCK] for i in range(0, len(v) - BLOCK + 1, BLOCK))
    distinct_bytes = b"".join(counter)  # entropy of the distinct values: repetition is measured on its own
    entropy = byte_entropy(distinct_bytes)
    threshold = entropy_threshold(len(distinct_bytes))
    text = sum(1 for v in values if is_text(v))
    return Stats(
        values=len(values),
        total_bytes=len(joined),
        lengths={
            "min": min(lengths, default=0),
            "max": max(lengths, default=0),
            "distinct": len(length_counts),
            "most_common": [[length, count] for length, count in sorted(length_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8]],
        },
        text_share=text / len(values) if values else 0.0,
        entropy=entropy,
        entropy_threshold=threshold,
        looks_random=None if len(distinct_bytes) < MIN_BYTES else entropy >= threshold,
        distinct=len(counter),
        duplicates=len(values) - len(counter),
        max_repeat=max(counter.values(), default=0),
        repeated_blocks=sum(1 for c in blocks.values() if c > 1),
        block_aligned_share=sum(1 for n in lengths if n and n % BLOCK == 0) / len(values) if values else 0.0,
    )


#: GM/T 0005-2021 sequence length used on sampled bytes (the standard's shortest, Annex A) and a cap.
RNG_BITS = 20_000
RNG_MAX_SEQUENCES = 50


def randomness(values: list[bytes], subject: str) -> dict[str, Any]:
    """The GM/T 0005-2021 suite (via ``mptool.rng.api``) on the concatenated bytes, when they hold a sequence."""
    from mptool.rng.api import test_bytes

    joined = b"".join(values)
    available = 8 * len(joined) // RNG_BITS
    if available < 1:
        return {"verdict": "not_run", "reason": f"{8 * len(joined)} bits: fewer than one {RNG_BITS}-bit sequence"}
    count = min(available, RNG_MAX_SEQUENCES)
    results, summary = test_bytes(joined[: count * RNG_BITS // 8], bits=RNG_BITS, subject=subject)
    failed = sorted({r.check.removeprefix("rng.gmt0005.") for r in results if r.status.value == "fail"})
    return {
        "verdict": summary["verdict"],
        "sequences": summary["sequences"],
        "bits": summary["bits"],
        "items": summary["items"],
        "items_failed": summary["items_failed"],
        "perfect_source_fails": summary["perfect_source_fails"],
        "tests_failed": failed,
    }
