"""The alert policy on the shared Redis store, against a real redis-server (``redis_url``)."""

from __future__ import annotations

from bot.storage import SqliteStorage, StorageUnavailable, open_storage
from bot.storage.redis import RedisStorage
from bot.triage.policy import Action, AlertPolicy, Posted
from tests.triage.test_policy import fire, storage_alert


def test_two_replicas_agree_through_redis(redis_url):
    one, two = AlertPolicy(RedisStorage(redis_url)), AlertPolicy(RedisStorage(redis_url))
    assert fire(one, storage_alert("shared"), "3.3").action == Action.POST
    assert two.decide(storage_alert("shared")).action == Action.DUPLICATE
    assert two.decide(storage_alert("other")).action == Action.COALESCE
    assert two.decide(storage_alert("shared", "Resolved")).message == Posted("C1", "3.3")


def test_the_shared_store_is_redis_when_a_url_is_set_else_sqlite(redis_url, tmp_path):
    assert isinstance(open_storage(redis_url, tmp_path), RedisStorage)
    assert isinstance(open_storage(None, tmp_path), SqliteStorage)
    assert (tmp_path / "claims.sqlite3").exists()
    assert not (tmp_path / "alerts.sqlite3").exists()  # no second store for alerts


def test_redis_down_is_storage_unavailable_not_a_double_post():
    policy = AlertPolicy(RedisStorage("redis://127.0.0.1:1/0", timeout=0.2))
    try:
        policy.decide(storage_alert("unreachable"))
    except StorageUnavailable:
        pass
    else:
        raise AssertionError("an unreachable Redis must raise StorageUnavailable")
