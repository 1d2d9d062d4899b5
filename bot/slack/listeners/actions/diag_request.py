"""A "Run check-health on X" button (under an answer or an alert): `/acr diagnose X`'s request.

An alert about an image pull adds the repository (``"p"``) to its button.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.slack.executors import diagnostic
from bot.slack.i18n import say
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private, request_diagnostic


@diagnostic
def request_check(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    try:
        wanted = json.loads(str(action.get("value", "")))
        registry, check = str(wanted["r"]), str(wanted["c"])
        repository = str(wanted["p"]) if wanted.get("p") else None
    except (ValueError, KeyError, TypeError):
        private(respond, text=say("en", "expired_button"))
        return
    user, channel = body["user"]["id"], (body.get("channel") or {}).get("id", "")
    request_diagnostic(
        services_of(context), respond, user, channel, registry, check, repository=repository
    )


def register(app: App) -> None:
    app.action(re.compile(r"^diag_request_\d+$"))(ack=acknowledge, lazy=[request_check])
