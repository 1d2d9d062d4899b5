"""A Redis that accepts connections and never answers (issue 18 B4).

Slack's acknowledgements wait on event de-duplication, and Slack gives up
after 3 s: a call must fail well inside a second, open one connection, and
once Redis is known to be down only one call at a time may try it again
while every other call (and ``/readyz``) fails at once.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.knowledge.library import Library
from bot.readiness import readiness
from bot.storage import ProcessFallback, StorageUnavailable
from bot.storage.redis import TIMEOUT, RedisStorage
from tests.fakes.silent_server import SilentServer
from tests.waiting import eventually

ROOT = Path(__file__).parents[2]
BOUND = 0.9  # "well under a second": the worst a call may wait on a hung Redis
THREADS = 40


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    with SilentServer() as server:
        yield server


def timed(call) -> float:
    start = time.monotonic()
    with contextlib.suppress(StorageUnavailable):
        call()
    return time.monotonic() - start


def test_the_timeouts_on_the_ack_path_are_well_under_a_second() -> None:
    assert TIMEOUT <= 0.5
    pool = RedisStorage("redis://127.0.0.1:1/0")._client.connection_pool
    assert pool.connection_kwargs["socket_timeout"] <= 0.5
    assert pool.connection_kwargs["socket_connect_timeout"] <= 0.5


def test_one_call_to_a_hung_redis_waits_one_timeout_on_one_connection(silent) -> None:
    store = RedisStorage(silent.url, retry_interval=60)
    assert timed(lambda: store.claim("event:1", 60)) < BOUND
    assert silent.accepted == 1  # not one per retry of connect and command
    assert store.state() == "down"
    assert timed(lambda: store.claim("event:2", 60)) < 0.05  # down: fails at once
    assert silent.accepted == 1


def test_while_down_one_call_at_a_time_probes_and_acks_never_wait_longer(silent) -> None:
    store = RedisStorage(silent.url, retry_interval=0.05)
    dedupe = ProcessFallback(store)  # what Slack's acks go through
    assert timed(lambda: store.claim("first", 60)) < BOUND
    assert eventually(lambda: silent.open == 0)
    silent.reset_max_open()
    durations: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def acks(worker: int) -> None:
        start.wait()
        for n in range(15):
            began = time.monotonic()
            assert dedupe.claim(f"event:{worker}:{n}", 60)  # answered, in-process
            with lock:
                durations.append(time.monotonic() - began)
            time.sleep(0.02)

    threads = [threading.Thread(target=acks, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(durations) == THREADS * 15
    assert max(durations) < BOUND
    assert silent.accepted > 1  # it did probe again after retry_interval ...
    assert silent.max_open <= 1  # ... but never two probes at once, let alone 40
    assert dedupe.falling_back


def test_readyz_answers_at_once_while_another_call_probes(silent) -> None:
    library = Library([ROOT / "knowledge"], "https://docs.example/")
    store = RedisStorage(silent.url, retry_interval=0.01)
    assert timed(lambda: store.claim("first", 60)) < BOUND
    assert eventually(lambda: silent.open == 0)
    time.sleep(0.02)  # past retry_interval: the next call probes
    prober = threading.Thread(target=lambda: timed(lambda: store.claim("probe", 60)))
    prober.start()
    assert eventually(lambda: silent.open == 1, every=0.01)  # the probe waits on the hung Redis
    accepted = silent.accepted
    elapsed = timed(lambda: readiness(lambda: library, lambda: store))
    code, body = readiness(lambda: library, lambda: store)
    assert code == 200 and body["redis"] == "down"
    assert silent.accepted == accepted  # /readyz did not open a second connection
    assert elapsed < TIMEOUT  # less than one wait on the hung Redis
    prober.join()


def test_a_distant_redis_can_be_given_longer_timeouts_in_its_url() -> None:
    url = "rediss://:pw@far.example:6380/0?socket_timeout=0.5&socket_connect_timeout=0.75"
    kwargs = RedisStorage(url)._client.connection_pool.connection_kwargs
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (0.5, 0.75)
