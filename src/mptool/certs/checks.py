"""Importing this module registers every cert check (used by ``mptool checks``)."""

from mptool.certs import chain as _chain  # noqa: F401
from mptool.certs import limbo as _limbo  # noqa: F401
from mptool.certs import pair as _pair  # noqa: F401
from mptool.certs.lint import _load_rules

_load_rules()
