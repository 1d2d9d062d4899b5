"""Redis goes away and comes back: clear errors, a fallback for de-duplication, no restart."""

from __future__ import annotations

import logging

import pytest
import redis

from bot import metrics
from bot.errors import AcrbotError
from bot.storage import ProcessFallback, StorageUnavailable
from bot.storage.redis import RedisStorage, describe_url
from tests.redis_server import RedisServer
from tests.waiting import eventually


def redis_up_value() -> float | None:
    text, _ = metrics.render()
    for line in text.decode().splitlines():
        if line.startswith("acrbot_redis_up "):
            return float(line.split()[1])
    return None


def works(store: RedisStorage, key: str) -> bool:
    try:
        return store.claim(key, 60)
    except StorageUnavailable:
        return False


def test_stop_and_start_recovers_without_a_new_client(server: RedisServer, caplog) -> None:
    store = RedisStorage(server.url, retry_interval=0.2)
    assert store.claim("before", 60) and store.state() == "up"
    assert redis_up_value() == 1.0

    server.stop()
    with caplog.at_level(logging.WARNING, logger="bot.storage.redis"):
        for _ in range(5):
            with pytest.raises(StorageUnavailable) as refused:
                store.claim("during", 60)
            with pytest.raises(StorageUnavailable):
                store.hit("user", 5, 60)
            with pytest.raises(StorageUnavailable):
                store.stream("audit").append({"event": "x"})
    assert isinstance(refused.value, AcrbotError)
    assert "temporarily unavailable" in str(refused.value)
    assert store.state() == "down"
    assert redis_up_value() == 0.0
    down_lines = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(down_lines) == 1  # said once, not once per call

    server.start()  # same port, empty data: a restart without persistence
    with caplog.at_level(logging.WARNING, logger="bot.storage.redis"):
        assert eventually(lambda: works(store, "after"))
    assert store.state() == "up" and redis_up_value() == 1.0
    assert any("is back" in r.getMessage() for r in caplog.records)
    assert not store.claim("after", 60)


def test_a_frozen_redis_is_a_bounded_failure(server: RedisServer) -> None:
    store = RedisStorage(server.url, timeout=0.3, retry_interval=0.2)
    assert store.claim("warm", 60)
    server.pause()
    try:
        with pytest.raises(StorageUnavailable):
            store.claim("frozen", 60)
        with pytest.raises(StorageUnavailable):  # fails fast while marked down
            store.claim("frozen", 60)
    finally:
        server.resume()
    assert eventually(lambda: works(store, "thawed"))


def test_deduplication_falls_back_to_the_process_and_says_so_once(
    server: RedisServer, caplog
) -> None:
    store = RedisStorage(server.url, retry_interval=0.2)
    dedupe = ProcessFallback(store)
    assert dedupe.claim("event:1", 60)
    server.stop()
    with caplog.at_level(logging.WARNING, logger="bot.storage.fallback"):
        assert dedupe.claim("event:2", 60)
        assert not dedupe.claim("event:2", 60)  # still once, within this process
        assert dedupe.claim("event:3", 60)
    assert dedupe.falling_back
    assert sum("within this process" in r.getMessage() for r in caplog.records) == 1

    server.start()
    assert eventually(lambda: store.state() == "up")
    with caplog.at_level(logging.WARNING, logger="bot.storage.fallback"):
        assert dedupe.claim("event:4", 60)
        assert not store.claim("event:4", 60)  # claimed in Redis again
    assert not dedupe.falling_back
    assert any("is back" in r.getMessage() for r in caplog.records)


def test_the_url_is_logged_without_its_password() -> None:
    url = "rediss://:S3cretPass@acrbot.redis.cache.windows.net:6380/0"
    assert describe_url(url) == "rediss://acrbot.redis.cache.windows.net:6380/0"
    assert "S3cret" not in RedisStorage(url).url


def test_a_batch_of_items_is_added_after_a_restart_forgot_the_scripts(redis_url: str) -> None:
    store = RedisStorage(redis_url)
    queue = store.queue("alerts")
    assert queue.add_many([("a", {"n": 1})], 60) == 1
    redis.Redis.from_url(redis_url).script_flush()  # what a restart without persistence leaves
    assert queue.add_many([("b", {"n": 2}), ("a", {"n": 9}), ("c", {})], 60) == 2
    assert [i for i, _ in queue.take(lease=60, limit=5)] == ["a", "b", "c"]
    assert store.state() == "up"  # the missing script was loaded, not taken for an outage
