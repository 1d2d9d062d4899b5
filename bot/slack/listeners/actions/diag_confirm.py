"""Confirm: run the signed request once, showing each step as it finishes."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.diagnostics.report import StepResult
from bot.diagnostics.service import AlreadyConfirmed
from bot.errors import AcrbotError
from bot.slack.diagnostics_blocks import progress_message, report_message
from bot.slack.executors import diagnostic
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private, refuse
from bot.slack.running_checks import RUNNING


@diagnostic
def confirm(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    diagnostics = services_of(context).diagnostics
    user, channel = body["user"]["id"], (body.get("channel") or {}).get("id")
    token = str(action.get("value", ""))
    asked = diagnostics.peek(token)
    steps: list[StepResult] = []

    def on_step(step: StepResult) -> None:
        steps.append(step)
        if asked is not None:
            progress = progress_message(asked.check, asked.registry, steps)
            respond(replace_original=True, **progress.as_kwargs())

    check, registry = (asked.check, asked.registry) if asked else ("the check", "the registry")
    # Running until its last message is sent: a shutdown waits for that, or says "interrupted".
    with RUNNING.running(check, registry, respond):
        try:
            report = diagnostics.confirm_and_run(token, user, on_step, channel=channel)
        except AlreadyConfirmed as exc:
            private(respond, text=str(exc))
            return
        except AcrbotError as exc:
            refuse(respond, exc)
            return
        respond(replace_original=True, **report_message(report, user).as_kwargs())


def register(app: App) -> None:
    app.action("diag_confirm")(ack=acknowledge, lazy=[confirm])
