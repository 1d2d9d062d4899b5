"""Capturing an answer from Slack: read the thread, pre-fill the modal, tell the approvers.

The decisions (what may be kept, pending until approved) are the domain's
(:mod:`bot.knowledge.captured`); this module only turns Slack's messages
into a draft and the domain's entries into DMs. Who is an approver is
``knowledge.approvers`` (user IDs and user groups, as access rules name
them); a failed group lookup counts as "not an approver".
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.knowledge.captured import Captured
from bot.knowledge.language import detect
from bot.knowledge.settings import People
from bot.services import Services
from bot.slack.capture_blocks import Draft, review_message
from bot.slack.from_mrkdwn import to_markdown
from bot.slack.help_replies import fetch_message
from bot.slack.questions import clean

log = logging.getLogger(__name__)
MAX_APPROVER_DMS = 20


def draft_from(client: WebClient, channel: str, message: dict[str, Any]) -> Draft:
    """The modal's first draft: the thread's parent as the question, ``message`` as the answer."""
    ts = str(message.get("ts") or "")
    parent_ts = str(message.get("thread_ts") or ts)
    question = ""
    if parent_ts and parent_ts != ts:
        parent = fetch_message(client, channel, parent_ts)
        question = clean(parent.get("text", "")) if parent else ""
    answer = to_markdown(message.get("text", ""))
    return Draft(question, answer, detect(question or answer), _permalink(client, channel, ts))


def message_at(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """One message by ts (a reaction names only the channel and ts), thread reply or not."""
    return fetch_message(client, channel, ts)


def _permalink(client: WebClient, channel: str, ts: str) -> str:
    if not channel or not ts:
        return ""
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink") or "")
    except SlackApiError as exc:
        log.warning("capture: no permalink: %s", exc.response.get("error"))
        return ""


def is_approver(services: Services, user: str) -> bool:
    return names(services, services.settings.knowledge.approvers, user)


def is_admin(services: Services, user: str) -> bool:
    return names(services, services.settings.slack.admins, user)


def names(services: Services, people: People, user: str) -> bool:
    membership = services.membership

    def groups() -> set[str]:
        if membership is None:
            return set()
        try:
            return set(membership(user))
        except Exception as exc:  # a failed lookup denies, never crashes
            log.warning("user group lookup failed (%s)", type(exc).__name__)
            return set()

    return people.names(user, groups)


def approver_ids(client: WebClient, people: People) -> list[str]:
    """Everyone to DM: the approvers named, and the members of the approver groups."""
    found = [u for u in sorted(people.users) if u != "*"]
    for group in sorted(people.usergroups):
        try:
            found += client.usergroups_users_list(usergroup=group).get("users", [])
        except SlackApiError as exc:
            log.warning("cannot list approvers in %s: %s", group, exc.response.get("error"))
    return list(dict.fromkeys(found))[:MAX_APPROVER_DMS]


def notify_approvers(client: WebClient, services: Services, item: Captured) -> int:
    """DM every approver the entry with Approve / Edit / Reject; how many were told."""
    told = 0
    message = review_message(item, item.language)
    for approver in approver_ids(client, services.settings.knowledge.approvers):
        try:
            client.chat_postMessage(channel=approver, **message.as_kwargs())
            told += 1
        except SlackApiError as exc:
            log.warning("capture: approver DM failed: %s", exc.response.get("error"))
    return told
