"""A "did you mean" button: that entry, privately."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.feedback import record_click
from bot.slack.blocks import entry_message
from bot.slack.i18n import language_of, say
from bot.slack.listeners.actions.entries import entry_of
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private


def show_entry(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    services = services_of(context)
    entry, query = entry_of(services, action)
    if entry is None:
        private(respond, text=say(language_of(query), "unknown_entry"))
        return
    # A "did you mean" pick: a phrasing candidate for `acrbot feedback --phrasings`.
    user, language = body["user"]["id"], language_of(query)
    record_click(
        services.feedback, services.library.current, query, entry.key, user, "picked", language
    )
    private(respond, **entry_message(entry, query, language_of(query)).as_kwargs())


def register(app: App) -> None:
    app.action(re.compile(r"^show_entry_\d+$"))(ack=acknowledge, lazy=[show_entry])
