"""Importing this module registers every passive protocol check (used by ``mptool checks``)."""

from mptool.protocols import analyze as _analyze  # noqa: F401
from mptool.protocols import report_ipsec as _report_ipsec  # noqa: F401
from mptool.protocols import report_tls as _report_tls  # noqa: F401
