"""Shared infrastructure objects: ``{ref: shared/<case>#<object-id>}`` in a case's ``objects:``.

A portfolio workspace holds, beside one case directory per system, ``shared/`` cases for the
infrastructure many systems use (machine room, SSL VPN gateway, server crypto machine, bastion
host). A system's object entry ``{ref: shared/vpn-gateway#net-vpn}`` inherits the shared case's
object (layer, name), its judgements (already resolved against the shared case's proposals),
its confirmed high risks and its evidence entries. A judgement the system writes for the same
(object, indicator) replaces the inherited one (the 经济性和可重用性 of results that still hold,
with the system's own word where it differs).

The path before ``#`` is relative to the workspace root: the nearest ancestor of the case
directory holding its first component (``shared/``). Every problem — no such case, no such
object, a reference cycle, a path leaving the workspace — is an :class:`InputError` naming
``FILE:LINE`` of the ``ref:`` (exit 3).

Each inherited object carries a :class:`SharedRef` with the **fingerprint** of what was
inherited: SM3 over the shared object's resolved judgements, high risks and evidence digests.
A score records the fingerprints it was computed with; a different fingerprint now means the
shared object changed (new certificate, new suite, new judgement) and the score is stale.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mptool.core.errors import InputError

# The loader's Case and Resolved are typed Any here: the loader imports this module (no circle).
Case = Any
Resolved = Any


@dataclass(frozen=True)
class SharedRef:
    """One inherited object: where it came from and the fingerprint of what it brought."""

    object: str  #: the id in the referring case
    ref: str  #: shared/<case>#<object-id> as written
    case_dir: Path  #: the shared case directory
    shared_object: str  #: the id in the shared case
    fingerprint: str  #: SM3 hex of the inherited judgements, high risks and evidence digests
    evidence_files: tuple[Path, ...]  #: the shared evidence files about the object
    retest_days: int | None  #: validity of the evidence after capture (None: the workspace default)
    line: int  #: line of the ref: in the referring file


def _root_for(start: Path, first: str) -> Path | None:
    for candidate in (start, *start.parents):
        if (candidate / first).is_dir():
            return candidate
    return None


def resolve_ref_path(case: Case, ref: str, where: str) -> tuple[Path, str]:
    """(shared case directory, object id) of ``ref``; InputError when it does not resolve."""
    path_text, _, object_id = ref.partition("#")
    parts = path_text.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise InputError(where, f"ref {ref!r}: the path must stay inside the workspace (no . or ..)")
    start = (case.directory or case.path.parent).resolve()
    root = _root_for(start, parts[0])
    if root is None:
        raise InputError(where, f"ref {ref!r}: no {parts[0]}/ directory in {start} or above it (is the case inside a workspace?)")
    target = root.joinpath(*parts)
    if not (target / "assessment.yaml").is_file():
        raise InputError(where, f"ref {ref!r}: no shared case {target} (missing {target / 'assessment.yaml'})")
    return target, object_id


def fingerprint(resolved: list[Resolved], high_risks: list[Any], evidence_sm3: list[str]) -> str:
    """SM3 of the canonical JSON of an object's judgements, high risks and evidence digests."""
    from mptool.core.inputs import new_sm3

    doc = {
        "judgements": sorted(
            [r.indicator, r.na, r.D, r.A, r.K, str(r.Ra), str(r.Rk)] for r in resolved
        ),
        "high_risks": sorted([h.indicator, h.id or "", h.mitigated, h.level or ""] for h in high_risks),
        "evidence": sorted(evidence_sm3),
    }
    sm3 = new_sm3()
    sm3.update(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return sm3.hexdigest()


_CACHE: OrderedDict[Path, tuple[str, Case]] = OrderedDict()
CACHE_SIZE = 32  #: shared cases kept parsed (memory stays bounded)


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for name in ("assessment.yaml", "proposals.yaml"):
        path = directory / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"-") + b"\0")
    return h.hexdigest()


