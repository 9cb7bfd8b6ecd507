"""Certificate policy processing of RFC 5280 §6.1 (valid_policy_tree, explicit_policy,
policy_mapping, inhibit_anyPolicy), steps 6.1.2 (a)–(e), 6.1.3 (d)–(f), 6.1.4 (a)–(b), (h)–(j)
and 6.1.5 (a), (b), (g).

The input is the path without the trust anchor, from the certificate the anchor issued (i = 1)
to the end entity (i = n), and the initial inputs (user-initial-policy-set,
initial-explicit-policy, initial-policy-mapping-inhibit, initial-any-policy-inhibit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mptool.cert.x509 import oids
from mptool.cert.x509.parse import Cert

ANY_POLICY = oids.ANY_POLICY


@dataclass(eq=False)
class Node:
    """A node of the valid_policy_tree."""

    valid_policy: str
    expected: set[str]
    depth: int
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)

    def add(self, policy: str, expected: set[str]) -> Node:
        child = Node(policy, expected, self.depth + 1, self)
        self.children.append(child)
        return child


@dataclass
class PolicyOutcome:
    """The result: problems (empty = the path passes policy processing) and the state at the end."""

    problems: list[tuple[int, str]]  #: (position i, 1 = first certificate after the anchor; message)
    policies: list[str] | None  #: valid_policy values at depth n (None: the tree is NULL)
    explicit_policy: int
    user_constrained: list[str] | None = None

    def describe(self) -> dict[str, Any]:
        return {"valid_policies": self.policies, "explicit_policy": self.explicit_policy, "user_constrained_policy_set": self.user_constrained}


def _nodes_at(root: Node, depth: int) -> list[Node]:
    level = [root]
    for _ in range(depth):
        level = [c for n in level for c in n.children]
    return level


def _prune(root: Node, depth: int) -> Node | None:
    """Delete every node of depth < ``depth`` without children (bottom up); None if the root goes."""
    for d in range(depth - 1, -1, -1):
        for node in _nodes_at(root, d):
            if not node.children and node.parent is not None:
                node.parent.children.remove(node)
    if depth > 0 and not root.children:
        return None
    return root


def _delete(node: Node) -> None:
    if node.parent is not None:
        node.parent.children.remove(node)


def _policies(cert: Cert) -> list[str] | None:
    cp = cert.ext_value(oids.EXT_CP)
    return None if cp is None else [p.policy_identifier.dotted_string for p in cp]


def _mappings(cert: Cert) -> list[tuple[str, str]]:
    pm = cert.ext_value(oids.EXT_PM)
    if pm is None:
        return []
    from pyasn1.codec.der import decoder
    from pyasn1_modules import rfc5280

    raw = next(v for o, _c, v in cert.raw_extensions if o == oids.EXT_PM)
    decoded, _ = decoder.decode(raw, asn1Spec=rfc5280.PolicyMappings())
    return [(str(m["issuerDomainPolicy"]), str(m["subjectDomainPolicy"])) for m in decoded]


def _constraints(cert: Cert) -> tuple[int | None, int | None]:
    pc = cert.ext_value(oids.EXT_PC)
    if pc is None:
        return None, None
    return pc.require_explicit_policy, pc.inhibit_policy_mapping


def _inhibit_any(cert: Cert) -> int | None:
    value = cert.ext_value(oids.EXT_INHIBIT_ANY)
    return None if value is None else value.skip_certs


def process_policies(
    path: Sequence[Cert],
    initial: Sequence[str] = (ANY_POLICY,),
    *,
    explicit: bool = False,
    mapping_inhibit: bool = False,
    any_inhibit: bool = False,
) -> PolicyOutcome:
    """Run the policy part of RFC 5280 §6.1 on ``path`` (issued-by-anchor first, end entity last)."""
    n = len(path)
    problems: list[tuple[int, str]] = []
    tree: Node | None = Node(ANY_POLICY, {ANY_POLICY}, 0)
    explicit_policy = 0 if explicit else n + 1
    inhibit_any = 0 if any_inhibit else n + 1
    policy_mapping = 0 if mapping_inhibit else n + 1
    for i, cert in enumerate(path, start=1):
        policies = _policies(cert)
        if policies is not None and len(set(policies)) != len(policies):
            problems.append((i, "certificatePolicies lists a policy more than once (RFC 5280 §4.2.1.4)"))
        # 6.1.3 (d)
        if policies is not None and tree is not None:
            parents = _nodes_at(tree, i - 1)
            for policy in policies:
                if policy == ANY_POLICY:
                    continue
                matched = [p for p in parents if policy in p.expected]
                if matched:
                    for p in matched:
                        p.add(policy, {policy})
                else:
                    for p in parents:
                        if p.valid_policy == ANY_POLICY:
                            p.add(policy, {policy})
            if ANY_POLICY in policies and (inhibit_any > 0 or (i < n and cert.self_issued)):
                for p in parents:
                    present = {c.valid_policy for c in p.children}
                    for value in sorted(p.expected):
                        if value not in present:
                            p.add(value, {value})
            tree = _prune(tree, i)
        # 6.1.3 (e)
        if policies is None:
            tree = None
        # 6.1.3 (f)
        if explicit_policy <= 0 and tree is None:
            problems.append((i, "no valid policy: explicit_policy is 0 and the valid_policy_tree is NULL (RFC 5280 §6.1.3 (f))"))
            return PolicyOutcome(problems, None, explicit_policy)
        if i == n:
            break
        # 6.1.4 (a), (b)
        mappings = _mappings(cert)
        if any(ANY_POLICY in pair for pair in mappings):
            problems.append((i, "policyMappings maps to or from anyPolicy (RFC 5280 §6.1.4 (a))"))
            return PolicyOutcome(problems, None, explicit_policy)
        if mappings and tree is not None:
            by_issuer: dict[str, set[str]] = {}
            for issuer_policy, subject_policy in mappings:
                by_issuer.setdefault(issuer_policy, set()).add(subject_policy)
            level = _nodes_at(tree, i)
            if policy_mapping > 0:
                for issuer_policy, subjects in by_issuer.items():
                    found = [node for node in level if node.valid_policy == issuer_policy]
                    for node in found:
                        node.expected = set(subjects)
                    if not found:
                        for node in level:
                            if node.valid_policy == ANY_POLICY and node.parent is not None:
                                node.parent.add(issuer_policy, set(subjects))
                                break
            else:
                for node in level:
                    if node.valid_policy in by_issuer:
                        _delete(node)
                tree = _prune(tree, i)
        # 6.1.4 (h), (i), (j)
        if not cert.self_issued:
            explicit_policy = max(explicit_policy - 1, 0)
            policy_mapping = max(policy_mapping - 1, 0)
            inhibit_any = max(inhibit_any - 1, 0)
        require, inhibit_mapping = _constraints(cert)
        if require is not None and require < explicit_policy:
            explicit_policy = require
        if inhibit_mapping is not None and inhibit_mapping < policy_mapping:
            policy_mapping = inhibit_mapping
        skip = _inhibit_any(cert)
        if skip is not None and skip < inhibit_any:
            inhibit_any = skip
    # 6.1.5 (a), (b)
    explicit_policy = max(explicit_policy - 1, 0)
    require, _ = _constraints(path[-1]) if path else (None, None)
    if require == 0:
        explicit_policy = 0
    # 6.1.5 (g)
    initial_set = set(initial)
    if tree is not None and ANY_POLICY not in initial_set:
        boundary = [node for node in _all_nodes(tree) if node.parent is not None and node.parent.valid_policy == ANY_POLICY]
        kept = []
        for node in boundary:
            if node.valid_policy not in initial_set and node.valid_policy != ANY_POLICY:
                _delete(node)
            else:
                kept.append(node)
        boundary_policies = {node.valid_policy for node in kept}
        for node in _nodes_at(tree, n):
            if node.valid_policy == ANY_POLICY and node.parent is not None:
                for policy in sorted(initial_set - boundary_policies):
                    node.parent.add(policy, {policy})
                _delete(node)
        tree = _prune(tree, n)
    leaves = sorted({node.valid_policy for node in _nodes_at(tree, n)}) if tree is not None else None
    if leaves is not None and not leaves:
        tree, leaves = None, None
    if explicit_policy <= 0 and tree is None:
        problems.append((n, "no valid policy for the path: explicit policy is required and the intersection with the initial policy set is empty (RFC 5280 §6.1.5)"))
    user = None
    if leaves is not None:
        user = sorted(initial_set) if leaves == [ANY_POLICY] else leaves
    return PolicyOutcome(problems, leaves, explicit_policy, user)


def _all_nodes(root: Node) -> list[Node]:
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out
