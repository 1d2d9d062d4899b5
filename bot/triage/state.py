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

    def count(self, key: str) -> int:
        """A counter's value (0 when absent or expired), without changing it."""

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

    def count(self, key: str) -> int:
        now = self._clock()
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM alert_state WHERE key = ? AND expires >= ?", (key, now)
            ).fetchone()
        try:
            return int(row[0]) if row else 0
        except ValueError:
            return 0

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


class RedisAlertStore:
    """An :class:`AlertStore` in Redis (``REDIS_URL``), for replicas on several hosts.

    Keys live under ``acrbot:alerts:``; every call is bounded by the client's
    timeouts. A Redis error propagates: the dispatcher logs it and the alert
    is not posted, rather than posted twice by replicas that cannot agree.
    """

    PREFIX = "acrbot:alerts:"
    _INCR = (
        "local n = redis.call('INCR', KEYS[1]) "
        "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n"
    )

    def __init__(self, url: str, *, timeout: float = 1.0) -> None:
        import redis  # only installs that share state across hosts need it

        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )

    def claim(self, key: str, ttl: float) -> bool:
        return bool(self._client.set(self.PREFIX + key, "1", nx=True, px=_ms(ttl)))

    def incr(self, key: str, ttl: float) -> int:
        return int(self._client.eval(self._INCR, 1, self.PREFIX + key, _ms(ttl)))

    def count(self, key: str) -> int:
        raw = self._client.get(self.PREFIX + key)
        try:
            return int(raw) if raw is not None else 0
        except ValueError:
            return 0

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self._client.get(self.PREFIX + key)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, record: dict[str, Any], ttl: float) -> None:
        self._client.set(self.PREFIX + key, json.dumps(record), px=_ms(ttl))


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def open_alert_store(redis_url: str | None, state_dir: Path | None) -> AlertStore:
    """Redis when a URL is given (every replica agrees), else SQLite in the state folder."""
    if redis_url:
        return RedisAlertStore(redis_url)
    return SqliteAlertStore(state_dir / "alerts.sqlite3" if state_dir is not None else None)
