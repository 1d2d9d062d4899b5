"""The Slack Web API client: our base URL, bounded waits, and retries for 429 and 5xx.

Every call a listener makes holds a pool thread, so each is bounded: a
short timeout per attempt, two retries for 5xx, one for a dropped
connection, and a 429 is retried only when its ``Retry-After`` is short
(a ``Retry-After: 30`` used to hold a thread for 30 s). A call that still
fails raises, and the lazy-listener runner tells the person
(``bot/slack/delivery.py``).
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import metrics
from bot.config import SlackCredentials

TIMEOUT = 5  # seconds per attempt; Slack answers in well under one
MAX_RETRY_AFTER = 3  # seconds: a longer Retry-After is not waited for


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retries a 429 only when Slack asks to wait at most ``max_wait`` seconds."""

    def __init__(self, max_retry_count: int = 1, max_wait: float = MAX_RETRY_AFTER) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = next(
            (v[0] for k, v in response.headers.items() if k.lower() == "retry-after" and v), "1"
        )
        return wait.isdigit() and int(wait) <= self.max_wait


def make_client(
    credentials: SlackCredentials,
    *,
    timeout: int = TIMEOUT,
    max_retry_after: float = MAX_RETRY_AFTER,
) -> WebClient:
    """A WebClient whose every call returns or raises within a few attempts of ``timeout``.

    Bolt copies ``timeout`` and ``retry_handlers`` onto the per-request clients
    it builds, so every listener's ``client`` and ``say`` behave the same way.
    """
    return WebClient(
        token=credentials.bot_token,
        base_url=credentials.api_url,
        timeout=timeout,
        logger=logging.getLogger("acrbot.slack.web"),
        retry_handlers=[
            metrics.slack_failure_recorder(),  # counts, never retries
            ShortRateLimitRetryHandler(max_retry_count=1, max_wait=max_retry_after),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )
