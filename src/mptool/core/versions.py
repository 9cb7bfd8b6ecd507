"""Versions of mptool and its backends, read without importing the heavy packages."""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

from mptool import __version__

#: Distributions whose versions are recorded in every evidence file (``tool.backends``).
BACKEND_DISTRIBUTIONS: tuple[str, ...] = (
    "cryptography",
    "gmssl",
    "gmssl-pyx",
    "scapy",
    "numpy",
    "scipy",
    "pyasn1",
    "pyasn1-modules",
    "pydantic",
    "click",
    "rich",
)


def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


@lru_cache(maxsize=1)
def backend_versions() -> dict[str, str]:
    """Versions of every backend, plus the OpenSSL that cryptography is linked against."""
    versions = {name: _distribution_version(name) for name in BACKEND_DISTRIBUTIONS}
    from cryptography.hazmat.backends.openssl.backend import backend

    versions["openssl"] = backend.openssl_version_text()
    import platform

    versions["python"] = platform.python_version()
    return versions


def tool_version() -> str:
    """The version of mptool itself."""
    return __version__
