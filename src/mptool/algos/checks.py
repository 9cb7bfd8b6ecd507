"""Importing this module registers every algo check (used by ``mptool checks``)."""

from mptool.algos import digest as _digest  # noqa: F401
