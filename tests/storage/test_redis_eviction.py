"""A Redis that may evict acrbot's claims when full is named as such (issue 18 B15).

Every key acrbot writes has a TTL, so under ``volatile-lru`` (Azure Cache
for Redis' default) or any ``allkeys-*`` policy a full Redis may evict a
Confirm or de-duplication claim, and a replayed click or event would then
act twice. ``noeviction`` refuses writes instead (see test_redis_full.py).
"""

from __future__ import annotations

import logging

import pytest
import redis

from bot.storage.redis import RedisStorage


def eviction_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "maxmemory-policy" in r.getMessage()]


@pytest.mark.parametrize("policy", ["volatile-lru", "allkeys-lru", "volatile-ttl"])
def test_a_policy_that_may_evict_claims_is_logged_once(server, caplog, policy) -> None:
    redis.Redis.from_url(server.url).config_set("maxmemory-policy", policy)
    store = RedisStorage(server.url)
    with caplog.at_level(logging.WARNING, logger="bot.storage.redis"):
        for _ in range(5):  # /readyz asks every few seconds
            assert store.state() == "up"
    (line,) = eviction_lines(caplog)
    assert policy in line and "set noeviction" in line
    assert store.eviction_policy() == policy


def test_noeviction_is_not_warned_about(server, caplog) -> None:
    redis.Redis.from_url(server.url).config_set("maxmemory-policy", "noeviction")
    store = RedisStorage(server.url)
    with caplog.at_level(logging.WARNING, logger="bot.storage.redis"):
        assert store.state() == "up"
    assert eviction_lines(caplog) == []
