"""Help channels (``slack.help_channels``): answer a person's new question only when sure.

Every new top-level message from a person is read; bots (acrbot included),
edits, deletions, thread replies and messages that @mention acrbot (the
mention listener answers those) are not. The domain decides whether it is a
question and whether the knowledge base is sure enough
(:mod:`bot.knowledge.channel_questions`); silence on a question is recorded
as unanswered. One answer per thread (claimed in the shared store) and a
per-channel rate limit.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import metrics
from bot.helpdesk.threads import ThreadMemory
from bot.knowledge.channel_questions import ChannelBar, decide, read_question
from bot.slack.help_replies import post_in_thread, post_privately, record_unanswered
from bot.slack.listeners.events.people import is_from_a_person, is_top_level, mentions_me
from bot.slack.listeners.events.watched_channel import is_own
from bot.slack.middleware import services_of
from bot.slack.questions import clean
from bot.slack.replies import acknowledge
from bot.storage import StorageUnavailable


def in_a_help_channel(event: dict[str, Any], context: BoltContext) -> bool:
    """The matcher: a person's new top-level message in a help channel, not to acrbot."""
    settings = services_of(context).settings.slack
    if settings.help_channel(event.get("channel")) is None:
        return False
    if not is_from_a_person(event) or not is_top_level(event):
        return False
    return not mentions_me(event, context) and not is_own(event, context)


def answer_help_channel(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    settings = services.settings.slack
    channel, ts, user = event["channel"], event["ts"], event["user"]
    where = settings.help_channel(channel)
    if where is None:
        return
    text = clean(event.get("text", ""))
    reading = read_question(text)
    searched = reading.is_question or reading.may_be_a_topic
    result = services.library.ask(text) if searched else None
    decision = decide(reading, result, ChannelBar(where.min_confidence))
    if not decision.answer:
        metrics.help_channel(decision.reason)
        if decision.question:
            record_unanswered(services, result, channel, ts, user, "help_channel", decision.reason)
        return
    try:
        if not services.threads.claim_answer(channel, ts):
            metrics.help_channel("already-answered")
            return
        limit = settings.help_rate_limit
        if not services.threads.allow_answer(channel, limit.max_answers, limit.window_seconds):
            metrics.help_channel("rate-limited")
            record_unanswered(services, result, channel, ts, user, "help_channel", "rate-limited")
            return
    except StorageUnavailable:
        metrics.help_channel("unavailable")  # unasked answers need the claim: stay silent
        return
    metrics.help_channel("answered")
    assert result is not None  # decided to answer: there is a result
    if where.mode == "private":
        post_privately(client, services, result, channel=channel, thread=ts, asker=user)
        return
    memory = ThreadMemory(channel, ts, user, text, "help_channel")
    post_in_thread(client, services, result, memory, question_ts=ts, asker=user)


def register(app: App) -> None:
    app.event("message", matchers=[in_a_help_channel])(ack=acknowledge, lazy=[answer_help_channel])
