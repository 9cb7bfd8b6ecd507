"""Importing this module registers every passive protocol check (used by ``mptool checks``)."""

from mptool.proto import analyze as _analyze  # noqa: F401
from mptool.proto import report_ipsec as _report_ipsec  # noqa: F401
from mptool.proto import report_tls as _report_tls  # noqa: F401
