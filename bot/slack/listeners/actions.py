"""Buttons: feedback, "did you mean", share in channel, and Confirm / Cancel for diagnostics.

Every click is acknowledged at once; the work and the reply (through the
message's ``response_url``) happen in lazy listeners.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.diagnostics.report import StepResult
from bot.diagnostics.service import AlreadyConfirmed
from bot.errors import AcrbotError
from bot.feedback import record_click
from bot.knowledge.model import Entry
from bot.services import Services
from bot.slack.blocks import entry_message, notice, read_button_value
from bot.slack.diagnostics_blocks import confirmation_message, progress_message, report_message
from bot.slack.i18n import language_of, say
from bot.slack.mrkdwn import escape

log = logging.getLogger(__name__)
Payload = dict[str, Any]


def acknowledge(ack: Ack) -> None:
    ack()


def private(respond: Respond, **message: Any) -> None:
    """A reply only the clicker sees, leaving the clicked message as it is."""
    respond(response_type="ephemeral", replace_original=False, **message)


def register(app: App, services: Services) -> None:
    def feedback(body: Payload, action: Payload, respond: Respond) -> None:
        parsed = read_button_value(action.get("value"))
        if parsed is None:
            private(respond, text=say("en", "expired_button"))
            return
        key, query = parsed
        verdict = "up" if action["action_id"].endswith("up") else "down"
        user, language = body["user"]["id"], language_of(query)
        if record_click(services.feedback, services.library.current, query, key, user, verdict):
            private(respond, text=say(language, "thanks_feedback"))
        else:  # a forged or outdated entry key: nothing recorded
            private(respond, text=say(language, "unknown_entry"))

    def show_entry(body: Payload, action: Payload, respond: Respond) -> None:
        entry, query = _entry_of(services, action)
        if entry is None:
            private(respond, text=say(language_of(query), "unknown_entry"))
            return
        # A "did you mean" pick: a phrasing candidate for `acrbot feedback --phrasings`.
        record_click(
            services.feedback, services.library.current, query, entry.key,
            body["user"]["id"], "picked", language_of(query),
        )  # fmt: skip
        private(respond, **entry_message(entry, query, language_of(query)).as_kwargs())

    def share(body: Payload, action: Payload, respond: Respond) -> None:
        entry, query = _entry_of(services, action)
        language = language_of(query)
        if entry is None:
            private(respond, text=say(language, "unknown_entry"))
            return
        message = entry_message(entry, query, language, shared_by=body["user"]["id"])
        respond(response_type="in_channel", replace_original=False, **message.as_kwargs())
        respond(delete_original=True)

    def confirm(body: Payload, action: Payload, respond: Respond) -> None:
        user, channel = body["user"]["id"], (body.get("channel") or {}).get("id")
        token = str(action.get("value", ""))
        asked = services.diagnostics.peek(token)
        steps: list[StepResult] = []

        def on_step(step: StepResult) -> None:
            steps.append(step)
            if asked is not None:
                progress = progress_message(asked.check, asked.registry, steps)
                respond(replace_original=True, **progress.as_kwargs())

        try:
            report = services.diagnostics.confirm_and_run(token, user, on_step, channel=channel)
        except AlreadyConfirmed as exc:
            private(respond, text=str(exc))
            return
        except AcrbotError as exc:
            private(respond, **notice(f":no_entry: {escape(str(exc))}", str(exc)).as_kwargs())
            return
        respond(replace_original=True, **report_message(report, user).as_kwargs())

    def cancel(body: Payload, action: Payload, respond: Respond) -> None:
        user, channel = body["user"]["id"], (body.get("channel") or {}).get("id")
        try:
            what = services.diagnostics.cancel(str(action.get("value", "")), user, channel)
        except AcrbotError as exc:
            private(respond, text=str(exc))
            return
        respond(replace_original=True, text=f"Cancelled: {what} was not run.")

    def request_check(body: Payload, action: Payload, respond: Respond) -> None:
        """A "Run check-health on X" button: the same request flow as /acr diagnose X."""
        try:
            wanted = json.loads(str(action.get("value", "")))
            registry, check = str(wanted["r"]), str(wanted["c"])
        except (ValueError, KeyError, TypeError):
            private(respond, text=say("en", "expired_button"))
            return
        user, channel = body["user"]["id"], (body.get("channel") or {}).get("id", "")
        try:
            pending = services.diagnostics.request(user, channel, registry, check)
        except AcrbotError as exc:
            private(respond, **notice(f":no_entry: {escape(str(exc))}", str(exc)).as_kwargs())
            return
        private(respond, **confirmation_message(pending).as_kwargs())

    def unknown(action: Payload, respond: Respond) -> None:
        """Buttons from an older version, or crafted payloads: acknowledged, explained, ignored."""
        log.info("unknown action id %r ignored", str(action.get("action_id"))[:80])
        private(respond, text=say("en", "expired_button"))

    app.action(re.compile(r"^feedback_(up|down)$"))(ack=acknowledge, lazy=[feedback])
    app.action(re.compile(r"^show_entry_\d+$"))(ack=acknowledge, lazy=[show_entry])
    app.action("share_answer")(ack=acknowledge, lazy=[share])
    app.action("diag_confirm")(ack=acknowledge, lazy=[confirm])
    app.action("diag_cancel")(ack=acknowledge, lazy=[cancel])
    app.action(re.compile(r"^diag_request_\d+$"))(ack=acknowledge, lazy=[request_check])
    app.action(re.compile(".*"))(ack=acknowledge, lazy=[unknown])  # last: the catch-all


def _entry_of(services: Services, action: Payload) -> tuple[Entry | None, str]:
    parsed = read_button_value(action.get("value"))
    if parsed is None:
        return None, ""
    key, query = parsed
    return services.library.current.get(key), query
