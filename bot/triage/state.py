"""The narrow view of shared state the alert policy needs, and its one atomic update.

:class:`AlertStore` is every call :class:`~bot.triage.policy.AlertPolicy`
makes: claims with a lifetime, sliding-window hits, small JSON records and
their compare-and-replace. :class:`bot.storage.Storage` provides all of
them, so the policy runs on the one shared store the rest of acrbot uses
(SQLite in the state directory, or Redis), built once in
:func:`bot.services.build_services`: a restarted process still knows which
message a Resolved alert must update, and replicas sharing Redis agree.

A storm's count and state, and where one alert's message went, are each one
record changed only through :func:`update`: two replicas handling firings
of one storm at the same moment both count, and neither overwrites the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from bot.storage.base import WindowHit

Record = dict[str, Any]
MAX_ATTEMPTS = 50  # compare-and-replace rounds before giving up: only under absurd contention


class AlertStore(Protocol):
    def claim(self, key: str, ttl: float) -> bool:
        """True for exactly one caller per key until the key expires."""

    def hit(self, key: str, limit: int, window: float, now: float | None = None) -> WindowHit:
        """Count one hit unless ``limit`` already fall inside ``window`` seconds."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The record under ``key``, or ``None`` when absent or expired."""

    def put(self, key: str, record: Mapping[str, Any], ttl: float) -> None:
        """Store a record (JSON-serialisable) for ``ttl`` seconds."""

    def replace_if(
        self, key: str, expected: Mapping[str, Any] | None, record: Mapping[str, Any], ttl: float
    ) -> bool:
        """Put ``record`` only if the record under ``key`` still equals ``expected``."""


class Contention(Exception):
    """A record kept changing under :func:`update`; the caller retries the whole alert later."""


def update(
    store: AlertStore, key: str, ttl: float, change: Callable[[Record | None], Record | None]
) -> tuple[Record | None, Record | None]:
    """Apply ``change`` to the record under ``key`` atomically; (before, after).

    ``change`` gets the current record (``None`` when absent) and returns the
    new one, or ``None`` to leave it as it is. It may run more than once
    (another writer got in first), so it must not have side effects.
    """
    for _ in range(MAX_ATTEMPTS):
        before = store.get(key)
        after = change(dict(before) if before is not None else None)
        if after is None or store.replace_if(key, before, after, ttl):
            return before, after if after is not None else before
    raise Contention(key)
