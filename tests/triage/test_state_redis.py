"""The Redis alert store against a real redis-server (the suite's shared ``redis_url`` fixture)."""

from __future__ import annotations

import time

from bot.triage.policy import Action, AlertPolicy, Posted
from bot.triage.state import RedisAlertStore, SqliteAlertStore, open_alert_store
from tests.triage.test_policy import storage_alert


def test_store_contract(redis_url):
    store = RedisAlertStore(redis_url)
    assert store.claim("k", 0.2) and not store.claim("k", 10)
    assert store.incr("n", 10) == 1 and store.incr("n", 10) == 2 and store.count("n") == 2
    assert store.count("missing") == 0 and store.get("missing") is None
    store.put("r", {"a": 1}, 10)
    assert store.get("r") == {"a": 1}
    time.sleep(0.3)
    assert store.claim("k", 10)  # the first claim expired


def test_two_replicas_agree_through_redis(redis_url):
    one, two = AlertPolicy(RedisAlertStore(redis_url)), AlertPolicy(RedisAlertStore(redis_url))
    fired = storage_alert("shared")
    assert one.decide(fired).action == Action.POST
    one.posted(fired, Posted("C1", "3.3"))
    assert two.decide(storage_alert("shared")).action == Action.DUPLICATE
    assert two.decide(storage_alert("other")).action == Action.COALESCE
    assert two.decide(storage_alert("shared", "Resolved")).message == Posted("C1", "3.3")


def test_redis_when_a_url_is_set_else_sqlite(redis_url, tmp_path):
    assert isinstance(open_alert_store(redis_url, tmp_path), RedisAlertStore)
    assert isinstance(open_alert_store(None, tmp_path), SqliteAlertStore)
    assert (tmp_path / "alerts.sqlite3").exists()
