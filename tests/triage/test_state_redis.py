"""The Redis alert store against a real redis-server (skipped where none is installed)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from bot.triage.policy import Action, AlertPolicy, Posted
from bot.triage.state import RedisAlertStore
from tests.triage.test_policy import storage_alert

pytest.importorskip("redis")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_store_contract(redis_url):
    store = RedisAlertStore(redis_url)
    store._client.flushdb()
    assert store.claim("k", 0.2) and not store.claim("k", 10)
    assert store.incr("n", 10) == 1 and store.incr("n", 10) == 2 and store.count("n") == 2
    assert store.count("missing") == 0 and store.get("missing") is None
    store.put("r", {"a": 1}, 10)
    assert store.get("r") == {"a": 1}
    time.sleep(0.3)
    assert store.claim("k", 10)  # the first claim expired


def test_two_processes_agree_through_redis(redis_url):
    first, second = RedisAlertStore(redis_url), RedisAlertStore(redis_url)
    first._client.flushdb()
    one, two = AlertPolicy(first), AlertPolicy(second)
    fired = storage_alert("shared")
    assert one.decide(fired).action == Action.POST
    one.posted(fired, Posted("C1", "3.3"))
    assert two.decide(storage_alert("shared")).action == Action.DUPLICATE
    assert two.decide(storage_alert("other")).action == Action.COALESCE
    assert two.decide(storage_alert("shared", "Resolved")).message == Posted("C1", "3.3")
