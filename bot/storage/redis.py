"""Shared state for every replica, in Redis (``REDIS_URL``; ``rediss://`` for TLS).

Outages are part of the design, not an afterthought. Slack's acknowledgements
wait on some of these calls (event de-duplication), and Slack gives up after
3 s, so:

- every call is bounded by :data:`TIMEOUT` to connect and :data:`TIMEOUT` per
  reply (a Redis that accepts connections and never answers costs one
  timeout, not four: only a dropped connection is retried, once, so a
  restart of Redis is reconnected; a timeout is never retried, as that would
  only wait again). ``?socket_timeout=`` and ``?socket_connect_timeout=`` in
  ``REDIS_URL`` override them for a distant Redis;
- a failure raises :class:`~bot.storage.base.StorageUnavailable` and marks
  the store down; for the next ``retry_interval`` seconds calls fail at once;
  after that *one* call at a time probes (the others still fail at once), so
  a hanging Redis never holds more than one thread, and the bot recovers by
  itself when Redis is back, without a restart;
- Redis refusing writes (full under ``noeviction``, or a read-only replica)
  is down too, though PING still answers: reads go on, writes fail at once
  between probes, and only a write that succeeds brings the store back, so a
  read does not flap the log between "down" and "back";
- the change between up and down is logged once each way and exported as the
  ``acrbot_redis_up`` metric.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot import metrics
from bot.storage.base import RecordStream, Storage, StorageUnavailable, WindowHit, WorkQueue
from bot.storage.streams import decode, encode

log = logging.getLogger(__name__)
T = TypeVar("T")

PREFIX = "acrbot:"
TIMEOUT = 0.25  # seconds to connect, and per reply: well inside Slack's 3 s for an ack
LOOP_CALLS = 32  # calls in flight from the event loop at once; others wait their turn there
PROBE_KEY = PREFIX + "probe"  # /readyz writes it (a short TTL): PING answers even when full
PROBE_TTL_MS = 10_000
UNREACHABLE, REFUSING_WRITES = "down", "refusing writes"
# Every key acrbot writes has a TTL, so every policy but noeviction may evict its Confirm and
# de-duplication claims when Redis is full (Azure Cache's default is volatile-lru).
SAFE_EVICTION = "noeviction"
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
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""

# Work queues: a sorted set (id -> due time, ms) and a hash (id -> "<expires ms>|<json>").
# Times come from the Redis server's clock, so replicas with skewed clocks agree.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
_QUEUE_ADD = (
    _NOW
    + """
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old and tonumber(string.sub(old, 1, string.find(old, '|', 1, true) - 1)) > now then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], tostring(now + tonumber(ARGV[3])) .. '|' .. ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < tonumber(ARGV[3]) then redis.call('PEXPIRE', key, ARGV[3]) end
end
return 1
"""
)
_QUEUE_TAKE = (
    _NOW
    + """
local out = {}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  local value = redis.call('HGET', KEYS[2], id)
  local bar = value and string.find(value, '|', 1, true)
  if not bar or tonumber(string.sub(value, 1, bar - 1)) <= now then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
  else
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), id)
    table.insert(out, id)
    table.insert(out, string.sub(value, bar + 1))
  end
end
return out
"""
)
_QUEUE_RETRY = (
    _NOW
    + """
local old = redis.call('HGET', KEYS[2], ARGV[1])
if not old then return 0 end
local expires = string.sub(old, 1, string.find(old, '|', 1, true) - 1)
redis.call('HSET', KEYS[2], ARGV[1], expires .. '|' .. ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return 1
"""
)


def describe_url(url: str) -> str:
    """The URL without its password, for logs and /readyz."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path or ''}"


def _client_options(timeout: float, retry: type) -> dict[str, Any]:
    """How every client talks to Redis, from a thread or from the event loop (``retry``: its Retry).

    A dropped connection (Redis restarted) is retried once on a fresh one; a
    timeout is not retried: redis-py retries connect and command separately,
    so retrying timeouts made one call wait four of them.
    """
    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        "health_check_interval": 15,
        "client_name": "acrbot",
    }


