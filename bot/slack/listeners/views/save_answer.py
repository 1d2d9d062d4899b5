"""The capture modal submitted: a new pending entry (or an approver's edit), then the DMs.

The submission is judged while acking, so a refused field (too long, a
token or password in it) is shown on that field in the modal itself; the
approvers' DMs and the submitter's thanks follow in the lazy listener.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.errors import AcrbotError
from bot.knowledge.captured import CaptureRefused
from bot.slack.capture import is_approver, notify_approvers
from bot.slack.capture_blocks import CALLBACK, FIELDS, notice_text, review_message, submitted_values
from bot.slack.capture_text import words
from bot.slack.middleware import services_of
from bot.slack.mrkdwn import escape

SAVED = "captured_id"


def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    services = services_of(context)
    values, metadata = submitted_values(view)
    user = body["user"]["id"]
    language = str(metadata.get("lang") or "en")
    editing = str(metadata.get("edit") or "")
    try:
        if editing:
            if not is_approver(services, user):
                ack(response_action="errors", errors={"question": words(language, "not_approver")})
                return
            item = services.captured.edit(editing, **values, by=user)
        else:
            item = services.captured.submit(**values, submitted_by=user)
    except CaptureRefused as refused:
        field = refused.field if refused.field in FIELDS else "answer"
        ack(response_action="errors", errors={field: refused.reason})
        return
    except AcrbotError as exc:  # the store is down, or the entry was decided meanwhile
        ack(response_action="errors", errors={"question": str(exc)})
        return
    ack()
    context[SAVED] = (item.id, bool(editing))


def tell(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    saved = context.get(SAVED)
    if not saved:
        return
    services, (item_id, edited) = services_of(context), saved
    item = services.captured.get(item_id)
    if item is None:
        return
    user = body["user"]["id"]
    if edited:
        message = review_message(item, item.language)
        client.chat_postMessage(channel=user, **message.as_kwargs())
        return
    told = notify_approvers(client, services, item)
    language = item.language
    text = (
        words(language, "submitted", question=escape(item.question))
        if told
        else words(language, "no_approvers", id=item.id)
    )
    client.chat_postMessage(channel=user, **notice_text(text).as_kwargs())


def register(app: App) -> None:
    app.view(CALLBACK)(ack=submit, lazy=[tell])
