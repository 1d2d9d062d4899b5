"""Each listener callback on its own: a plain dict for Bolt's context, mocked respond/client.

The domain is real where it is cheap (the bundled knowledge base); diagnostics
and the feedback store are mocks, so each test checks only what the listener
does with their answers. They are ``create_autospec`` mocks of the real
classes (the Slack client's too): a listener calling a method that does not
exist, or with arguments its signature refuses, fails here.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock, create_autospec

import pytest
from slack_sdk import WebClient

from bot.config import load_settings
from bot.diagnostics.access import AccessDenied
from bot.diagnostics.confirmation import ConfirmationClaims
from bot.diagnostics.report import CheckReport, RegistrySummary, Status, StepResult
from bot.diagnostics.service import AlreadyConfirmed, Diagnostics, PendingRequest
from bot.feedback import FeedbackStore
from bot.helpdesk.threads import ThreadBook
from bot.helpdesk.unanswered import UnansweredLog
from bot.slack.blocks import button_value
from bot.slack.diagnostics_blocks import report_message
from bot.slack.listeners.actions import (
    diag_cancel,
    diag_confirm,
    diag_request,
    feedback,
    share_answer,
    show_entry,
    unknown_action,
)
from bot.slack.listeners.commands import acr, acr_diagnostic
from bot.slack.listeners.events import app_mention, direct_message
from bot.slack.replies import acknowledge
from bot.storage import MemoryStorage

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"
CLAIMS = ConfirmationClaims("U1", "C1", "myreg01", "usage", "sub", "rg", "public", "rid", 1000)
PENDING = PendingRequest("tok", CLAIMS, "usage against myreg01", 1600.0)


@pytest.fixture
def services(library) -> SimpleNamespace:
    diagnostics = create_autospec(Diagnostics, instance=True)
    diagnostics.request.return_value = PENDING
    diagnostics.describe_access.return_value = "You may run: usage"
    store = MemoryStorage()
    return SimpleNamespace(
        library=library,
        feedback=create_autospec(FeedbackStore, instance=True),
        diagnostics=diagnostics,
        settings=load_settings(env={}),
        threads=ThreadBook(store, max_followups=3, idle_seconds=60),
        unanswered=UnansweredLog(store.stream("unanswered")),
        asked=None,
    )


def slack_client() -> WebClient:
    return create_autospec(WebClient, instance=True)


@pytest.fixture
def context(services) -> dict[str, Any]:
    return {"services": services}


def text_of(kwargs: dict[str, Any]) -> str:
    return json.dumps(kwargs.get("blocks", []), ensure_ascii=False) + kwargs.get("text", "")


def click(action_id: str, value: str, user: str = "U1", channel: str = "C1") -> tuple[dict, dict]:
    action = {"action_id": action_id, "value": value}
    return {"user": {"id": user}, "channel": {"id": channel}}, action


def test_acknowledge_acks_once() -> None:
    ack = MagicMock()
    acknowledge(ack)
    ack.assert_called_once_with()


# --- events ---------------------------------------------------------------------------


def test_app_mention_answers_in_the_thread(context) -> None:
    client = slack_client()
    event = {"text": "<@UBOT> admin credentials", "channel": "C1", "ts": "1.2", "user": "U1"}
    app_mention.answer_mention(event, client, context)
    kwargs = client.chat_postMessage.call_args.kwargs
    assert kwargs["channel"] == "C1" and kwargs["thread_ts"] == "1.2"
    assert "az acr credential show" in text_of(kwargs)


def test_app_mention_from_a_bot_is_ignored(context) -> None:
    client = slack_client()
    app_mention.answer_mention(
        {"text": "hi", "bot_id": "B1", "channel": "C1", "ts": "1"}, client, context
    )
    client.chat_postMessage.assert_not_called()


def test_direct_message_is_answered_and_channel_chatter_is_not(context) -> None:
    client = slack_client()
    direct_message.answer_direct_message(
        {
            "text": "docker pull is slow",
            "user": "U1",
            "channel": "D1",
            "channel_type": "channel",
            "ts": "1",
        },
        client,
        context,
    )
    client.chat_postMessage.assert_not_called()
    direct_message.answer_direct_message(
        {
            "text": "docker pull is slow",
            "user": "U1",
            "channel": "D1",
            "channel_type": "im",
            "ts": "1",
        },
        client,
        context,
    )
    assert client.chat_postMessage.call_args.kwargs["channel"] == "D1"


# --- /acr -----------------------------------------------------------------------------


def test_acr_ask_answers_in_the_ack(context) -> None:
    ack = MagicMock()
    acr.answer(ack, {"text": "ask admin credentials", "user_id": "U1", "channel_id": "C1"}, context)
    kwargs = ack.call_args.kwargs
    assert kwargs["response_type"] == "ephemeral"
    assert "az acr credential show" in text_of(kwargs)


def test_acr_help_says_what_the_user_may_run(context, services) -> None:
    ack = MagicMock()
    acr.answer(ack, {"text": "help", "user_id": "U1", "channel_id": "C9"}, context)
    services.diagnostics.describe_access.assert_called_once_with("U1", "C9")
    assert "You may run: usage" in text_of(ack.call_args.kwargs)


def test_acr_diagnostic_requests_and_shows_confirm(context, services) -> None:
    respond = MagicMock()
    command = {"text": "usage myreg01", "user_id": "U1", "channel_id": "C1"}
    acr_diagnostic.request_check(command, respond, context)
    services.diagnostics.request.assert_called_once_with("U1", "C1", "myreg01", "usage", None)
    kwargs = respond.call_args.kwargs
    assert kwargs["response_type"] == "ephemeral"
    assert "expires in 10 minutes" in text_of(kwargs)  # 1600 - 1000 seconds


def test_acr_diagnose_passes_a_repository_on(context, services) -> None:
    command = {"text": "diagnose myreg01  team/app ", "user_id": "U1", "channel_id": "C1"}
    acr_diagnostic.request_check(command, MagicMock(), context)
    services.diagnostics.request.assert_called_once_with(
        "U1", "C1", "myreg01", "check-health", "team/app"
    )


def test_acr_diagnostic_without_a_registry_explains_usage(context, services) -> None:
    respond = MagicMock()
    acr_diagnostic.request_check(
        {"text": "diagnose", "user_id": "U1", "channel_id": "C1"}, respond, context
    )
    services.diagnostics.request.assert_not_called()
    assert "Usage: `/acr diagnose REGISTRY`" in respond.call_args.kwargs["text"]


def test_acr_diagnostic_refusal_is_private(context, services) -> None:
    services.diagnostics.request.side_effect = AccessDenied("You may not run usage here.")
    respond = MagicMock()
    acr_diagnostic.request_check(
        {"text": "usage myreg01", "user_id": "U1", "channel_id": "C1"}, respond, context
    )
    kwargs = respond.call_args.kwargs
    assert kwargs["response_type"] == "ephemeral" and kwargs["replace_original"] is False
    assert ":no_entry:" in text_of(kwargs) and "You may not run usage here." in text_of(kwargs)


# --- buttons --------------------------------------------------------------------------


def test_feedback_is_recorded_and_thanked(context, services) -> None:
    respond = MagicMock()
    body, action = click("feedback_down", button_value(ADMIN, "admin password"))
    feedback.record_feedback(body, action, respond, context)
    services.feedback.record.assert_called_once_with(
        "admin password", f"container-registry-faq.zh-cn#{ADMIN}", "U1", "down", "en"
    )
    assert respond.call_args.kwargs["response_type"] == "ephemeral"


def test_feedback_with_a_broken_value_records_nothing(context, services) -> None:
    respond = MagicMock()
    feedback.record_feedback(*click("feedback_up", "not json"), respond, context)
    services.feedback.record.assert_not_called()
    respond.assert_called_once()


def test_show_entry_shows_that_entry_privately_and_records_the_pick(context, services) -> None:
    respond = MagicMock()
    body, action = click("show_entry_0", button_value(ADMIN, "admin password"))
    show_entry.show_entry(body, action, respond, context)
    assert "az acr credential show" in text_of(respond.call_args.kwargs)
    services.feedback.record.assert_called_once_with(
        "admin password", f"container-registry-faq.zh-cn#{ADMIN}", "U1", "picked", "en"
    )


def test_share_posts_in_channel_then_deletes_the_private_copy(context) -> None:
    respond = MagicMock()
    share_answer.share_answer(
        *click("share_answer", button_value(ADMIN, "admin")), respond, context
    )
    first, second = respond.call_args_list
    assert first.kwargs["response_type"] == "in_channel" and "<@U1>" in text_of(first.kwargs)
    assert second.kwargs == {"delete_original": True}


def test_share_of_an_unknown_entry_says_so(context) -> None:
    respond = MagicMock()
    share_answer.share_answer(*click("share_answer", button_value("gone", "q")), respond, context)
    (only,) = respond.call_args_list
    assert only.kwargs["response_type"] == "ephemeral"


REPORT = CheckReport(
    "usage",
    RegistrySummary("myreg01", "sub", "rg", "public", "myreg01.azurecr.io"),
    (StepResult("usage", Status.OK, title="Storage used"),),
    "Storage is well within the limit.",
)


def test_confirm_runs_and_replaces_the_message_with_the_report(context, services) -> None:
    respond = MagicMock()
    services.diagnostics.peek.return_value = None
    services.diagnostics.confirm_and_run.return_value = REPORT
    diag_confirm.confirm(*click("diag_confirm", "tok"), respond, context)
    args = services.diagnostics.confirm_and_run.call_args
    assert args.args[:2] == ("tok", "U1") and args.kwargs == {"channel": "C1"}
    reply = respond.call_args.kwargs
    assert reply == {"replace_original": True, **report_message(REPORT, "U1").as_kwargs()}
    assert "usage · myreg01" in text_of(reply) and "<@U1>" in text_of(reply)


def test_confirm_twice_says_it_ran_once(context, services) -> None:
    services.diagnostics.confirm_and_run.side_effect = AlreadyConfirmed("runs at most once")
    respond = MagicMock()
    diag_confirm.confirm(*click("diag_confirm", "tok"), respond, context)
    assert respond.call_args.kwargs["text"] == "runs at most once"


def test_cancel_replaces_the_confirmation(context, services) -> None:
    services.diagnostics.cancel.return_value = "usage against myreg01"
    respond = MagicMock()
    diag_cancel.cancel(*click("diag_cancel", "tok"), respond, context)
    services.diagnostics.cancel.assert_called_once_with("tok", "U1", "C1")
    assert respond.call_args.kwargs["text"] == "Cancelled: usage against myreg01 was not run."


def test_run_check_button_makes_the_same_request_as_the_command(context, services) -> None:
    respond = MagicMock()
    value = json.dumps({"r": "myreg01", "c": "usage"})
    diag_request.request_check(*click("diag_request_0", value), respond, context)
    by_button = respond.call_args.kwargs
    respond.reset_mock()
    command = {"text": "usage myreg01", "user_id": "U1", "channel_id": "C1"}
    acr_diagnostic.request_check(command, respond, context)
    assert respond.call_args.kwargs == by_button
    assert services.diagnostics.request.call_count == 2


def test_run_check_button_with_a_broken_value(context, services) -> None:
    respond = MagicMock()
    diag_request.request_check(*click("diag_request_0", "{"), respond, context)
    services.diagnostics.request.assert_not_called()
    assert respond.call_args.kwargs["response_type"] == "ephemeral"


def test_unknown_buttons_are_explained(context) -> None:
    respond = MagicMock()
    unknown_action.explain_unknown({"action_id": "old_button"}, respond)
    assert respond.call_args.kwargs["response_type"] == "ephemeral"
