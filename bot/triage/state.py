"""Where alert records live: claims with a lifetime, counters and small JSON records.

:class:`AlertStore` is the whole interface the storm and de-duplication
policy needs, so it can sit on any shared store (SQLite on one host, Redis
for several). :class:`SqliteAlertStore` keeps it in the state directory next
to the other claims, so a restarted process still knows which deliveries it
handled and which message a Resolved alert must update.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol


class AlertStore(Protocol):
    def claim(self, key: str, ttl: float) -> bool:
        """True for exactly one caller per key until the key expires."""

    def incr(self, key: str, ttl: float) -> int:
        """Add one to a counter (created at 0, expiring after ``ttl``) and return it."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The record under ``key``, or ``None`` when absent or expired."""

    def put(self, key: str, record: dict[str, Any], ttl: float) -> None:
        """Store a record (JSON-serialisable) for ``ttl`` seconds."""


class SqliteAlertStore:
    """An :class:`AlertStore` in one SQLite file, shared by the workers of a host."""

    def __init__(self, path: Path | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        if path is None:
            self._db = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS alert_state "
            "(key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL)"
        )
        self._db.commit()
        self._last_purge = 0.0

    def _expire(self, key: str, now: float) -> None:
        if now - self._last_purge > 60:
            self._db.execute("DELETE FROM alert_state WHERE expires < ?", (now,))
            self._last_purge = now
        self._db.execute("DELETE FROM alert_state WHERE key = ? AND expires < ?", (key, now))

    def claim(self, key: str, ttl: float) -> bool:
        now = self._clock()
        with self._lock, self._db:
            self._expire(key, now)
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO alert_state (key, value, expires) VALUES (?, '1', ?)",
                (key, now + ttl),
            )
            return cursor.rowcount == 1

    def incr(self, key: str, ttl: float) -> int:
        now = self._clock()
        with self._lock, self._db:
            self._expire(key, now)
            self._db.execute(
                "INSERT INTO alert_state (key, value, expires) VALUES (?, '1', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                (key, now + ttl),
            )
            row = self._db.execute("SELECT value FROM alert_state WHERE key = ?", (key,)).fetchone()
            return int(row[0])

    def get(self, key: str) -> dict[str, Any] | None:
        now = self._clock()
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM alert_state WHERE key = ? AND expires >= ?", (key, now)
            ).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, record: dict[str, Any], ttl: float) -> None:
        now = self._clock()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO alert_state (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                (key, json.dumps(record), now + ttl),
            )