class RedisStorage(Storage):
    kind = "redis"
    shared_across_hosts = True

    def __init__(
        self,
        url: str,
        *,
        timeout: float = TIMEOUT,
        retry_interval: float = 1.0,
        client: redis.Redis | None = None,
    ) -> None:
        self.url = describe_url(url)
        self._connect = (url, timeout)  # for the event loop's own client (the *_async calls)
        self._on_loop: tuple[asyncio.AbstractEventLoop, Any, asyncio.Semaphore] | None = None
        self._client = client or redis.Redis.from_url(url, **_client_options(timeout, Retry))
        self._retry_interval = retry_interval
        self._hit_script = self._client.register_script(_HIT)
        self._incr_script = self._client.register_script(_INCR)
        self.queue_scripts = {
            name: self._client.register_script(script)
            for name, script in (
                ("add", _QUEUE_ADD), ("take", _QUEUE_TAKE), ("retry", _QUEUE_RETRY)
            )
        }  # fmt: skip
        self._queues: dict[str, RedisQueue] = {}
        self._lock = threading.Lock()
        self._probe = threading.Lock()  # held by the one call that may try a down Redis
        self._down_since: float | None = None
        self._down_reason = UNREACHABLE
        self._next_try = 0.0
        self._streams: dict[str, RedisStream] = {}
        self._policy_checked = False
        metrics.redis_up(True)

    # --- the interface -----------------------------------------------------

    def claim(self, key: str, ttl: float) -> bool:
        ms = max(1, int(ttl * 1000))
        return bool(self._call(lambda c: c.set(PREFIX + "claim:" + key, "1", nx=True, px=ms)))

    def release(self, key: str) -> None:
        # DEL is allowed in a full Redis: it proves nothing about writing.
        self._call(lambda c: c.delete(PREFIX + "claim:" + key), writes=False)

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

    def incr(self, key: str, ttl: float, by: int = 1) -> int:
        ms, name = max(1, int(ttl * 1000)), PREFIX + "count:" + key
        return int(self._call(lambda c: self._incr_script(keys=[name], args=[ms, by], client=c)))

    def count(self, key: str) -> int:
        raw = self._call(lambda c: c.get(PREFIX + "count:" + key), writes=False)
        try:
            return int(raw) if raw is not None else 0
        except ValueError:
            return 0

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self._call(lambda c: c.get(PREFIX + "record:" + key), writes=False)
        return decode(raw) if raw is not None else None

    def get_many(self, keys: Sequence[str]) -> list[dict[str, Any] | None]:
        if not keys:
            return []
        names = [PREFIX + "record:" + key for key in keys]
        raws = self._call(lambda c: c.mget(names), writes=False)
        return [decode(raw) if raw is not None else None for raw in raws]

    async def get_many_async(self, keys: Sequence[str]) -> list[dict[str, Any] | None]:
        if not keys:
            return []
        names = [PREFIX + "record:" + key for key in keys]
        raws = await self._awaited(lambda c: c.mget(names))
        return [decode(raw) if raw is not None else None for raw in raws]

    def put(self, key: str, record: Mapping[str, Any], ttl: float) -> None:
        data, ms = encode(record), max(1, int(ttl * 1000))
        self._call(lambda c: c.set(PREFIX + "record:" + key, data, px=ms))

    def table_put(self, table: str, key: str, record: Mapping[str, Any]) -> int:
        return self.table_put_many(table, {key: record})

    def table_put_many(self, table: str, records: Mapping[str, Mapping[str, Any]]) -> int:
        if not records:
            return self.table_version(table)
        data = {key: encode(record) for key, record in records.items()}

        def write(c: redis.Redis) -> int:
            pipe = c.pipeline(transaction=True)  # MULTI/EXEC: the writes and their version
            pipe.hset(PREFIX + "table:" + table, mapping=data)
            pipe.incr(PREFIX + "table-version:" + table)
            return int(pipe.execute()[1])

        return self._call(write)

    def table(self, table: str) -> dict[str, dict[str, Any]]:
        rows = self._call(lambda c: c.hgetall(PREFIX + "table:" + table))
        found = ((_text(k), decode(v)) for k, v in rows.items())
        return {k: r for k, r in found if r is not None}

    def table_version(self, table: str) -> int:
        return _version(self._call(lambda c: c.get(PREFIX + "table-version:" + table)))

    async def claim_async(self, key: str, ttl: float) -> bool | None:
        """:meth:`claim` awaited on the event loop, which it never blocks.

        ``None`` while Redis is known to be down: the blocking :meth:`claim`,
        from a thread, probes it. A failure here is :class:`StorageUnavailable`,
        as there (the caller claims in its process instead), and marks Redis down.
        """
        if self._down_since is not None:
            return None
        ms = max(1, int(ttl * 1000))
        return bool(
            await self._awaited(lambda c: c.set(PREFIX + "claim:" + key, "1", nx=True, px=ms))
        )

    async def table_version_async(self, table: str) -> int | None:
        """:meth:`table_version` awaited on the event loop, which it never blocks.

        ``None`` when Redis cannot say at once: while it is known to be down,
        or when this read fails (which marks it down); the caller then asks
        the blocking way, from a thread, which probes it and reports the outage.
        """
        if self._down_since is not None:
            return None
        try:
            return _version(await self._awaited(lambda c: c.get(PREFIX + "table-version:" + table)))
        except StorageUnavailable:
            return None

    @property
    def known_down(self) -> bool:
        return self._down_since is not None

    async def _awaited(self, operation: Callable[[Any], Any]) -> Any:
        """``operation`` on the loop's client, awaited; a failure marks Redis down (as ``_call``).

        While Redis is known to be down this refuses at once: only the blocking
        :meth:`_call`, from a thread, probes it (callers check :attr:`known_down` first).
        """
        if self._down_since is not None:
            raise StorageUnavailable()
        client, turns = self._loop_client()
        try:
            async with turns:
                if self._down_since is not None:  # found down while this call waited its turn
                    raise StorageUnavailable()
                return await operation(client)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            raise StorageUnavailable() from None

    def _loop_client(self) -> tuple[Any, asyncio.Semaphore]:
        """A redis.asyncio client for the running loop, set up as the blocking one is.

        Its connections belong to that loop: one client is kept, for the loop
        last seen (a worker has one; a test may start several in turn). With
        it, the turns to use it: nothing else bounds how many acks await Redis
        at once (threads did), and past its pool's 100 connections redis-py
        raises an error that reads as an outage.
        """
        loop = asyncio.get_running_loop()
        if self._on_loop is None or self._on_loop[0] is not loop:
            import redis.asyncio  # only a server's loop needs it
            from redis.asyncio.retry import Retry as AsyncRetry

            url, timeout = self._connect
            client = redis.asyncio.Redis.from_url(url, **_client_options(timeout, AsyncRetry))
            self._on_loop = (loop, client, asyncio.Semaphore(LOOP_CALLS))
        return self._on_loop[1], self._on_loop[2]

    def replace_if(
        self,
        key: str,
        expected: Mapping[str, Any] | None,
        record: Mapping[str, Any],
        ttl: float,
    ) -> bool:
        full, data, ms = PREFIX + "record:" + key, encode(record), max(1, int(ttl * 1000))
        wanted = decode(encode(expected)) if expected is not None else None

        def swap(client: redis.Redis) -> bool:
            with client.pipeline() as pipe:
                try:
                    pipe.watch(full)  # EXEC fails if anyone writes the key after this
                    raw = pipe.get(full)
                    if (decode(raw) if raw is not None else None) != wanted:
                        return False
                    pipe.multi()
                    pipe.set(full, data, px=ms)
                    pipe.execute()
                except redis.WatchError:
                    return False
            return True

        return self._call(swap)

    def queue(self, name: str) -> WorkQueue:
        with self._lock:
            return self._queues.setdefault(name, RedisQueue(self, name))

    def stream(self, name: str, path: Path | None = None) -> RecordStream:
        with self._lock:
            return self._streams.setdefault(name, RedisStream(self, name))

    def state(self) -> str:
        """ "up", "down" (unreachable) or "refusing writes" (full, or a read-only replica).

        Asks Redis with a write (PING answers even when every write is refused),
        unless it failed within the last ``retry_interval`` seconds or another
        call is probing it: then the last known state, at once.
        """
        try:
            self._call(lambda c: c.set(PROBE_KEY, "1", px=PROBE_TTL_MS))
        except StorageUnavailable:
            return self._down_reason if self._down_since is not None else UNREACHABLE
        if not self._policy_checked:
            self._policy_checked = True
            self._warn_if_evicting()
        return "up"

    def eviction_policy(self) -> str | None:
        """Redis's ``maxmemory-policy``, from ``INFO memory`` (Azure Cache disables CONFIG)."""
        info = self._call(lambda c: c.info("memory"), writes=False)
        policy = info.get("maxmemory_policy") if isinstance(info, dict) else None
        return str(policy) if policy else None

    def _warn_if_evicting(self) -> None:
        try:
            policy = self.eviction_policy()
        except StorageUnavailable:
            return
        if policy and policy != SAFE_EVICTION:
            log.warning(
                "Redis at %s has maxmemory-policy %s: when it is full it may evict Confirm "
                "and de-duplication claims (a replayed click could then run twice); set "
                "noeviction (deploy/README.md, Redis memory)",
                self.url,
                policy,
            )

    def close(self) -> None:
        self._client.close()

    # --- outage handling ---------------------------------------------------

    def _call(self, operation: Callable[[redis.Redis], T], *, writes: bool = True) -> T:
        """Run ``operation``, or fail at once while Redis is down and another call probes.

        ``writes=False``: a read (or a DEL), which still runs while Redis only
        refuses writes. Whatever the operation, the store is back only once a
        write succeeds (:meth:`_writable_again`), so no read flaps the log.
        """
        if self._down_since is None or (not writes and self._down_reason == REFUSING_WRITES):
            return self._attempt(operation, writes)
        if time.monotonic() < self._next_try or not self._probe.acquire(blocking=False):
            raise StorageUnavailable()
        try:
            if time.monotonic() < self._next_try:  # another probe failed meanwhile
                raise StorageUnavailable()
            return self._attempt(operation, writes)
        finally:
            self._probe.release()

    def _attempt(self, operation: Callable[[redis.Redis], T], writes: bool) -> T:
        try:
            result = operation(self._client)
        except redis.RedisError as exc:
            self._failed(exc)
            raise StorageUnavailable() from None
        if self._down_since is not None and (writes or self._down_reason == UNREACHABLE):
            self._writable_again()
        return result

    def _failed(self, exc: redis.RedisError) -> None:
        if isinstance(exc, redis.ResponseError) and not _refuses_writes(exc):
            log.error("Redis refused a command: %s", type(exc).__name__)  # a bug, not an outage
            return
        reason = REFUSING_WRITES if isinstance(exc, redis.ResponseError) else UNREACHABLE
        self._mark_down(reason, type(exc).__name__)

    def _writable_again(self) -> None:
        """A call succeeded while down: back if a write succeeds too (reads do when full)."""
        try:
            self._client.set(PROBE_KEY, "1", px=PROBE_TTL_MS)
        except redis.RedisError as exc:
            self._failed(exc)
            return
        self._mark_up()

    def _mark_down(self, reason: str, cause: str) -> None:
        with self._lock:
            self._next_try = time.monotonic() + self._retry_interval
            if self._down_since is not None and self._down_reason == reason:
                return
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
                metrics.redis_up(False)
            self._down_reason = reason
        if reason == REFUSING_WRITES:
            log.error(
                "Redis at %s refuses writes (%s: full under noeviction, or a read-only "
                "replica); shared state is down until it accepts them again",
                self.url,
                cause,
            )
        elif first:
            log.error(
                "Redis at %s is unavailable (%s); shared state is down until it is back",
                self.url,
                cause,
            )

    def _mark_up(self) -> None:
        with self._lock:
            if self._down_since is None:
                return
            outage = time.monotonic() - self._down_since
            self._down_since = None
            self._down_reason = UNREACHABLE
            metrics.redis_up(True)
        log.warning("Redis at %s is back after %.1f s", self.url, outage)


