"""Answers posted in threads (mentions, help channels, reactions, follow-ups), one way.

Each answer carries "Still need help?" when a group to hand off to is
configured, says what it understood when the thread changed the reading,
and leaves the thread remembered for follow-ups. Questions left unanswered
are recorded for the team. Listeners decide *whether* to answer; this
module only builds, posts and records.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.helpdesk.threads import ThreadMemory
from bot.helpdesk.unanswered import Unanswered
from bot.knowledge.library import SearchResult
from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.help_blocks import reading_as, with_handoff_offer, with_share_in_thread
from bot.slack.questions import result_message
from bot.storage import StorageUnavailable
from bot.triage.readers import read_message

log = logging.getLogger(__name__)
CONTEXT_MAX = 600


def answer_message(
    services: Services,
    result: SearchResult,
    *,
    channel: str,
    question_ts: str,
    asker: str,
    source: str,
    understood: str | None = None,
) -> Message:
    """The reply: the answer (or "I don't know"), what it was read as, "Still need help?"."""
    message = result_message(result, source=source, asked=services.asked, user=asker)
    if understood:
        message = reading_as(message, understood, result.language)
    if services.settings.slack.escalation.enabled and not channel.startswith("D"):
        message = with_handoff_offer(message, question_ts, asker)
    return message


def post_in_thread(
    client: WebClient,
    services: Services,
    result: SearchResult,
    memory: ThreadMemory,
    *,
    question_ts: str,
    asker: str,
    understood: str | None = None,
) -> None:
    """Post the answer in the thread ``memory`` names, then listen there for follow-ups."""
    message = answer_message(
        services,
        result,
        channel=memory.channel,
        question_ts=question_ts,
        asker=asker,
        source=memory.source,
        understood=understood,
    )
    client.chat_postMessage(channel=memory.channel, thread_ts=memory.thread, **message.as_kwargs())
    remember(services, memory)
    if not result.answered:
        record_unanswered(
            services,
            result,
            memory.channel,
            question_ts,
            asker,
            memory.source,
            "nothing-found",
            counted=True,  # result_message kept it in the questions asked
        )


def post_privately(
    client: WebClient,
    services: Services,
    result: SearchResult,
    *,
    channel: str,
    thread: str,
    asker: str,
) -> None:
    """A help channel in ``mode: private``: only the asker sees it, with "Share in thread"."""
    message = answer_message(
        services, result, channel=channel, question_ts=thread, asker=asker, source="help_channel"
    )
    if result.answer is not None:
        message = with_share_in_thread(message, result.answer.entry.key, result.query, thread)
    client.chat_postEphemeral(channel=channel, user=asker, **message.as_kwargs())
    remember(services, ThreadMemory(channel, thread, asker, result.query, "help_channel"))


def remember(services: Services, memory: ThreadMemory) -> None:
    """Follow-ups are a convenience: an outage of the shared store must not lose the answer."""
    try:
        services.threads.remember(memory)
    except StorageUnavailable:
        log.warning("thread not remembered for follow-ups: shared state unavailable")


def record_unanswered(
    services: Services,
    result: SearchResult | None,
    channel: str,
    ts: str,
    user: str,
    surface: str,
    reason: str,
    text: str | None = None,
    *,
    counted: bool = False,
) -> None:
    """``counted``: already in the questions asked (an "I don't know" reply was posted)."""
    metrics.unanswered_question(surface, reason)
    best = result.hits[0] if result is not None and result.hits else None
    item = Unanswered(
        channel=channel,
        ts=ts,
        user=user,
        text=text if text is not None else (result.query if result is not None else ""),
        surface=surface,
        reason=reason,
        best=best.entry.id if best else None,
        score=best.score if best else 0.0,
    )
    try:
        services.unanswered.record(item)
    except StorageUnavailable:
        log.warning("unanswered question not recorded: shared state unavailable")
    if not counted and services.asked is not None:  # acrbot stayed silent: still a question
        services.asked.record(surface, False, "", user, item.text)


def message_context(message: dict[str, Any]) -> str:
    """A message's words for context: its text, an alert's attachments and blocks too."""
    return " ".join(read_message(message).text)[:CONTEXT_MAX]


def fetch_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """One message by ts, a thread reply or not (``conversations.replies`` answers both)."""
    try:
        found = client.conversations_replies(channel=channel, ts=ts, limit=200)
    except SlackApiError as exc:
        log.warning("cannot read message in %s: %s", channel, exc.response.get("error"))
        return None
    messages = found.get("messages") or []
    return next((m for m in messages if m.get("ts") == ts), None)
