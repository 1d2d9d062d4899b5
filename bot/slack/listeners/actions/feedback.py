"""👍 / 👎 under an answer: one feedback record per click."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.feedback import record_click
from bot.slack.blocks import read_button_value
from bot.slack.i18n import language_of, say
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private


def record_feedback(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    parsed = read_button_value(action.get("value"))
    if parsed is None:
        private(respond, text=say("en", "expired_button"))
        return
    key, query = parsed
    verdict = "up" if action["action_id"].endswith("up") else "down"
    services, language = services_of(context), language_of(query)
    user = body["user"]["id"]
    if record_click(
        services.feedback, services.library.current, query, key, user, verdict, language
    ):
        private(respond, text=say(language, "thanks_feedback"))
    else:  # a forged or outdated entry key: nothing recorded
        private(respond, text=say(language, "unknown_entry"))


def register(app: App) -> None:
    app.action(re.compile(r"^feedback_(up|down)$"))(ack=acknowledge, lazy=[record_feedback])
