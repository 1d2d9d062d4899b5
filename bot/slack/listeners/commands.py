"""`/acr`: ask, diagnose, usage, triage and help.

Questions are answered in the acknowledgement itself (search takes about a
millisecond); diagnostics are acknowledged at once and continue in a lazy
listener, because finding the registry may call Azure.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.errors import AcrbotError
from bot.services import Services
from bot.slack.blocks import help_message, notice
from bot.slack.diagnostics_blocks import confirmation_message
from bot.slack.i18n import language_of, say
from bot.slack.mrkdwn import escape
from bot.slack.questions import clean, empty_question, reply_to, reply_with

SUBCOMMANDS = ("ask", "diagnose", "usage", "info", "triage", "help")
DIAGNOSTIC_CHECKS = {"diagnose": "check-health", "usage": "usage", "info": "info"}


def parse(text: str) -> tuple[str, str]:
    """``/acr WORD REST`` → (subcommand, rest); a bare question is ``ask``.

    One unknown word on its own is more likely a mistyped subcommand than a
    question; the caller decides with the knowledge base (see ``_reply``).
    """
    text = clean(text)
    word, _, rest = text.partition(" ")
    if not text:
        return "help", ""
    if word.lower() in SUBCOMMANDS:
        return word.lower(), rest.strip()
    return ("ask" if rest else "word"), text


def is_diagnostic(command: dict[str, Any]) -> bool:
    return parse(command.get("text", ""))[0] in DIAGNOSTIC_CHECKS


def register(app: App, services: Services) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def request_diagnostic(command: dict[str, Any], respond: Respond) -> None:
        subcommand, rest = parse(command.get("text", ""))
        _request(services, respond, command["user_id"], command["channel_id"], rest, subcommand)

    def answer(ack: Ack, command: dict[str, Any]) -> None:
        subcommand, rest = parse(command.get("text", ""))
        user, channel = command["user_id"], command["channel_id"]
        ack(response_type="ephemeral", **_reply(services, subcommand, rest, user, channel))

    app.command("/acr", matchers=[is_diagnostic])(ack=acknowledge, lazy=[request_diagnostic])
    app.command("/acr")(answer)


def _reply(
    services: Services, subcommand: str, rest: str, user: str, channel: str
) -> dict[str, Any]:
    language = language_of(rest)
    if subcommand == "ask":
        if not rest:
            return empty_question(language).as_kwargs()
        return reply_to(services.library, rest, shareable=True, source="command").as_kwargs()
    if subcommand == "word":
        result = services.library.ask(rest)  # a lone word: a question only if it is answered
        if result.answered:
            return reply_with(result, shareable=True, source="command").as_kwargs()
    if subcommand == "triage":
        return notice(say(language, "not_available", command="triage")).as_kwargs()
    access = services.diagnostics.describe_access(user, channel)
    return help_message(language, access).as_kwargs()


def _request(
    services: Services, respond: Respond, user: str, channel: str, target: str, subcommand: str
) -> None:
    if not target:
        usage = f"Usage: `/acr {subcommand} REGISTRY`, e.g. `/acr {subcommand} myregistry`"
        respond(response_type="ephemeral", text=usage)
        return
    check = DIAGNOSTIC_CHECKS[subcommand]
    try:
        pending = services.diagnostics.request(user, channel, target, check)
    except AcrbotError as exc:
        refusal = notice(f":no_entry: {escape(str(exc))}", str(exc))
        respond(response_type="ephemeral", **refusal.as_kwargs())
        return
    respond(response_type="ephemeral", **confirmation_message(pending).as_kwargs())
