"""Proposals: D/A(/K) for indicators, derived from mptool evidence through a versioned mapping table.

The table is data (``data/mapping-v1.yaml``, documented in docs/assess.md); proposals are written
to ``proposals.yaml`` in the case and never overwrite a judgement of the evaluator.
"""

from mptool.assess.proposals.derive import Contribution, Proposal, derive_case_proposals, read_evidence
from mptool.assess.proposals.store import read_proposals, write_proposals

__all__ = ["Contribution", "Proposal", "derive_case_proposals", "read_evidence", "read_proposals", "write_proposals"]
