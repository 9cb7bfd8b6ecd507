"""Reading inputs: a path or ``-`` for stdin, digested (SHA-256 and SM3) while streaming.

Inputs are only ever opened for reading. Every problem becomes an :class:`InputError`
naming the input, which the CLI turns into one line on stderr and exit code 3.
"""

from __future__ import annotations

import hashlib
import os
import queue
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from mptool.core.errors import InputError
from mptool.core.model import InputRecord

if TYPE_CHECKING:
    from pathlib import Path

STDIN_NAME = "<stdin>"


class _CryptographySM3:
    """SM3 through cryptography, for Pythons whose hashlib (OpenSSL) lacks SM3."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives import hashes

        self._hash = hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def digest(self) -> bytes:
        return self._hash.copy().finalize()

    def hexdigest(self) -> str:
        return self.digest().hex()


def new_sm3() -> "hashlib._Hash | _CryptographySM3":
    """An SM3 hash object (GB/T 32905-2016): hashlib's when its OpenSSL has SM3, as it
    releases the GIL on large updates so digesting can overlap parsing; else cryptography's."""
    try:
        return hashlib.new("sm3")
    except ValueError:
        return _CryptographySM3()

CHUNK_SIZE = 1 << 20
#: Chunks handed to the background digest thread that may wait for it (bounds the memory it
#: can hold back: 8 reads, 8 MiB with the usual 1 MiB reads).
DIGEST_QUEUE_CHUNKS = 8


class _DigestThread:
    """SHA-256 and SM3 of the chunks put into it, computed by one background thread.

    hashlib releases the GIL while it digests more than 2 KiB, so on a machine with a free core
    the digests overlap the caller's parsing. The chunks are digested in the order they were
    put, so the result equals digesting them inline.
    """

    def __init__(self, sha256: "hashlib._Hash", sm3: "hashlib._Hash | _CryptographySM3") -> None:
        self._hashes = (sha256, sm3)
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=DIGEST_QUEUE_CHUNKS)
        self._thread = threading.Thread(target=self._run, name="mptool-digest", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        sha256, sm3 = self._hashes
        get = self._queue.get
        while (data := get()) is not None:
            sha256.update(data)
            sm3.update(data)

    def put(self, data: bytes) -> None:
        """Digest ``data`` after the chunks put before it (waits while the queue is full)."""
        self._queue.put(data)

    def join(self) -> None:
        """Wait until every chunk put so far is digested; the thread ends."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


@dataclass
class DigestingReader:
    """Wraps a binary stream and digests (SHA-256, SM3) every byte read through it.

    With ``background`` the digests are computed by a thread (:class:`_DigestThread`) while the
    caller works on the bytes; :meth:`record` waits for it. Same digests either way.
    """

    name: str
    stream: BinaryIO
    size: int = 0
    background: bool = False
    _sha256: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    _sm3: "hashlib._Hash | _CryptographySM3" = field(default_factory=new_sm3)
    _thread: _DigestThread | None = None

    def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes (all when ``n`` < 0), updating the digests."""
        try:
            data = self.stream.read() if n < 0 else self.stream.read(n)
        except OSError as exc:
            raise InputError(self.name, f"cannot read: {exc.strerror or exc}") from None
        self._update(data)
        return data

    def chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Iterate over the rest of the stream in chunks."""
        while chunk := self.read(chunk_size):
            yield chunk

    def drain(self) -> None:
        """Read (and digest) whatever is left, so the record covers the whole input."""
        for _ in self.chunks():
            pass

    def _update(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.background:
            if self._thread is None:
                self._thread = _DigestThread(self._sha256, self._sm3)
            self._thread.put(data)
            return
        self._sha256.update(data)
        self._sm3.update(data)

    def close(self) -> None:
        """Wait for the background digests (if any); safe to call more than once, and reading on
        afterwards starts a new thread that continues the same digests."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def record(self) -> InputRecord:
        """The :class:`InputRecord` of what has been read so far (call after :meth:`drain`)."""
        self.close()
        return InputRecord(name=self.name, size=self.size, sha256=self._sha256.hexdigest(), sm3=self._sm3.hexdigest())


def check_readable_file(path: str, *, allow_empty: bool = False) -> "Path":
    """Check that ``path`` names a readable regular file (non-empty unless allowed)."""
    from pathlib import Path  # imported here: a value on the command line needs no pathlib (start-up)

    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot access: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(path, "is a directory, expected a file")
    if not os.access(p, os.R_OK):
        raise InputError(path, "permission denied")
    if stat.S_ISREG(st.st_mode) and st.st_size == 0 and not allow_empty:
        raise InputError(path, "is empty")
    return p


class open_input:
    """Context manager: open a path or ``-`` (stdin) for digesting, streaming reads.

    >>> with open_input("sample.bin") as reader:  # doctest: +SKIP
    ...     for chunk in reader.chunks(): ...
    ...     record = reader.record()

    With ``background_digest`` the SHA-256 and SM3 digests run in a thread alongside the
    caller (see :class:`DigestingReader`).
    """

    def __init__(self, path: str, *, allow_empty: bool = False, background_digest: bool = False) -> None:
        self.path = path
        self.allow_empty = allow_empty
        self.background = background_digest
        self._file: BinaryIO | None = None
        self._reader: DigestingReader | None = None

    def __enter__(self) -> DigestingReader:
        if self.path == "-":
            self._reader = DigestingReader(STDIN_NAME, sys.stdin.buffer, background=self.background)
            return self._reader
        p = check_readable_file(self.path, allow_empty=self.allow_empty)
        try:
            self._file = p.open("rb")
        except OSError as exc:
            raise InputError(self.path, f"cannot open: {exc.strerror or exc}") from None
        self._reader = DigestingReader(self.path, self._file, background=self.background)
        return self._reader

    def __exit__(self, *exc: object) -> None:
        if self._reader is not None:
            self._reader.close()  # no digest thread outlives the block
        if self._file is not None:
            self._file.close()


def read_input(path: str, *, allow_empty: bool = False, max_size: int | None = None) -> tuple[bytes, InputRecord]:
    """Read a whole (small) input into memory and return its bytes and record.

    ``max_size`` bounds memory for inputs that are meant to be small (certificates,
    vector files); a larger input is an input error.
    """
    with open_input(path, allow_empty=allow_empty) as reader:
        size = _regular_size(reader)
        if size is not None and max_size is not None and size > max_size:
            raise InputError(reader.name, f"larger than the {max_size}-byte limit for this kind of input")
        if size is not None:
            data = reader.read()  # one allocation of the file's size, no list of chunks to join
        else:
            parts: list[bytes] = []
            for chunk in reader.chunks():
                parts.append(chunk)
                if max_size is not None and reader.size > max_size:
                    break
            data = b"".join(parts)
        if max_size is not None and reader.size > max_size:
            raise InputError(reader.name, f"larger than the {max_size}-byte limit for this kind of input")
        if not data and not allow_empty:
            raise InputError(reader.name, "is empty")
        return data, reader.record()


def _regular_size(reader: DigestingReader) -> int | None:
    """The size of the regular file behind ``reader`` (None for stdin, a pipe or a device)."""
    try:
        st = os.fstat(reader.stream.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def digest_bytes(name: str, data: bytes) -> InputRecord:
    """The :class:`InputRecord` of bytes already in memory (e.g. a value given on the command line)."""
    sm3 = new_sm3()
    sm3.update(data)
    return InputRecord(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), sm3=sm3.hexdigest())
