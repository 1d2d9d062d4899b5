"""The baseline acrbot's ack is measured against: a plain Bolt app, one ack-only `/acr` listener.

Served as a Bolt app usually is in production: gunicorn's gthread worker,
one process, eight threads (``gunicorn -k gthread -w 1 --threads 8
benchmarks.baselines.plain_bolt:wsgi``). Slack's signature is checked by
Bolt, as in any Bolt app; nothing else happens.
"""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def new_app() -> App:
    """A Bolt app as one is usually configured, talking to the benchmark's fake Slack."""
    return App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient("xoxb-baseline", base_url=os.environ["SLACK_API_URL"]),
        token_verification_enabled=False,
        process_before_response=True,
    )


app = new_app()


@app.command("/acr")
def acr(ack) -> None:
    ack()


wsgi = SlackRequestHandler(app)
