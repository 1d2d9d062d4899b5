"""The plain Bolt app of :mod:`plain_bolt`, but its `/acr` listener answers as acrbot's does.

It searches the bundled knowledge base and renders the same Block Kit reply
(``bot.slack.questions.reply_message``) in the ack, and does nothing else: no
checks before Bolt but Bolt's own signature check, no de-duplication, no
question log, no metrics. Side by side with ``acrbot serve`` it shows what
acrbot's ack costs beyond the answer itself; side by side with the ack-only
app, what the answer costs. Served the same way (gunicorn gthread, one
process, eight threads).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_bolt.adapter.wsgi import SlackRequestHandler

from benchmarks.baselines.plain_bolt import new_app
from bot.config import load_settings
from bot.knowledge.library import Library
from bot.slack.questions import reply_message
from bot.slack.subcommands import parse

library = Library.from_settings(load_settings().knowledge)
app = new_app()


@app.command("/acr")
def acr(ack: Ack, command: dict[str, Any]) -> None:
    _subcommand, question = parse(command.get("text", ""))
    ack(**reply_message(library, question, shareable=True).as_kwargs())


wsgi = SlackRequestHandler(app)
