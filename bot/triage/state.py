"""The narrow view of shared state the alert policy needs.

:class:`AlertStore` is every call :class:`~bot.triage.policy.AlertPolicy`
makes: claims with a lifetime, counters with a lifetime and small JSON
records. :class:`bot.storage.Storage` provides all of them, so the policy
runs on the one shared store the rest of acrbot uses (SQLite in the state
directory, or Redis), built once in :func:`bot.services.build_services`: a
restarted process still knows which deliveries it handled and which message
a Resolved alert must update, and replicas sharing Redis agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class AlertStore(Protocol):
    def claim(self, key: str, ttl: float) -> bool:
        """True for exactly one caller per key until the key expires."""

    def incr(self, key: str, ttl: float) -> int:
        """Add one to a counter (created at 0, expiring after ``ttl``) and return it."""

    def count(self, key: str) -> int:
        """A counter's value (0 when absent or expired), without changing it."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The record under ``key``, or ``None`` when absent or expired."""

    def put(self, key: str, record: Mapping[str, Any], ttl: float) -> None:
        """Store a record (JSON-serialisable) for ``ttl`` seconds."""
