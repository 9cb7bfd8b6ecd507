"""TCP stream reassembly per direction: in-order delivery by sequence number.

Retransmitted and overlapping bytes are trimmed, out-of-order segments are held until the gap
closes (at most :data:`MAX_PENDING` bytes per direction), and a gap that never closes is
reported to the consumer, which then resynchronises. Sequence arithmetic is modulo 2^32
(RFC 9293 §3.4).
"""

from __future__ import annotations

from collections.abc import Callable

MAX_PENDING = 4 << 20
_MOD = 1 << 32
_HALF = 1 << 31

Deliver = Callable[[bytes, int], None]
Gap = Callable[[int, int], None]


def _diff(a: int, b: int) -> int:
    """a - b in sequence space, as a signed number."""
    d = (a - b) % _MOD
    return d - _MOD if d >= _HALF else d


class HalfStream:
    """One direction of a TCP connection; calls ``deliver(data, frame)`` with in-order bytes."""

    __slots__ = ("deliver", "gap", "next_seq", "pending", "pending_bytes", "retransmitted", "gaps", "bytes")

    def __init__(self, deliver: Deliver, gap: Gap) -> None:
        self.deliver = deliver
        self.gap = gap
        self.next_seq: int | None = None
        self.pending: dict[int, tuple[bytes, int]] = {}
        self.pending_bytes = 0
        self.retransmitted = 0  #: segments carrying only bytes already delivered
        self.gaps = 0  #: holes that never filled (bytes missing from the capture)
        self.bytes = 0  #: payload bytes delivered

    def syn(self, seq: int) -> None:
        """A SYN: the stream starts at ``seq + 1``."""
        if self.next_seq is None:
            self.next_seq = (seq + 1) % _MOD

    def segment(self, seq: int, payload: bytes, frame: int) -> None:
        """Add one segment's payload."""
        if not payload:
            return
        if self.next_seq is None:
            self.next_seq = seq
        offset = _diff(seq, self.next_seq)
        if offset > 0:
            if seq not in self.pending or len(self.pending[seq][0]) < len(payload):
                self.pending_bytes += len(payload) - len(self.pending.get(seq, (b"", 0))[0])
                self.pending[seq] = (payload, frame)
            if self.pending_bytes > MAX_PENDING:
                self._skip_gap()
            return
        if -offset >= len(payload):
            self.retransmitted += 1
            return
        if offset < 0:
            payload = payload[-offset:]
        self._emit(payload, frame)
        if self.pending:
            self._drain()

    def _emit(self, payload: bytes, frame: int) -> None:
        self.next_seq = (self.next_seq + len(payload)) % _MOD  # type: ignore[operator]
        self.bytes += len(payload)
        self.deliver(payload, frame)

    def _drain(self) -> None:
        while self.pending:
            best = None
            for seq in self.pending:
                if _diff(seq, self.next_seq) <= 0:  # type: ignore[arg-type]
                    best = seq
                    break
            if best is None:
                return
            payload, frame = self.pending.pop(best)
            self.pending_bytes -= len(payload)
            offset = _diff(best, self.next_seq)  # type: ignore[arg-type]
            if -offset < len(payload):
                self._emit(payload[-offset:] if offset else payload, frame)

    def _skip_gap(self) -> None:
        """Give up on the hole before the earliest pending segment and continue from there."""
        first = min(self.pending, key=lambda s: _diff(s, self.next_seq))  # type: ignore[arg-type]
        missing = _diff(first, self.next_seq)  # type: ignore[arg-type]
        self.gaps += 1
        self.gap(missing, self.pending[first][1])
        self.next_seq = first
        self._drain()

    def flush(self) -> None:
        """End of capture: deliver what is held after any remaining hole."""
        while self.pending:
            self._skip_gap()
