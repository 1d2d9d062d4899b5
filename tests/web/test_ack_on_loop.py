"""Acks answered on the event loop (issue 17): only those that cannot wait on anything.

With the shared store on this host (memory, SQLite) an ``/acr ask``, a
click, an event and an alert delivery are answered on the loop, so they go
through while every thread of the request pool is busy. Anything that may
wait (``/acr help`` reads user groups from Slack; with Redis, every claim
and blocking read crosses the network) still takes the pool. With Redis an
``/acr ask`` is answered on the loop too: its one read (has an answer been
approved since?) is awaited there, never waited for.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml

from bot.slack.executors import ANSWER_THREADS, pools_of
from bot.web.slack_events import answered_on_loop
from tests.fakes import slack_requests as sr
from tests.fakes.in_process import InProcessBot, start_in_process
from tests.triage.conftest import fixture
from tests.waiting import eventually

ASK = "ask how do I get the admin password"
ALERT_TOKEN = "loop-alert-token-0123456789abcdef"


def command(text: str) -> dict[str, str]:
    return {"command": "/acr", "text": text, "user_id": "U1", "channel_id": "C1"}


def on_the_loop(on_loop, payload: dict) -> bool:
    return asyncio.run(on_loop(payload)) is not None


class Claims:
    """Claims as the shared store makes them, each key once; ``None``: Redis cannot say."""

    def __init__(self, answer: bool | None = True) -> None:
        self.answer, self.made = answer, []

    def claim(self, key: str, ttl: float) -> bool:
        raise AssertionError("a blocking claim on the loop")

    async def claim_async(self, key: str, ttl: float) -> bool | None:
        self.made.append(key)
        return self.answer


async def current() -> bool:
    return True


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (command(ASK), True),
        (command("how do I get the admin password"), True),  # a bare question is `ask`
        (command("ask"), True),  # "what is your question?" needs nothing either
        (command("help"), False),  # lists what the user may run: user groups, from Slack
        (command("admin"), False),  # one word: the help, if the knowledge base has no answer
        (command("usage myregistry"), False),  # a diagnostic request
        ({"type": "block_actions", "actions": [{"action_id": "feedback_up"}]}, True),
        ({"type": "event_callback", "event": {"type": "message"}}, True),
        ({"type": "view_submission", "view": {"type": "modal"}}, False),  # checks the approver
        ({"type": "shortcut"}, False),
        ({"command": "/other", "text": "ask x"}, False),
    ],
)
def test_which_acks_run_on_the_loop(payload: dict, expected: bool) -> None:
    assert on_the_loop(answered_on_loop(True, lambda: True), payload) is expected
    with_redis = answered_on_loop(False, lambda: True, current, Claims())
    assert on_the_loop(with_redis, payload) is expected  # what it needs from Redis, awaited
    assert on_the_loop(answered_on_loop(False, lambda: True), payload) is False
    unanswered = answered_on_loop(False, lambda: True, current, Claims(None))
    assert on_the_loop(unanswered, payload) is expected  # these carry no id: nothing to claim


def test_with_redis_an_ack_runs_on_the_loop_with_its_claims_made() -> None:
    claims = Claims(False)
    on_loop = answered_on_loop(False, lambda: True, current, claims)
    click = {"type": "block_actions", "trigger_id": "T1",
             "actions": [{"action_id": "feedback_up", "action_ts": "1.5"}]}  # fmt: skip
    event = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "message"}}
    assert asyncio.run(on_loop(click)) == {"slack:action:T1:1.5": False}  # a replay: dropped
    assert asyncio.run(on_loop(event)) == {"slack:event:Ev1": False}
    assert claims.made == ["slack:action:T1:1.5", "slack:event:Ev1"]
    unanswered = answered_on_loop(False, lambda: True, current, Claims(None))
    assert asyncio.run(unanswered(click)) is None  # Redis cannot say: claimed from a thread
    assert asyncio.run(unanswered(event)) is None


def test_a_question_that_must_take_in_an_approval_first_goes_to_the_pool() -> None:
    now = {"current": False}

    async def shared() -> bool:
        return now["current"]

    for on_loop in (answered_on_loop(True, lambda: now["current"]),
                    answered_on_loop(False, lambda: True, shared)):  # fmt: skip
        now["current"] = False
        assert not on_the_loop(on_loop, command(ASK))
        now["current"] = True
        assert on_the_loop(on_loop, command(ASK))


@contextmanager
def pool_busy(bot: InProcessBot) -> Iterator[threading.Event]:
    """Every thread of the request pool held until the block ends."""
    release = threading.Event()
    executor = bot.served.router.executor
    started = [threading.Event() for _ in range(bot.settings.serve.threads)]
    for event in started:
        executor.submit(lambda e=event: (e.set(), release.wait(30)))
    for event in started:
        assert event.wait(5)
    try:
        yield release
    finally:
        release.set()


def ask(bot: InProcessBot, text: str, timeout: float = 10) -> httpx.Response:
    body = sr.slash_command(text, response_url=bot.slack.response_url("loop"))
    return bot.post(body, timeout=timeout)


def with_alerts(config: Path) -> None:
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["alerts"] = {"default_channel": "CALERTS"}
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory, server_fakes) -> Iterator[InProcessBot]:
    env = {"GUNICORN_THREADS": "2", "ACRBOT_ALERT_TOKEN": ALERT_TOKEN}
    tmp = tmp_path_factory.mktemp("on-loop")
    with start_in_process(tmp, *server_fakes, configure=with_alerts, **env) as bot:
        yield bot


def alert(bot: InProcessBot, padding: int = 0, timeout: float = 10) -> httpx.Response:
    group = fixture("alertmanager_imagepull.json")
    group["groupKey"] = f"loop-{padding}"
    group["commonAnnotations"] = {"description": "x" * padding}
    headers = {"Authorization": f"Bearer {ALERT_TOKEN}"}
    return bot.http.post("/alerts/alertmanager", json=group, headers=headers, timeout=timeout)


def test_with_a_local_store_answers_and_clicks_pass_a_busy_pool(local: InProcessBot) -> None:
    with pool_busy(local):
        answer = ask(local, ASK)
        assert answer.status_code == 200 and "blocks" in answer.json()
        assert "admin" in json.dumps(answer.json()).lower()
        value = json.dumps({"entry": "admin-account", "query": "admin password"})
        click = sr.block_actions("feedback_up", value, response_url=local.slack.response_url("c"))
        assert local.post(click, timeout=10).status_code == 200
        assert alert(local).status_code == 200  # a small delivery: queued from the loop
        with pytest.raises(httpx.ReadTimeout):
            ask(local, "help", timeout=0.5)  # user groups from Slack: it waits for a thread
        with pytest.raises(httpx.ReadTimeout):
            alert(local, padding=100_000, timeout=0.5)  # a large group's parse: the pool
        big = sr.event_callback(sr.message_im("x" * 100_000, channel="DBIG", user="UBIG"))
        with pytest.raises(httpx.ReadTimeout):
            local.post(big, timeout=0.5)  # a Slack body over 64 kB: the pool too


def test_a_form_field_given_twice_is_refused(local: InProcessBot) -> None:
    body = sr.slash_command(ASK, response_url=local.slack.response_url("twice"))
    response = local.post(body + b"&text=ask+something+else")
    assert response.status_code == 400 and "malformed" in response.text


def blocking_calls_on_the_loop(bot: InProcessBot) -> list:
    """From now on, every blocking Redis call the app makes from its event loop's thread."""
    loop_thread, store = bot.http._thread, bot.services.store
    call, made = store._call, []

    def watched(operation, **kwargs):
        if threading.current_thread() is loop_thread:
            made.append(operation)
        return call(operation, **kwargs)

    store._call = watched
    return made


