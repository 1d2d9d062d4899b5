"""Buttons: feedback, "did you mean", share in channel, and Confirm / Cancel for diagnostics."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.diagnostics.report import StepResult
from bot.diagnostics.service import AlreadyConfirmed
from bot.errors import AcrbotError
from bot.services import Services
from bot.slack.blocks import entry_message, notice, read_button_value
from bot.slack.diagnostics_blocks import progress_message, report_message
from bot.slack.i18n import language_of, say
from bot.slack.mrkdwn import escape

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.action(re.compile(r"^feedback_(up|down)$"))
    def feedback(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        parsed = read_button_value(action.get("value"))
        if parsed is None:
            respond(
                response_type="ephemeral", replace_original=False, text=say("en", "expired_button")
            )
            return
        key, query = parsed
        verdict = "up" if action["action_id"].endswith("up") else "down"
        services.feedback.record(query, key, body["user"]["id"], verdict)
        thanks = say(language_of(query), "thanks_feedback")
        respond(response_type="ephemeral", replace_original=False, text=thanks)

    @app.action(re.compile(r"^show_entry_\d+$"))
    def show_entry(ack: Ack, action: dict[str, Any], respond: Respond) -> None:
        ack()
        entry, query = _entry_of(services, action)
        language = language_of(query)
        if entry is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=say(language, "unknown_entry"),
            )
            return
        message = entry_message(entry, query, language)
        respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())

    @app.action("share_answer")
    def share(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        entry, query = _entry_of(services, action)
        language = language_of(query)
        if entry is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=say(language, "unknown_entry"),
            )
            return
        message = entry_message(entry, query, language, shared_by=body["user"]["id"])
        respond(response_type="in_channel", replace_original=False, **message.as_kwargs())
        respond(delete_original=True)

    @app.action("diag_confirm")
    def confirm(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
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
            respond(response_type="ephemeral", replace_original=False, text=str(exc))
            return
        except AcrbotError as exc:
            refusal = notice(f":no_entry: {escape(str(exc))}", str(exc))
            respond(response_type="ephemeral", replace_original=False, **refusal.as_kwargs())
            return
        respond(replace_original=True, **report_message(report, user).as_kwargs())

    @app.action("diag_cancel")
    def cancel(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        try:
            what = services.diagnostics.cancel(str(action.get("value", "")), user, channel)
        except AcrbotError as exc:
            respond(response_type="ephemeral", replace_original=False, text=str(exc))
            return
        respond(replace_original=True, text=f"Cancelled: {what} was not run.")

    @app.action(re.compile(".*"))
    def unknown(ack: Ack, action: dict[str, Any], respond: Respond) -> None:
        """Buttons from an older version, or crafted payloads: acknowledged, explained, ignored."""
        ack()
        log.info("unknown action id %r ignored", str(action.get("action_id"))[:80])
        respond(response_type="ephemeral", replace_original=False, text=say("en", "expired_button"))


def _entry_of(services: Services, action: dict[str, Any]) -> tuple[Any, str]:
    parsed = read_button_value(action.get("value"))
    if parsed is None:
        return None, ""
    key, query = parsed
    return services.library.current.get(key), query
