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
from mptool.rng.params import MAX_SEQUENCES, MAX_WHOLE_BITS, MIN_BITS
from mptool.rng.sniff import sniff, suggestion

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
        layout = sniff(raw.tobytes()) if offset == 0 else None
        hint = suggestion(layout).replace(", not raw bytes", "") if layout else "wrong --input-format?"
        raise InputError(name, f"byte {offset + at}: {bytes([raw[at]])!r} is not {expected} ({hint})")


def check_layout(chunk: bytes, name: str) -> None:
    """Refuse text (a '0'/'1' file, hex, an xxd or hexdump listing) given as raw bytes, saying which option reads it."""
    layout = sniff(chunk)
    if layout is not None:
        raise InputError(name, f"{suggestion(layout)} (or --input-format binary to test its bytes as they are)")


def _decoded_chunks(reader: DigestingReader, input_format: str, sniffing: bool = False) -> Iterator[np.ndarray]:
    offset = 0
    for chunk in reader.chunks(CHUNK_SIZE):
        if sniffing and offset == 0:
            check_layout(chunk, reader.name)
        elif input_format == "hex" and offset == 0 and (layout := sniff(chunk)) in ("xxd", "hexdump"):
            raise InputError(reader.name, suggestion(layout))  # offsets would be read as data
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
    #: the format was not given: binary, refusing text that looks like another layout
    sniffing: bool = False
    whole: np.ndarray | None = None
    records: list[InputRecord] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    #: a directory: the --count asked for (``count`` is how many files may be read)
    wanted: int | None = None
    #: files of a directory left out, as (name, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)

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
            for sequence in _cut(_decoded_chunks(reader, self.input_format, self.sniffing), self.bits):
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
        """One sequence per file; a file that cannot be one (a stray README, a short or unreadable
        file, another length or layout) is recorded in :attr:`skipped` with the reason, and the run goes on."""
        produced = 0
        wanted = self.wanted
        for file in self.files:
            if wanted is not None and produced == wanted:
                break
            try:
                data = self._file_sequence(file)
            except InputError as exc:
                self.skipped.append((str(file), exc.problem))
                continue
            produced += 1
            yield data
        if produced == 0:
            raise InputError(self.path, f"no file of the directory can be tested ({len(self.skipped)} skipped; first: {_first_reason(self.skipped)})")
        if wanted is not None and produced < wanted:
            raise InputError(self.path, f"too little data: --count {wanted} needs {wanted} files, {produced} could be tested ({len(self.skipped)} skipped; first: {_first_reason(self.skipped)})")

    def _file_sequence(self, file: Path) -> np.ndarray:
        records: list[InputRecord] = []
        data = _read_all(str(file), self.input_format, records, self.sniffing)
        if self.bits is not None:
            if data.size < self.bits:
                raise InputError(str(file), f"too little data: {self.bits} bits needed, {data.size} found")
            data = data[: self.bits]
        elif data.size != self.sequence_bits:
            raise InputError(str(file), f"has {data.size} bits but the first file has {self.sequence_bits}: give --bits N to test the first N bits of each file")
        self.records.extend(records)
        return data


def _first_reason(skipped: list[tuple[str, str]]) -> str:
    return f"{skipped[0][0]}: {skipped[0][1]}" if skipped else "none"


def _whole_bits_usage(name: str, bits: int) -> UsageError:
    return UsageError(
        f"{name}: the whole input is one sequence of {bits} bits, more than {MAX_WHOLE_BITS} (the longest of GM/T 0005-2021 Annex A): "
        "give --bits N (e.g. --bits 1000000 --count 1000 for the set decision, or --bits 100000000 to test one such sequence)"
    )


def open_source(path: str, input_format: str | None, bits: int | None, count: int | None) -> SequenceSource:
    """Resolve what will be read: the sequence length (reading a whole single file when no ``--bits``).

    ``input_format`` None is binary, with text layouts refused and the right option named
    (:func:`check_layout`); an explicit ``binary`` reads any bytes as they are.
    """
    sniffing = input_format is None
    input_format = input_format or "binary"
    if input_format not in FORMATS:
        raise UsageError(f"--input-format: one of {', '.join(FORMATS)}")
    source = SequenceSource(path, input_format, bits, count, sniffing=sniffing)
    if source.is_directory:
        files = sorted(p for p in Path(path).iterdir() if not p.name.startswith("."))
        for stray in (p for p in files if not p.is_file()):
            source.skipped.append((str(stray), "not a regular file (sub-directories are not read)"))
        files = [p for p in files if p.is_file()]
        if not files:
            raise InputError(path, "directory holds no files")
        if count is None and len(files) > MAX_SEQUENCES:
            raise InputError(path, f"the directory holds {len(files)} files (one sequence each): at most {MAX_SEQUENCES} in one run, give --count")
        if count is not None and len(files) < count:
            raise InputError(path, f"too little data: --count {count} needs {count} files, the directory holds {len(files)}")
        source.files = files
        source.wanted = count
        source.count = min(len(files), count) if count is not None else len(files)
        source.sequence_bits = bits if bits is not None else _first_length(files, input_format, sniffing)
        return source
    if bits is None:
        if count is not None:
            raise UsageError("--count needs --bits (the length of each sequence) unless the input is a directory")
        return _whole_input(source)
    _check_size_early(path, input_format, bits, count)
    source.sequence_bits = bits
    return source


def _first_length(files: list[Path], input_format: str, sniffing: bool) -> int:
    """Without --bits, every file of a directory must have the length of the first file that can be read."""
    first = ""
    for file in files:
        try:
            with open_input(str(file)) as reader:
                length = sum(c.size for c in _decoded_chunks(reader, input_format, sniffing))
        except InputError as exc:
            first = first or str(exc)
            continue  # recorded as skipped when the sequences are read
        if length > MAX_WHOLE_BITS:
            raise _whole_bits_usage(str(file), length)
        if length >= MIN_BITS:
            return length
        first = first or f"{file}: {length} bits"
    raise InputError(str(files[0].parent), f"no file of the directory holds a sequence of at least {MIN_BITS} bits ({first})")


def _read_all(path: str, input_format: str, records: list[InputRecord], sniffing: bool = False) -> np.ndarray:
    """All the bits of one input (its record appended to ``records``)."""
    with open_input(path) as reader:
        data = np.concatenate([np.empty(0, np.uint8), *_decoded_chunks(reader, input_format, sniffing)])
        records.append(reader.record())
    if data.size == 0:
        raise InputError(reader.name, "holds no bits")
    return data


def _whole_input(source: SequenceSource) -> SequenceSource:
    """No --bits: the whole input is one sequence (read into memory once), at most 10^8 bits."""
    if source.input_format == "binary" and source.path != "-":
        try:
            size = os.stat(source.path).st_size if _is_regular_file(source.path) else 0
        except OSError:
            size = 0  # open_input reports it
        if size * 8 > MAX_WHOLE_BITS:
            raise _whole_bits_usage(source.path, size * 8)
    data = _read_all(source.path, source.input_format, source.records, source.sniffing)
    if data.size > MAX_WHOLE_BITS:
        raise _whole_bits_usage(source.path if source.path != "-" else "<stdin>", int(data.size))
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
