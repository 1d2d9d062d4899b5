""" "Still need help?" and "Resolved": hand a question to people, and close the hand-off.

"Still need help?" posts a mention of the channel's escalation group in the
thread, puts 👀 on the question and records an open hand-off (once per
question, however often it is clicked). "Resolved", for the asker, whoever
asked for help or anyone in the group, closes it: the message says who
resolved it and 👀 becomes ✅.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.helpdesk.handoffs import Handoff
from bot.services import Services
from bot.slack.help_blocks import (
    HANDOFF_REQUEST,
    HANDOFF_RESOLVE,
    handoff_message,
    mention_group,
    read_value,
    resolved_message,
)
from bot.slack.i18n import language_of, say
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)
WATCHING, DONE = "eyes", "white_check_mark"


def request_handoff(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    services = services_of(context)
    value = read_value(action.get("value"))
    channel = (body.get("channel") or {}).get("id")
    if value is None or not channel or not isinstance(value.get("q"), str):
        private(respond, text=say("en", "expired_button"))
        return
    question_ts = value["q"]
    thread = (body.get("message") or {}).get("thread_ts") or question_ts
    asker = str(value.get("a") or body["user"]["id"])
    question = _question(services, channel, thread)
    language = language_of(question)
    usergroup = services.settings.slack.escalation.usergroup_for(channel)
    try:
        handoff = services.handoffs.open(
            channel=channel,
            thread=thread,
            question_ts=question_ts,
            asker=asker,
            requested_by=body["user"]["id"],
            question=question,
            usergroup=usergroup,
        )
    except StorageUnavailable as exc:
        private(respond, text=str(exc))
        return
    if handoff is None:
        private(respond, text=say(language, "handoff_already"))
        return
    message = handoff_message(handoff.id, usergroup, body["user"]["id"], language)
    client.chat_postMessage(channel=channel, thread_ts=thread, **message.as_kwargs())
    _react(client, "reactions_add", channel, question_ts, WATCHING)
    metrics.handoff("opened", _open_count(services))


def resolve_handoff(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    services = services_of(context)
    user = body["user"]["id"]
    try:
        handoff = services.handoffs.get(str(action.get("value") or ""))
        if handoff is None or not handoff.is_open:
            private(respond, text=say("en", "handoff_gone"))
            return
        language = language_of(handoff.question)
        if not may_resolve(services, handoff, user):
            group = mention_group(handoff.usergroup) or "the team"
            private(respond, text=say(language, "handoff_not_yours", group=group))
            return
        if services.handoffs.resolve(handoff.id, user) is None:
            return  # another click (or replica) resolved it a moment ago
    except StorageUnavailable as exc:
        private(respond, text=str(exc))
        return
    respond(replace_original=True, **resolved_message(user, language).as_kwargs())
    _react(client, "reactions_remove", handoff.channel, handoff.question_ts, WATCHING)
    _react(client, "reactions_add", handoff.channel, handoff.question_ts, DONE)
    metrics.handoff("resolved", _open_count(services))


def may_resolve(services: Services, handoff: Handoff, user: str) -> bool:
    if user in (handoff.asker, handoff.requested_by):
        return True
    if not handoff.usergroup or services.membership is None:
        return False
    return handoff.usergroup in services.membership(user)


def _question(services: Services, channel: str, thread: str) -> str:
    try:
        memory = services.threads.recall(channel, thread)
    except StorageUnavailable:
        return ""
    return memory.context if memory is not None else ""


def _open_count(services: Services) -> int | None:
    try:
        return services.handoffs.open_count()
    except StorageUnavailable:
        return None


def _react(client: WebClient, method: str, channel: str, ts: str, name: str) -> None:
    """👀 / ✅ are a courtesy: one already there (or gone) is not an error."""
    try:
        getattr(client, method)(channel=channel, timestamp=ts, name=name)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("already_reacted", "no_reaction"):
            log.warning("%s %s failed: %s", method, name, exc.response.get("error"))


def register(app: App) -> None:
    app.action(HANDOFF_REQUEST)(ack=acknowledge, lazy=[request_handoff])
    app.action(HANDOFF_RESOLVE)(ack=acknowledge, lazy=[resolve_handoff])