def test_with_redis_questions_clicks_and_events_pass_a_busy_pool(
    tmp_path: Path, server_fakes, redis_url: str
) -> None:
    env = {"GUNICORN_THREADS": "2", "REDIS_URL": redis_url}
    with start_in_process(tmp_path, *server_fakes, **env) as bot:
        store = bot.services.store
        assert bot.services.library.captured.storage is store is bot.services.dedupe.primary
        blocking_on_loop = blocking_calls_on_the_loop(bot)
        assert ask(bot, ASK).status_code == 200  # the first one reads what was approved
        value = json.dumps({"entry": "admin-account", "query": "admin password"})
        click = sr.block_actions("feedback_up", value, response_url=bot.slack.response_url("c"))
        dm = sr.event_callback(sr.message_im("how do I get the admin password", channel="D1"))
        with pool_busy(bot) as release:
            answer = ask(bot, ASK)
            assert answer.status_code == 200 and "admin" in json.dumps(answer.json()).lower()
            assert bot.post(click, timeout=10).status_code == 200
            assert bot.post(dm, timeout=10).status_code == 200
            with pytest.raises(httpx.ReadTimeout):
                ask(bot, "help", timeout=0.5)  # user groups from Slack: it waits for a thread
            release.set()
        assert blocking_on_loop == []  # the loop awaited Redis; it never waited on it
        assert not store.claim(f"slack:event:{json.loads(dm)['event_id']}", 60)  # claimed there
        assert bot.post(dm, timeout=10).status_code == 200  # Slack's retry: answered once
        (reply,) = bot.slack.wait_for(
            "chat.postMessage", predicate=lambda c: c.params.get("channel") == "D1"
        )
        assert "admin" in reply.params["text"].lower()


