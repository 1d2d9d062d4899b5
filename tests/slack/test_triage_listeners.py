"""The triage listeners on their own: watched channels and `/acr triage` (plain-dict context)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock, create_autospec

import pytest
from slack_sdk import WebClient

from bot.diagnostics.confirmation import ConfirmationClaims
from bot.diagnostics.service import Diagnostics, PendingRequest
from bot.helpdesk.threads import ThreadBook
from bot.slack.listeners.commands import acr
from bot.slack.listeners.events import watched_channel
from bot.slack.triage_reply import raw_rest
from bot.storage import MemoryStorage
from tests.triage.conftest import fixture

WATCHED = "C0ALERTS"


def diagnostics() -> Diagnostics:
    """The real class's shape: a listener's call with the wrong arguments fails."""
    mock = create_autospec(Diagnostics, instance=True)
    claims = ConfirmationClaims(
        "U1", "C1", "contosoregistry", "check-health", "sub", "rg", "public", "rid", 1000
    )
    mock.request.return_value = PendingRequest("tok", claims, "check-health", 1600.0)
    return mock


@pytest.fixture
def context(triager) -> dict[str, Any]:
    alerts = SimpleNamespace(channels=(WATCHED,), language="en", channel_posts_per_minute=20)
    settings = SimpleNamespace(alerts=alerts)
    threads = ThreadBook(MemoryStorage(), max_followups=3, idle_seconds=60)
    services = SimpleNamespace(
        settings=settings,
        triager=triager,
        diagnostics=diagnostics(),
        threads=threads,
        store=MemoryStorage(),
    )
    return {"services": services, "bot_id": "B0ACRBOT", "bot_user_id": "U0ACRBOT"}


def message(channel: str = WATCHED, **fields) -> dict[str, Any]:
    event = {**fixture("slack_bot_message.json"), "channel": channel, "ts": "1764387000.000200"}
    event.update(fields)
    return event


@pytest.mark.parametrize(
    ("event", "matches"),
    [
        (message(), True),
        (message(subtype=None, bot_id=None, user="U0PERSON"), True),
        (message(channel="C0GENERAL"), False),
        (message(bot_id="B0ACRBOT"), False),
        (message(subtype=None, bot_id=None, user="U0ACRBOT"), False),
        (message(subtype="message_changed"), False),
        (message(subtype="file_share", bot_id=None, user="U0PERSON"), True),
        (message(subtype="channel_join", bot_id=None, user="U0PERSON"), False),
        (message(thread_ts="1764386000.000100"), False),
        (
            message(subtype=None, bot_id=None, user="U0P", text="<@U0ACRBOT> myreg.azurecr.io 401"),
            False,
        ),
    ],
)
def test_which_messages_are_read(context, event, matches):
    assert watched_channel.in_a_watched_channel(event, context) is matches


def test_a_registry_alert_is_answered_in_its_thread(context):
    client = create_autospec(WebClient, instance=True)
    watched_channel.triage_message(message(), client, context)
    (call,) = client.chat_postMessage.call_args_list
    assert call.kwargs["channel"] == WATCHED and call.kwargs["thread_ts"] == "1764387000.000200"
    assert "contosoregistry" in call.kwargs["text"]
    # Anyone's reply under the alert is then a follow-up, read with the alert's text.
    memory = context["services"].threads.followup(WATCHED, "1764387000.000200", "U0ANYONE")
    assert memory is not None and "contosoregistry" in memory.context


def test_an_unrelated_alert_is_left_alone(context):
    client = create_autospec(WebClient, instance=True)
    unrelated = message(attachments=[{"fallback": "disk 91% full on build-agent-01"}])
    watched_channel.triage_message(unrelated, client, context)
    client.chat_postMessage.assert_not_called()


def test_acr_triage_answers_in_the_ack(context):
    ack = MagicMock()
    text = 'triage Failed to pull image "contosoregistry.azurecr.io/app:1": 401 Unauthorized'
    acr.answer(ack, {"text": text, "user_id": "U1", "channel_id": "C1"}, context)
    reply = ack.call_args.kwargs
    assert reply["response_type"] == "ephemeral"
    blocks = json.dumps(reply["blocks"])
    assert "contosoregistry" in blocks and "diag_request_0" in blocks


def test_acr_triage_reads_a_pasted_json_payload(context):
    ack = MagicMock()
    text = "triage " + json.dumps(fixture("azure_metric_storage.json"), indent=2)
    acr.answer(ack, {"text": text, "user_id": "U1", "channel_id": "C1"}, context)
    assert "StorageUsed 93 GiB" in ack.call_args.kwargs["text"]


@pytest.mark.parametrize("text", ["triage lunch at noon", "triage"])
def test_acr_triage_always_answers(context, text):
    ack = MagicMock()
    acr.answer(ack, {"text": text, "user_id": "U1", "channel_id": "C1"}, context)
    reply = ack.call_args.kwargs
    assert reply["response_type"] == "ephemeral" and reply["text"]
    if text != "triage":
        assert "Nothing recognised" in reply["text"] and "/acr help" in reply["text"]


def test_raw_rest_keeps_the_pasted_lines():
    assert raw_rest('triage {"a":\n 1}') == '{"a":\n 1}'
    assert raw_rest("TRIAGE\nline one\nline two") == "line one\nline two"


def test_an_alert_button_passes_the_repository_to_the_request():
    from bot.slack.listeners.actions import diag_request

    services = SimpleNamespace(diagnostics=diagnostics())
    value = json.dumps({"r": "contosoregistry", "c": "check-health", "p": "shop/api"})
    body = {"user": {"id": "U1"}, "channel": {"id": "C1"}}
    diag_request.request_check(body, {"value": value}, MagicMock(), {"services": services})
    services.diagnostics.request.assert_called_once_with(
        "U1", "C1", "contosoregistry", "check-health", "shop/api"
    )


def repost(kwargs: dict[str, Any], n: int, how: str) -> dict[str, Any]:
    """A relay bot posting what acrbot said as a new top-level message."""
    base = message(bot_id="B0RELAY", username="relay", ts=f"1764388000.{n:06d}", attachments=[])
    if how == "text":
        return {**base, "text": kwargs["text"]}
    if how == "blocks":
        return {**base, "text": "", "blocks": kwargs["blocks"]}
    return {**base, "text": "", "attachments": [{"text": kwargs["text"], "fallback": "relay"}]}


@pytest.mark.parametrize("how", ["text", "blocks", "attachment"])
def test_a_bot_reposting_acrbots_reply_gets_no_reply(context, how):
    client = create_autospec(WebClient, instance=True)
    watched_channel.triage_message(message(), client, context)
    (seed,) = client.chat_postMessage.call_args_list
    for n in range(5):  # five echoes of the reply, each a new message by the relay
        watched_channel.triage_message(repost(seed.kwargs, n, how), client, context)
    assert len(client.chat_postMessage.call_args_list) == 1


def test_one_source_gets_at_most_its_share_of_replies(context):
    client = create_autospec(WebClient, instance=True)
    for n in range(watched_channel.PER_SOURCE + 5):
        event = message(ts=f"1764389000.{n:06d}")
        event["attachments"][0]["text"] = f"pull failed: reg{n}x.azurecr.io 401 Unauthorized"
        watched_channel.triage_message(event, client, context)
    assert len(client.chat_postMessage.call_args_list) == watched_channel.PER_SOURCE
    other = message(bot_id="B0OTHER", ts="1764389999.000001")  # another bot is still answered
    watched_channel.triage_message(other, client, context)
    assert len(client.chat_postMessage.call_args_list) == watched_channel.PER_SOURCE + 1
