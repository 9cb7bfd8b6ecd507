"""Input digests (core/inputs.py): the background digest thread gives the digests of exactly the
bytes read, as digesting inline does, and no thread outlives the ``open_input`` block."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from mptool.core.errors import InputError
from mptool.core.inputs import DIGEST_QUEUE_CHUNKS, new_sm3, open_input


def _digest_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "mptool-digest"]


def _expected(data: bytes) -> tuple[str, str]:
    sm3 = new_sm3()  # hashlib's, or cryptography's where OpenSSL lacks SM3
    sm3.update(data)
    return hashlib.sha256(data).hexdigest(), sm3.hexdigest()


@pytest.mark.parametrize("background", [False, True])
@pytest.mark.parametrize("sizes", [[1 << 20], [1, 7, 4096, 1 << 20, 3], [100_000] * 40])
def test_digests_cover_every_byte_read_and_drained(tmp_path: Path, background: bool, sizes: list[int]) -> None:
    # more chunks than the queue holds, so the reader waits for the thread at times
    data = os.urandom((DIGEST_QUEUE_CHUNKS + 5) << 20)
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    read = bytearray()
    with open_input(str(path), background_digest=background) as reader:
        for n in sizes:
            read += reader.read(n)
        reader.drain()
        record = reader.record()
    assert bytes(read) == data[: len(read)]
    assert (record.size, record.sha256, record.sm3) == (len(data), *_expected(data))
    assert not _digest_threads()


def test_record_of_a_partly_read_input(tmp_path: Path) -> None:
    data = os.urandom(3 << 20)
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    with open_input(str(path), background_digest=True) as reader:
        head = reader.read(1234567)
        record = reader.record()
    assert (record.size, record.sha256, record.sm3) == (len(head), *_expected(data[: len(head)]))
    assert not _digest_threads()


def test_no_digest_thread_survives_an_error_in_the_block(tmp_path: Path) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(os.urandom(2 << 20))
    with pytest.raises(InputError), open_input(str(path), background_digest=True) as reader:
        reader.read(1 << 20)
        assert _digest_threads()  # started by the first read
        raise InputError(str(path), "a problem found while parsing")
    assert not _digest_threads()


def test_reading_on_after_a_record_continues_the_same_digests() -> None:
    """A record() ends the digest thread; reads after it (more chunks than the queue holds) start a
    new one instead of waiting for a thread that is gone, and the digests cover every byte."""
    import io

    from mptool.core.inputs import DigestingReader

    data = os.urandom((DIGEST_QUEUE_CHUNKS + 8) * 4096)
    reader = DigestingReader("x", io.BytesIO(data), background=True)
    reader.read(4096)
    first = reader.record()
    assert (first.sha256, first.sm3) == _expected(data[:4096])
    while reader.read(4096):
        pass
    record = reader.record()
    assert (record.size, record.sha256, record.sm3) == (len(data), *_expected(data))
    assert _digest_threads() == []
