"""The message shortcut ``save_answer``: open the capture modal, pre-filled from the thread.

Acked at once; the thread is read and the modal opened in the lazy listener,
well inside the trigger's three seconds (two reads and one ``views.open``).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.capture import draft_from
from bot.slack.capture_blocks import CALLBACK, modal
from bot.slack.replies import acknowledge


def open_capture(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    channel = (body.get("channel") or {}).get("id", "")
    message = body.get("message") or {}
    draft = draft_from(client, channel, message)
    client.views_open(trigger_id=body["trigger_id"], view=modal(draft, draft.language))


def register(app: App) -> None:
    app.shortcut(CALLBACK)(ack=acknowledge, lazy=[open_capture])