def load_shared(directory: Path, stack: tuple[Path, ...], load_case: Callable[..., Case]) -> Case:
    """Load a shared case, from a small cache keyed by its files' digest.

    Many systems reference the same few shared cases: each is parsed once per process while
    its files are unchanged. Only shared cases without references of their own are cached
    (a cached result must not depend on other files).
    """
    key = directory.resolve()
    digest = _digest(directory)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == digest:
        _CACHE.move_to_end(key)
        return hit[1]
    shared = load_case(directory, verify_evidence=False, _stack=stack)
    if not shared.shared:
        _CACHE[key] = (digest, shared)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return shared


def shared_ref(shared: Case, shared_id: str, local_id: str, ref: str, retest_days: int | None, line: int) -> SharedRef:
    """The provenance and fingerprint of object ``shared_id`` of a loaded shared case."""
    resolved = [r for r in shared.resolved if r.object == shared_id]
    risks = [h for h in shared.data.high_risks if h.object == shared_id]
    entries = [e for e in shared.data.evidence if shared_id in e.objects]
    base = shared.directory or shared.path.parent
    return SharedRef(object=local_id, ref=ref, case_dir=base, shared_object=shared_id,
                     fingerprint=fingerprint(resolved, risks, [e.sm3 for e in entries]),
                     evidence_files=tuple(base / e.file for e in entries), retest_days=retest_days, line=line)


def expand_objects(case: Case, stack: tuple[Path, ...], load_case: Callable[..., Case]) -> list[tuple[int, Case, str, str]]:
    """Replace every ``ref:`` object by the shared object; return (index, shared case, shared id, local id).

    The shared cases are loaded with ``load_case`` (the loader's, which expands their own
    references in turn) with ``stack`` guarding against a cycle.
    """
    out = []
    here = (case.directory or case.path).resolve()
    for index, obj in enumerate(case.data.objects):
        if obj.ref is None:
            continue
        where = case.where("objects", index, "ref")
        directory, object_id = resolve_ref_path(case, obj.ref, where)
        key = directory.resolve()
        if key in stack or key == here:
            chain = " → ".join(str(p.name) for p in (*stack, here, key))
            raise InputError(where, f"ref {obj.ref!r}: reference cycle ({chain})")
        shared = load_shared(directory, (*stack, here), load_case)
        found = next((o for o in shared.data.objects if o.id == object_id), None)
        if found is None:
            known = ", ".join(o.id or "?" for o in shared.data.objects) or "none"
            raise InputError(where, f"ref {obj.ref!r}: shared case {directory} has no object {object_id!r} (objects: {known})")
        local_id = obj.id or object_id
        case.data.objects[index] = obj.model_copy(update={"id": local_id, "layer": found.layer, "name": obj.name or found.name,
                                                          "description": obj.description or found.description})
        out.append((index, shared, object_id, local_id))
    return out


def inherit(case: Case, expanded: list[tuple[int, Case, str, str]]) -> None:
    """Append the inherited judgements, high risks and evidence of each expanded object."""
    base = case.directory or case.path.parent
    own = {(r.object, r.indicator) for r in case.resolved}
    known_sm3 = {e.sm3 for e in case.data.evidence}
    for index, shared, shared_id, local_id in expanded:
        obj = case.data.objects[index]
        line = case.line("objects", index)
        resolved = [r for r in shared.resolved if r.object == shared_id]
        risks = [h for h in shared.data.high_risks if h.object == shared_id]
        entries = [e for e in shared.data.evidence if shared_id in e.objects]
        for r in resolved:
            if (local_id, r.indicator) not in own:
                case.resolved.append(replace(r, object=local_id, line=line, source=obj.ref or ""))
        for h in risks:
            if not any(x.object == local_id and x.indicator == h.indicator for x in case.data.high_risks):
                case.data.high_risks.append(h.model_copy(update={"object": local_id}))
        shared_base = shared.directory or shared.path.parent
        for e in entries:
            if e.sm3 not in known_sm3:
                known_sm3.add(e.sm3)
                relative = Path(os.path.relpath((shared_base / e.file).resolve(), base.resolve())).as_posix()
                case.data.evidence.append(e.model_copy(update={"file": relative, "objects": [local_id], "indicators": list(e.indicators)}))
        case.shared.append(shared_ref(shared, shared_id, local_id, obj.ref or "", obj.retest_days, line))