def _refuses_writes(exc: redis.ResponseError) -> bool:
    """Full (OOM under ``noeviction``), a read-only replica, or a failed snapshot (MISCONF)."""
    if isinstance(exc, redis.exceptions.OutOfMemoryError | redis.exceptions.ReadOnlyError):
        return True
    return str(exc).startswith(("OOM", "READONLY", "MISCONF"))


class RedisQueue(WorkQueue):
    """A sorted set of due times and a hash of records; each operation is one Lua script."""

    def __init__(self, store: RedisStorage, name: str) -> None:
        self._store = store
        self._keys = [PREFIX + "queue:" + name, PREFIX + "queue:" + name + ":items"]

    def _run(self, script: str, *args: Any) -> Any:
        code = self._store.queue_scripts[script]
        return self._store._call(lambda c: code(keys=self._keys, args=list(args), client=c))

    def add(self, item_id: str, record: Mapping[str, Any], ttl: float, delay: float = 0.0) -> bool:
        ms, wait = max(1, int(ttl * 1000)), max(0, int(delay * 1000))
        return bool(self._run("add", item_id, encode(record), ms, wait))

    def add_many(self, items: Sequence[tuple[str, Mapping[str, Any]]], ttl: float) -> int:
        if not items:
            return 0
        code, args = self._store.queue_scripts["add"], self._add_arguments(items, ttl)

        def add_all(client: redis.Redis) -> list[Any]:
            # One round trip, each add atomic. EVALSHA by hand: a Script in a pipeline
            # first asks SCRIPT EXISTS, a second round trip for every delivery.
            def run() -> list[Any]:
                pipe = client.pipeline(transaction=False)
                for arguments in args:
                    pipe.evalsha(code.sha, len(self._keys), *self._keys, *arguments)
                return pipe.execute()

            try:
                return run()
            except redis.exceptions.NoScriptError:  # Redis restarted: load, then add again
                client.script_load(code.script)
                return run()  # NOSCRIPT refused the whole batch: it runs once, now

        return sum(bool(added) for added in self._store._call(add_all))

    async def add_many_async(
        self, items: Sequence[tuple[str, Mapping[str, Any]]], ttl: float
    ) -> int:
        if not items:
            return 0
        code, args = self._store.queue_scripts["add"], self._add_arguments(items, ttl)

        async def add_all(client: Any) -> list[Any]:
            async def run() -> list[Any]:
                pipe = client.pipeline(transaction=False)
                for arguments in args:
                    pipe.evalsha(code.sha, len(self._keys), *self._keys, *arguments)
                return await pipe.execute()

            try:
                return await run()
            except redis.exceptions.NoScriptError:  # as add_many
                await client.script_load(code.script)
                return await run()

        return sum(bool(added) for added in await self._store._awaited(add_all))

    @staticmethod
    def _add_arguments(items: Sequence[tuple[str, Mapping[str, Any]]], ttl: float) -> list[list]:
        """The add script's arguments for each item: due now, kept ``ttl`` seconds."""
        ms = max(1, int(ttl * 1000))
        return [[item_id, encode(record), ms, 0] for item_id, record in items]

    async def pending_async(self) -> int:
        return int(await self._store._awaited(lambda c: c.zcard(self._keys[0])))

    def take(self, lease: float, limit: int) -> list[tuple[str, dict[str, Any]]]:
        flat = self._run("take", max(1, int(lease * 1000)), max(0, limit))
        pairs = zip(flat[::2], flat[1::2], strict=True)
        return [(_text(item_id), decode(data) or {}) for item_id, data in pairs]

    def retry(self, item_id: str, delay: float, record: Mapping[str, Any]) -> None:
        self._run("retry", item_id, encode(record), max(0, int(delay * 1000)))

    def done(self, item_id: str) -> None:
        def remove(client: redis.Redis) -> None:
            pipe = client.pipeline()
            pipe.zrem(self._keys[0], item_id)
            pipe.hdel(self._keys[1], item_id)
            pipe.execute()

        self._store._call(remove)

    def pending(self) -> int:
        return int(self._store._call(lambda c: c.zcard(self._keys[0])))


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
        entries = self._store._call(lambda c: c.xrevrange(self._key, count=n), writes=False)
        return [r for r in map(_record, reversed(entries)) if r is not None]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        start = "-"
        while True:
            entries = self._store._call(
                lambda c, s=start: c.xrange(self._key, min=s, max="+", count=1000), writes=False
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


def _version(raw: Any) -> int:
    """A table's version as Redis holds it: 0 for a table never written (or garbled)."""
    try:
        return int(raw) if raw is not None else 0
    except ValueError:
        return 0
