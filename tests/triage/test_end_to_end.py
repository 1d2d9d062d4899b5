"""Alerts end to end: the served app (in process), webhooks over its ASGI router, the fake Slack.

Every case the issue lists: metric, log, activity-log (nulls), Alertmanager,
a non-registry resource, Fired then Resolved, the same delivery twice, a
storm of 15, bad / no token, malformed JSON, 1 MB; a bot's alert in a watched
channel (error only in an attachment), the same elsewhere, acrbot's own
message; `/acr triage`; a click on an offered check. Records surviving a
restart are checked across two real `acrbot serve` processes.

Nothing is proved by waiting: "posted once" waits until the alert
dispatcher has handled everything queued (``AlertBot.settled``), and "no
reply" waits for the reply to a marker message sent after the one that must
get none.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from bot.triage.dispatcher import AlertDispatcher
from tests.fakes.acrbot_process import (
    ALERTS,
    ALICE,
    AZURE_TOKEN,
    MALLORY,
    SIGNING_SECRET,
    start_bot,
    stop,
)
from tests.fakes.acrbot_process import write_config as write_base_config
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.in_process import start_in_process
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    BOT_ID,
    BOT_USER_ID,
    block_actions,
    event_callback,
    new_ts,
    post,
    slash_command,
)
from tests.triage.conftest import fixture

TOKEN = "alert-token-0f3c9a7e5d1b"
ONCALL = "C0ONCALL"
PROD_ONCALL = "C0PRODONCALL"
OTHER = "C0GENERAL"


@dataclass
class AlertBot:
    http: httpx.Client  # to the in-process app, or to a real server's base URL
    slack: FakeSlack
    log: Path | None = None
    dispatcher: AlertDispatcher | None = None

    def webhook(
        self, source: str, payload: object, *, token: str | None = TOKEN, bearer: bool = False
    ) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        url = f"/alerts/{source}"
        headers = {"Content-Type": "application/json"}
        if token is not None and bearer:
            headers["Authorization"] = f"Bearer {token}"
        elif token is not None:
            url += f"?token={token}"
        return self.http.post(url, content=body, headers=headers, timeout=10)

    def slack_post(self, body: bytes) -> httpx.Response:
        return post("/slack/events", body, signing_secret=SIGNING_SECRET, client=self.http)

    def settled(self) -> None:
        """Every alert accepted so far has been handled (posted, coalesced or dropped)."""
        assert self.dispatcher is not None and self.dispatcher.join(10)


def served_at(url: str, slack: FakeSlack) -> AlertBot:
    return AlertBot(httpx.Client(base_url=url), slack)


def _config(tmp: Path, azure: FakeAzure) -> Path:
    path = tmp / "alerts.yaml"
    write_base_config(path, azure)
    config = yaml.safe_load(path.read_text())
    config.get("slack", {}).pop("alert_channels", None)
    config["alerts"] = {
        "channels": [ALERTS],
        "default_channel": ONCALL,
        "routes": [
            {"channel": PROD_ONCALL, "resource_groups": ["prod-rg"], "severities": ["Sev0"]}
        ],
        "coalesce_seconds": 600,
        "language": "en",
    }
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def alert_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AlertBot]:
    tmp = tmp_path_factory.mktemp("alerts")
    with (
        FakeSlack() as slack,
        FakeAzure([FakeRegistry("contosoregistry")], token=AZURE_TOKEN) as azure,
    ):
        config = _config(tmp, azure)
        with start_in_process(
            tmp, slack, azure, ACRBOT_CONFIG=str(config), ACRBOT_ALERT_TOKEN=TOKEN
        ) as served:
            yield AlertBot(served.http, slack, served.log, served.served.alerts.dispatcher)


@pytest.fixture
def bot(alert_bot: AlertBot) -> AlertBot:
    alert_bot.slack.reset()
    return alert_bot


def azure_alert(name: str, *, alert_id: str | None = None, rule: str | None = None, **essentials):
    """A fixture payload with a fresh alertId (and rule), so tests never de-duplicate each other."""
    payload = copy.deepcopy(fixture(name))
    found = payload["data"]["essentials"]
    found["alertId"] = (
        f"/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/{alert_id or uuid.uuid4()}"
    )
    # a fresh rule too: the same rule on the same target would join the previous test's storm
    found["alertRule"] = rule or f"{found['alertRule'] or 'rule'}-{uuid.uuid4().hex[:8]}"
    found.update(essentials)
    return payload


def posts_to(slack: FakeSlack, channel: str, count: int = 1, timeout: float = 10.0):
    return slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("channel") == channel, timeout, count
    )


def blocks_of(call) -> list[dict]:
    blocks = call.params.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else (blocks or [])


def buttons_of(call) -> list[dict]:
    return [e for b in blocks_of(call) if b["type"] == "actions" for e in b["elements"]]


def replied_to_a_marker(bot: AlertBot) -> list:
    """Send a registry alert to a watched channel and wait for its reply in thread.

    Sent after a message that must get no reply, through the same listeners:
    once the marker is answered, the earlier message has been dealt with.
    """
    marker = _message_event(ALERTS)
    assert bot.slack_post(event_callback(marker)).status_code == 200
    return bot.slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == marker["ts"], 10
    )


# -- webhooks ------------------------------------------------------------------------------


def test_metric_alert_on_storage_used(bot):
    reply = bot.webhook("azure-monitor", azure_alert("azure_metric_storage.json"))
    assert reply.status_code == 200 and reply.json() == {"accepted": 1}
    (call,) = posts_to(bot.slack, ONCALL)
    text = call.params["text"]
    assert re.search(r"FIRED · Sev2 · acr-storage-above-90-percent-\w+ · contosoregistry", text)
    assert "StorageUsed 93 GiB (threshold: above 90 GiB; average over 1 h)" in text
    assert "thread_ts" not in call.params  # top level
    (button,) = buttons_of(call)
    assert json.loads(button["value"]) == {"r": "contosoregistry", "c": "usage"}
    assert "learn.microsoft.com" in json.dumps(blocks_of(call))  # FAQ links


def test_log_alert_on_failed_logins(bot):
    reply = bot.webhook("azure-monitor", azure_alert("azure_log_failed_logins.json"))
    assert reply.status_code == 200
    (call,) = posts_to(bot.slack, ONCALL)
    assert re.search(r"acr-failed-logins-\w+ · contosoregistry", call.params["text"])
    assert [json.loads(b["value"])["c"] for b in buttons_of(call)] == ["check-health"]


def test_activity_log_alert_with_null_fields(bot):
    reply = bot.webhook("azure-monitor", azure_alert("azure_activity_nulls.json"))
    assert reply.status_code == 200
    (call,) = posts_to(bot.slack, ONCALL)
    assert "registries/write: Failed (Forbidden)" in call.params["text"]
    assert "contosoregistry" in call.params["text"]


def test_alertmanager_image_pull_backoff(bot):
    group = copy.deepcopy(fixture("alertmanager_imagepull.json"))
    for alert in group["alerts"]:
        alert["fingerprint"] = uuid.uuid4().hex[:16]
    reply = bot.webhook("alertmanager", group, bearer=True)
    assert reply.status_code == 200 and reply.json() == {"accepted": 2}
    calls = posts_to(bot.slack, ONCALL, count=2)
    by_text = {("401" in c.params["text"]): c for c in calls}
    values = [json.loads(b["value"]) for b in buttons_of(by_text[True])]
    assert values[0] == {"r": "contosoregistry", "c": "pull", "i": "shop/checkout-api:1.42.0"}
    assert {"r": "contosoregistry", "c": "check-health", "p": "shop/checkout-api"} in values


def test_a_non_registry_resource_offers_no_check(bot):
    reply = bot.webhook("azure-monitor", azure_alert("azure_metric_vm_cpu.json"))
    assert reply.status_code == 200
    (call,) = posts_to(bot.slack, ONCALL)
    assert "not about a registry: no check to offer" in call.params["text"]
    assert buttons_of(call) == []


def test_routes_send_matching_alerts_elsewhere(bot):
    reply = bot.webhook("azure-monitor", azure_alert("azure_metric_storage.json", severity="Sev0"))
    assert reply.status_code == 200
    posts_to(bot.slack, PROD_ONCALL)


def test_fired_then_resolved_updates_the_message_and_replies_in_its_thread(bot):
    alert_id = str(uuid.uuid4())
    fired = azure_alert("azure_metric_storage.json", alert_id=alert_id, rule=f"storage-{alert_id}")
    assert bot.webhook("azure-monitor", fired).status_code == 200
    posts_to(bot.slack, ONCALL)
    resolved = copy.deepcopy(fired)
    resolved["data"]["essentials"]["monitorCondition"] = "Resolved"
    resolved["data"]["essentials"]["resolvedDateTime"] = "2026-11-29T03:12:44Z"
    assert bot.webhook("azure-monitor", resolved).status_code == 200
    (update,) = bot.slack.wait_for("chat.update", timeout=10)
    assert update.params["channel"] == ONCALL and update.params["ts"]
    assert "RESOLVED" in update.params["text"]
    assert "resolved 2026-11-29 03:12 UTC" in json.dumps(update.params.get("blocks"))
    (reply,) = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == update.params["ts"], 10
    )
    assert "Resolved 2026-11-29 03:12 UTC" in reply.params["text"]
    top_level = [c for c in bot.slack.calls("chat.postMessage") if "thread_ts" not in c.params]
    assert len(top_level) == 1  # the Fired message, updated in place


def test_resolved_without_a_fired_message_posts_a_short_note(bot):
    payload = azure_alert("azure_metric_storage_resolved.json", rule=f"never-fired-{uuid.uuid4()}")
    assert bot.webhook("azure-monitor", payload).status_code == 200
    (call,) = posts_to(bot.slack, ONCALL)
    assert "I had not seen it fire" in call.params["text"]


def test_the_same_delivery_twice_is_posted_once(bot):
    payload = azure_alert("azure_metric_storage.json", rule=f"twice-{uuid.uuid4()}")
    assert bot.webhook("azure-monitor", payload).status_code == 200
    assert bot.webhook("azure-monitor", payload).status_code == 200
    posts_to(bot.slack, ONCALL)
    bot.settled()
    assert len(bot.slack.calls("chat.postMessage")) == 1


def test_a_storm_of_fifteen_firings_posts_once(bot):
    rule = f"storm-{uuid.uuid4()}"
    for _ in range(15):
        reply = bot.webhook("azure-monitor", azure_alert("azure_metric_storage.json", rule=rule))
        assert reply.status_code == 200
    posts_to(bot.slack, ONCALL)
    updates = bot.slack.wait_for(
        "chat.update", lambda c: "fired 15 times" in json.dumps(c.params.get("blocks")), 15
    )
    assert len({u.params["ts"] for u in bot.slack.calls("chat.update")}) == 1
    assert updates
    bot.settled()
    top_level = [c for c in bot.slack.calls("chat.postMessage") if "thread_ts" not in c.params]
    thread = [c for c in bot.slack.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert len(top_level) == 1
    assert len(thread) == 1  # at most once a minute


@pytest.mark.parametrize(
    ("token", "bearer"), [("wrong-token", False), ("wrong-token", True), (None, False)]
)
def test_a_bad_or_missing_token_is_401(bot, token, bearer):
    reply = bot.webhook(
        "azure-monitor", azure_alert("azure_metric_storage.json"), token=token, bearer=bearer
    )
    assert reply.status_code == 401
    assert TOKEN not in reply.text


def test_a_lone_surrogate_in_an_alert_is_posted_replaced_not_lost(bot):
    """JSON may escape half a UTF-16 pair: no store could hold it, so the accepted alert was
    retried from the queue for good and never posted. It is read as U+FFFD."""
    payload = azure_alert("azure_metric_storage.json", rule="StorageUsed\ud83d")
    reply = bot.webhook("azure-monitor", json.dumps(payload).encode())  # "\ud83d" in the JSON
    assert reply.status_code == 200 and reply.json() == {"accepted": 1}
    (call,) = posts_to(bot.slack, ONCALL)
    assert "StorageUsed\ufffd" in call.params["text"]


def test_malformed_json_is_400_and_an_unknown_shape_422(bot):
    assert bot.webhook("azure-monitor", b'{"schemaId": ').status_code == 400
    reply = bot.webhook("azure-monitor", {"hello": "world"})
    assert reply.status_code == 422 and "common alert schema" in reply.json()["error"]
    assert bot.webhook("alertmanager", {"hello": "world"}).status_code == 422


def test_over_one_megabyte_is_413(bot):
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert bot.webhook("azure-monitor", body).status_code == 413


# -- watched channels ----------------------------------------------------------------------


def _message_event(channel: str, **fields) -> dict:
    event = copy.deepcopy(fixture("slack_bot_message.json"))
    ts = new_ts()
    event.update({"channel": channel, "ts": ts, "event_ts": ts, "channel_type": "channel"})
    event.update(fields)
    return event


def test_a_bots_alert_in_a_watched_channel_is_triaged_in_its_thread(bot):
    event = _message_event(ALERTS)
    assert bot.slack_post(event_callback(event)).status_code == 200
    (reply,) = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"], 10
    )
    assert reply.params["channel"] == ALERTS
    assert "contosoregistry" in reply.params["text"]
    checks = [json.loads(b["value"])["c"] for b in buttons_of(reply)]
    assert checks == ["pull", "check-health", "info"]


def test_the_same_message_in_an_unwatched_channel_is_ignored(bot):
    assert bot.slack_post(event_callback(_message_event(OTHER))).status_code == 200
    marker = replied_to_a_marker(bot)
    assert bot.slack.calls("chat.postMessage") == marker


def test_acrbots_own_message_in_a_watched_channel_is_ignored(bot):
    own = _message_event(ALERTS, bot_id=BOT_ID, user=BOT_USER_ID)
    assert bot.slack_post(event_callback(own)).status_code == 200
    marker = replied_to_a_marker(bot)
    assert bot.slack.calls("chat.postMessage") == marker


def test_an_unrelated_alert_in_a_watched_channel_gets_no_reply(bot):
    event = _message_event(ALERTS, attachments=[{"fallback": "disk 91% on build-agent-01"}])
    assert bot.slack_post(event_callback(event)).status_code == 200
    marker = replied_to_a_marker(bot)
    assert bot.slack.calls("chat.postMessage") == marker


# -- by hand and through the buttons -------------------------------------------------------


def test_acr_triage_answers_privately(bot):
    text = 'triage Failed to pull image "contosoregistry.azurecr.io/app:1": 401 Unauthorized'
    reply = bot.slack_post(slash_command(text, response_url=bot.slack.response_url("t1")))
    assert reply.status_code == 200
    answer = _private_answer(bot, reply, "t1")
    assert "contosoregistry" in answer and "check-health" in answer


def test_acr_triage_says_when_nothing_is_recognised(bot):
    reply = bot.slack_post(
        slash_command("triage lunch at noon", response_url=bot.slack.response_url("t2"))
    )
    answer = _private_answer(bot, reply, "t2")
    assert "Nothing recognised" in answer and "/acr help" in answer


def test_a_check_button_goes_through_access_and_confirm(bot):
    assert bot.webhook("azure-monitor", azure_alert("azure_metric_storage.json")).status_code == 200
    (call,) = posts_to(bot.slack, ONCALL)
    (button,) = buttons_of(call)
    for user, expected in ((ALICE, "Confirm"), (MALLORY, "allowed to run diagnostics")):
        name = f"click-{user}"
        body = block_actions(
            button["action_id"],
            button["value"],
            response_url=bot.slack.response_url(name),
            user_id=user,
            channel_id=ONCALL,
        )
        assert bot.slack_post(body).status_code == 200
        (answer,) = bot.slack.wait_for("response_url", lambda c, n=name: c.name == n, 10)
        assert expected.lower() in json.dumps(answer.params).lower()


# -- helpers -------------------------------------------------------------------------------


def _private_answer(bot: AlertBot, reply: httpx.Response, name: str) -> str:
    """`/acr triage` answers in the ack or through the response URL; either is private."""
    if reply.content and reply.headers.get("content-type", "").startswith("application/json"):
        data = reply.json()
        assert data.get("response_type", "ephemeral") == "ephemeral"
        return json.dumps(data, ensure_ascii=False)
    (answer,) = bot.slack.wait_for("response_url", lambda c: c.name == name, 10)
    assert answer.params.get("response_type", "ephemeral") == "ephemeral"
    return json.dumps(answer.params, ensure_ascii=False)


def triaged(bot: AlertBot, source: str, state: str) -> float:
    """``acrbot_alerts_triaged_total`` for one source and state, from ``GET /metrics``."""
    text = bot.http.get("/metrics", timeout=10).text
    pattern = (
        rf'^acrbot_alerts_triaged_total\{{(?=[^}}]*source="{re.escape(source)}")'
        rf'(?=[^}}]*state="{state}")[^}}]*\}} (\S+)$'
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_count_alerts_triaged_by_source_and_state(bot):
    before = {
        (source, state): triaged(bot, source, state)
        for source in ("azure-monitor", "text")
        for state in ("fired", "resolved")
    }
    fired = azure_alert("azure_metric_storage.json", rule=f"metrics-{uuid.uuid4()}")
    assert bot.webhook("azure-monitor", fired).status_code == 200
    assert bot.webhook("azure-monitor", fired).status_code == 200  # a duplicate: not triaged
    posts_to(bot.slack, ONCALL)
    resolved = copy.deepcopy(fired)
    resolved["data"]["essentials"]["monitorCondition"] = "Resolved"
    assert bot.webhook("azure-monitor", resolved).status_code == 200
    bot.slack.wait_for("chat.update", timeout=10)
    text = 'triage Failed to pull image "contosoregistry.azurecr.io/app:1": 401 Unauthorized'
    reply = bot.slack_post(slash_command(text, response_url=bot.slack.response_url("m1")))
    _private_answer(bot, reply, "m1")
    bot.settled()
    assert triaged(bot, "azure-monitor", "fired") == before[("azure-monitor", "fired")] + 1
    assert triaged(bot, "azure-monitor", "resolved") == before[("azure-monitor", "resolved")] + 1
    assert triaged(bot, "text", "fired") == before[("text", "fired")] + 1
    assert triaged(bot, "text", "resolved") == before[("text", "resolved")]


def test_the_token_never_reaches_a_log_or_a_message(alert_bot):
    # after the tests above: webhooks with the token in the query and in headers, wrong ones
    assert TOKEN not in alert_bot.log.read_text()
    assert all(TOKEN not in json.dumps(c.params) for c in alert_bot.slack.calls())


def test_without_a_token_the_endpoints_are_off_and_say_so(tmp_path):
    with FakeSlack() as slack, FakeAzure([], token=AZURE_TOKEN) as azure:
        env = {"ACRBOT_CONFIG": str(_config(tmp_path, azure)), "ACRBOT_ALERT_TOKEN": ""}
        with start_in_process(tmp_path, slack, azure, **env) as served:
            off = AlertBot(served.http, slack)
            for source in ("azure-monitor", "alertmanager"):
                assert off.webhook(source, {"a": 1}).status_code == 404
        assert "alert webhooks are off" in served.log.read_text()


def test_records_survive_a_restart(tmp_path):
    """Fired before a restart, Resolved after it: the same message is updated.

    The first life is the app in this process; the second, a fresh `acrbot
    serve` on the same state folder, which knows only what was written down.
    """
    with FakeSlack() as slack, FakeAzure([], token=AZURE_TOKEN) as azure:
        env = {"ACRBOT_CONFIG": str(_config(tmp_path, azure)), "ACRBOT_ALERT_TOKEN": TOKEN}
        fired = azure_alert("azure_metric_storage.json")
        with start_in_process(tmp_path, slack, azure, **env) as served:
            first = AlertBot(served.http, slack, dispatcher=served.served.alerts.dispatcher)
            assert first.webhook("azure-monitor", fired).status_code == 200
            (posted,) = posts_to(slack, ONCALL)
            assert first.webhook("azure-monitor", fired).status_code == 200
            first.settled()
        process, url, _log = start_bot(tmp_path, slack, azure, **env)
        try:
            again = served_at(url, slack)
            assert again.webhook("azure-monitor", fired).status_code == 200  # still a duplicate
            resolved = copy.deepcopy(fired)
            resolved["data"]["essentials"]["monitorCondition"] = "Resolved"
            assert again.webhook("azure-monitor", resolved).status_code == 200
            (update,) = slack.wait_for("chat.update", timeout=10)
            assert "RESOLVED" in update.params["text"]
            top = [c for c in slack.calls("chat.postMessage") if not c.params.get("thread_ts")]
            assert top == [posted]
        finally:
            stop(process)
