"""Importing this module registers every cert check (used by ``mptool checks``)."""

from mptool.cert import chain as _chain  # noqa: F401
from mptool.cert import limbo as _limbo  # noqa: F401
from mptool.cert import pair as _pair  # noqa: F401
from mptool.cert.lint import _load_rules

_load_rules()
