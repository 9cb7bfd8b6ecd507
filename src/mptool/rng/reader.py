"""Reading random data: binary (MSB first), ASCII '0'/'1' or hex text, from a file, a directory or stdin.

Data is decoded chunk by chunk and cut into sequences of a fixed number of bits, so memory
stays bounded by one chunk plus the sequences in flight, whatever the size of the input.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mptool.core.errors import InputError, UsageError
from mptool.core.inputs import CHUNK_SIZE, DigestingReader, open_input
from mptool.core.model import InputRecord
from mptool.rng.params import MAX_SEQUENCES

FORMATS = ("binary", "ascii", "hex")

_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[list(b" \t\r\n\v\f")] = True
_HEX_VALUE = np.full(256, -1, dtype=np.int16)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX_VALUE[_c] = _i
    _HEX_VALUE[bytes([_c]).upper()[0]] = _i
_NIBBLE_BITS = np.unpackbits(np.arange(16, dtype=np.uint8)[:, None], axis=1)[:, 4:]


def decode(chunk: bytes, input_format: str, name: str, offset: int) -> np.ndarray:
    """Bits (uint8 0/1) of one chunk of input; ``offset`` locates a bad character in the message."""
    raw = np.frombuffer(chunk, dtype=np.uint8)
    if input_format == "binary":
        return np.unpackbits(raw)
    if input_format == "ascii":
        bad = ~(_WHITESPACE[raw] | (raw == 0x30) | (raw == 0x31))
        _reject(raw, bad, name, offset, "'0', '1' or whitespace")
        return raw[(raw == 0x30) | (raw == 0x31)] - 0x30
    values = _HEX_VALUE[raw]
    bad = (values < 0) & ~_WHITESPACE[raw]
    _reject(raw, bad, name, offset, "a hex digit or whitespace")
    return _NIBBLE_BITS[values[values >= 0]].reshape(-1)


def _reject(raw: np.ndarray, bad: np.ndarray, name: str, offset: int, expected: str) -> None:
    if bad.any():
        at = int(np.argmax(bad))
        raise InputError(name, f"byte {offset + at}: {bytes([raw[at]])!r} is not {expected} (wrong --input-format?)")


def _decoded_chunks(reader: DigestingReader, input_format: str) -> Iterator[np.ndarray]:
    offset = 0
    for chunk in reader.chunks(CHUNK_SIZE):
        yield decode(chunk, input_format, reader.name, offset)
        offset += len(chunk)


def _cut(chunks: Iterator[np.ndarray], bits: int) -> Iterator[np.ndarray]:
    """Sequences of exactly ``bits`` bits from a stream of decoded chunks (a short tail is dropped).

    Each sequence is filled into its own buffer, so at most one sequence and one chunk are held.
    """
    buffer = np.empty(bits, dtype=np.uint8)
    filled = 0
    for chunk in chunks:
        used = 0
        while used < chunk.size:
            take = min(bits - filled, chunk.size - used)
            buffer[filled : filled + take] = chunk[used : used + take]
            filled += take
            used += take
            if filled == bits:
                yield buffer
                buffer = np.empty(bits, dtype=np.uint8)
                filled = 0


@dataclass
class SequenceSource:
    """Where the sequences of a run come from, and the input records once read."""

    path: str
    input_format: str
    bits: int | None
    count: int | None
    sequence_bits: int = 0
    whole: np.ndarray | None = None
    records: list[InputRecord] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def is_directory(self) -> bool:
        """True when the input is a directory (one sequence per file)."""
        return self.path != "-" and Path(self.path).is_dir()

    def sequences(self) -> Iterator[np.ndarray]:
        """Every sequence in order; records of the inputs are appended to :attr:`records`."""
        if self.whole is not None:
            yield self.whole
        elif self.is_directory:
            yield from self._directory_sequences()
        else:
            yield from self._stream_sequences()

    def _stream_sequences(self) -> Iterator[np.ndarray]:
        assert self.bits is not None
        produced = 0
        with open_input(self.path) as reader:
            for sequence in _cut(_decoded_chunks(reader, self.input_format), self.bits):
                if self.count is not None and produced == self.count:
                    break
                if produced == MAX_SEQUENCES:
                    raise InputError(reader.name, _too_many(self.bits))
                produced += 1
                yield sequence
            if _is_regular_file(self.path):  # a pipe or device (e.g. /dev/urandom) may never end
                reader.drain()
            self.records.append(reader.record())
        self._check_enough(produced, reader.name)

    def _check_enough(self, produced: int, name: str) -> None:
        assert self.bits is not None
        wanted = self.count if self.count is not None else 1
        if produced < wanted:
            raise InputError(name, f"too little data: {wanted} × {self.bits} bits = {wanted * self.bits} bits needed, the input holds {produced} whole sequence(s) of {self.bits} bits")

    def _directory_sequences(self) -> Iterator[np.ndarray]:
        for file in self.files:
            data = _read_all(str(file), self.input_format, self.records)
            if self.bits is not None:
                if data.size < self.bits:
                    raise InputError(str(file), f"too little data: {self.bits} bits needed, {data.size} found")
                data = data[: self.bits]
            elif data.size != self.sequence_bits:
                raise InputError(str(file), f"has {data.size} bits but the first file has {self.sequence_bits}: give --bits N to test the first N bits of each file")
            yield data


def open_source(path: str, input_format: str, bits: int | None, count: int | None) -> SequenceSource:
    """Resolve what will be read: the sequence length (reading a whole single file when no ``--bits``)."""
    if input_format not in FORMATS:
        raise UsageError(f"--input-format: one of {', '.join(FORMATS)}")
    source = SequenceSource(path, input_format, bits, count)
    if source.is_directory:
        files = sorted(p for p in Path(path).iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError(path, "directory holds no files")
        if count is None and len(files) > MAX_SEQUENCES:
            raise InputError(path, f"the directory holds {len(files)} files (one sequence each): at most {MAX_SEQUENCES} in one run, give --count")
        if count is not None:
            if len(files) < count:
                raise InputError(path, f"too little data: --count {count} needs {count} files, the directory holds {len(files)}")
            files = files[:count]
        source.files = files
        source.count = len(files)
        if bits is None:
            with open_input(str(files[0])) as reader:
                source.sequence_bits = sum(c.size for c in _decoded_chunks(reader, input_format))
            if source.sequence_bits == 0:
                raise InputError(str(files[0]), "holds no bits")
        else:
            source.sequence_bits = bits
        return source
    if bits is None:
        if count is not None:
            raise UsageError("--count needs --bits (the length of each sequence) unless the input is a directory")
        return _whole_input(source)
    _check_size_early(path, input_format, bits, count)
    source.sequence_bits = bits
    return source


def _read_all(path: str, input_format: str, records: list[InputRecord]) -> np.ndarray:
    """All the bits of one input (its record appended to ``records``)."""
    with open_input(path) as reader:
        data = np.concatenate([np.empty(0, np.uint8), *_decoded_chunks(reader, input_format)])
        records.append(reader.record())
    if data.size == 0:
        raise InputError(reader.name, "holds no bits")
    return data


def _whole_input(source: SequenceSource) -> SequenceSource:
    """No --bits: the whole input is one sequence (read into memory once)."""
    data = _read_all(source.path, source.input_format, source.records)
    source.bits = source.sequence_bits = int(data.size)
    source.count = 1
    source.whole = data
    return source


def _too_many(bits: int) -> str:
    return f"holds more than {MAX_SEQUENCES} sequences of {bits} bits: at most {MAX_SEQUENCES} in one run, give --count N"


def _is_regular_file(path: str) -> bool:
    """True for a regular file, whose digest then covers the whole file; false for stdin, pipes, devices."""
    return path != "-" and stat.S_ISREG(os.stat(path).st_mode)


def _check_size_early(path: str, input_format: str, bits: int, count: int | None) -> None:
    """For a regular binary file, report too little data before any work is done."""
    if path == "-" or input_format != "binary":
        return
    try:
        if not _is_regular_file(path):
            return  # a pipe or device: its size is not known in advance
        size = os.stat(path).st_size
    except OSError:
        return  # open_input reports it
    wanted = (count or 1) * bits
    if count is None and size * 8 // bits > MAX_SEQUENCES:
        raise InputError(path, _too_many(bits))
    if size * 8 < wanted:
        raise InputError(path, f"too little data: {count or 1} × {bits} bits = {wanted} bits ({(wanted + 7) // 8} bytes) needed, the file has {size * 8} bits ({size} bytes)")
