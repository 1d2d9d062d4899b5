"""Handle each delivery once, and never let an alert storm flood a channel.

Azure Monitor retries a webhook that was slow to answer and sometimes sends
one twice anyway; Alertmanager re-sends a whole group on every change and
every ``repeat_interval``. A delivery is therefore claimed by its key
(Azure Monitor: ``alertId`` + ``monitorCondition``; Alertmanager:
``fingerprint`` + ``startsAt`` + ``status``) and handled once.

A storm is the same rule on the same target firing again within
``coalesce_seconds`` of the last firing: the first firing is posted, later
ones update that message's count, and at most one of them a minute goes into
its thread. A Resolved alert finds the message its Fired one produced; in a
storm, the message is marked resolved once every firing in it has resolved
(until then each Resolved is a thread reply saying how many still fire).

The policy decides and remembers; the caller (the Slack layer) posts. All
state goes through :class:`~bot.triage.state.AlertStore`, the narrow view of
the shared :class:`bot.storage.Storage`, so it survives a restart and is
shared by every process (and, with Redis, every replica).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.triage.model import Alert, State
from bot.triage.state import AlertStore

DELIVERY_TTL = 7 * 86400.0  # longer than any retry or repeat_interval worth de-duplicating
MESSAGE_TTL = 30 * 86400.0  # a Resolved alert can still find its Fired message for this long


class Action(StrEnum):
    POST = "post"  # a new message
    DUPLICATE = "duplicate"  # already handled: do nothing
    COALESCE = "coalesce"  # part of a storm: update the storm's message (and maybe its thread)
    RESOLVE = "resolve"  # mark the Fired message resolved (or post a short note if unknown)


@dataclass(frozen=True)
class Posted:
    """Where a message went: enough to update it or reply in its thread."""

    channel: str
    ts: str


@dataclass(frozen=True)
class Decision:
    action: Action
    message: Posted | None = None
    count: int = 1  # firings in the storm so far, this one included
    thread_update: bool = False
    still_firing: int = 0  # RESOLVE in a storm: firings of it not resolved yet


class AlertPolicy:
    def __init__(
        self,
        store: AlertStore,
        *,
        coalesce_seconds: float = 600.0,
        thread_interval: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.coalesce_seconds = float(coalesce_seconds)
        self.thread_interval = float(thread_interval)
        self._clock = clock

    def decide(self, alert: Alert) -> Decision:
        """What to do with this delivery; claims it, so ask once per delivery."""
        if alert.delivery_key and not self._store.claim(
            f"delivery:{alert.delivery_key}", DELIVERY_TTL
        ):
            return Decision(Action.DUPLICATE)
        if alert.state == State.RESOLVED:
            return self._resolve(alert)
        if not alert.storm_key or self.coalesce_seconds <= 0:
            return Decision(Action.POST)
        return self._storm(alert, alert.storm_key)

    def _storm(self, alert: Alert, key: str) -> Decision:
        now = self._clock()
        record = self._store.get(f"storm:{key}")
        opened_gate = self._store.claim(f"storm-gate:{key}", self.coalesce_seconds)
        recent = record is not None and now - float(record.get("last", 0)) < self.coalesce_seconds
        if opened_gate and not recent:
            opened = f"{now:.6f}"
            self._store.put(f"storm:{key}", {"opened": opened, "last": now}, self._storm_ttl())
            self._store.incr(f"storm-fired:{key}:{opened}", self._storm_ttl())
            return Decision(Action.POST)
        record = record or self._store.get(f"storm:{key}") or {}
        opened = str(record.get("opened", "pending"))
        self._store.put(f"storm:{key}", {**record, "last": now}, self._storm_ttl())
        count = self._store.incr(f"storm-fired:{key}:{opened}", self._storm_ttl())
        message = _posted(record)
        if message and alert.identity:
            self._store.put(
                f"message:{alert.identity}",
                {**_as_record(message), "storm": key, "opened": opened},
                MESSAGE_TTL,
            )
        thread = message is not None and self._store.claim(
            f"storm-thread:{key}", self.thread_interval
        )
        return Decision(Action.COALESCE, message=message, count=count, thread_update=thread)

    def posted(self, alert: Alert, message: Posted) -> None:
        """Remember where the message for a POSTed alert went (for storms and Resolved)."""
        where: dict[str, str] = _as_record(message)
        if alert.storm_key and alert.state == State.FIRED and self.coalesce_seconds > 0:
            key = f"storm:{alert.storm_key}"
            record = self._store.get(key) or {"opened": "pending", "last": self._clock()}
            self._store.put(key, {**record, **where}, self._storm_ttl())
            where = {**where, "storm": alert.storm_key, "opened": str(record.get("opened"))}
        if alert.identity:
            self._store.put(f"message:{alert.identity}", where, MESSAGE_TTL)

    def _resolve(self, alert: Alert) -> Decision:
        record = self._store.get(f"message:{alert.identity}") if alert.identity else None
        record = record or {}
        still_firing = 0
        storm, opened = record.get("storm"), record.get("opened")
        if isinstance(storm, str) and isinstance(opened, str):
            fired = self._store.count(f"storm-fired:{storm}:{opened}")
            resolved = self._store.incr(f"storm-resolved:{storm}:{opened}", self._storm_ttl())
            still_firing = max(0, fired - resolved)
        return Decision(Action.RESOLVE, message=_posted(record), still_firing=still_firing)

    def _storm_ttl(self) -> float:
        return max(self.coalesce_seconds * 2, 86400.0)


def _as_record(message: Posted) -> dict[str, str]:
    return {"channel": message.channel, "ts": message.ts}


def _posted(record: dict[str, object]) -> Posted | None:
    channel, ts = record.get("channel"), record.get("ts")
    if isinstance(channel, str) and isinstance(ts, str) and channel and ts:
        return Posted(channel, ts)
    return None
