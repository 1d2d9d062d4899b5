"""The Slack Web API client: our base URL, and retries for 429 and transient failures."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot import metrics
from bot.config import SlackCredentials


def make_client(credentials: SlackCredentials) -> WebClient:
    """A WebClient that honours Retry-After on 429 and retries 5xx and dropped connections.

    Bolt copies ``retry_handlers`` onto the per-request clients it builds,
    so every listener's ``client`` and ``say`` retry the same way.
    """
    return WebClient(
        token=credentials.bot_token,
        base_url=credentials.api_url,
        timeout=10,
        logger=logging.getLogger("acrbot.slack.web"),
        retry_handlers=[
            metrics.slack_failure_recorder(),  # counts, never retries
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )
