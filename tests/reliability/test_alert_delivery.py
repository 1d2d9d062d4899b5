"""No alert answered 2xx is lost: Redis stopped or full, Slack 429, 5xx or hanging (issue 18 B1).

In process: the settings tree, the composition root on a real redis-server
of this module's own (it is stopped and filled here), the production Slack
client (its own retries included) against the fake Slack, and the
webhooks' request handler. Each test waits for the positive signal: the
alert's post reaching the fake Slack.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.config import load_settings
from bot.services import build_services
from bot.slack.client import make_client
from bot.slack.settings import SlackCredentials
from bot.storage.redis import RedisStorage
from bot.triage import Triager, read_azure_monitor
from bot.triage import dispatcher as dispatcher_module
from bot.triage.dispatcher import AlertDispatcher, DeliveryFailed
from bot.triage.policy import AlertPolicy, Posted
from bot.web.alerts import AlertWebhooks
from tests.fakes.slack_api import FakeSlack
from tests.redis_server import RedisServer
from tests.triage.conftest import fixture

TOKEN = "delivery-token-5678"
CHANNEL = "C0ONCALL"


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis-delivery"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def runtime(tmp_path: Path, redis: RedisServer) -> Iterator[tuple[AlertWebhooks, FakeSlack]]:
    if redis.process is None or not redis.ping():
        redis.stop()
        redis.start()
    redis.flush()
    config = tmp_path / "acrbot.yaml"
    config.write_text(
        yaml.safe_dump({"alerts": {"default_channel": CHANNEL, "coalesce_seconds": 600}})
    )
    env = {
        "ACRBOT_CONFIG": str(config),
        "ACRBOT_STATE_DIR": str(tmp_path / "state"),
        "ACRBOT_ALERT_TOKEN": TOKEN,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "REDIS_URL": redis.url,
    }
    settings = load_settings(env=env)
    with FakeSlack() as slack:
        client = make_client(
            SlackCredentials("xoxb-test", "secret", api_url=slack.base_url),
            timeout=1,
            max_retry_after=0.5,  # a Retry-After of 1 s is the dispatcher's to honour, not the client's
        )
        webhooks = AlertWebhooks(settings, build_services(settings), client)
        webhooks.dispatcher._poll = 0.05
        webhooks.dispatcher._backoff = 0.1  # counted, not waited: the doubling is unit-tested
        try:
            yield webhooks, slack
        finally:
            webhooks.dispatcher.stop()


def alert(rule: str | None = None) -> dict:
    """A metric alert with a fresh alertId and its own rule (no storm with the others)."""
    payload = fixture("azure_metric_storage.json")
    payload["data"]["essentials"]["alertId"] = f"/x/{uuid.uuid4()}"
    payload["data"]["essentials"]["alertRule"] = rule or f"rule-{uuid.uuid4().hex[:8]}"
    return payload


def deliver(webhooks: AlertWebhooks, payload: dict):
    body = json.dumps(payload).encode()
    return webhooks.handle("/alerts/azure-monitor", f"token={TOKEN}", {}, body)


def top_posts(slack: FakeSlack, rule: str) -> list:
    return [
        c
        for c in slack.calls("chat.postMessage")
        if not c.params.get("thread_ts") and rule in c.params.get("text", "")
    ]


def wait_posted(slack: FakeSlack, rule: str, timeout: float = 20) -> None:
    slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: not c.params.get("thread_ts") and rule in c.params.get("text", ""),
        timeout=timeout,
    )


def redis_command(redis: RedisServer, *words: str) -> bytes:
    line = b"*%d\r\n" % len(words) + b"".join(
        b"$%d\r\n%s\r\n" % (len(w.encode()), w.encode()) for w in words
    )
    with socket.create_connection(("127.0.0.1", redis.port), timeout=2) as conn:
        conn.sendall(line)
        return conn.recv(4096)


def deliver_until_accepted(webhooks: AlertWebhooks, payload: dict, timeout: float = 10) -> None:
    """The sender's retries: the store answers again within a retry or two."""
    deadline = time.monotonic() + timeout
    while (reply := deliver(webhooks, payload)).status != 200:
        assert reply.status == 503 and time.monotonic() < deadline, reply
        time.sleep(0.2)


def test_redis_stopped_is_503_with_retry_after_and_the_retry_is_posted(runtime, redis):
    webhooks, slack = runtime
    payloads = [alert() for _ in range(3)]
    redis.stop()
    try:
        for payload in payloads:
            reply = deliver(webhooks, payload)
            assert reply.status == 503 and dict(reply.headers)["Retry-After"].isdigit()
    finally:
        redis.start()
    for payload in payloads:
        deliver_until_accepted(webhooks, payload)
    for payload in payloads:
        wait_posted(slack, payload["data"]["essentials"]["alertRule"])


