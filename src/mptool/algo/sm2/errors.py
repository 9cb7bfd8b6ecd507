"""Exceptions raised by the SM2 implementation."""

from __future__ import annotations


class SM2Error(ValueError):
    """A bad point, scalar, range or encoding; the message says what was expected."""


class SM2DecryptError(SM2Error):
    """A ciphertext that does not decrypt: bad encoding, point off the curve or C3 mismatch.

    ``attempts`` lists ``(encoding, reason)`` for every encoding that was tried, in order.
    """

    def __init__(self, message: str, attempts: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.attempts: list[tuple[str, str]] = list(attempts or [])
