"""Lazy listeners on sized, separate pools (issue 8 item 2), without Slack in the way."""

from __future__ import annotations

import logging
import threading

import pytest
from slack_bolt.request import BoltRequest

from bot.slack.executors import LazyPools, PooledLazyListenerRunner, diagnostic


@pytest.fixture
def runner():
    pools = LazyPools.sized(max_concurrent=8, answer_threads=4)
    lost: list[tuple[str, object]] = []
    runner = PooledLazyListenerRunner(
        logging.getLogger("test"),
        pools,
        None,
        lambda _c, _x, name, failure, _r: lost.append((name, failure)),
    )
    runner.lost = lost
    yield runner
    pools.shutdown()


def request() -> BoltRequest:
    return BoltRequest(body="{}", headers={"content-type": ["application/json"]})


def test_every_admitted_check_gets_a_thread_and_answers_run_beside_them(runner):
    release, started, answered = threading.Event(), threading.Semaphore(0), threading.Event()

    @diagnostic
    def check() -> None:
        started.release()
        release.wait(10)

    def answer() -> None:
        answered.set()

    try:
        for _ in range(9):  # max_concurrent checks, and one more the limiter must refuse at once
            runner.start(check, request())
        assert all(started.acquire(timeout=5) for _ in range(9))
        runner.start(answer, request())
        assert answered.wait(5)
    finally:
        release.set()


def test_answers_do_not_queue_behind_slow_answers_beyond_the_pool(runner):
    release, answered = threading.Event(), threading.Event()

    def slow() -> None:
        release.wait(10)

    @diagnostic
    def quick_check() -> None:
        answered.set()

    try:
        for _ in range(4):  # every answer thread is busy
            runner.start(slow, request())
        runner.start(quick_check, request())  # diagnostics are not behind them either
        assert answered.wait(5)
    finally:
        release.set()


def test_a_listener_that_raises_is_reported_as_undelivered(runner):
    done = threading.Event()

    def broken() -> None:
        done.set()
        raise RuntimeError("boom")

    runner.start(broken, request())
    assert done.wait(5)
    runner.pools.answers.shutdown(wait=True)
    assert [(name, type(failure)) for name, failure in runner.lost] == [("broken", RuntimeError)]


def test_observers_hear_of_every_undelivered_reply(monkeypatch):
    from slack_bolt import BoltContext

    from bot.slack import delivery

    heard: list[tuple[str, str]] = []
    monkeypatch.setattr(delivery, "observers", [lambda name, why: heard.append((name, why))])
    delivery.undelivered(None, BoltContext(), "answer_mention", "response_url: HTTP 500", None)
    assert heard == [("answer_mention", "response_url: HTTP 500")]


def test_waiting_for_answers_waits_for_the_queued_ones_too():
    pools = LazyPools.sized(max_concurrent=1, answer_threads=1)
    release, done = threading.Event(), []
    try:
        assert pools.wait_for_answers(0)  # nothing handed over: idle at once
        pools.answers.submit(release.wait, 10)
        pools.answers.submit(done.append, "queued behind it")
        assert not pools.wait_for_answers(0.05)
        release.set()
        assert pools.wait_for_answers(5)
        assert done == ["queued behind it"]
    finally:
        release.set()
        pools.shutdown()


def test_an_answer_that_raises_still_counts_as_finished():
    pools = LazyPools.sized(max_concurrent=1, answer_threads=2)
    try:
        pools.answers.submit(int, "not a number")  # raises ValueError in its thread
        assert pools.wait_for_answers(5)
    finally:
        pools.shutdown()
