"""What the dispatcher shows when there is more than a channel can take.

Two cases, both queued in the shared work queue like alerts so that a Slack
failure delays them rather than losing them:

- a channel's posting budget is spent: alerts become lines of its digest
  (:mod:`bot.triage.digest`), posted once and updated, and a *flush* item
  shows the last state after a burst;
- a delivery had alerts acrbot did not read (an Alertmanager group past
  the members read from one delivery, or truncated by Alertmanager's
  ``max_alerts``): a *note* says how many, at most once an hour per group.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import metrics
from bot.storage.base import WorkQueue
from bot.triage.digest import ChannelDigests, Digest
from bot.triage.notifier import DeliveryFailed, Notifier
from bot.triage.state import AlertStore
from bot.triage.webhook import LeftOut

log = logging.getLogger(__name__)
NOTE_EVERY = 3600.0  # seconds between notes about one group's left-out alerts
NOTE_TTL = 86400.0


class Overflow:
    def __init__(
        self, store: AlertStore, queue: WorkQueue, digests: ChannelDigests, notifier: Notifier
    ) -> None:
        self._store = store
        self._queue = queue
        self.digests = digests
        self._notifier = notifier

    def allow(self, channel: str) -> bool:
        """Spend one post of the channel's budget; False when it is spent."""
        return self.digests.allow(channel)

    # --- digests --------------------------------------------------------------

    def fold(self, channel: str, line: dict[str, Any]) -> None:
        """Beyond the channel's budget: a line in its digest (shown now, or by a flush)."""
        metrics.alerts_folded()
        shown = self.digests.fold(channel, line)
        if shown is not None:
            self.show(shown)

    def show(self, shown: Digest) -> None:
        """Post or update a digest; a failure leaves a flush item to try again."""
        try:
            posted = self._notifier.digest(shown.channel, shown.ts, shown.entries, shown.total)
        except Exception as exc:
            self.digests.shown(shown, None)
            wait = exc.retry_after if isinstance(exc, DeliveryFailed) else None
            self.digests.later(shown.channel, wait or self.digests.update_every)
            log.warning("alerts: could not show the digest in %s: %s", shown.channel, exc)
            return
        self.digests.shown(shown, posted.ts)

    def flush(self, name: str, record: dict[str, Any]) -> None:
        """A flush item: show the digest's last state, or look again shortly."""
        shown, later = self.digests.to_show(str(record.get("channel")))
        if shown is not None:
            self._queue.done(name)
            self.show(shown)
        elif later:
            self._queue.retry(name, self.digests.update_every, record)
        else:
            self._queue.done(name)

    # --- left-out notes -----------------------------------------------------------

    def queue_note(self, missing: LeftOut) -> None:
        item = {
            "kind": "left_out",
            "channel": missing.channel,
            "group": missing.group,
            "past_limit": missing.past_limit,
            "truncated": missing.truncated,
            "limit": missing.limit,
        }
        self._queue.add(f"left-out:{missing.source}:{missing.group}", item, NOTE_TTL)

    def note(self, name: str, record: dict[str, Any]) -> None:
        """A note item: say how many alerts were left out (once an hour per group)."""
        channel, group = str(record["channel"]), str(record["group"])
        past, truncated = int(record["past_limit"]), int(record["truncated"])
        if not record.get("claimed") and not self._store.claim(f"left-out:{group}", NOTE_EVERY):
            self._queue.done(name)  # said within the hour; the log and metric count each one
            return
        try:  # at most one an hour per group: posted even when the channel's budget is spent
            self._notifier.left_out(channel, group, past, truncated, int(record["limit"]))
        except Exception as exc:
            wait = exc.retry_after if isinstance(exc, DeliveryFailed) else None
            self._queue.retry(name, wait or 30.0, {**record, "claimed": True})
            log.warning("alerts: could not say in %s that alerts were left out: %s", channel, exc)
            return
        self._queue.done(name)
