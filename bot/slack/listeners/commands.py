"""`/acr`: ask, diagnose, usage, triage and help."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.errors import AcrbotError
from bot.services import Services
from bot.slack.blocks import help_message, notice
from bot.slack.diagnostics_blocks import confirmation_message
from bot.slack.i18n import language_of, say
from bot.slack.mrkdwn import escape
from bot.slack.questions import clean, empty_question, reply_to

SUBCOMMANDS = ("ask", "diagnose", "usage", "info", "triage", "help")
DIAGNOSTIC_CHECKS = {"diagnose": "check-health", "usage": "usage", "info": "info"}


def parse(text: str) -> tuple[str, str]:
    """``/acr WORD REST`` → (subcommand, rest); a bare question is ``ask``.

    One unknown word on its own is more likely a mistyped subcommand than a
    question; the caller decides with the knowledge base (see ``_route``).
    """
    text = clean(text)
    word, _, rest = text.partition(" ")
    if not text:
        return "help", ""
    if word.lower() in SUBCOMMANDS:
        return word.lower(), rest.strip()
    return ("ask" if rest else "word"), text


def register(app: App, services: Services) -> None:
    @app.command("/acr")
    def acr(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        subcommand, rest = parse(command.get("text", ""))
        language = language_of(rest)
        user, channel = command["user_id"], command["channel_id"]
        if subcommand in DIAGNOSTIC_CHECKS:
            ack()  # locating the registry may call Azure: answer Slack first
            _request_diagnostic(services, respond, user, channel, rest, subcommand)
            return
        ack(
            response_type="ephemeral", **_route(services, subcommand, rest, user, channel, language)
        )


def _route(
    services: Services, subcommand: str, rest: str, user: str, channel: str, language: str
) -> dict[str, Any]:
    if subcommand == "ask":
        message = (
            reply_to(services.library, rest, shareable=True) if rest else empty_question(language)
        )
        return message.as_kwargs()
    if subcommand == "word":
        result = services.library.ask(rest)
        if result.answered:
            return reply_to(services.library, rest, shareable=True).as_kwargs()
    if subcommand == "triage":
        return notice(say(language, "not_available", command="triage")).as_kwargs()
    access = services.diagnostics.describe_access(user, channel)
    return help_message(language, access).as_kwargs()


def _request_diagnostic(
    services: Services, respond: Respond, user: str, channel: str, target: str, subcommand: str
) -> None:
    if not target:
        respond(
            response_type="ephemeral",
            text=f"Usage: `/acr {subcommand} REGISTRY` (e.g. `/acr {subcommand} myregistry`)",
        )
        return
    run: Callable[[], Any] = lambda: services.diagnostics.request(  # noqa: E731
        user, channel, target, DIAGNOSTIC_CHECKS[subcommand]
    )
    try:
        pending = run()
    except AcrbotError as exc:
        respond(
            response_type="ephemeral",
            **notice(f":no_entry: {escape(str(exc))}", str(exc)).as_kwargs(),
        )
        return
    respond(response_type="ephemeral", **confirmation_message(pending).as_kwargs())
