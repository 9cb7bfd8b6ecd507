"""The finding codes every ``rng.gmt0005.*`` check may emit (one table for the 15 tests)."""

from __future__ import annotations

#: code -> meaning; the decision codes follow GM/T 0005-2021 §6.
GMT0005_FINDINGS: dict[str, str] = {
    "rng.gmt0005.pass_rate": "fewer sequences than the §6.2 threshold passed this item (P-value ≥ α)",
    "rng.gmt0005.uniformity": "the sequences' Q-values are not uniform on [0, 1] (§6.3, P_T < α_T)",
    "rng.gmt0005.not_applicable": "the item does not apply to this sequence length or parameter (recorded, not judged)",
    "rng.gmt0005.check_error": "the item could not be computed for this set (no value)",
}
