"""Ask with an emoji: ``slack.ask_reaction`` (default :question:) on a message answers it.

The answer goes in the message's thread, with a mention's threshold; when
acrbot does not know, it tells the person who reacted, privately, instead of
posting. Once per message however many people react (claimed in the shared
store); ``slack.ask_reaction_users`` may restrict who can ask this way.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.helpdesk.threads import ThreadMemory
from bot.services import Services
from bot.slack.help_replies import fetch_message, message_context, post_in_thread, record_unanswered
from bot.slack.i18n import language_of, say
from bot.slack.listeners.events.watched_channel import is_own
from bot.slack.middleware import services_of
from bot.slack.questions import clean
from bot.slack.replies import acknowledge
from bot.storage import StorageUnavailable

REACTION_TTL = 30 * 24 * 3600
TOLD_TTL = 3600  # "I can't read it" once an hour per person and message, however often
log = logging.getLogger(__name__)


def is_the_ask_reaction(event: dict[str, Any], context: BoltContext) -> bool:
    """The matcher: the configured emoji, on a message, from someone other than acrbot."""
    item = event.get("item") or {}
    settings = services_of(context).settings.slack
    return (
        event.get("reaction") == settings.ask_reaction
        and item.get("type") == "message"
        and bool(item.get("channel") and item.get("ts"))
        and event.get("user") != context.get("bot_user_id")
    )


def may_ask(services: Services, user: str) -> bool:
    who = services.settings.slack.ask_reaction_users
    if who.anyone or user in who.users:
        return True
    groups = services.membership(user) if services.membership is not None else set()
    return bool(who.usergroups & groups)


def answer_reaction(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    reactor, item = event["user"], event["item"]
    channel, ts = item["channel"], item["ts"]
    if not may_ask(services, reactor):
        metrics.ask_reaction("not-allowed")
        return
    claim = f"help:reaction:{channel}:{ts}"
    try:
        if not services.store.claim(claim, REACTION_TTL):
            metrics.ask_reaction("repeated")  # someone already asked about this message
            return
    except StorageUnavailable:
        metrics.ask_reaction("unavailable")
        return
    message = fetch_message(client, channel, ts)
    if message is not None and is_own(message, context):
        metrics.ask_reaction("not-a-question")  # acrbot's own answer
        return
    text = (
        ""
        if message is None
        else clean(message.get("text") or "") or clean(message_context(message))
    )
    if not any(c.isalnum() for c in text):
        # Gone, not readable here yet, or no words: the claim goes, so a reaction once it
        # can be read still asks; the person who reacted is told why nothing was posted.
        with contextlib.suppress(StorageUnavailable):
            services.store.release(claim)
            if services.store.claim(f"help:reaction-told:{channel}:{ts}:{reactor}", TOLD_TTL):
                notice = say("en", "reaction_unreadable", reaction=event.get("reaction", ""))
                tell_privately(client, channel, reactor, notice, item.get("thread_ts"))
        metrics.ask_reaction("not-a-question")
        return
    result = services.library.ask(text)
    if not result.answered:
        reaction = services.settings.slack.ask_reaction
        notice = say(language_of(text), "reaction_no_answer", reaction=reaction)
        tell_privately(client, channel, reactor, notice, message.get("thread_ts"))
        record_unanswered(services, result, channel, ts, reactor, "reaction", "nothing-found")
        metrics.ask_reaction("unknown")
        return
    thread = message.get("thread_ts") or ts
    try:  # a message acrbot already answered (in a help channel, by mention, as a follow-up)
        first = (
            services.threads.claim_answer(channel, ts)
            if thread == ts
            else services.threads.claim_reply(channel, ts)
        )
        if not first:
            metrics.ask_reaction("already-answered")
            return
    except StorageUnavailable:
        metrics.ask_reaction("unavailable")
        return
    metrics.ask_reaction("answered")
    asker = message.get("user") or reactor
    memory = ThreadMemory(channel, thread, asker, text, "reaction")
    post_in_thread(client, services, result, memory, question_ts=ts, asker=asker)


def tell_privately(
    client: WebClient, channel: str, user: str, text: str, thread: str | None = None
) -> None:
    """An ephemeral note to the person who reacted; a channel acrbot is not in just logs it."""
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread)
    except SlackApiError as exc:
        log.info("could not tell %s privately in %s: %s", user, channel, exc.response.get("error"))


def register(app: App) -> None:
    app.event("reaction_added", matchers=[is_the_ask_reaction])(
        ack=acknowledge, lazy=[answer_reaction]
    )
