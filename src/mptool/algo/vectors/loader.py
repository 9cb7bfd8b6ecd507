"""The one vector loader: format detection from content, parsing, the bundled set.

Used by ``mptool algo verify`` and by the tests. Formats are told apart by content, never by
file name: JSON with ``vsId`` is ACVP, with ``testGroups`` + ``algorithm`` Wycheproof, with
GM sections mptool's own format; text with ``# Modulus:`` blocks is a PKCS#1 example file,
text with ``NAME = value`` records a NIST CAVP file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mptool.core import jsonio
from mptool.algo.vectors import acvp, cavp, gmjson, pkcs1, wycheproof
from mptool.algo.vectors.cavp import VectorFormatError
from mptool.algo.vectors.model import VectorFile
from mptool.core.bundled import data_path

#: Folders of vectors/algo that make up the bundled set run by ``algo verify`` without arguments.
BUNDLED_FOLDERS: tuple[str, ...] = ("gm", "aes", "tdes", "rsa", "sha", "hmac", "wycheproof")
#: Shipped but not in the default run (format samples for ``--vectors``).
EXTRA_FOLDER = "extra"


def vectors_dir() -> Path:
    """``vectors/algo`` of the installed package."""
    return data_path("algo")


#: Bundled folders (or ``folder/glob`` patterns) holding each algorithm's vectors (to read only those with ``--algo``).
ALGORITHM_FOLDERS: dict[str, tuple[str, ...]] = {
    "sm2": ("gm",),
    "sm3": ("gm",),
    "sm4": ("gm", "wycheproof/sm4_*"),
    "hmac": ("gm", "hmac", "wycheproof/hmac_*"),
    "aes": ("aes", "wycheproof/aes_*"),
    "tdes": ("tdes",),
    "rsa": ("rsa",),
    "sha": ("sha",),
}


def bundled_files(algorithm: str | None = None) -> list[Path]:
    """Every file of the bundled set (or of the folders holding ``algorithm``), sorted by path."""
    root = vectors_dir()
    folders = ALGORITHM_FOLDERS.get(algorithm, BUNDLED_FOLDERS) if algorithm else BUNDLED_FOLDERS
    candidates = [p for folder in folders for p in (root.glob(folder) if "*" in folder else (root / folder).rglob("*"))]
    return sorted({p for p in candidates if p.is_file() and p.name != "SOURCES.md"})


@dataclass(frozen=True)
class Source:
    """One vector file's bytes, with the ACVP expected-results file paired to it, if any."""

    name: str
    data: bytes
    companion_name: str = ""
    companion: bytes = b""
    #: found in a directory: a file that cannot be read as vectors is skipped, not fatal
    optional: bool = False


def parse_json(data: bytes) -> Any:
    """A vector file's JSON; anything JSON or Python refuses (nesting too deep, an integer of
    more than 4,300 digits, bad UTF-8) is a :class:`VectorFormatError`, never a crash."""
    try:
        return jsonio.loads(data)
    except jsonio.JSONInputError as exc:
        raise VectorFormatError(f"invalid JSON: {exc.problem}" + (f" (line {exc.line})" if exc.line else "")) from None


def _json(data: bytes) -> Any | None:
    stripped = data.lstrip()
    if not stripped[:1] in (b"{", b"["):
        return None
    return parse_json(data)


def detect(data: bytes) -> str:
    """The format of a vector file: ``acvp``, ``wycheproof``, ``mptool-gm``, ``pkcs1`` or ``cavp``."""
    parsed = _json(data)
    if parsed is not None:
        if acvp.looks_like(parsed):
            return "acvp"
        if wycheproof.looks_like(parsed):
            return "wycheproof"
        if gmjson.looks_like(parsed):
            return "mptool-gm"
        raise VectorFormatError("JSON that is neither ACVP (vsId, testGroups), Wycheproof (algorithm, testGroups, tests) nor mptool GM vectors")
    text = _text(data)
    if pkcs1.looks_like(text):
        return "pkcs1"
    if cavp.looks_like(text):
        return "cavp"
    raise VectorFormatError("not a known vector format (NIST CAVP .rsp/.txt, PKCS#1 examples, Wycheproof, ACVP or mptool GM JSON)")


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise VectorFormatError("not UTF-8 text") from None


def pair_sources(files: list[tuple[str, bytes]], skipped: list[tuple[str, str]] | None = None, optional: frozenset[str] = frozenset()) -> list[Source]:
    """Pair ACVP prompt files with their expected-results files (by vsId); keep the rest as they are.

    Raises VectorFormatError naming the file when an ACVP file has no partner, or when a file is
    no vector file at all; files named in ``optional`` (found in a directory) are appended to
    ``skipped`` with the reason instead.
    """
    if skipped is not None and optional:
        kept = []
        for name, data in files:
            try:
                if name in optional:
                    detect(data)
            except VectorFormatError as exc:
                skipped.append((name, str(exc)))
                continue
            kept.append((name, data))
        files = kept
        try:
            return [s if s.name not in optional else Source(s.name, s.data, s.companion_name, s.companion, True) for s in pair_sources(files)]
        except VectorFormatError as exc:
            name, _, problem = str(exc).partition(": ")
            if name not in optional:
                raise
            skipped.append((name, problem))
            return pair_sources([f for f in files if f[0] != name], skipped, optional)
    prompts: dict[Any, tuple[str, bytes]] = {}
    answers: dict[Any, tuple[str, bytes]] = {}
    sources: list[Source] = []
    for name, data in files:
        try:
            kind = detect(data)
        except VectorFormatError as exc:
            raise VectorFormatError(f"{name}: {exc}") from None
        if kind != "acvp":
            sources.append(Source(name, data))
            continue
        parsed = acvp.unwrap(parse_json(data))
        if acvp.is_self_contained(parsed):
            sources.append(Source(name, data, name, data))
            continue
        try:
            vs_id = acvp.vs_id(parsed)
        except VectorFormatError as exc:
            raise VectorFormatError(f"{name}: {exc}") from None
        target = prompts if acvp.is_prompt(parsed) else answers
        target[vs_id] = (name, data)
    for vs_id, (name, data) in prompts.items():
        if vs_id not in answers:
            raise VectorFormatError(f"{name}: ACVP prompt (vsId {vs_id}) given without its expectedResults file")
        answer_name, answer = answers.pop(vs_id)
        sources.append(Source(name, data, answer_name, answer))
    for vs_id, (name, _) in answers.items():
        raise VectorFormatError(f"{name}: ACVP expected results (vsId {vs_id}) given without their prompt file")
    return sources


def load(source: Source, *, algorithm: str | None = None, mode: str | None = None) -> VectorFile:
    """Parse one source into vectors; a VectorFormatError's message starts with the file name."""
    try:
        kind = detect(source.data)
        if kind == "acvp":
            if not source.companion:
                raise VectorFormatError("an ACVP prompt needs its expectedResults file (give both)")
            return acvp.parse(parse_json(source.data), parse_json(source.companion), source.name)
        if kind == "wycheproof":
            return wycheproof.parse(parse_json(source.data), source.name)
        if kind == "mptool-gm":
            return gmjson.parse(parse_json(source.data), source.name)
        text = _text(source.data)
        if kind == "pkcs1":
            return pkcs1.parse(text, source.name)
        return cavp.parse(text, source.name, algorithm=algorithm, mode=mode)
    except VectorFormatError as exc:
        raise VectorFormatError(f"{source.name}: {exc}") from None
