"""Cancel: withdraw a pending request, so its Confirm button runs nothing."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.errors import AcrbotError
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private


def cancel(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    user, channel = body["user"]["id"], (body.get("channel") or {}).get("id")
    try:
        what = services_of(context).diagnostics.cancel(str(action.get("value", "")), user, channel)
    except AcrbotError as exc:
        private(respond, text=str(exc))
        return
    respond(replace_original=True, text=f"Cancelled: {what} was not run.")


def register(app: App) -> None:
    app.action("diag_cancel")(ack=acknowledge, lazy=[cancel])
