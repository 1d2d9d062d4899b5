"""Approve / Edit / Reject on a captured answer or a phrasing, and the capture form's buttons.

Only approvers (``knowledge.approvers``) may decide or edit; anyone else's
click is refused privately and changes nothing. A decision replaces the
approver's DM with what was decided; from App Home, the Home is published
again instead (a Home tab has no message to replace).
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import AcrbotError
from bot.knowledge import review
from bot.knowledge.captured import Captured
from bot.slack.capture import draft_from, is_approver, message_at
from bot.slack.capture_blocks import Draft, decided_message, modal, notice_text
from bot.slack.capture_text import words
from bot.slack.home import publish_home
from bot.slack.middleware import services_of
from bot.slack.mrkdwn import escape
from bot.slack.replies import acknowledge, private


def decide(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    services, user = services_of(context), body["user"]["id"]
    approving = action["action_id"] == "capture_approve"
    language = "en"
    if not is_approver(services, user):
        _tell(body, respond, client, words(language, "not_approver"))
        return
    decide_by = review.approve if approving else review.reject
    item_id = str(action.get("value") or "")
    try:
        done = decide_by(
            services.captured, item_id, user, services.feedback, services.library.current
        )
    except AcrbotError as exc:
        _tell(body, respond, client, f":no_entry: {escape(str(exc))}")
        return
    if isinstance(done, Captured):
        language = done.language
    text = words(language, "approved" if approving else "rejected", user=user)
    if body.get("view", {}).get("type") == "home":
        publish_home(client, services, user)
        return
    message = decided_message(done, text) if isinstance(done, Captured) else notice_text(text)
    respond(replace_original=True, **message.as_kwargs())


def edit(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    services, user = services_of(context), body["user"]["id"]
    if not is_approver(services, user):
        _tell(body, respond, client, words("en", "not_approver"))
        return
    item = services.captured.get(str(action.get("value") or ""))
    if item is None or item.status != "pending":
        _tell(body, respond, client, words("en", "gone"))
        return
    draft = Draft(item.question, item.answer_markdown, item.language, item.permalink, item.id)
    client.views_open(trigger_id=body["trigger_id"], view=modal(draft, item.language))


def open_from_offer(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    """The reaction's DM button (sent to approvers only): read the message, open the modal."""
    if not is_approver(services_of(context), body["user"]["id"]):
        private(respond, text=words("en", "not_approver"))
        return
    try:
        where = json.loads(action.get("value") or "{}")
        channel, ts = str(where["c"]), str(where["t"])
    except (ValueError, KeyError, TypeError):
        private(respond, text=words("en", "gone"))
        return
    message = message_at(client, channel, ts)
    if message is None:
        private(respond, text=words("en", "gone"))
        return
    draft = draft_from(client, channel, message)
    client.views_open(trigger_id=body["trigger_id"], view=modal(draft, draft.language))


def write_answer(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    """App Home's "Write an answer": the modal with the group's example as the question."""
    question = str(action.get("value") or "")[:300]
    draft = Draft(question, "", _language_of(question), "")
    client.views_open(trigger_id=body["trigger_id"], view=modal(draft, draft.language))


def _language_of(text: str) -> str:
    from bot.knowledge.language import detect

    return detect(text) if text else "en"


def _tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
    if body.get("response_url"):
        private(respond, **notice_text(text).as_kwargs())
    else:  # App Home: no response URL; a DM says it
        client.chat_postMessage(channel=body["user"]["id"], **notice_text(text).as_kwargs())


def register(app: App) -> None:
    app.action("capture_approve")(ack=acknowledge, lazy=[decide])
    app.action("capture_reject")(ack=acknowledge, lazy=[decide])
    app.action("capture_edit")(ack=acknowledge, lazy=[edit])
    app.action("capture_open")(ack=acknowledge, lazy=[open_from_offer])
    app.action("capture_write")(ack=acknowledge, lazy=[write_answer])