def test_with_redis_an_alert_is_queued_from_the_loop_and_posted(
    tmp_path: Path, server_fakes, redis_url: str
) -> None:
    env = {"GUNICORN_THREADS": "2", "REDIS_URL": redis_url, "ACRBOT_ALERT_TOKEN": ALERT_TOKEN}
    with start_in_process(tmp_path, *server_fakes, configure=with_alerts, **env) as bot:
        blocking_on_loop = blocking_calls_on_the_loop(bot)
        with pool_busy(bot) as release:
            first = alert(bot)
            assert first.status_code == 200 and first.json() == {"accepted": 2}
            assert alert(bot).json() == {"accepted": 2}  # re-sent: the same items, kept once
            with pytest.raises(httpx.ReadTimeout):
                alert(bot, padding=100_000, timeout=0.5)  # a large group's parse: the pool
            release.set()
        assert blocking_on_loop == []
        posts = bot.slack.wait_for(
            "chat.postMessage", predicate=lambda c: c.params.get("channel") == "CALERTS"
        )
        assert posts and "ImagePull" in json.dumps([p.params for p in posts])


def test_with_redis_gone_an_alert_is_refused_with_a_retry_after_until_it_is_back(
    tmp_path: Path, server_fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.web.alerts import AlertWebhooks
    from tests.redis_server import RedisServer

    on_loop: list[int] = []
    handle_async = AlertWebhooks.handle_async

    async def counted(self, *args):
        reply = await handle_async(self, *args)
        on_loop.append(reply.status)
        return reply

    monkeypatch.setattr(AlertWebhooks, "handle_async", counted)
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    env = {"GUNICORN_THREADS": "2", "REDIS_URL": redis.url, "ACRBOT_ALERT_TOKEN": ALERT_TOKEN}
    try:
        with start_in_process(tmp_path, *server_fakes, configure=with_alerts, **env) as bot:
            assert alert(bot).status_code == 200 and on_loop == [200]
            # Its workers poll the queue every second: a busy machine let one find Redis gone
            # first, and the pool (not the loop) answered the next delivery.
            bot.served.alerts.dispatcher.stop()
            redis.stop()
            for padding, answered_on_loop in ((1, [200, 503]), (2, [200, 503])):
                refused = alert(bot, padding=padding)  # the loop finds it gone; then the pool
                assert refused.status_code == 503 and refused.headers["Retry-After"] == "10"
                assert "retry later" in refused.json()["error"] and "Traceback" not in refused.text
                assert on_loop == answered_on_loop
            assert bot.services.store.known_down
            redis.start()
            back = lambda: alert(bot, padding=3).status_code == 200  # noqa: E731
            assert eventually(back, every=0.3)  # the pool probes
            assert not bot.services.store.known_down
            assert alert(bot, padding=4).status_code == 200 and on_loop[-1] == 200  # the loop again
    finally:
        redis.stop()


def test_with_redis_a_question_approved_elsewhere_is_answered_next(
    tmp_path: Path, server_fakes, redis_url: str
) -> None:
    env = {"GUNICORN_THREADS": "2", "REDIS_URL": redis_url}
    with start_in_process(tmp_path, *server_fakes, **env) as bot:
        question = "ask how do I rotate the flux capacitor token"
        assert "flux rotate" not in ask(bot, question).text
        captured = bot.services.library.captured
        entry = captured.submit(
            "How do I rotate the flux capacitor token?", "Run `flux rotate`.\n", "en", "", "U7"
        )
        captured.decide(entry.id, "approved", "U8")  # another replica's approval
        assert "flux rotate" in ask(bot, question).text


def test_with_redis_down_a_question_is_still_answered(tmp_path: Path, server_fakes) -> None:
    from tests.redis_server import free_port

    env = {"GUNICORN_THREADS": "2", "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    with start_in_process(tmp_path, *server_fakes, **env) as bot:
        answer = ask(bot, ASK)  # the loop cannot tell: the pool's way, from the files
        assert answer.status_code == 200 and "admin" in json.dumps(answer.json()).lower()
        with pool_busy(bot) as release:
            with pytest.raises(httpx.ReadTimeout):
                ask(bot, ASK, timeout=0.5)  # down: nothing is answered on the loop's guess
            release.set()


def test_the_questions_answered_before_a_shutdown_are_kept(tmp_path: Path, server_fakes) -> None:
    """The question log writes in batches; closing the worker writes what it still holds."""
    with start_in_process(tmp_path, *server_fakes) as bot:
        bot.services.asked.gather = 30  # a batch that would otherwise wait half a minute
        assert ask(bot, ASK).status_code == 200
        store = bot.services.store
    assert [r["text"] for r in store.table("questions").values()] == [ASK.removeprefix("ask ")]


def test_a_question_still_queued_at_shutdown_is_kept(tmp_path: Path, server_fakes) -> None:
    """An answer waiting for a free thread records its question after the shutdown began."""
    release = threading.Event()
    with start_in_process(tmp_path, *server_fakes) as bot:
        pools = pools_of(bot.served.app)
        for _ in range(ANSWER_THREADS):  # every answer thread busy: the mention's answer queues
            pools.answers.submit(release.wait, 10)
        event = sr.app_mention("how do I get the admin password", ts="1700000009.000100")
        assert bot.post(sr.event_callback(event)).status_code == 200
        store = bot.services.store
        threading.Timer(0.3, release.set).start()  # freed only once the shutdown has begun
    assert [r["text"] for r in store.table("questions").values()] == [
        "how do I get the admin password"
    ]
