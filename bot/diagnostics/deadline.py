"""One time budget for a whole check, shared by all its calls (and its threads)."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.diagnostics.errors import DeadlineExceeded

__all__ = ["Deadline"]


class Deadline:
    """A total time budget shared by every call of one check."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._ends = clock() + seconds

    def remaining(self) -> float:
        return self._ends - self._clock()

    def require(self, minimum: float = 0.0) -> float:
        left = self.remaining()
        if left <= minimum:
            raise DeadlineExceeded()
        return left
