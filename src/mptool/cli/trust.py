"""The one trust-anchor option of every command: ``--trust FILE|DIR`` (repeatable).

Older spellings (``--ca``, ``--cafile``, ``--ca-file``, ``--roots``, ``--anchor``, ``--trust-anchor``,
``--trust-store``) are accepted as hidden aliases and merged into ``trust``, so scripts keep working
while ``--help`` shows one name. Every command reads the anchors through one loader
(:func:`mptool.cert.api.load_trust_anchors`): PEM bundles, DER, PKCS#7, Base64, and directories.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: Hidden aliases of ``--trust`` (each repeatable), as option name -> parameter name.
ALIASES: dict[str, str] = {
    "--ca": "trust_alias_ca",
    "--cafile": "trust_alias_cafile",
    "--ca-file": "trust_alias_ca_file",
    "--roots": "trust_alias_roots",
    "--anchor": "trust_alias_anchor",
    "--trust-anchor": "trust_alias_trust_anchor",
    "--trust-store": "trust_alias_trust_store",
}
TRUST_HELP = "Trust anchors: certificate files (PEM, bundles, DER, PKCS#7) or directories of them (repeatable)"


def trust_option(purpose: str = "") -> Callable[[F], F]:
    """Add ``--trust FILE|DIR`` (and its hidden aliases) and pass the merged tuple as ``trust``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, trust: tuple[str, ...] = (), **kwargs: Any) -> Any:
            merged = list(trust)
            for name in ALIASES.values():
                merged.extend(kwargs.pop(name, ()) or ())
            return func(*args, trust=tuple(merged), **kwargs)

        decorated: Any = wrapper
        for option, name in reversed(list(ALIASES.items())):
            decorated = click.option(option, name, multiple=True, metavar="FILE|DIR", hidden=True)(decorated)
        help_text = f"{TRUST_HELP}{'; ' + purpose if purpose else ''}."
        return click.option("--trust", "trust", multiple=True, metavar="FILE|DIR", help=help_text)(decorated)  # type: ignore[no-any-return]

    return decorate
