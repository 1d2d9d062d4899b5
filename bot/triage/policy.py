"""What to show for each alert, so that storms stay one message and nothing is lost.

A storm is the same rule on the same target firing again within
``coalesce_seconds`` of the last firing: the first firing is posted, later
ones update that message's count, and at most one of them a minute goes into
its thread. A Resolved alert finds the message its Fired one produced; in a
storm, the message is marked resolved once every firing in it has resolved
(until then each Resolved is a thread reply saying how many still fire).

An incident (a health event: :func:`incident_of`) is a storm of its own events:
each update is a firing counted into the incident's message however long after
the last one it comes, the recovery (another event) resolves that message whole
and closes the storm, and a re-activation after it is a new message.

Every decision is a compare-and-replace of one record in the shared store
(:func:`~bot.triage.state.update`), so replicas handling one storm at the
same moment agree:

- ``alert:<identity>`` says where one firing's message is: being posted
  (under a lease), posted, part of a storm, or already resolved (a Resolved
  that arrived before its Fired: the Fired then only completes that note);
- ``storm:<key>`` points at the storm now open, and
  ``storm-state:<key>:<opened>`` holds its count of firings and resolutions
  and its message, or the lease of whoever is posting it. A post that fails
  gives the lease back (:meth:`AlertPolicy.failed`), so the next firing (or
  the retry of this one) posts the storm instead of counting into nothing.

The policy decides and remembers; the caller (the dispatcher) posts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.triage.model import Alert, State
from bot.triage.state import AlertStore, Record, update

DELIVERY_TTL = 7 * 86400.0  # longer than any retry or repeat_interval worth de-duplicating
MESSAGE_TTL = 30 * 86400.0  # a Resolved alert can still find its Fired message for this long
SHOWN = "shown"  # in an alert's record: the states (fired, resolved) whose delivery was shown
POST_LEASE = 60.0  # seconds a post may take (Slack's retries included) before another may try
WAIT = 5.0  # seconds before a Resolved whose Fired is being posted is tried again


class Action(StrEnum):
    POST = "post"  # a new message
    DUPLICATE = "duplicate"  # already handled: do nothing
    COALESCE = "coalesce"  # part of a storm: update the storm's message (and maybe its thread)
    RESOLVE = "resolve"  # mark the Fired message resolved (or post a short note if unknown)
    LATE = "late"  # a Fired after its Resolved: complete the Resolved note, post nothing new
    WAIT = "wait"  # its Fired is being posted right now: try again in a few seconds


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
    storm: str | None = None  # the storm (``<key>:<opened>``) this firing was counted in
    resolved_at: str | None = None  # LATE: when the alert resolved
    digest: str | None = None  # RESOLVE: the channel whose digest lists this alert


class AlertPolicy:
    def __init__(
        self,
        store: AlertStore,
        *,
        coalesce_seconds: float = 600.0,
        thread_interval: float = 60.0,
        post_lease: float = POST_LEASE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.post_lease = post_lease
        self.coalesce_seconds = float(coalesce_seconds)
        self.thread_interval = float(thread_interval)
        self._clock = clock

    def decide(self, alert: Alert, counted: str | None = None) -> Decision:
        """What to do with this alert now.

        ``counted`` is the ``storm`` of an earlier decision for this same
        delivery whose post failed: it is not counted twice.
        """
        if alert.state == State.RESOLVED:
            return self._resolve(alert)
        late, counted = self._claim_firing(alert, counted)
        if late is not None:
            return late
        if not alert.storm_key or (self.coalesce_seconds <= 0 and not incident_of(alert)):
            return Decision(Action.POST)
        return self._storm(alert, alert.storm_key, counted)

    # --- firing ---------------------------------------------------------------

    def _claim_firing(
        self, alert: Alert, counted: str | None
    ) -> tuple[Decision | None, str | None]:
        """Mark this firing as being posted; a Decision when it must not be posted.

        Also the storm it was already counted in, if any (a retry, or the
        sender's re-send of a firing whose storm post failed).
        """
        if not alert.identity:
            return None, counted
        now, verdict = self._clock(), None

        def change(record: Record | None) -> Record | None:
            nonlocal verdict, counted
            record = record or {}
            state, verdict = record.get("state"), None
            if state == "resolved":
                verdict = Decision(
                    Action.LATE, message=_posted(record), resolved_at=record.get("resolved_at")
                )
                return None
            if state == "posting" and float(record.get("lease", 0)) > now:
                verdict = Decision(Action.WAIT)  # an attempt that stalled or died: its lease ends
                return None
            if state == "storm":
                counted = str(record.get("storm"))  # counted once; _storm decides what to show
                return None
            if state in ("posted", "folded"):
                verdict = Decision(Action.DUPLICATE)  # this very firing is already shown
                return None
            return {"state": "posting", "lease": now + self.post_lease}

        self._update_alert(alert, change)
        return verdict, counted

    def _storm(self, alert: Alert, key: str, counted: str | None) -> Decision:
        now = self._clock()
        window = self._storm_ttl() if incident_of(alert) else self.coalesce_seconds
        opened = counted.rsplit(":", 1)[1] if counted else self._open(key, now, window)
        storm = f"{key}:{opened}"
        holder = alert.delivery_key or alert.identity or ""
        lead = mine = False

        def change(record: Record | None) -> Record:
            nonlocal lead, mine
            state = dict(record or {"fired": 0, "resolved": 0})
            mine = state.get("holder") == holder and not _posted(state)
            if not counted:
                state["fired"] = int(state.get("fired", 0)) + 1
            lead = (
                not _posted(state)
                and not state.get("digest")
                and float(state.get("lease", 0)) <= now
            )
            if lead:
                state["lease"], state["holder"] = now + self.post_lease, holder
            return state

        _, state = update(self._store, f"storm-state:{storm}", self._storm_ttl(), change)
        if alert.identity:
            self._put_alert(alert, {"state": "storm", "storm": storm})
        count = int((state or {}).get("fired", 1))
        if lead:
            return Decision(Action.POST, count=count, storm=storm)
        if counted and mine and not state.get("digest"):
            return Decision(Action.WAIT)  # this firing's own earlier attempt stalled or died
        if counted:
            return Decision(Action.DUPLICATE)  # counted before: the storm's message shows it
        message = _posted(state or {})
        thread = message is not None and self._store.claim(
            f"storm-thread:{key}", self.thread_interval
        )
        return Decision(
            Action.COALESCE, message=message, count=count, thread_update=thread, storm=storm
        )

    def _open(self, key: str, now: float, window: float) -> str:
        """The storm now open on ``key`` (opening one if the last firing is ``window`` old)."""

        def change(record: Record | None) -> Record:
            if record is None or now - float(record.get("last", 0)) >= window:
                return {"opened": f"{now:.6f}", "last": now}
            return {**record, "last": max(now, float(record.get("last", 0)))}

        _, record = update(self._store, f"storm:{key}", self._storm_ttl(), change)
        return str((record or {}).get("opened"))

    def posted(self, alert: Alert, message: Posted, decision: Decision | None = None) -> int:
        """Remember where the message for a POSTed alert went.

        Returns the storm's count now: more than ``decision.count`` when other
        firings arrived while it was being posted (the caller shows it).
        """
        where: Record = {"channel": message.channel, "ts": message.ts}
        count = decision.count if decision else 1
        if decision is not None and decision.storm:
            _, state = update(
                self._store,
                f"storm-state:{decision.storm}",
                self._storm_ttl(),
                lambda r: {**(r or {"fired": 1, "resolved": 0}), **where, "lease": 0},
            )
            count = int((state or {}).get("fired", count))
        elif alert.identity:
            self._put_alert(alert, {"state": "posted", **where})
        return count

    def folded(self, alert: Alert, decision: Decision, channel: str) -> None:
        """A POST went into ``channel``'s digest (its posting budget was spent)."""
        if decision.storm:
            update(
                self._store,
                f"storm-state:{decision.storm}",
                self._storm_ttl(),
                lambda r: {**(r or {"fired": 1, "resolved": 0}), "digest": channel, "lease": 0},
            )
        elif alert.identity:
            self._put_alert(alert, {"state": "folded", "digest": channel})

    def storm_count(self, storm: str) -> int:
        """Firings counted in the storm ``<key>:<opened>`` so far."""
        return int((self._store.get(f"storm-state:{storm}") or {}).get("fired", 0))

    def failed(self, alert: Alert, decision: Decision) -> None:
        """A POST did not reach Slack: give its lease back so a retry or the next firing posts."""
        if decision.storm:
            holder = alert.delivery_key or alert.identity or ""

            def release(record: Record | None) -> Record | None:
                if record is None or record.get("holder") != holder or _posted(record):
                    return None
                return {**record, "lease": 0}

            update(self._store, f"storm-state:{decision.storm}", self._storm_ttl(), release)
        elif alert.identity:
            self._update_alert(
                alert, lambda r: {**r, "lease": 0} if r and r.get("state") == "posting" else None
            )

    # --- resolving --------------------------------------------------------------

    def _resolve(self, alert: Alert) -> Decision:
        if not alert.identity:
            return Decision(Action.RESOLVE)
        record = self._store.get(self._alert_key(alert)) or {}
        if record.get("state") == "storm":
            return self._resolve_in_storm(alert, str(record.get("storm")))
        if not record.get("state") and alert.storm_key and incident_of(alert):
            ended = self._resolve_incident(alert, alert.storm_key)
            if ended is not None:
                return ended
        now, outcome = self._clock(), Decision(Action.RESOLVE)

        def change(record: Record | None) -> Record | None:
            nonlocal outcome
            record = record or {}
            state = record.get("state")
            if state == "posting" and float(record.get("lease", 0)) > now:
                outcome = Decision(Action.WAIT)
                return None
            if state == "resolved" and record.get("note") != "pending":
                outcome = Decision(Action.DUPLICATE)
                return None
            if state == "folded":
                outcome = Decision(Action.RESOLVE, digest=str(record.get("digest")))
                return {**record, "state": "resolved", "resolved_at": alert.resolved_at}
            outcome = Decision(Action.RESOLVE, message=_posted(record))
            note = "pending" if outcome.message is None else "none"
            return {**record, "state": "resolved", "resolved_at": alert.resolved_at, "note": note}

        self._update_alert(alert, change)
        return outcome

    def _resolve_in_storm(self, alert: Alert, storm: str) -> Decision:
        now, waiting = self._clock(), False

        def change(record: Record | None) -> Record | None:
            nonlocal waiting
            if record is None:
                return None
            waiting = not _posted(record) and float(record.get("lease", 0)) > now
            if waiting:
                return None
            return {**record, "resolved": int(record.get("resolved", 0)) + 1}

        _, state = update(self._store, f"storm-state:{storm}", self._storm_ttl(), change)
        if waiting:
            return Decision(Action.WAIT)
        self._put_alert(
            alert, {"state": "resolved", "storm": storm, "resolved_at": alert.resolved_at}
        )
        state = state or {}
        still_firing = max(0, int(state.get("fired", 0)) - int(state.get("resolved", 0)))
        digest = state.get("digest") if not _posted(state) else None
        return Decision(
            Action.RESOLVE,
            message=_posted(state),
            still_firing=still_firing,
            digest=str(digest) if digest else None,
        )

    def _resolve_incident(self, alert: Alert, key: str) -> Decision | None:
        """An incident's recovery: its storm's message is resolved whole and the storm closed.

        None when no storm of the incident is known (the recovery is then a note).
        """
        opened = (self._store.get(f"storm:{key}") or {}).get("opened")
        if opened is None:
            return None
        storm, now, outcome = f"{key}:{opened}", self._clock(), "resolve"

        def change(record: Record | None) -> Record | None:
            nonlocal outcome
            if record is None:
                outcome = "unknown"
                return None
            if record.get("closed"):
                outcome = "duplicate"  # another recovery event of the same incident
                return None
            if not _posted(record) and float(record.get("lease", 0)) > now:
                outcome = "wait"
                return None
            fired = int(record.get("fired", 0))
            return {**record, "resolved": max(fired, int(record.get("resolved", 0))), "closed": 1}

        _, state = update(self._store, f"storm-state:{storm}", self._storm_ttl(), change)
        if outcome == "unknown":
            return None
        if outcome == "wait":
            return Decision(Action.WAIT)
        self._put_alert(
            alert, {"state": "resolved", "storm": storm, "resolved_at": alert.resolved_at}
        )
        if outcome == "duplicate":
            return Decision(Action.DUPLICATE)
        # Closed: the incident's next event opens a new storm (a re-activation is a new message).
        update(
            self._store,
            f"storm:{key}",
            self._storm_ttl(),
            lambda r: {**r, "last": 0.0} if r and r.get("opened") == opened else None,
        )
        state = state or {}
        digest = state.get("digest") if not _posted(state) else None
        return Decision(
            Action.RESOLVE,
            message=_posted(state),
            still_firing=0,
            digest=str(digest) if digest else None,
        )

    def noted(self, alert: Alert, message: Posted) -> None:
        """Where the "resolved (I had not seen it fire)" note went: a late Fired completes it."""
        if alert.identity:
            self._put_alert(
                alert,
                {
                    "state": "resolved",
                    "resolved_at": alert.resolved_at,
                    "note": "posted",
                    "channel": message.channel,
                    "ts": message.ts,
                },
            )

    def delivered(self, alert: Alert) -> bool:
        """Whether this delivery was already shown (a sender's retry or a re-sent group)."""
        return self.delivered_among([alert])[0]

    def delivered_among(self, alerts: Sequence[Alert]) -> list[bool]:
        """:meth:`delivered` for each of a delivery's alerts, read from the store at once."""
        keys = [self._delivery_record(alert) for alert in alerts]
        wanted = [key for key in keys if key is not None]
        return self._shown(alerts, keys, self._store.get_many(wanted))

    async def delivered_among_async(self, alerts: Sequence[Alert]) -> list[bool]:
        """:meth:`delivered_among`, its read awaited (the webhook, on the event loop)."""
        keys = [self._delivery_record(alert) for alert in alerts]
        wanted = [key for key in keys if key is not None]
        return self._shown(alerts, keys, await self._store.get_many_async(wanted))

    @staticmethod
    def _shown(
        alerts: Sequence[Alert], keys: Sequence[str | None], found: Sequence[Record | None]
    ) -> list[bool]:
        records = dict(zip([key for key in keys if key is not None], found, strict=True))
        shown = []
        for alert, key in zip(alerts, keys, strict=True):
            record = records.get(key) if key is not None else None
            if alert.identity:  # said in the alert's own record: no key per delivery (B15)
                shown.append(str(alert.state) in (record or {}).get(SHOWN, ()))
            else:
                shown.append(record is not None)
        return shown

    def _delivery_record(self, alert: Alert) -> str | None:
        """Where whether this delivery was shown is kept; None for an alert without keys."""
        if alert.identity:
            return self._alert_key(alert)
        return _done(alert) if alert.delivery_key else None

    def finished(self, alert: Alert) -> None:
        """This delivery is shown: a retry of it within ``DELIVERY_TTL`` is a duplicate.

        Once its Resolved is shown the record has done its job (finding the
        Fired message): it is kept only as long as re-sends are de-duplicated.
        """
        if alert.identity:
            state = str(alert.state)
            ttl = DELIVERY_TTL if alert.state == State.RESOLVED else MESSAGE_TTL
            update(
                self._store,
                self._alert_key(alert),
                ttl,
                lambda r: {**(r or {}), SHOWN: sorted({*(r or {}).get(SHOWN, ()), state})},
            )
        elif alert.delivery_key:
            self._store.put(_done(alert), {}, DELIVERY_TTL)

    def _put_alert(self, alert: Alert, record: Record) -> None:
        """Replace the alert's record, keeping which of its deliveries were shown."""
        self._update_alert(alert, lambda _old: record)

    def _update_alert(self, alert: Alert, change: Callable[[Record | None], Record | None]) -> None:
        def keeping_shown(old: Record | None) -> Record | None:
            new = change(old)
            if new is None or not old or SHOWN not in old:
                return new
            return {**new, SHOWN: old[SHOWN]}

        update(self._store, self._alert_key(alert), MESSAGE_TTL, keeping_shown)

    @staticmethod
    def _alert_key(alert: Alert) -> str:
        return f"alert:{alert.identity}"

    def _storm_ttl(self) -> float:
        return max(self.coalesce_seconds * 2, 86400.0)


def incident_of(alert: Alert) -> bool:
    """Whether the alert is one event of an incident: its identity is its storm key and the
    event's own ID (the Azure Monitor reader's health events), so its storm is the incident."""
    key, identity = alert.storm_key, alert.identity
    return bool(key and identity and identity.startswith(f"{key}:"))


def _done(alert: Alert) -> str:
    return f"delivered:{alert.delivery_key}"


def _posted(record: Record) -> Posted | None:
    channel, ts = record.get("channel"), record.get("ts")
    if isinstance(channel, str) and isinstance(ts, str) and channel and ts:
        return Posted(channel, ts)
    return None
