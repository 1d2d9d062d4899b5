"""A check button under an answer or an alert: the same request as `/acr diagnose` or `/acr pull`.

An alert about an image pull adds the repository (``"p"``) to its
check-health button, and offers a pull button with the image and, when the
alert names a configured cluster, the cluster (:mod:`bot.slack.check_buttons`).
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.slack.check_buttons import read_value
from bot.slack.executors import diagnostic
from bot.slack.i18n import say
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private, request_diagnostic


@diagnostic
def request_check(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    wanted = read_value(action.get("value"))
    if wanted is None:
        private(respond, text=say("en", "expired_button"))
        return
    user, channel = body["user"]["id"], (body.get("channel") or {}).get("id", "")
    request_diagnostic(
        services_of(context),
        respond,
        user,
        channel,
        wanted.registry,
        wanted.check,
        repository=wanted.repository,
        image=wanted.image,
        cluster=wanted.cluster,
    )


def register(app: App) -> None:
    app.action(re.compile(r"^diag_request_\d+$"))(ack=acknowledge, lazy=[request_check])
