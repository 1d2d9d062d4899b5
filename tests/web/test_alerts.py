"""The alert webhooks' runtime (intake → queue → triage → Slack) against the fake Slack.

No HTTP server here (the end-to-end tests add it): the settings tree, the
composition root and a real WebClient, so every message is checked by the
fake's Block Kit validation.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from slack_sdk import WebClient

from bot.config import load_settings
from bot.services import build_services
from bot.web.alerts import AlertWebhooks
from tests.fakes.slack_api import FakeSlack
from tests.triage.conftest import fixture

TOKEN = "runtime-token-1234"


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[tuple[AlertWebhooks, FakeSlack]]:
    config = tmp_path / "acrbot.yaml"
    config.write_text(
        yaml.safe_dump({"alerts": {"default_channel": "C0ONCALL", "coalesce_seconds": 600}})
    )
    env = {
        "ACRBOT_CONFIG": str(config),
        "ACRBOT_STATE_DIR": str(tmp_path / "state"),
        "ACRBOT_ALERT_TOKEN": TOKEN,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
    }
    settings = load_settings(env=env)
    services = build_services(settings)
    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        webhooks = AlertWebhooks(settings, services, client)
        try:
            yield webhooks, slack
        finally:
            webhooks.dispatcher.stop()


def deliver(webhooks: AlertWebhooks, source: str, payload) -> int:
    body = json.dumps(payload).encode()
    reply = webhooks.handle(f"/alerts/{source}", f"token={TOKEN}", {}, body)
    return reply.status


def test_every_fixture_reaches_slack_as_valid_block_kit(runtime):
    webhooks, slack = runtime
    for name in (
        "azure_metric_storage.json",
        "azure_log_failed_logins.json",
        "azure_activity_nulls.json",
        "azure_metric_vm_cpu.json",
    ):
        assert deliver(webhooks, "azure-monitor", fixture(name)) == 200
    assert deliver(webhooks, "alertmanager", fixture("alertmanager_imagepull.json")) == 200
    assert webhooks.dispatcher.join(20)
    posts = slack.calls("chat.postMessage")
    assert len(posts) == 6 and slack.rejections == []
    assert {c.params["channel"] for c in posts} == {"C0ONCALL"}


def test_resolved_updates_the_fired_message(runtime):
    webhooks, slack = runtime
    fired = fixture("azure_metric_storage.json")
    assert deliver(webhooks, "azure-monitor", fired) == 200
    assert webhooks.dispatcher.join(10)
    resolved = copy.deepcopy(fired)
    resolved["data"]["essentials"]["monitorCondition"] = "Resolved"
    assert deliver(webhooks, "azure-monitor", resolved) == 200
    assert webhooks.dispatcher.join(10)
    (update,) = slack.calls("chat.update")
    assert "RESOLVED" in update.params["text"]
    thread = [c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert [c.params["thread_ts"] for c in thread] == [update.params["ts"]]


def test_a_storm_is_one_message(runtime):
    webhooks, slack = runtime
    for _ in range(15):
        payload = fixture("azure_metric_storage.json")
        payload["data"]["essentials"]["alertId"] = f"/x/{uuid.uuid4()}"
        assert deliver(webhooks, "azure-monitor", payload) == 200
    assert webhooks.dispatcher.join(20)
    top = [c for c in slack.calls("chat.postMessage") if not c.params.get("thread_ts")]
    thread = [c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert len(top) == 1 and len(thread) == 1
    assert "fired 15 times" in json.dumps(slack.calls("chat.update")[-1].params["blocks"])


def test_a_storm_message_is_marked_resolved_only_when_all_of_it_is(runtime):
    webhooks, slack = runtime
    ids = [f"/x/{uuid.uuid4()}" for _ in range(3)]
    for alert_id in ids:
        payload = fixture("azure_metric_storage.json")
        payload["data"]["essentials"]["alertId"] = alert_id
        assert deliver(webhooks, "azure-monitor", payload) == 200
    assert webhooks.dispatcher.join(10)
    for number, alert_id in enumerate(ids):
        payload = fixture("azure_metric_storage_resolved.json")
        payload["data"]["essentials"]["alertId"] = alert_id
        assert deliver(webhooks, "azure-monitor", payload) == 200
        assert webhooks.dispatcher.join(10)
        resolved = [u for u in slack.calls("chat.update") if "RESOLVED" in u.params["text"]]
        assert len(resolved) == (1 if number == 2 else 0)
    replies = [
        c.params["text"] for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")
    ]
    assert sum("still firing" in r for r in replies) == 2


def top_level(slack: FakeSlack) -> list:
    return [c for c in slack.calls("chat.postMessage") if not c.params.get("thread_ts")]


def wait_logged(caplog: pytest.LogCaptureFixture, words: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not any(words in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, f"never logged: {words}"
        time.sleep(0.02)


def test_a_storm_whose_first_post_failed_posts_on_the_next_firing(runtime, caplog):
    webhooks, slack = runtime
    webhooks.dispatcher._poll = 0.05
    slack.fail_next("chat.postMessage", status=429, retry_after=60)  # its retry is a minute off
    for number in range(2):
        payload = fixture("azure_metric_storage.json")
        payload["data"]["essentials"]["alertId"] = f"/x/{uuid.uuid4()}"
        assert deliver(webhooks, "azure-monitor", payload) == 200
        if number == 0:
            wait_logged(caplog, "could not")  # the first post failed, and was logged
    (post,) = slack.wait_for("chat.postMessage", timeout=10)
    assert "fired 2 times" in json.dumps(post.params["blocks"])
    assert len(slack.failures) == 1


def test_resolved_before_fired_leaves_no_red_message(runtime):
    webhooks, slack = runtime
    resolved = fixture("azure_metric_storage_resolved.json")
    assert deliver(webhooks, "azure-monitor", resolved) == 200
    assert webhooks.dispatcher.join(10)
    (note,) = top_level(slack)
    assert "had not seen it fire" in note.params["text"]
    fired = fixture("azure_metric_storage.json")  # the same alert's Fired, arriving late
    assert deliver(webhooks, "azure-monitor", fired) == 200
    assert webhooks.dispatcher.join(10)
    assert len(top_level(slack)) == 1  # nothing new posted
    (update,) = slack.calls("chat.update")
    assert update.params["ts"] == note.params.get("ts", update.params["ts"])
    shown = update.params["text"] + json.dumps(update.params["blocks"], ensure_ascii=False)
    assert "RESOLVED" in shown and "🔴" not in shown and "FIRED" not in shown


def test_a_channels_budget_is_shared_and_the_rest_is_one_digest_updated(tmp_path: Path):
    config = tmp_path / "acrbot.yaml"
    config.write_text(
        yaml.safe_dump({"alerts": {"default_channel": "C0ONCALL", "channel_posts_per_minute": 5}})
    )
    env = {
        "ACRBOT_CONFIG": str(config),
        "ACRBOT_STATE_DIR": str(tmp_path / "state"),  # one SQLite store: two workers of a host
        "ACRBOT_ALERT_TOKEN": TOKEN,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
    }
    settings = load_settings(env=env)
    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        pair = [AlertWebhooks(settings, build_services(settings), client) for _ in range(2)]
        for webhooks in pair:
            webhooks.dispatcher._poll = 0.05
            webhooks.dispatcher.overflow.digests.update_every = 0.5  # not 5 s between edits
        try:
            for number in range(30):
                payload = fixture("azure_metric_storage.json")
                payload["data"]["essentials"]["alertId"] = f"/x/{uuid.uuid4()}"
                payload["data"]["essentials"]["alertRule"] = f"distinct-rule-{number}"
                assert deliver(pair[number % 2], "azure-monitor", payload) == 200
            (last,) = slack.wait_for(  # the digest, updated until it shows all 25
                "chat.update",
                predicate=lambda c: "25 more alerts" in json.dumps(c.params["blocks"]),
                timeout=20,
            )
        finally:
            for webhooks in pair:
                webhooks.dispatcher.stop()
    alerts = [c for c in top_level(slack) if "distinct-rule-" in c.params["text"]]
    digests = [c for c in top_level(slack) if "more alert" in c.params["text"]]
    assert len(alerts) == 5 and len(digests) == 1  # one budget for both
    assert last.params["ts"] == slack.calls("chat.update")[-1].params["ts"]
    listed = json.dumps(last.params["blocks"], ensure_ascii=False)
    assert "distinct-rule-" in listed and "…and 10 earlier ones" in listed
