"""proto serve's worker slot: taken again after a wait on the client only before the connection's
deadline (issue 21: a connection past its deadline must not block on a slot, nor free one it lacks)."""

from __future__ import annotations

import threading
import time

import pytest

from mptool.proto.tls.transport import ConnectionProblem
from mptool.proto.tlcp.serve import WorkerSlot


def test_a_slot_is_given_back_for_the_wait_and_taken_again() -> None:
    slots = threading.BoundedSemaphore(1)
    slot = WorkerSlot(slots, time.monotonic() + 30)
    assert slot.take()
    with slot.released():
        assert slots.acquire(blocking=False)  # free while the connection waits on its client
        slots.release()
    assert slot.held and not slots.acquire(blocking=False)
    slot.give()
    assert slots.acquire(blocking=False)


def test_no_slot_free_before_the_deadline_ends_the_connection_with_a_timeout() -> None:
    slots = threading.BoundedSemaphore(1)
    slot = WorkerSlot(slots, time.monotonic() + 0.2)
    assert slot.take()
    with pytest.raises(ConnectionProblem) as raised:
        with slot.released():
            assert slots.acquire(blocking=False)  # another connection takes the freed slot and keeps it
    assert raised.value.kind == "timeout"
    assert not slot.held
    slot.give()  # nothing held: nothing released (a BoundedSemaphore would raise on a second release)
    slots.release()  # the other connection's release is still possible exactly once
    with pytest.raises(ValueError):
        slots.release()


def test_an_error_during_the_wait_is_not_replaced() -> None:
    slots = threading.BoundedSemaphore(1)
    slot = WorkerSlot(slots, time.monotonic() + 30)
    slot.take()
    with pytest.raises(ConnectionProblem) as raised:
        with slot.released():
            raise ConnectionProblem("reset", "the client reset the connection")
    assert raised.value.kind == "reset" and slot.held
