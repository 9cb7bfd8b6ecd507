"""Path building and validation (RFC 5280 §6.1, cert-rules §5).

Every candidate path from the leaf to a trust anchor is built (certificates may share a
subject DN with different keys, so all same-DN issuers are tried) and validated; the first
valid path (shortest first) is chosen. For each rejected candidate the evidence says which
check failed on which certificate.
"""

from __future__ import annotations

from collections.abc import Sequence

from mptool.cert.x509.parse import Cert
from mptool.cert.path.rules import validate
from mptool.cert.path.model import PATH_CHECKS, Candidate, Issue, PathOptions
from mptool.cert.path.revocation import Context

__all__ = ["PATH_CHECKS", "Candidate", "Issue", "PathOptions", "build_candidates", "find_path", "unanchored_candidate", "validate"]


def _same_cert(a: Cert, b: Cert) -> bool:
    return a.sha256 == b.sha256 or (a.subject_key == b.subject_key and a.key.point == b.key.point and a.key.algorithm == b.key.algorithm)


def build_candidates(leaf: Cert, intermediates: Sequence[Cert], anchors: Sequence[Cert], options: PathOptions) -> tuple[list[Candidate], bool]:
    """Every path from ``leaf`` to an anchor through ``intermediates`` (bounded); the flag says
    whether the search was cut at ``max_candidates``."""
    found: list[Candidate] = []
    truncated = False
    budget = [options.max_steps]

    def extend(path: list[Cert]) -> None:
        nonlocal truncated
        budget[0] -= 1
        if len(found) >= options.max_candidates or budget[0] < 0:
            truncated = True
            return
        current = path[-1]
        for anchor in anchors:
            if anchor.subject_key == current.issuer_key and not (len(path) > 1 and _same_cert(anchor, current)):
                found.append(Candidate([*path, anchor], anchored=True))
        if len(path) > options.max_intermediates:
            return
        for issuer in intermediates:
            if issuer.subject_key != current.issuer_key or any(_same_cert(issuer, p) for p in path):
                continue
            if any(_same_cert(issuer, a) for a in anchors):
                continue  # reached through the anchor branch above
            extend([*path, issuer])

    extend([leaf])
    found.sort(key=lambda c: (len(c.certs), [x.sha256 for x in c.certs]))
    return found, truncated


def unanchored_candidate(leaf: Cert, intermediates: Sequence[Cert]) -> Candidate:
    """The chain as given (leaf, then each issuer found by DN), when no anchor is configured."""
    path = [leaf]
    while len(path) <= 8:
        nxt = [c for c in intermediates if c.subject_key == path[-1].issuer_key and not any(_same_cert(c, p) for p in path)]
        if not nxt or path[-1].self_issued:
            break
        path.append(nxt[0])
    return Candidate(path, anchored=False)


def find_path(
    leaf: Cert, pool: Sequence[Cert], anchors: Sequence[Cert], options: PathOptions, context: Context | None = None
) -> tuple[Candidate | None, list[Candidate], bool]:
    """(chosen valid path or None, every candidate validated, search truncated).

    ``context`` carries the state of a nested validation (a CRL issuer's own path)."""
    intermediates = [c for c in pool if c.sha256 != leaf.sha256]
    candidates, truncated = build_candidates(leaf, intermediates, anchors, options)
    base = context or Context(pool, anchors, find=find_path)
    for candidate in candidates:
        validate(candidate, options, base)
    chosen = next((c for c in candidates if c.valid), None)
    return chosen, candidates, truncated
