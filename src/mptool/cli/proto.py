"""``mptool proto``: thin CLI layer over :mod:`mptool.proto`.

``analyze`` lives in ``proto_analyze.py`` (passive, captures); ``probe`` and ``serve`` in
``proto_active.py`` (live endpoints). Each is imported only when used.
"""

from __future__ import annotations

import click

from mptool.cli.lazy import LazyGroup
from mptool.core.errors import exit_code_epilog


@click.group(
    cls=LazyGroup,
    lazy_commands={
        "analyze": "mptool.cli.proto_analyze:analyze",
        "probe": "mptool.cli.proto_active:probe",
        "serve": "mptool.cli.proto_active:serve",
    },
    epilog=exit_code_epilog(),
)
def group() -> None:
    """TLS, TLCP (GB/T 38636), TLS 1.3 with SM (RFC 8998) and IKE/IPSec (GM/T 0022) analysis and probing."""
