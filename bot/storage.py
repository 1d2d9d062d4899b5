"""One-shot claims shared by every worker process on a host.

Slack retries events, users double-click Confirm, gunicorn runs several
workers: each of those must act once. A claim is a row in a small SQLite
file; ``INSERT OR IGNORE`` makes the first claimer win atomically across
processes. Several hosts need a shared database instead (noted in README).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path


class ClaimStore:
    """``claim(key)`` is true exactly once per key until the key expires."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        if path is None:
            self._db = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, expires REAL NOT NULL)"
        )
        self._db.commit()
        self._last_purge = 0.0

    def claim(self, key: str, ttl: float = 3600.0) -> bool:
        now = time.time()
        with self._lock:
            if now - self._last_purge > 60:
                self._db.execute("DELETE FROM claims WHERE expires < ?", (now,))
                self._last_purge = now
            self._db.execute("DELETE FROM claims WHERE key = ? AND expires < ?", (key, now))
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO claims (key, expires) VALUES (?, ?)", (key, now + ttl)
            )
            self._db.commit()
            return cursor.rowcount == 1
