"""Access to the data bundled with mptool: vectors and sample files.

The repository's top-level ``vectors/`` is the one editable source; wheels carry it as
``mptool/_vectors`` (hatch force-include). In an editable install it is read in place.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path


@lru_cache(maxsize=1)
def vectors_root() -> Path:
    """The directory holding the bundled vectors and samples."""
    packaged = Path(str(resources.files("mptool"))) / "_vectors"
    if packaged.is_dir():
        return packaged
    source_tree = Path(__file__).resolve().parents[3] / "vectors"
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError("mptool's bundled vectors are missing: reinstall mptool")


def data_path(*parts: str) -> Path:
    """Path of a bundled file, e.g. ``data_path("samples", "rng", "sample.bin")``."""
    return vectors_root().joinpath(*parts)
