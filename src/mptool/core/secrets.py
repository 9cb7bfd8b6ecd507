"""Secrets given on the command line are kept out of evidence and logs.

Keys, passwords and plaintexts are recorded by their SM3 fingerprint and length, never verbatim
(evidence is handed to clients and archived). The root option ``--record-secrets`` keeps them
verbatim for lab use. A value that only says where the secret is (``@FILE``, ``file:PATH``,
``env:NAME``) is not the secret itself and stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mptool.core.inputs import new_sm3

#: Prefixes of values that name where a secret is, not the secret.
REFERENCE_PREFIXES = ("@", "file:", "env:")

#: Options whose value is a secret, in every command of every domain.
SECRET_OPTIONS: frozenset[str] = frozenset(
    {
        "--key",
        "--private-key",
        "--plaintext",
        "--password",
        "--key-password",
        "--mac-key",
        "--pin",
        "--secret",
        "--psk",
    }
)


def fingerprint(value: str | bytes) -> str:
    """``<secret sm3:<16 hex digits of SM3>… <length> chars|bytes>``: enough to tell two secrets apart."""
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    digest = new_sm3()
    digest.update(raw)
    return f"<secret sm3:{digest.hexdigest()[:16]}… {len(raw)} {'chars' if isinstance(value, str) else 'bytes'}>"


def mask_arguments(argv: Sequence[str], secret_options: Iterable[str] = SECRET_OPTIONS) -> list[str]:
    """``argv`` with the value of every secret option replaced by its :func:`fingerprint`.

    Handles ``--key VALUE`` and ``--key=VALUE``; references (``@FILE``, ``file:``, ``env:``) are kept.
    """
    secrets = frozenset(secret_options)
    out: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            out.append(arg if arg.startswith(REFERENCE_PREFIXES) else fingerprint(arg))
            mask_next = False
            continue
        name, eq, value = arg.partition("=")
        if name in secrets and eq:
            out.append(f"{name}={value if value.startswith(REFERENCE_PREFIXES) else fingerprint(value)}")
        else:
            out.append(arg)
            mask_next = arg in secrets
    return out
