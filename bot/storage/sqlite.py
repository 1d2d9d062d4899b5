"""Shared state for every worker process on one host, in a small SQLite file.

This is acrbot's behaviour without Redis: gunicorn workers on one host agree
on claims and counters because ``INSERT OR IGNORE`` and ``BEGIN IMMEDIATE``
serialise them in the database; records go to JSON-lines files next to it.
Several hosts need Redis instead (:mod:`bot.storage.redis`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path

from bot.storage.base import RecordStream, Storage, WindowHit
from bot.storage.streams import JsonlStream, MemoryStream

_PURGE_EVERY = 60.0


class SqliteStorage(Storage):
    """``path=None`` keeps the database in memory (this process only)."""

    kind = "sqlite"

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        if self.path is None:
            self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), timeout=10, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, expires REAL NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL, "
            "expires REAL NOT NULL, id TEXT PRIMARY KEY)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS hits_key ON hits (key, at)")
        self._streams: dict[str, RecordStream] = {}
        self._last_purge = 0.0

    def claim(self, key: str, ttl: float) -> bool:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._purge(now)
                self._db.execute("DELETE FROM claims WHERE key = ? AND expires <= ?", (key, now))
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO claims (key, expires) VALUES (?, ?)", (key, now + ttl)
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return cursor.rowcount == 1

    def release(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM claims WHERE key = ?", (key,))

    def hit(self, key: str, limit: int, window: float, now: float | None = None) -> WindowHit:
        now = time.time() if now is None else now
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # one writer: count and insert atomically
            try:
                self._db.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - window))
                count, oldest = self._db.execute(
                    "SELECT COUNT(*), MIN(at) FROM hits WHERE key = ?", (key,)
                ).fetchone()
                if count >= limit:
                    self._db.execute("COMMIT")
                    return WindowHit(False, count, window - (now - (oldest or now)))
                self._db.execute(
                    "INSERT INTO hits (key, at, expires, id) VALUES (?, ?, ?, ?)",
                    (key, now, time.time() + window, uuid.uuid4().hex),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return WindowHit(True, count + 1)

    def stream(self, name: str, path: Path | None = None) -> RecordStream:
        with self._lock:
            if name not in self._streams:
                if path is None and self.path is None:
                    self._streams[name] = MemoryStream(name)
                else:
                    folder = self.path.parent if self.path is not None else Path(".")
                    self._streams[name] = JsonlStream(path or folder / f"{name}.jsonl")
            return self._streams[name]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _purge(self, now: float) -> None:
        if now - self._last_purge > _PURGE_EVERY:
            self._db.execute("DELETE FROM claims WHERE expires <= ?", (now,))
            self._db.execute("DELETE FROM hits WHERE expires <= ?", (now,))
            self._last_purge = now
