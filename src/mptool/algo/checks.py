"""Importing this module registers every algo check (used by ``mptool checks``)."""

from mptool.algo import crosscheck as _crosscheck  # noqa: F401
from mptool.algo import crosscheck_pycryptodome as _crosscheck_pycryptodome  # noqa: F401
from mptool.algo import crosscheck_pyx as _crosscheck_pyx  # noqa: F401
from mptool.algo import digest as _digest  # noqa: F401
from mptool.algo import evidence as _evidence  # noqa: F401
from mptool.algo import identify as _identify  # noqa: F401
from mptool.algo import verify as _verify  # noqa: F401
