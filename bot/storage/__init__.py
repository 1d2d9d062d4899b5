"""Shared state behind one interface: claims, window counters, record streams.

:func:`open_storage` picks the backend: Redis when ``REDIS_URL`` (the
``storage.redis_url`` setting) is set, so every replica agrees; otherwise
SQLite in the state folder, so every worker on the host agrees.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.base import RecordStream, Storage, StorageUnavailable, WindowHit
from bot.storage.fallback import ProcessFallback
from bot.storage.memory import MemoryStorage
from bot.storage.sqlite import SqliteStorage
from bot.storage.streams import JsonlStream, MemoryStream

__all__ = [
    "SQLITE_FILE",
    "JsonlStream",
    "MemoryStorage",
    "MemoryStream",
    "ProcessFallback",
    "RecordStream",
    "SqliteStorage",
    "Storage",
    "StorageUnavailable",
    "WindowHit",
    "existing_storage",
    "open_storage",
]

SQLITE_FILE = "claims.sqlite3"  # in the state folder


def open_storage(redis_url: str | None, state_dir: Path | None) -> Storage:
    """Redis when a URL is given, else SQLite under ``state_dir`` (in memory when None)."""
    if redis_url:
        from bot.storage.redis import RedisStorage

        return RedisStorage(redis_url)
    return SqliteStorage(state_dir / SQLITE_FILE if state_dir is not None else None)


def existing_storage(redis_url: str | None, state_dir: Path | None) -> Storage | None:
    """The store as :func:`open_storage` opens it, but ``None`` where nothing was ever kept.

    For commands that only read it: asking from a terminal must not create a
    state folder, and a host whose bot never ran has no SQLite file to read.
    """
    if not redis_url and (state_dir is None or not (state_dir / SQLITE_FILE).exists()):
        return None
    return open_storage(redis_url, state_dir)