def test_redis_full_is_503_and_the_retry_is_posted_once_there_is_room(runtime, redis):
    webhooks, slack = runtime
    redis_command(redis, "CONFIG", "SET", "maxmemory-policy", "noeviction")
    redis_command(redis, "CONFIG", "SET", "maxmemory", "1mb")
    try:
        filler = "x" * 10_000
        n = 0
        while not redis_command(redis, "SET", f"filler:{n}", filler).startswith(b"-OOM"):
            n += 1
        payload = alert()
        reply = deliver(webhooks, payload)
        assert reply.status == 503 and "Retry-After" in dict(reply.headers)
    finally:
        redis_command(redis, "CONFIG", "SET", "maxmemory", "0")
    deliver_until_accepted(webhooks, payload)
    wait_posted(slack, payload["data"]["essentials"]["alertRule"])


@pytest.mark.parametrize(
    ("status", "retry_after", "times"),
    [(429, 1, 1), (500, 1, 3), (503, 1, 3)],  # 5xx: the client's own two retries fail too
    ids=["slack-429-retry-after", "slack-500", "slack-503"],
)
def test_a_slack_failure_is_retried_until_posted(runtime, status, retry_after, times):
    webhooks, slack = runtime
    slack.fail_next("chat.postMessage", status=status, retry_after=retry_after, times=times)
    payload = alert()
    assert deliver(webhooks, payload).status == 200
    rule = payload["data"]["essentials"]["alertRule"]
    wait_posted(slack, rule, timeout=30)
    assert len(slack.failures) == times
    assert webhooks.dispatcher.join(10)
    assert len(top_posts(slack, rule)) == 1


def test_a_slack_timeout_is_retried_until_posted(runtime):
    webhooks, slack = runtime
    slack.hang_next("chat.postMessage", times=2)  # the attempt and the client's own retry
    payload = alert()
    assert deliver(webhooks, payload).status == 200
    slack.wait_until_hanging(1, timeout=10)
    rule = payload["data"]["essentials"]["alertRule"]
    try:
        wait_posted(slack, rule, timeout=30)
    finally:
        slack.release()
    assert webhooks.dispatcher.join(10)
    assert len(top_posts(slack, rule)) == 1


def test_three_rate_limited_alerts_are_all_posted_and_resending_them_adds_nothing(runtime):
    webhooks, slack = runtime
    slack.fail_next("chat.postMessage", status=429, retry_after=1, times=3)
    payloads = [alert() for _ in range(3)]
    for payload in payloads:
        assert deliver(webhooks, payload).status == 200
    assert webhooks.dispatcher.join(40)
    for payload in payloads:  # the sender re-sends: still 200, nothing posted twice
        assert deliver(webhooks, payload).status == 200
    assert webhooks.dispatcher.join(10)
    for payload in payloads:
        assert len(top_posts(slack, payload["data"]["essentials"]["alertRule"])) == 1


def test_resending_an_alert_acrbot_gave_up_on_posts_it(runtime, monkeypatch):
    webhooks, slack = runtime
    monkeypatch.setattr(dispatcher_module, "MAX_ATTEMPTS", 1)
    slack.fail_next("chat.postMessage", status=429, retry_after=30, times=1)
    payload = alert()
    assert deliver(webhooks, payload).status == 200
    assert webhooks.dispatcher.join(10)  # given up (and said so in the log)
    rule = payload["data"]["essentials"]["alertRule"]
    assert top_posts(slack, rule) == []
    assert deliver(webhooks, payload).status == 200  # not a duplicate: it was never shown
    wait_posted(slack, rule)


def test_an_alert_whose_replica_died_mid_post_is_posted_by_the_other(redis):
    """Replica A takes the alert and never finishes (it died); B posts it once A's lease runs out."""
    if redis.process is None or not redis.ping():
        redis.stop()
        redis.start()
    redis.flush()
    dead, posted = threading.Event(), []

    class DiesMidPost:
        def post(self, channel, triage, count=1):
            dead.wait(30)  # the process is gone: nothing it did after this reaches Slack
            raise DeliveryFailed("the replica died")

    class Posts:
        def post(self, channel, triage, count=1):
            posted.append(triage.alert.rule)
            return Posted(channel, "1.1")

    def replica(notifier) -> AlertDispatcher:
        store = RedisStorage(redis.url)
        policy = AlertPolicy(store, post_lease=1.0)  # both leases short, to keep the test short
        return AlertDispatcher(
            Triager(), policy, notifier, store.queue("alerts"), lease=1.0, poll=0.05
        )

    a, b = replica(DiesMidPost()), replica(Posts())
    (fired,) = read_azure_monitor(alert("mid-post"))
    a.submit([(fired, CHANNEL)])
    deadline = time.monotonic() + 10
    while a._busy == 0:  # A has taken it and is "posting"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    b.start()
    try:
        assert b.join(15) and posted == ["mid-post"]
    finally:
        b.stop()
        dead.set()
        a.stop()
