"""Replies that Slack did not take: bounded ``respond``, and telling the person so.

``respond()`` in Bolt posts to the ``response_url`` with a 30 s timeout and
never reports a 5xx. :class:`BoundedRespond` retries transient failures a
couple of times within a short timeout and remembers the last failure.
When a lazy listener's reply finally fails (Slack 500 three times, a
timeout, a 429 asking to wait longer than we hold a thread), :func:`undelivered`
logs one line and tells the person with an ephemeral "couldn't post the
answer" by whichever route still works. A metric hooks in by appending to
``observers``; a later message that replaces the original (a diagnostic's
report after a lost progress update) clears the failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot import metrics

log = logging.getLogger(__name__)
# A response_url is a capability (anyone holding it can post as the app); slack_sdk logs it
# at INFO on every retry, so its client logs warnings and errors only.
_webhook_log = logging.getLogger("acrbot.slack.response_url")
_webhook_log.setLevel(logging.WARNING)

RESPOND_TIMEOUT = 5  # seconds per attempt at a response_url
COULD_NOT_POST = (
    ":warning: Sorry, I couldn't post the answer: Slack did not accept it. "
    "Please try again in a minute."
)

#: Called with (listener, reason) for every reply not delivered: append a metric counter here.
observers: list[Callable[[str, str], None]] = [
    lambda listener, _reason: metrics.undelivered_reply(listener)
]

Undelivered = Callable[[WebClient, BoltContext, str, Any, "BoundedRespond | None"], None]


class BoundedRespond:
    """Bolt's ``respond`` with a short timeout, retries, and the final failure kept."""

    def __init__(self, response_url: str | None, timeout: int = RESPOND_TIMEOUT) -> None:
        self.response_url = response_url
        self.timeout = timeout
        self.failure: str | None = None

    def __call__(self, text: str = "", blocks: list[Any] | None = None, **fields: Any) -> Any:
        if not self.response_url:  # a click from a view, or a forged payload: nowhere to answer
            self.failure = "response_url: missing"
            return None
        message: dict[str, Any] = {"text": text}
        if blocks is not None:
            message["blocks"] = [b.to_dict() if hasattr(b, "to_dict") else b for b in blocks]
        message |= {key: value for key, value in fields.items() if value is not None}
        client = WebhookClient(
            self.response_url,
            timeout=self.timeout,
            logger=_webhook_log,
            retry_handlers=[
                ServerErrorRetryHandler(max_retry_count=2),
                ConnectionErrorRetryHandler(max_retry_count=1),
            ],
        )
        try:
            reply = client.send_dict(message)
        except OSError as exc:  # timeouts and refused connections
            self.failure = f"response_url: {type(exc).__name__}"
            metrics.slack_call("response_url", "failed")
            return None
        metrics.slack_call("response_url", "ok" if reply.status_code < 300 else "failed")
        if reply.status_code >= 300:
            self.failure = f"response_url: HTTP {reply.status_code}"
        elif fields.get("replace_original"):
            self.failure = None  # a lost progress update, superseded by this message
        return reply


def reason_of(failure: Any) -> str:
    """A short, secret-free description of why a reply was not delivered."""
    if isinstance(failure, str):
        return failure
    if isinstance(failure, SlackApiError):
        response = failure.response
        return f"HTTP {response.status_code} {response.get('error', '')}".strip()
    return type(failure).__name__


def undelivered(
    client: WebClient,
    context: BoltContext,
    listener: str,
    failure: Any,
    respond: BoundedRespond | None,
) -> None:
    """Log the lost reply and tell the person, ephemerally, where Slack still lets us."""
    user, channel = context.user_id, context.channel_id
    expected = isinstance(failure, str | SlackApiError | OSError)
    for observe in observers:
        observe(listener, reason_of(failure))
    log.warning(
        "reply not delivered (%s, user %s, channel %s): %s",
        listener, user, channel, reason_of(failure),
        exc_info=None if expected else failure,
    )  # fmt: skip
    if respond is not None and respond.failure is None and respond.response_url:
        respond(text=COULD_NOT_POST, response_type="ephemeral", replace_original=False)
        if respond.failure is None:
            return
    if not (user and channel):
        return
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=COULD_NOT_POST)
    except (SlackApiError, OSError) as exc:
        log.warning("could not tell %s either: %s", user, reason_of(exc))
