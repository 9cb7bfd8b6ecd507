"""The one enumeration routine of the prober: offer everything, remove what the peer chose, repeat.

A peer that picks by its own preference answers an offer of every candidate with its favourite;
removing that one and offering the rest again yields its next choice, and so on until it refuses.
The accepted candidates come out in the peer's order, with one request per accepted candidate
plus one. TLS (per version), RFC 8998 and TLCP offer cipher suites (:func:`enumerate_suites`),
IKEv1 transforms and IKEv2 proposals (:mod:`.ike`); each passes in how to ask and how to read
an answer. :func:`preference` then offers the accepted ones in reverse: the server's order
decides when it still picks the same first one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from mptool.core.model import Severity
from mptool.proto.probe.hello import HelloOutcome
from mptool.proto.probe.report import ProtocolReport
from mptool.proto.registry import tls as ids

T = TypeVar("T")
A = TypeVar("A")


@dataclass(frozen=True)
class Chosen(Generic[T]):
    """What one answer chose: the candidate to record as accepted, and the offered ones it rules out."""

    accepted: T
    removed: Sequence[T]


def enumerate_preference(
    candidates: Sequence[T],
    ask: Callable[[list[T], bool], A],
    choose: Callable[[A, list[T], bool], Chosen[T] | None],
) -> tuple[list[T], list[A]]:
    """Offer the remaining candidates (``ask(remaining, first)``) until ``choose`` reads an answer
    as a refusal (None); returns the accepted candidates in the order chosen, and every answer."""
    remaining = list(candidates)
    accepted: list[T] = []
    answers: list[A] = []
    while remaining:
        first = not answers
        answer = ask(remaining, first)
        answers.append(answer)
        chosen = choose(answer, remaining, first)
        if chosen is None:
            break
        accepted.append(chosen.accepted)
        for item in chosen.removed:
            remaining.remove(item)
    return accepted, answers


def preference(accepted: list[T], ask: Callable[[list[T]], A], chosen: Callable[[A], T | None]) -> str:
    """``server``, ``client``, ``single_suite`` or ``unknown``: whose order decides, from one reversed offer."""
    if len(accepted) < 2:
        return "single_suite"
    choice = chosen(ask(list(reversed(accepted))))
    if choice is None:
        return "unknown"
    return "server" if choice == accepted[0] else "client" if choice == accepted[-1] else "unknown"


@dataclass(frozen=True)
class SuiteOffers:
    """How one TLS-family enumeration reads a ServerHello and words its findings."""

    report: ProtocolReport
    protocol: str  #: ``tls`` or ``tlcp``: the finding code ``proto.probe.<protocol>.suite_not_offered``
    label: str  #: what stopped, in the budget finding (``TLS 1.2 enumeration``, ``suite enumeration``)
    prefix: str = ""  #: put before the not-offered message (``TLS 1.2: ``)
    accepts: Callable[[HelloOutcome], bool] = lambda outcome: outcome.accepted

    def suite(self, outcome: HelloOutcome) -> int | None:
        """The suite the server chose, when the answer accepts the offer."""
        return outcome.server_hello.cipher_suite if self.accepts(outcome) and outcome.server_hello is not None else None

    def choose(self, outcome: HelloOutcome, remaining: list[int], first: bool = False) -> Chosen[int] | None:
        """Read one answer: the chosen suite, or None (refused, budget exhausted, suite not offered)."""
        if outcome.status == "budget_exhausted":
            self.report.finding("proto.probe.budget_exhausted", Severity.WARN, f"{self.label} stopped: {outcome.message}")
            return None
        chosen = self.suite(outcome)
        if chosen is None:
            return None
        if chosen not in remaining:
            self.report.finding(
                f"proto.probe.{self.protocol}.suite_not_offered", Severity.ERROR, f"{self.prefix}the server chose {ids.hex_id(chosen)}, which was not offered", suite=ids.hex_id(chosen)
            )
            return None
        return Chosen(chosen, [chosen])


def enumerate_suites(offers: SuiteOffers, suites: Sequence[int], hello: Callable[[list[int], bool], HelloOutcome], first_usable: Callable[[HelloOutcome], bool] | None = None) -> tuple[list[int], list[HelloOutcome]]:
    """The accepted suites in the server's order, and every answer; ``hello(offer, want_certificates)``
    sends one ClientHello, ``first_usable`` may end the enumeration on the first answer."""

    def choose(outcome: HelloOutcome, remaining: list[int], first: bool) -> Chosen[int] | None:
        if first and first_usable is not None and not first_usable(outcome):
            return None
        return offers.choose(outcome, remaining)

    return enumerate_preference(suites, hello, choose)
