"""The versions recorded in evidence (``tool.backends``), read cheaply, equal the standard lookups (issue 20)."""

from __future__ import annotations

import platform
from importlib import metadata

from cryptography.hazmat.backends.openssl.backend import backend

from mptool.core import versions


def test_backend_versions_equal_importlib_metadata_platform_and_the_openssl_backend() -> None:
    got = versions.backend_versions()
    for name in versions.BACKEND_DISTRIBUTIONS:
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = "not installed"
        assert got[name] == expected, name
    assert got["openssl"] == backend.openssl_version_text()
    assert got["python"] == platform.python_version()
    assert set(got) == {*versions.BACKEND_DISTRIBUTIONS, "openssl", "python"}


def test_unknown_distribution_is_not_installed() -> None:
    assert versions._distribution_version("no-such-distribution-mptool-test") == "not installed"
