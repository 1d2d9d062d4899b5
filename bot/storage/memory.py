"""Shared state kept in this process: tests, the terminal, the fallback while Redis is down."""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

from bot.storage.base import RecordStream, Storage, WindowHit
from bot.storage.streams import MemoryStream

_PURGE_EVERY = 60.0
_MAX_KEYS = 100_000


class MemoryStorage(Storage):
    """Dictionaries under one lock; expired claims and idle counters are purged as it goes."""

    kind = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[str, float] = {}
        self._hits: dict[str, deque[float]] = {}
        self._windows: dict[str, float] = {}
        self._streams: dict[str, MemoryStream] = {}
        self._last_purge = time.monotonic()

    def claim(self, key: str, ttl: float) -> bool:
        now = time.monotonic()
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

    def stream(self, name: str, path: Path | None = None) -> RecordStream:
        with self._lock:
            return self._streams.setdefault(name, MemoryStream(name))

    def _purge(self, now: float) -> None:
        if now - self._last_purge < _PURGE_EVERY and len(self._claims) < _MAX_KEYS:
            return
        self._last_purge = now
        for key in [k for k, expires in self._claims.items() if expires <= now]:
            del self._claims[key]

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, h in self._hits.items() if not h or now - h[-1] >= self._windows.get(k, 0)
        ]:
            del self._hits[key]
            self._windows.pop(key, None)
