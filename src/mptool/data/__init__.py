"""Stored data (``mptool data``): sample a database column or an export and judge its protection.

Evidence for GB/T 39786-2021 重要数据存储机密性 (APP-SCONF) and 重要数据存储完整性 (APP-SINTEG):
:mod:`mptool.data.sources` reads rows (SQLAlchemy: SQLite, PostgreSQL, MySQL/MariaDB; CSV and
JSON-lines exports) read-only; :mod:`mptool.data.judge` analyses the values (encoding, lengths,
entropy, repetition, alignment, GM/T 0005 randomness), decrypts them with a given key and verifies
MAC/signature columns; :mod:`mptool.data.commands` turns that into evidence. Other domains use
:mod:`mptool.data.api` only.

``vectors_root``/``data_path`` (the bundled vectors) moved to :mod:`mptool.core.bundled`; they are
re-exported here for code written before the move and will be dropped later.
"""

from mptool.core.bundled import data_path, vectors_root

__all__ = ["data_path", "vectors_root"]
