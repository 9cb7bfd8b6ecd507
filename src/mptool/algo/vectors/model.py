"""The in-memory form of one known-answer vector, whatever file format it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Expected verdicts (Wycheproof vocabulary; CAVP ``Result = P/F`` and ``FAIL`` map onto it).
VALID = "valid"  #: the operation must succeed and produce the expected output
INVALID = "invalid"  #: the operation must be rejected (or produce a different output)
ACCEPTABLE = "acceptable"  #: either outcome is fine (legacy or weak parameters)


@dataclass
class Vector:
    """One test case.

    ``algorithm`` and ``mode`` name the group it is reported under (e.g. ``aes``/``gcm``),
    ``op`` the operation run (``encrypt``, ``decrypt``, ``hash``, ``mac``, ``verify``, ``sign``,
    ``mct-encrypt`` …), ``fields`` its inputs and expected outputs (bytes, ints or str).
    """

    algorithm: str
    mode: str
    op: str
    fields: dict[str, Any]
    ident: str
    expect: str = VALID
    kind: str = "kat"
    flags: tuple[str, ...] = ()
    reason: str = ""  #: why the file marks the case invalid (CAVP ``Result = F (reason)``, Wycheproof comment)

    @property
    def group(self) -> str:
        """Reporting group, e.g. ``aes-gcm``."""
        return f"{self.algorithm}-{self.mode}"


@dataclass
class VectorFile:
    """The vectors parsed from one file, with the format that was detected."""

    name: str
    format: str
    vectors: list[Vector] = field(default_factory=list)
    #: reasons for records of the file that cannot be run at all (e.g. a withdrawn mode)
    unsupported: list[tuple[str, str]] = field(default_factory=list)
