"""Requests refused for their credentials: every one counted, a line a minute logged.

A wrong alert token or a bad Slack signature must be visible (a brute force
shows as a rising ``acrbot_unauthorized_requests_total`` and a log line
saying how many), but one log line per request would let anyone who can
reach the port flood the log. So each endpoint logs its first refusal at
once and then at most one line per :data:`INTERVAL`, carrying the number
refused since its previous line. Nothing the sender wrote (body, token,
headers) is logged, only its address.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot import metrics

log = logging.getLogger(__name__)
INTERVAL = 60.0  # seconds between two lines about one endpoint


@dataclass
class _Tally:
    unlogged: int = 0
    logged_at: float | None = None


class RefusalLog:
    """Counts refusals per endpoint and logs them, at most one line per ``interval``."""

    def __init__(
        self, interval: float = INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}

    def refused(self, endpoint: str, what: str, client: str, level: int = logging.WARNING) -> None:
        """One request to ``endpoint`` refused because of ``what`` (fixed text, never input)."""
        metrics.unauthorized(endpoint)
        now = self._clock()
        with self._lock:
            tally = self._tallies.setdefault(endpoint, _Tally())
            tally.unlogged += 1
            if tally.logged_at is not None and now - tally.logged_at < self._interval:
                return
            count, tally.unlogged, tally.logged_at = tally.unlogged, 0, now
        log.log(
            level,
            "refused %d request(s) to %s with %s since the last such line (the latest from %s); "
            "at most one line a minute, acrbot_unauthorized_requests_total counts each",
            count,
            endpoint,
            what,
            client or "an unknown address",
        )


REFUSALS = RefusalLog()  # one per process: gunicorn's workers each log their own share
