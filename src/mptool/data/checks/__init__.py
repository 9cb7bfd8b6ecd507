"""Every check of the data domain, in one table: per sampled column, its confidentiality
(``data.column.protection``), decryption with a given key (``data.column.decrypt``) and, for an
integrity column, MAC/signature verification (``data.column.integrity``)."""

from __future__ import annotations

from mptool.core.registry import CheckSpec
from mptool.data.checks import column

CHECKS: tuple[CheckSpec, ...] = (
    column.judge_protection.spec,  # type: ignore[attr-defined]
    column.judge_decryption.spec,  # type: ignore[attr-defined]
    column.judge_integrity.spec,  # type: ignore[attr-defined]
)
