"""`/acr ask`, a bare question, `/acr triage` and `/acr help`: answered in the ack itself.

Search takes about a millisecond, so the answer rides on the ack and needs no
second request to Slack.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.services import Services
from bot.slack.blocks import help_message
from bot.slack.i18n import language_of
from bot.slack.middleware import services_of
from bot.slack.questions import empty_question, reply_message, result_message
from bot.slack.subcommands import parse
from bot.slack.triage_reply import raw_rest, triage_reply


def answer(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    subcommand, rest = parse(command.get("text", ""))
    if subcommand == "triage":  # a pasted alert keeps its lines and length (JSON, logs)
        rest = raw_rest(command.get("text", ""))
    user, channel = command["user_id"], command["channel_id"]
    reply = reply_for(services_of(context), subcommand, rest, user, channel)
    ack(response_type="ephemeral", **reply)


def reply_for(
    services: Services, subcommand: str, rest: str, user: str, channel: str
) -> dict[str, Any]:
    """The ack's body: an answer, "I don't know", or the help with what ``user`` may run."""
    language = language_of(rest)
    if subcommand == "ask":
        if not rest:
            return empty_question(language).as_kwargs()
        asked = services.asked
        return reply_message(
            services.library, rest, shareable=True, source="command", asked=asked, user=user
        ).as_kwargs()
    if subcommand == "triage":
        return triage_reply(services.triager, rest).as_kwargs()
    if subcommand == "word":
        result = services.library.ask(rest)  # a lone word: a question only if it is answered
        if result.answered:
            return result_message(
                result, shareable=True, source="command", asked=services.asked, user=user
            ).as_kwargs()
    return help_message(language, services.diagnostics.describe_access(user, channel)).as_kwargs()


def register(app: App) -> None:
    app.command("/acr")(answer)
