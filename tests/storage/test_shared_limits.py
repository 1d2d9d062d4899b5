"""Rate limits and the concurrency cap hold across processes and replicas sharing a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.diagnostics.rate_limits import ConcurrencyLimiter, RateLimited, RateLimiter, TooBusy
from bot.storage import SqliteStorage, Storage, StorageUnavailable
from bot.storage.redis import RedisStorage
from tests.redis_server import RedisServer


@pytest.fixture(params=["sqlite", "redis"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Storage, Storage]:
    """Two handles on one shared store: two workers (SQLite) or two replicas (Redis)."""
    if request.param == "sqlite":
        path = tmp_path / "claims.sqlite3"
        return SqliteStorage(path), SqliteStorage(path)
    url = request.getfixturevalue("redis_url")
    return RedisStorage(url), RedisStorage(url)


def test_a_users_rate_limit_holds_across_both(two_stores) -> None:
    first, second = (RateLimiter(3, 60, store=s) for s in two_stores)
    first.hit("U1")
    second.hit("U1")
    first.hit("U1")
    with pytest.raises(RateLimited) as refused:
        second.hit("U1")
    assert 1 <= refused.value.retry_after <= 60
    second.hit("U2")  # another person is not affected


def test_the_concurrency_cap_holds_across_both(two_stores) -> None:
    first, second = (ConcurrencyLimiter(2, store=s) for s in two_stores)
    with first.slot(), second.slot():
        with pytest.raises(TooBusy), first.slot():
            pass
        with pytest.raises(TooBusy), second.slot():
            pass
    with first.slot(), second.slot():
        pass  # both slots were released


def test_limits_refuse_rather_than_run_unlimited_when_redis_is_down(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        store = RedisStorage(server.url, retry_interval=0.1)
        limiter, cap = RateLimiter(5, 60, store=store), ConcurrencyLimiter(2, store=store)
        limiter.hit("U1")
        with cap.slot():
            server.stop()  # Redis goes away while a check runs: the slot's release is skipped
        with pytest.raises(StorageUnavailable):
            limiter.hit("U1")
        with pytest.raises(StorageUnavailable), cap.slot():
            pass
    finally:
        server.stop()
