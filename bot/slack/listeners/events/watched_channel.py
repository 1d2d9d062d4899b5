"""Watched alert channels (``alerts.channels``): every new message is read as an alert.

Other bots and integrations post alerts there, so their messages are read
too (``bot_message`` included), but never acrbot's own. A message is
answered in its thread only when it concerns a registry or an ACR error: an
alerts channel is busy, and silence on the rest is the point. Edits,
deletions, joins and thread replies are left alone, and so are messages that
@mention acrbot: the mention listener answers those (one reply, not two).

Two guards keep another bot from turning acrbot into a loop or a flood: a
message that repeats acrbot's own rendering (a bot reposting its replies)
is not read (``bot/slack/echo.py``), and each source (bot or person) gets
``PER_SOURCE`` replies a minute in a channel, inside the channel's posting
budget that the webhooks' alerts share (``alerts.channel_posts_per_minute``).
Beyond either, the message is skipped, counted and logged once a minute.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import metrics
from bot.helpdesk.threads import ANY_PERSON, ThreadMemory
from bot.slack.alert_notifier import SlackNotifier
from bot.slack.echo import is_own_rendering
from bot.slack.help_replies import message_context, remember
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge
from bot.storage.base import StorageUnavailable
from bot.triage.digest import spend
from bot.triage.readers import read_message

log = logging.getLogger(__name__)
PER_SOURCE = 10  # replies a minute to one bot or person in one watched channel

# New messages with text: a person's (plain, with a file, /me) or another bot's / integration's.
READ_SUBTYPES = (None, "bot_message", "file_share", "me_message")


def in_a_watched_channel(event: dict[str, Any], context: BoltContext) -> bool:
    """The matcher: a new top-level message in a watched channel, not written by acrbot."""
    services = services_of(context)
    if event.get("channel") not in services.settings.alerts.channels:
        return False
    if event.get("subtype") not in READ_SUBTYPES:
        return False
    if event.get("thread_ts") and event.get("thread_ts") != event.get("ts"):
        return False
    own_user = context.get("bot_user_id")
    if own_user and f"<@{own_user}>" in str(event.get("text") or ""):
        return False
    return not is_own(event, context)


def is_own(event: dict[str, Any], context: BoltContext) -> bool:
    own_bot, own_user = context.get("bot_id"), context.get("bot_user_id")
    return bool(
        (own_bot and event.get("bot_id") == own_bot) or (own_user and event.get("user") == own_user)
    )


def triage_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    if is_own_rendering(event):
        metrics.watched_skipped("echo")
        return
    triage = services.triager.triage(read_message(event), unsolicited=True)  # chat stays silent
    if not triage.about_registry:
        return  # not an alert acrbot answers: not counted as triaged
    if not _within_limits(event, services):
        return
    metrics.alert_triaged(triage.alert.source, triage.alert.state)
    notifier = SlackNotifier(client, services.triager.language)
    notifier.reply_in_thread(event["channel"], event["ts"], triage)
    # Anyone's reply under the alert is a follow-up, read with the alert's text.
    alert = ThreadMemory(event["channel"], event["ts"], ANY_PERSON, message_context(event), "alert")
    remember(services, alert)


def _within_limits(event: dict[str, Any], services: Any) -> bool:
    """This source's share, then the channel's budget; a store outage allows (reply rather)."""
    channel = str(event.get("channel"))
    source = str(event.get("bot_id") or event.get("user") or event.get("username") or "unknown")
    store = services.store
    try:
        if not store.hit(f"watched:{channel}:{source}", PER_SOURCE, 60.0).allowed:
            return _skip(store, channel, "per_source", f"{source} passed {PER_SOURCE} a minute")
        budget = services.settings.alerts.channel_posts_per_minute
        if not spend(store, channel, budget):
            return _skip(store, channel, "channel_budget", "the channel's posting budget is spent")
    except StorageUnavailable:
        return True
    return True


def _skip(store: Any, channel: str, reason: str, why: str) -> bool:
    metrics.watched_skipped(reason)
    if store.claim(f"watched-skip-logged:{channel}:{reason}", 60.0):
        log.warning("watched channel %s: not replying to some messages: %s", channel, why)
    return False


def register(app: App) -> None:
    app.event("message", matchers=[in_a_watched_channel])(ack=acknowledge, lazy=[triage_message])
