"""A full Redis (``noeviction``): PING answers, every write is refused (issue 18 B5).

``/readyz`` and ``acrbot_redis_up`` must say acrbot cannot write, and the log
must say so once, not flap between "unavailable" and "back" each time a read
or a PING succeeds.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import redis

from bot import metrics
from bot.knowledge.library import Library
from bot.readiness import readiness
from bot.storage import StorageUnavailable
from bot.storage.redis import RedisStorage
from tests.redis_server import RedisServer
from tests.waiting import eventually

ROOT = Path(__file__).parents[2]


def fill(admin: redis.Redis) -> None:
    """Full under ``noeviction``: memory used above ``maxmemory`` (deterministically: 1 MB)."""
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", 1024 * 1024)
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        for n in range(100_000):
            admin.set(f"ballast:{n}", b"x" * 512)
    admin.config_set("maxmemory", 1024 * 1024 // 2)  # and stays full, whatever is freed
    assert admin.ping()  # the trap: Redis still answers PING


def redis_up_value() -> float | None:
    for line in metrics.render()[0].decode().splitlines():
        if line.startswith("acrbot_redis_up "):
            return float(line.split()[1])
    return None


def test_a_full_redis_is_not_ready_for_writes_and_the_log_says_so_once(
    server: RedisServer, caplog
) -> None:
    library = Library([ROOT / "knowledge"], "https://docs.example/")
    admin = redis.Redis.from_url(server.url)
    store = RedisStorage(server.url, retry_interval=0.02)
    store.put("alert", {"channel": "C1", "ts": "1.0"}, 600)
    assert store.state() == "up"

    fill(admin)
    with caplog.at_level(logging.WARNING, logger="bot.storage.redis"):
        with pytest.raises(StorageUnavailable):
            store.claim("event:1", 60)
        for n in range(30):  # reads, PINGs and writes, across many retry intervals
            assert store.get("alert") == {"channel": "C1", "ts": "1.0"}  # reads still work
            with pytest.raises(StorageUnavailable):
                store.claim(f"event:{n}", 60)
            assert store.state() == "refusing writes"
            time.sleep(0.01)
        code, body = readiness(lambda: library, lambda: store)
    assert code == 200 and body["redis"] == "refusing writes"
    assert redis_up_value() == 0.0
    lines = [r.getMessage() for r in caplog.records]
    assert sum("refuses writes" in line for line in lines) == 1, lines
    assert not any("is back" in line for line in lines), lines

    caplog.clear()
    admin.config_set("maxmemory", 0)  # room again
    with caplog.at_level(logging.WARNING, logger="bot.storage.redis"):
        assert eventually(lambda: store.state() == "up")
        assert store.claim("event:after", 60)
    assert redis_up_value() == 1.0
    assert sum("is back" in r.getMessage() for r in caplog.records) == 1


def test_a_read_only_replica_refuses_writes_too(server: RedisServer, tmp_path: Path) -> None:
    primary = RedisServer(tmp_path / "primary")
    primary.start()
    try:
        admin = redis.Redis.from_url(server.url)
        admin.replicaof("127.0.0.1", primary.port)  # `server` is now a read-only replica
        store = RedisStorage(server.url, retry_interval=0.02)
        assert eventually(lambda: store.state() == "refusing writes")
        admin.replicaof("NO", "ONE")
        assert eventually(lambda: store.state() == "up")
    finally:
        primary.stop()


def test_only_a_write_that_succeeds_brings_a_full_redis_back(server: RedisServer, caplog) -> None:
    """A command that works in a full Redis (a count, a DEL) does not say "back"."""
    admin = redis.Redis.from_url(server.url)
    store = RedisStorage(server.url, retry_interval=0.01)
    fill(admin)
    with caplog.at_level(logging.WARNING, logger="bot.storage.redis"):
        with pytest.raises(StorageUnavailable):
            store.put("record", {"a": 1}, 60)
        for _ in range(20):
            time.sleep(0.02)  # past retry_interval: each call below is the probe
            store.release("claim")  # DEL is allowed when full
            store._call(lambda c: c.zcard("acrbot:queue:alerts"))  # any other read, as a probe
        assert store.state() == "refusing writes"
    lines = [r.getMessage() for r in caplog.records]
    assert not any("is back" in line for line in lines), lines
    assert sum("refuses writes" in line for line in lines) == 1
