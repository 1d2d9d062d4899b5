"""Shared state for every replica, in Redis (``REDIS_URL``; ``rediss://`` for TLS).

Outages are part of the design, not an afterthought:

- every call is bounded (connect and read timeouts of about a second, one
  quick retry that reconnects a connection Redis dropped on restart);
- a failure raises :class:`~bot.storage.base.StorageUnavailable` and marks
  the store down; for the next ``retry_interval`` seconds calls fail fast
  instead of each waiting out a timeout; after that the next call tries again,
  so the bot recovers by itself when Redis is back, without a restart;
- the change between up and down is logged once each way and exported as the
  ``acrbot_redis_up`` metric.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot import metrics
from bot.storage.base import RecordStream, Storage, StorageUnavailable, WindowHit
from bot.storage.streams import decode, encode

log = logging.getLogger(__name__)
T = TypeVar("T")

PREFIX = "acrbot:"
STREAM_MAXLEN = 200_000  # records kept per stream (approximate trimming)

# Count one hit unless `limit` already fall inside the window; atomic in Redis.
_HIT = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
    tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000) + 1000)
  return {1, n + 1, '0'}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local age = now - tonumber(oldest[2] or now)
return {0, n, tostring(window - age)}
"""

# Add one to a counter; its TTL starts with the first increment (atomic in Redis).
_INCR = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


def describe_url(url: str) -> str:
    """The URL without its password, for logs and /readyz."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path or ''}"


class RedisStorage(Storage):
    kind = "redis"
    shared_across_hosts = True

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 1.0,
        retry_interval: float = 1.0,
        client: redis.Redis | None = None,
    ) -> None:
        self.url = describe_url(url)
        self._client = client or redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
            retry_on_timeout=False,
            health_check_interval=15,
            client_name="acrbot",
        )
        self._retry_interval = retry_interval
        self._hit_script = self._client.register_script(_HIT)
        self._incr_script = self._client.register_script(_INCR)
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_try = 0.0
        self._streams: dict[str, RedisStream] = {}
        metrics.redis_up(True)

    # --- the interface -----------------------------------------------------

    def claim(self, key: str, ttl: float) -> bool:
        ms = max(1, int(ttl * 1000))
        return bool(self._call(lambda c: c.set(PREFIX + "claim:" + key, "1", nx=True, px=ms)))

    def release(self, key: str) -> None:
        self._call(lambda c: c.delete(PREFIX + "claim:" + key))

    def hit(self, key: str, limit: int, window: float, now: float | None = None) -> WindowHit:
        now = time.time() if now is None else now
        member = f"{now:.6f}:{uuid.uuid4().hex[:12]}"
        allowed, count, wait = self._call(
            lambda c: self._hit_script(
                keys=[PREFIX + "hits:" + key],
                args=[repr(now), repr(window), limit, member],
                client=c,
            )
        )
        return WindowHit(bool(allowed), int(count), float(wait))

    def incr(self, key: str, ttl: float) -> int:
        ms = max(1, int(ttl * 1000))
        return int(
            self._call(
                lambda c: self._incr_script(keys=[PREFIX + "count:" + key], args=[ms], client=c)
            )
        )

    def count(self, key: str) -> int:
        raw = self._call(lambda c: c.get(PREFIX + "count:" + key))
        try:
            return int(raw) if raw is not None else 0
        except ValueError:
            return 0

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self._call(lambda c: c.get(PREFIX + "record:" + key))
        return decode(raw) if raw is not None else None

    def put(self, key: str, record: Mapping[str, Any], ttl: float) -> None:
        data, ms = encode(record), max(1, int(ttl * 1000))
        self._call(lambda c: c.set(PREFIX + "record:" + key, data, px=ms))

    def table_put(self, table: str, key: str, record: Mapping[str, Any]) -> int:
        data = encode(record)

        def write(c: redis.Redis) -> int:
            pipe = c.pipeline(transaction=True)  # MULTI/EXEC: the write and its version
            pipe.hset(PREFIX + "table:" + table, key, data)
            pipe.incr(PREFIX + "table-version:" + table)
            return int(pipe.execute()[1])

        return self._call(write)

    def table(self, table: str) -> dict[str, dict[str, Any]]:
        rows = self._call(lambda c: c.hgetall(PREFIX + "table:" + table))
        found = ((_text(k), decode(v)) for k, v in rows.items())
        return {k: r for k, r in found if r is not None}

    def table_version(self, table: str) -> int:
        raw = self._call(lambda c: c.get(PREFIX + "table-version:" + table))
        try:
            return int(raw) if raw is not None else 0
        except ValueError:
            return 0

    def stream(self, name: str, path: Path | None = None) -> RecordStream:
        with self._lock:
            return self._streams.setdefault(name, RedisStream(self, name))

    def state(self) -> str:
        """Asks Redis (a PING) unless it failed within the last ``retry_interval`` seconds."""
        try:
            self._call(lambda c: c.ping())
        except StorageUnavailable:
            return "down"
        return "up"

    def close(self) -> None:
        self._client.close()

    # --- outage handling ---------------------------------------------------

    def _call(self, operation: Callable[[redis.Redis], T]) -> T:
        if self._down_since is not None and time.monotonic() < self._next_try:
            raise StorageUnavailable()
        try:
            result = operation(self._client)
        except redis.RedisError as exc:
            self._mark_down(exc)
            raise StorageUnavailable() from None
        if self._down_since is not None:
            self._mark_up()
        return result

    def _mark_down(self, exc: Exception) -> None:
        with self._lock:
            self._next_try = time.monotonic() + self._retry_interval
            if self._down_since is None:
                self._down_since = time.monotonic()
                metrics.redis_up(False)
                log.error(
                    "Redis at %s is unavailable (%s); shared state is down until it is back",
                    self.url,
                    type(exc).__name__,
                )

    def _mark_up(self) -> None:
        with self._lock:
            if self._down_since is None:
                return
            outage = time.monotonic() - self._down_since
            self._down_since = None
            metrics.redis_up(True)
            log.warning("Redis at %s is back after %.1f s", self.url, outage)


class RedisStream(RecordStream):
    """A Redis stream (``XADD`` with approximate trimming); each entry holds one JSON record."""

    def __init__(self, store: RedisStorage, name: str) -> None:
        self._store = store
        self._key = PREFIX + "stream:" + name

    def append(self, record: Mapping[str, Any]) -> None:
        data = encode(record)
        self._store._call(
            lambda c: c.xadd(self._key, {"r": data}, maxlen=STREAM_MAXLEN, approximate=True)
        )

    def recent(self, n: int) -> list[dict[str, Any]]:
        if n <= 0:
            return []
        entries = self._store._call(lambda c: c.xrevrange(self._key, count=n))
        return [r for r in map(_record, reversed(entries)) if r is not None]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        start = "-"
        while True:
            entries = self._store._call(
                lambda c, s=start: c.xrange(self._key, min=s, max="+", count=1000)
            )
            for entry in entries:
                record = _record(entry)
                if record is not None:
                    yield record
            if len(entries) < 1000:
                return
            start = "(" + _text(entries[-1][0])

    @property
    def location(self) -> str:
        return f"{self._store.url} stream {self._key}"


def _record(entry: tuple[Any, Mapping[Any, Any]]) -> dict[str, Any] | None:
    fields = entry[1]
    data = fields.get(b"r", fields.get("r"))
    return decode(data) if data is not None else None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
