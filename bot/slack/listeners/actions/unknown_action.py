"""Buttons from an older version, or crafted payloads: acknowledged, explained, ignored."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, Respond

from bot.slack.i18n import say
from bot.slack.replies import acknowledge, private

log = logging.getLogger(__name__)


def explain_unknown(action: dict[str, Any], respond: Respond) -> None:
    log.info("unknown action id %r ignored", str(action.get("action_id"))[:80])
    private(respond, text=say("en", "expired_button"))


def register(app: App) -> None:
    app.action(re.compile(".*"))(ack=acknowledge, lazy=[explain_unknown])
