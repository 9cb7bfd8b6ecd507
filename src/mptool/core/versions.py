"""Versions of mptool and its backends, read without importing the heavy packages."""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

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


def _normalise(name: str) -> str:
    """A distribution name as wheel directory names spell it (PEP 503 normalisation, ``_`` separators)."""
    return re.sub(r"[-_.]+", "_", name).lower()


@lru_cache(maxsize=1)
def _installed() -> dict[str, str]:
    """Normalised name -> version of the ``NAME-VERSION.dist-info`` directories on ``sys.path``.

    The first directory on the path wins, as for :func:`importlib.metadata.version`; reading
    directory names costs a few ``listdir`` calls where importing :mod:`importlib.metadata`
    (and the e-mail parser it reads METADATA with) costs about 0.1 s of start-up.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for dist in names:
            if dist.endswith(".dist-info") and "-" in dist:
                name, _, version = dist[: -len(".dist-info")].rpartition("-")
                found.setdefault(_normalise(name), version)
    return found


def _distribution_version(name: str) -> str:
    version = _installed().get(_normalise(name))
    if version is not None:
        return version
    from importlib import metadata  # an egg-info or unusual install: the full lookup

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def openssl_version() -> str:
    """The OpenSSL that cryptography is linked against (from its binding, without loading the backend)."""
    try:
        from cryptography.hazmat.bindings._rust import openssl as rust_openssl

        return str(rust_openssl.openssl_version_text())
    except (ImportError, AttributeError):  # another cryptography layout: the public backend object
        from cryptography.hazmat.backends.openssl.backend import backend

        return str(backend.openssl_version_text())


@lru_cache(maxsize=1)
def backend_versions() -> dict[str, str]:
    """Versions of every backend, plus the OpenSSL that cryptography is linked against."""
    versions = {name: _distribution_version(name) for name in BACKEND_DISTRIBUTIONS}
    versions["openssl"] = openssl_version()
    versions["python"] = sys.version.split(" ", 1)[0]  # what platform.python_version() parses out
    return versions


def tool_version() -> str:
    """The version of mptool itself."""
    return __version__
