"""Shared state kept in this process: tests, the terminal, the fallback while Redis is down."""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot.storage.base import RecordStream, Storage, WindowHit, WorkQueue
from bot.storage.streams import MemoryStream, decode, encode

_PURGE_EVERY = 60.0
_MAX_KEYS = 100_000


class MemoryStorage(Storage):
    """Dictionaries under one lock; expired claims and idle counters are purged as it goes.

    ``clock`` (seconds) times claims, counters and records; tests pass a fake one.
    """

    kind = "memory"

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._claims: dict[str, float] = {}
        self._values: dict[str, tuple[float, Any]] = {}  # key -> (expires, int or record)
        self._hits: dict[str, deque[float]] = {}
        self._windows: dict[str, float] = {}
        self._streams: dict[str, MemoryStream] = {}
        self._tables: dict[str, dict[str, str]] = {}
        self._versions: dict[str, int] = {}
        self._queues: dict[str, MemoryQueue] = {}
        self._last_purge = clock()

    def claim(self, key: str, ttl: float) -> bool:
        now = self._clock()
        with self._lock:
            self._purge(now)
            expires = self._claims.get(key)
            if expires is not None and expires > now:
                return False
            self._claims[key] = now + ttl
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._claims.pop(key, None)

    def hit(self, key: str, limit: int, window: float, now: float | None = None) -> WindowHit:
        now = time.time() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            self._windows[key] = window
            while hits and now - hits[0] >= window:
                hits.popleft()
            if len(hits) >= limit:
                oldest = hits[0] if hits else now
                return WindowHit(False, len(hits), window - (now - oldest))
            hits.append(now)
            if len(self._hits) > _MAX_KEYS:
                self._forget_idle(now)
            return WindowHit(True, len(hits))

    def incr(self, key: str, ttl: float, by: int = 1) -> int:
        now = self._clock()
        with self._lock:
            self._purge(now)
            expires, value = self._live(key, now) or (now + ttl, 0)
            value = (value if isinstance(value, int) else 0) + by
            self._values[key] = (expires, value)
            return value

    def count(self, key: str) -> int:
        with self._lock:
            _, value = self._live(key, self._clock()) or (0.0, 0)
        return value if isinstance(value, int) else 0

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            _, value = self._live(key, self._clock()) or (0.0, None)
        return copy.deepcopy(value) if isinstance(value, dict) else None

    def put(self, key: str, record: Mapping[str, Any], ttl: float) -> None:
        value = decode(encode(record))  # JSON-able, like the other backends, and a copy
        now = self._clock()
        with self._lock:
            self._purge(now)
            self._values[key] = (now + ttl, value)

    def replace_if(
        self,
        key: str,
        expected: Mapping[str, Any] | None,
        record: Mapping[str, Any],
        ttl: float,
    ) -> bool:
        value = decode(encode(record))
        wanted = decode(encode(expected)) if expected is not None else None
        now = self._clock()
        with self._lock:
            _, current = self._live(key, now) or (0.0, None)
            if (current if isinstance(current, dict) else None) != wanted:
                return False
            self._values[key] = (now + ttl, value)
            return True

    def queue(self, name: str) -> WorkQueue:
        with self._lock:
            return self._queues.setdefault(name, MemoryQueue(self._clock))

    def _live(self, key: str, now: float) -> tuple[float, Any] | None:
        entry = self._values.get(key)
        if entry is not None and entry[0] <= now:
            del self._values[key]
            return None
        return entry

    def stream(self, name: str, path: Path | None = None) -> RecordStream:
        with self._lock:
            return self._streams.setdefault(name, MemoryStream(name))

    def table_put(self, table: str, key: str, record: Mapping[str, Any]) -> int:
        return self.table_put_many(table, {key: record})

    def table_put_many(self, table: str, records: Mapping[str, Mapping[str, Any]]) -> int:
        if not records:
            return self.table_version(table)
        lines = {key: encode(record) for key, record in records.items()}
        with self._lock:
            self._tables.setdefault(table, {}).update(lines)
            self._versions[table] = self._versions.get(table, 0) + 1
            return self._versions[table]

    def table(self, table: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            rows = dict(self._tables.get(table, {}))
        return {k: r for k, r in ((k, decode(v)) for k, v in rows.items()) if r is not None}

    def table_version(self, table: str) -> int:
        with self._lock:
            return self._versions.get(table, 0)

    def _purge(self, now: float) -> None:
        crowded = len(self._claims) >= _MAX_KEYS or len(self._values) >= _MAX_KEYS
        if abs(now - self._last_purge) < _PURGE_EVERY and not crowded:
            return
        self._last_purge = now
        for key in [k for k, expires in self._claims.items() if expires <= now]:
            del self._claims[key]
        for key in [k for k, (expires, _) in self._values.items() if expires <= now]:
            del self._values[key]

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, h in self._hits.items() if not h or now - h[-1] >= self._windows.get(k, 0)
        ]:
            del self._hits[key]
            self._windows.pop(key, None)


class MemoryQueue(WorkQueue):
    """Items of this process: id -> [due, expires, record], under one lock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, list[Any]] = {}
        self._added = 0

    def add(self, item_id: str, record: Mapping[str, Any], ttl: float, delay: float = 0.0) -> bool:
        value, now = decode(encode(record)), self._clock()
        with self._lock:
            self._expire(now)
            if item_id in self._items:
                return False
            self._added += 1
            self._items[item_id] = [now + delay, now + ttl, value, self._added]
            return True

    def take(self, lease: float, limit: int) -> list[tuple[str, dict[str, Any]]]:
        now = self._clock()
        with self._lock:
            self._expire(now)
            due = sorted((v[0], v[3], k) for k, v in self._items.items() if v[0] <= now)
            taken = []
            for _, _, item_id in due[: max(0, limit)]:
                item = self._items[item_id]
                item[0] = now + lease
                taken.append((item_id, copy.deepcopy(item[2])))
            return taken

    def retry(self, item_id: str, delay: float, record: Mapping[str, Any]) -> None:
        value, now = decode(encode(record)), self._clock()
        with self._lock:
            item = self._items.get(item_id)
            if item is not None:
                item[0], item[2] = now + delay, value

    def done(self, item_id: str) -> None:
        with self._lock:
            self._items.pop(item_id, None)

    def pending(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._items)

    def _expire(self, now: float) -> None:
        for key in [k for k, v in self._items.items() if v[1] <= now]:
            del self._items[key]
