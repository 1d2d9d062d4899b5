"""A per-channel posting budget, shared by every replica, and the digest beyond it.

Slack allows about one message a second in a channel and answers the rest
with 429; 3,000 distinct alerts in 80 s used to mean 2,294 posts to one
channel. Each channel therefore gets ``posts_per_minute`` new messages
(a sliding window in the shared store, so two replicas share one budget).
An alert beyond it is not dropped: it is *folded* into the channel's digest,
one message listing the folded alerts that is updated as more arrive (at
most once every ``UPDATE_EVERY`` seconds; a flush item in the work queue
shows the last state after a burst). A digest stays open for
``DIGEST_SECONDS``; the next overflow after that starts a new one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.storage.base import WorkQueue
from bot.triage.model import Triage
from bot.triage.state import AlertStore, Record, update

POSTS_PER_MINUTE = 20
DIGEST_SECONDS = 600.0
UPDATE_EVERY = 5.0  # seconds between updates of one digest message
MAX_ENTRIES = 15  # the newest folded alerts listed; the rest are counted
LEASE = 60.0


@dataclass(frozen=True)
class Digest:
    """What a channel's digest message should show now, and where it is (``ts``: posted)."""

    channel: str
    ts: str | None
    entries: list[dict[str, Any]]
    total: int
    opened: str


def entry(triage: Triage) -> dict[str, str]:
    """The facts one digest line shows (the Slack layer renders and neutralises them)."""
    alert = triage.alert
    return {
        "state": str(alert.state),
        "rule": (alert.rule or "")[:200],
        "summary": triage.summary[:300],
        "registries": ", ".join(triage.registries[:3]),
    }


def spend(store: AlertStore, channel: str, posts_per_minute: int) -> bool:
    """Spend one post of ``channel``'s budget (every replica's); False when it is spent."""
    return store.hit(f"posts:{channel}", posts_per_minute, 60.0).allowed


class ChannelDigests:
    def __init__(
        self,
        store: AlertStore,
        queue: WorkQueue,
        *,
        posts_per_minute: int = POSTS_PER_MINUTE,
        update_every: float = UPDATE_EVERY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._queue = queue
        self.posts_per_minute = posts_per_minute
        self.update_every = update_every
        self._clock = clock

    def allow(self, channel: str) -> bool:
        """Spend one post of ``channel``'s budget; False when this minute's is spent."""
        return spend(self._store, channel, self.posts_per_minute)

    def fold(self, channel: str, line: dict[str, str]) -> Digest | None:
        """Add a line to the channel's digest; the digest to show now, or None (a flush will)."""
        now = self._clock()

        def change(record: Record | None) -> Record:
            if record is None:
                record = {"opened": f"{now:.6f}", "entries": [], "total": 0}
            entries = [*record.get("entries", []), line][-MAX_ENTRIES:]
            return {**record, "entries": entries, "total": int(record.get("total", 0)) + 1}

        update(self._store, f"digest:{channel}", DIGEST_SECONDS, change)
        digest, later = self.to_show(channel)
        if later:
            self.later(channel, self.update_every)
        elif digest is not None:  # a second look, should whoever shows it now die doing so
            self.later(channel, LEASE + 1, name=f"digest-check:{channel}")
        return digest

    def later(self, channel: str, delay: float, name: str | None = None) -> None:
        """Show the digest again in ``delay`` seconds (a flush item; one per channel)."""
        item = {"kind": "digest", "channel": channel}
        self._queue.add(name or f"digest:{channel}", item, DIGEST_SECONDS, delay=delay)

    def to_show(self, channel: str) -> tuple[Digest | None, bool]:
        """(the digest if this caller should show it now, whether to look again later)."""
        now, verdict = self._clock(), "idle"

        def take(record: Record | None) -> Record | None:
            nonlocal verdict
            verdict = "idle"
            if record is None or int(record.get("total", 0)) <= int(record.get("shown", 0)):
                return None
            if float(record.get("lease", 0)) > now or (
                record.get("ts") and now - float(record.get("at", 0)) < self.update_every
            ):
                verdict = "later"
                return None
            verdict = "show"
            return {**record, "lease": now + LEASE}

        _, record = update(self._store, f"digest:{channel}", DIGEST_SECONDS, take)
        if verdict != "show" or record is None:
            return None, verdict == "later"
        digest = Digest(
            channel,
            record.get("ts"),
            list(record.get("entries", [])),
            int(record.get("total", 0)),
            str(record.get("opened")),
        )
        return digest, False

    def shown(self, digest: Digest, ts: str | None) -> None:
        """The digest was shown at ``ts``; ``None``: showing it failed (someone retries)."""
        now = self._clock()

        def done(record: Record | None) -> Record | None:
            if record is None or str(record.get("opened")) != digest.opened:
                return None
            if ts is None:
                return {**record, "lease": 0}
            return {**record, "lease": 0, "ts": ts, "at": now, "shown": digest.total}

        update(self._store, f"digest:{digest.channel}", DIGEST_SECONDS, done)
