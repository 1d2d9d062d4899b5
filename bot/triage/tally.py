"""How many alerts were triaged per day, in the shared store: the admins' "alerts triaged".

A counter per UTC day (kept 32 days) that every replica adds to; the
webhook dispatcher's triager is wrapped so each triage counts once, and
App Home and ``acrbot report`` read the sum of the days asked for.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Protocol

from bot.storage import Storage, StorageUnavailable

KEY = "alerts-triaged:"
KEEP = 32 * 86400.0


class _Triager(Protocol):
    def triage(self, alert: Any) -> Any: ...


class TalliedTriager:
    """``triager`` that also counts each triage in ``store`` (an outage loses the count only)."""

    def __init__(self, triager: _Triager, store: Storage) -> None:
        self._triager = triager
        self._store = store

    def triage(self, alert: Any) -> Any:
        result = self._triager.triage(alert)
        with contextlib.suppress(StorageUnavailable):
            self._store.incr(KEY + _day(time.time()), KEEP)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._triager, name)


def triaged_since(store: Storage, days: int, now: float | None = None) -> int:
    now = time.time() if now is None else now
    return sum(store.count(KEY + _day(now - d * 86400)) for d in range(days))


def _day(moment: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(moment))
