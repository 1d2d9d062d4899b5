"""Back-pressure: a per-person rate limit and a cap on checks running at once.

Diagnostics call Azure with the bot's identity; one eager person or a burst
of clicks must not turn that into a flood of ARM calls or throttle the bot
for everyone. Both limits live in this process (several workers each keep
their own), which is enough to stop accidents; they are not a security
boundary — access rules are.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.diagnostics.errors import RateLimited, TooBusy

__all__ = ["ConcurrencyLimiter", "RateLimited", "RateLimiter", "TooBusy"]


class RateLimiter:
    """At most ``max_requests`` per user within any ``window_seconds``."""

    def __init__(
        self,
        max_requests: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_requests = max_requests
        self.window_seconds = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, user: str) -> None:
        """Count one request by ``user``, or raise :class:`RateLimited` without counting it."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(user, deque())
            while hits and now - hits[0] >= self.window_seconds:
                hits.popleft()
            if len(hits) >= self.max_requests:
                wait = math.ceil(self.window_seconds - (now - hits[0]))
                raise RateLimited(
                    f"You have asked for {self.max_requests} diagnostics in the last "
                    f"{self.window_seconds:g} seconds; please wait {wait} s and try again.",
                    retry_after=wait,
                )
            hits.append(now)
            self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        if len(self._hits) > 1000:
            idle = [u for u, h in self._hits.items() if not h or now - h[-1] >= self.window_seconds]
            for user in idle:
                del self._hits[user]


class ConcurrencyLimiter:
    """At most ``max_concurrent`` checks at a time; the next one is refused, not queued.

    Refusing instead of queueing keeps a click from hanging for minutes behind
    slow checks; the person is told to try again shortly.
    """

    def __init__(self, max_concurrent: int) -> None:
        self.max_concurrent = max_concurrent
        self._slots = threading.BoundedSemaphore(max_concurrent)

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            raise TooBusy(
                f"{self.max_concurrent} diagnostics are already running; "
                "please try again in a minute."
            )
        try:
            yield
        finally:
            self._slots.release()
