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
    "JsonlStream",
    "MemoryStorage",
    "MemoryStream",
    "ProcessFallback",
    "RecordStream",
    "SqliteStorage",
    "Storage",
    "StorageUnavailable",
    "WindowHit",
    "open_storage",
]


def open_storage(redis_url: str | None, state_dir: Path | None) -> Storage:
    """Redis when a URL is given, else SQLite under ``state_dir`` (in memory when None)."""
    if redis_url:
        from bot.storage.redis import RedisStorage

        return RedisStorage(redis_url)
    return SqliteStorage(state_dir / "claims.sqlite3" if state_dir is not None else None)
