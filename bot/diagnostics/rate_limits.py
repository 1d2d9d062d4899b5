"""Back-pressure: a per-person rate limit and a cap on checks running at once.

Diagnostics call Azure with the bot's identity; one eager person or a burst
of clicks must not turn that into a flood of ARM calls or throttle the bot
for everyone. Both limits are kept in the shared store (``bot/storage``):
with Redis they hold across every replica, with SQLite across the workers of
a host, in memory within one process. They stop accidents; they are not a
security boundary — access rules are. When the shared store is down they
raise :class:`~bot.storage.StorageUnavailable` rather than let checks run
unlimited.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from bot.diagnostics.errors import RateLimited, TooBusy
from bot.storage import MemoryStorage, Storage, StorageUnavailable

SLOT_TTL = 120.0  # a slot a crashed process never released frees itself after this

__all__ = ["ConcurrencyLimiter", "RateLimited", "RateLimiter", "TooBusy"]


class RateLimiter:
    """At most ``max_requests`` per user within any ``window_seconds``."""

    def __init__(
        self,
        max_requests: int,
        window_seconds: float,
        clock: Callable[[], float] = time.time,
        store: Storage | None = None,
        name: str = "diagnostics",
    ) -> None:
        self.max_requests = max_requests
        self.window_seconds = window_seconds
        self._clock = clock  # wall time: replicas compare their clocks in a shared store
        self._store = store or MemoryStorage()
        self._key = f"ratelimit:{name}:"

    def hit(self, user: str) -> None:
        """Count one request by ``user``, or raise :class:`RateLimited` without counting it."""
        counted = self._store.hit(
            self._key + user, self.max_requests, self.window_seconds, now=self._clock()
        )
        if not counted.allowed:
            wait = counted.retry_after_seconds
            raise RateLimited(
                f"You have asked for {self.max_requests} diagnostics in the last "
                f"{self.window_seconds:g} seconds; please wait {wait} s and try again.",
                retry_after=wait,
            )


class ConcurrencyLimiter:
    """At most ``max_concurrent`` checks at a time; the next one is refused, not queued.

    Refusing instead of queueing keeps a click from hanging for minutes behind
    slow checks; the person is told to try again shortly.
    """

    def __init__(
        self,
        max_concurrent: int,
        store: Storage | None = None,
        slot_ttl: float = SLOT_TTL,
        name: str = "diagnostics",
    ) -> None:
        self.max_concurrent = max_concurrent
        self._store = store or MemoryStorage()
        self._ttl = slot_ttl
        self._key = f"concurrency:{name}:"

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of ``max_concurrent`` slots (claims ``…:0`` to ``…:n-1``) while inside."""
        first = random.randrange(self.max_concurrent)  # spread claimers over the slots
        for i in range(self.max_concurrent):
            key = f"{self._key}{(first + i) % self.max_concurrent}"
            if self._store.claim(key, self._ttl):
                break
        else:
            raise TooBusy(
                f"{self.max_concurrent} diagnostics are already running; "
                "please try again in a minute."
            )
        try:
            yield
        finally:
            # If the store went away mid-check, the slot frees itself after its TTL.
            with suppress(StorageUnavailable):
                self._store.release(key)
