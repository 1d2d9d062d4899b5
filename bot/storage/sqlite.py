"""Shared state for every worker process on one host, in a small SQLite file.

This is acrbot's behaviour without Redis: gunicorn workers on one host agree
on claims, counters and keyed records because ``INSERT OR IGNORE`` and
``BEGIN IMMEDIATE`` serialise them in the database; record streams go to
JSON-lines files next to it.
Several hosts need Redis instead (:mod:`bot.storage.redis`).

Commits go to SQLite's write-ahead log without an fsync each
(``synchronous=NORMAL``): a commit takes microseconds instead of a disk
flush, which matters because the event loop makes some of them (claims,
queued alerts; ``bot/web/slack_events.py``). A crash of acrbot loses
nothing; a power cut or kernel crash of the host may lose the commits of
its last moments (claims, counters, alerts accepted just before, an
approval), and never corrupts the file. The commit that fills the log
checkpoints it, with the flushes. A call waits for this process's other
calls on the store (a batch of questions, App Home reading them: a few
milliseconds) and for another worker's transaction on the file (up to the
10 s busy timeout, if one were ever stuck).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.storage.base import RecordStream, Storage, WindowHit, WorkQueue
from bot.storage.streams import JsonlStream, MemoryStream, decode, encode

_PURGE_EVERY = 60.0
_IN_CHUNK = 500  # keys per "IN (...)": under SQLite's limit on bound parameters


class SqliteStorage(Storage):
    """``path=None`` keeps the database in memory (this process only).

    ``clock`` (wall-clock seconds) times claims, counters and records; tests pass a fake one.
    """

    kind = "sqlite"

    def __init__(self, path: Path | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
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
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, expires REAL NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL, "
            "expires REAL NOT NULL, id TEXT PRIMARY KEY)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS hits_key ON hits (key, at)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
            "expires REAL NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS tables (name TEXT NOT NULL, key TEXT NOT NULL, "
            "value TEXT NOT NULL, PRIMARY KEY (name, key))"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS table_versions (name TEXT PRIMARY KEY, version INTEGER)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS queue (name TEXT NOT NULL, id TEXT NOT NULL, "
            "record TEXT NOT NULL, due REAL NOT NULL, expires REAL NOT NULL, "
            "PRIMARY KEY (name, id))"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS queue_due ON queue (name, due)")
        # The purge (every minute, inside a claim or an increment, which the event loop may
        # make) deletes expired rows by these, instead of scanning hours of claims.
        for table in ("claims", "hits", "kv", "queue"):
            self._db.execute(f"CREATE INDEX IF NOT EXISTS {table}_expires ON {table} (expires)")
        self._streams: dict[str, RecordStream] = {}
        self._last_purge = 0.0

    def claim(self, key: str, ttl: float) -> bool:
        now = self._clock()
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

    def incr(self, key: str, ttl: float, by: int = 1) -> int:
        now = self._clock()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._purge(now)
                self._db.execute("DELETE FROM kv WHERE key = ? AND expires <= ?", (key, now))
                self._db.execute(
                    "INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + ?",
                    (key, str(by), now + ttl, by),
                )
                (value,) = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(value)

    def count(self, key: str) -> int:
        value = self._value(key)
        try:
            return int(value) if value is not None else 0
        except ValueError:  # a record, not a counter
            return 0

    def get(self, key: str) -> dict[str, Any] | None:
        value = self._value(key)
        return decode(value) if value is not None else None

    def get_many(self, keys: Sequence[str]) -> list[dict[str, Any] | None]:
        found: dict[str, str] = {}
        now = self._clock()
        with self._lock:
            for start in range(0, len(keys), _IN_CHUNK):
                chunk = list(keys[start : start + _IN_CHUNK])
                marks = ", ".join("?" * len(chunk))
                found.update(
                    self._db.execute(
                        f"SELECT key, value FROM kv WHERE key IN ({marks}) AND expires > ?",
                        (*chunk, now),
                    ).fetchall()
                )
        return [decode(found[key]) if key in found else None for key in keys]

    def put(self, key: str, record: Mapping[str, Any], ttl: float) -> None:
        data, now = encode(record), self._clock()
        with self._lock:
            self._db.execute(
                "INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) "
                "DO UPDATE SET value = excluded.value, expires = excluded.expires",
                (key, data, now + ttl),
            )

    def replace_if(
        self,
        key: str,
        expected: Mapping[str, Any] | None,
        record: Mapping[str, Any],
        ttl: float,
    ) -> bool:
        data, now = encode(record), self._clock()
        wanted = decode(encode(expected)) if expected is not None else None

        def swap() -> bool:
            row = self._db.execute(
                "SELECT value FROM kv WHERE key = ? AND expires > ?", (key, now)
            ).fetchone()
            if (decode(row[0]) if row else None) != wanted:
                return False
            self._db.execute(
                "INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) "
                "DO UPDATE SET value = excluded.value, expires = excluded.expires",
                (key, data, now + ttl),
            )
            return True

        return self.transaction(swap)

    def transaction(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` (statements on ``self._db``) as one write transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                result = work()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return result

    def queue(self, name: str) -> WorkQueue:
        return SqliteQueue(self, name)

    def _value(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM kv WHERE key = ? AND expires > ?", (key, self._clock())
            ).fetchone()
        return row[0] if row else None

    def table_put(self, table: str, key: str, record: Mapping[str, Any]) -> int:
        return self.table_put_many(table, {key: record})

    def table_put_many(self, table: str, records: Mapping[str, Mapping[str, Any]]) -> int:
        if not records:
            return self.table_version(table)
        rows = [(table, key, encode(record)) for key, record in records.items()]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # the writes and their version, together
            try:
                self._db.executemany(
                    "INSERT INTO tables (name, key, value) VALUES (?, ?, ?) ON CONFLICT(name, key) "
                    "DO UPDATE SET value = excluded.value",
                    rows,
                )
                self._db.execute(
                    "INSERT INTO table_versions (name, version) VALUES (?, 1) "
                    "ON CONFLICT(name) DO UPDATE SET version = version + 1",
                    (table,),
                )
                (version,) = self._db.execute(
                    "SELECT version FROM table_versions WHERE name = ?", (table,)
                ).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(version)

    def table(self, table: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM tables WHERE name = ?", (table,)
            ).fetchall()
        return {k: r for k, r in ((k, decode(v)) for k, v in rows) if r is not None}

    def table_version(self, table: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT version FROM table_versions WHERE name = ?", (table,)
            ).fetchone()
        return int(row[0]) if row else 0

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
            self._db.execute("DELETE FROM kv WHERE expires <= ?", (now,))
            self._db.execute("DELETE FROM queue WHERE expires <= ?", (now,))
            self._last_purge = now


class SqliteQueue(WorkQueue):
    """Rows of the ``queue`` table; ``BEGIN IMMEDIATE`` makes each take atomic across workers."""

    def __init__(self, store: SqliteStorage, name: str) -> None:
        self._store = store
        self._name = name

    def add(self, item_id: str, record: Mapping[str, Any], ttl: float, delay: float = 0.0) -> bool:
        data, now = encode(record), self._store._clock()

        def insert() -> bool:
            self._store._db.execute(
                "DELETE FROM queue WHERE name = ? AND id = ? AND expires <= ?",
                (self._name, item_id, now),
            )
            cursor = self._store._db.execute(
                "INSERT OR IGNORE INTO queue (name, id, record, due, expires) "
                "VALUES (?, ?, ?, ?, ?)",
                (self._name, item_id, data, now + delay, now + ttl),
            )
            return cursor.rowcount == 1

        return bool(self._store.transaction(insert))

    def add_many(self, items: Sequence[tuple[str, Mapping[str, Any]]], ttl: float) -> int:
        now = self._store._clock()
        rows = [(self._name, item_id, encode(record), now, now + ttl) for item_id, record in items]

        def insert() -> int:
            db = self._store._db
            db.executemany(
                "DELETE FROM queue WHERE name = ? AND id = ? AND expires <= ?",
                [(self._name, item_id, now) for item_id, _ in items],
            )
            cursor = db.executemany(
                "INSERT OR IGNORE INTO queue (name, id, record, due, expires) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            return cursor.rowcount

        return int(self._store.transaction(insert)) if rows else 0

    def take(self, lease: float, limit: int) -> list[tuple[str, dict[str, Any]]]:
        now = self._store._clock()
        db = self._store._db

        def lease_due() -> list[tuple[str, str]]:
            db.execute("DELETE FROM queue WHERE name = ? AND expires <= ?", (self._name, now))
            rows = db.execute(
                "SELECT id, record FROM queue WHERE name = ? AND due <= ? "
                "ORDER BY due, rowid LIMIT ?",
                (self._name, now, max(0, limit)),
            ).fetchall()
            db.executemany(
                "UPDATE queue SET due = ? WHERE name = ? AND id = ?",
                [(now + lease, self._name, item_id) for item_id, _ in rows],
            )
            return rows

        rows = self._store.transaction(lease_due)
        return [(item_id, decode(data) or {}) for item_id, data in rows]

    def retry(self, item_id: str, delay: float, record: Mapping[str, Any]) -> None:
        data, now = encode(record), self._store._clock()
        with self._store._lock:
            self._store._db.execute(
                "UPDATE queue SET due = ?, record = ? WHERE name = ? AND id = ?",
                (now + delay, data, self._name, item_id),
            )

    def done(self, item_id: str) -> None:
        with self._store._lock:
            self._store._db.execute(
                "DELETE FROM queue WHERE name = ? AND id = ?", (self._name, item_id)
            )

    def pending(self) -> int:
        with self._store._lock:
            (count,) = self._store._db.execute(
                "SELECT COUNT(*) FROM queue WHERE name = ? AND expires > ?",
                (self._name, self._store._clock()),
            ).fetchone()
        return int(count)
