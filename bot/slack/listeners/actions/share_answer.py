"""*Share in channel* under a private answer: post it for everyone, remove the private copy."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.slack.blocks import entry_message
from bot.slack.i18n import language_of, say
from bot.slack.listeners.actions.entries import entry_of
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private


def share_answer(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    entry, query = entry_of(services_of(context), action)
    language = language_of(query)
    if entry is None:
        private(respond, text=say(language, "unknown_entry"))
        return
    message = entry_message(entry, query, language, shared_by=body["user"]["id"])
    respond(response_type="in_channel", replace_original=False, **message.as_kwargs())
    respond(delete_original=True)


def register(app: App) -> None:
    app.action("share_answer")(ack=acknowledge, lazy=[share_answer])
