"""What the alert dispatcher asks of whatever shows alerts to people (the Slack layer).

The notifier raises :class:`DeliveryFailed` for any failure to show an
alert; the dispatcher keeps the alert queued and tries again.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.triage.model import Triage
from bot.triage.policy import Posted


class DeliveryFailed(Exception):
    """The notifier could not show an alert; ``retry_after`` is the sender's advice, if any."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Notifier(Protocol):
    def post(self, channel: str, triage: Triage, count: int = 1) -> Posted:
        """Post a new alert message and say where it went; raises :class:`DeliveryFailed`."""

    def storm(self, message: Posted, triage: Triage, count: int, thread: bool) -> None:
        """Show ``count`` firings on the storm's message; reply in its thread if ``thread``."""

    def resolved(
        self,
        message: Posted | None,
        channel: str,
        triage: Triage,
        still_firing: int = 0,
        reply: bool = True,
    ) -> Posted | None:
        """Mark ``message`` resolved and reply in its thread; a short note if it is unknown.

        ``still_firing`` > 0 (a storm's other firings): only the thread reply.
        ``reply=False`` (the channel's budget is spent): no thread reply.
        Returns where the note went (``message`` is None), else None.
        """

    def late(self, message: Posted | None, channel: str, triage: Triage) -> Posted | None:
        """A Fired after its Resolved: show it resolved on ``message`` (or post it so)."""

    def digest(
        self, channel: str, ts: str | None, entries: list[dict[str, Any]], total: int
    ) -> Posted:
        """Post (``ts`` None) or update the channel's digest of folded alerts."""

    def left_out(
        self, channel: str, group: str, past_limit: int, truncated: int, limit: int
    ) -> None:
        """Say in ``channel`` that alerts of a delivery were not read (and how many)."""
