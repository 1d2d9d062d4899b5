"""After the webhook has answered: take each queued alert, apply the policy, tell the notifier.

The notifier is whatever shows alerts to people (the Slack layer); this
module only decides what it is asked to do: post a new message, update a
storm's count (and now and then reply in its thread), or mark a message
resolved. :meth:`AlertDispatcher.submit` puts a delivery's alerts in the
shared work queue (:mod:`bot.triage.outbox`) before the webhook answers; a
few worker threads per process take items from it, so any replica may show
an alert another one accepted.

An item leaves the queue only once it is shown. A notifier failure (Slack's
429, a 5xx, a timeout, anything) puts it back: after Slack's ``Retry-After``
or an exponential backoff, for up to ``MAX_ATTEMPTS`` attempts, and the
policy gives back any lease the attempt held, so a storm whose first post
failed is posted by the retry or by its next firing. An error anywhere else
in handling an alert (a bug it trips on) is retried and given up the same way,
counted as undelivered, so no item comes back at every lease for good.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import replace
from typing import Any

from bot import metrics
from bot.storage.base import StorageUnavailable, WorkQueue
from bot.triage import outbox
from bot.triage.digest import entry as digest_entry
from bot.triage.model import Alert, State, Triage
from bot.triage.notifier import DeliveryFailed, Notifier
from bot.triage.overflow import Overflow
from bot.triage.policy import WAIT, Action, AlertPolicy, Decision, Posted
from bot.triage.state import Contention
from bot.triage.triager import Triager
from bot.triage.webhook import LeftOut, QueueFull

log = logging.getLogger(__name__)

LEASE = 120.0  # seconds one worker has an item before another may take it (a post takes < 30)
MAX_ATTEMPTS = 20  # with BACKOFF doubling to MAX_BACKOFF: about an hour of retries
BACKOFF = 2.0  # seconds before the first retry when Slack gave no Retry-After; doubles each time
MAX_BACKOFF = 300.0
MAX_BACKLOG = 20_000  # queued alerts beyond which a delivery is answered 503
POLL = 1.0  # seconds between looks at the shared queue when nothing woke the worker


class Undelivered(Exception):
    """An attempt failed after its decision was taken: the retry reuses the decision."""

    def __init__(self, decision: Decision, cause: Exception) -> None:
        super().__init__(str(cause))
        self.decision = decision
        self.cause = cause


class AlertDispatcher:
    def __init__(
        self,
        triager: Triager,
        policy: AlertPolicy,
        notifier: Notifier,
        queue: WorkQueue,
        *,
        overflow: Overflow | None = None,
        workers: int = 2,
        lease: float = LEASE,
        poll: float = POLL,
        backoff: float = BACKOFF,
    ) -> None:
        self.triager = triager
        self.policy = policy
        self.notifier = notifier
        self.queue = queue
        self.overflow = overflow
        self.lease = lease
        self._workers = max(1, workers)
        self._poll = poll
        self._backoff = backoff
        self._wake = threading.Event()
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._started = False
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()

    def note_left_out(self, missing: LeftOut) -> None:
        """Queue the note that a delivery's alerts were left out (the intake calls this)."""
        if self.overflow is not None:
            self.overflow.queue_note(missing)
            self._wake.set()

    def submit(self, routed: list[tuple[Alert, str]]) -> None:
        """Queue a delivery's alerts in the shared store before the webhook answers.

        Raises :class:`StorageUnavailable` when the store cannot take them and
        :class:`QueueFull` when too many are waiting: the webhook answers 503.
        """
        self._start()
        if self.queue.pending() + len(routed) > MAX_BACKLOG:
            raise QueueFull
        shown = self.policy.delivered_among([alert for alert, _ in routed])
        self.queue.add_many(_new_items(routed, shown), outbox.ITEM_TTL)  # one write, not one each
        self._wake.set()

    async def submit_async(self, routed: list[tuple[Alert, str]]) -> None:
        """:meth:`submit` with its three reads and writes awaited (the webhook, on the loop)."""
        self._start()
        if await self.queue.pending_async() + len(routed) > MAX_BACKLOG:
            raise QueueFull
        shown = await self.policy.delivered_among_async([alert for alert, _ in routed])
        await self.queue.add_many_async(_new_items(routed, shown), outbox.ITEM_TTL)
        self._wake.set()

    def handle(self, alert: Alert, channel: str, previous: Decision | None = None) -> Decision:
        """Decide and notify for one alert, here and now; :class:`Undelivered` on failure."""
        if previous is not None and previous.action != Action.POST:
            decision = previous  # counted already: only show it
        else:
            decision = self.policy.decide(alert, previous.storm if previous else None)
        if decision.action in (Action.DUPLICATE, Action.WAIT):
            return decision
        if previous is None:  # counted once, on its first decision: a retry keeps it
            metrics.alert_triaged(alert.source, alert.state)
        try:  # once decided, any failure gives the decision's lease back, and keeps the decision
            triage = self.triager.triage(alert)
            self._notify(alert, channel, triage, decision)
        except Exception as exc:
            if decision.action == Action.POST:
                with contextlib.suppress(Exception):  # else its lease runs out: the same
                    self.policy.failed(alert, decision)
            raise Undelivered(decision, exc) from exc  # the retry keeps this decision
        return decision

    def _notify(self, alert: Alert, channel: str, triage: Triage, decision: Decision) -> None:
        if decision.action == Action.POST:
            if not self._budget(channel):
                self.policy.folded(alert, decision, channel)
                self._fold(channel, triage)
                return
            posted = self.notifier.post(channel, triage, decision.count)
            self.policy.posted(alert, posted, decision)
            self._catch_up(posted, triage, decision)
        elif decision.action == Action.COALESCE:
            if decision.message is not None:
                thread = decision.thread_update and self._budget(decision.message.channel)
                self.notifier.storm(decision.message, triage, decision.count, thread)
                self._catch_up(decision.message, triage, decision)
        elif decision.action == Action.RESOLVE:
            self._resolved(alert, channel, triage, decision)
        elif decision.action == Action.LATE:
            resolved = _as_resolved(triage, decision.resolved_at)
            if decision.message is None and not self._budget(channel):
                self._fold(channel, resolved)
                return
            shown = self.notifier.late(decision.message, channel, resolved)
            if shown is not None:
                self.policy.noted(resolved.alert, shown)

    def _resolved(self, alert: Alert, channel: str, triage: Triage, decision: Decision) -> None:
        if decision.digest:  # it was folded into a digest: the digest says it resolved
            if not decision.still_firing:
                self._fold(decision.digest, triage)
            return
        if decision.message is None and not self._budget(channel):
            self._fold(channel, triage)
            return
        reply = decision.message is None or self._budget(decision.message.channel)
        if decision.still_firing and not reply:
            return
        note = self.notifier.resolved(
            decision.message, channel, triage, decision.still_firing, reply=reply
        )
        if note is not None:
            self.policy.noted(alert, note)

    def _budget(self, channel: str) -> bool:
        return self.overflow is None or self.overflow.allow(channel)

    def _fold(self, channel: str, triage: Triage) -> None:
        assert self.overflow is not None
        self.overflow.fold(channel, digest_entry(triage))

    def _catch_up(self, message: Posted, triage: Triage, decision: Decision) -> None:
        """Show the storm's latest count: firings handled meanwhile may have shown an older one.

        Whoever shows a count reads the count again afterwards, so the last
        update Slack gets is never behind the last firing.
        """
        shown = decision.count
        for _ in range(5):
            latest = self.policy.storm_count(decision.storm) if decision.storm else shown
            if latest <= shown:
                return
            self.notifier.storm(message, triage, latest, False)
            shown = latest

    def run_once(self, limit: int = 1) -> int:
        """Take and handle up to ``limit`` due items (the workers call this); how many."""
        items = self.queue.take(self.lease, limit)
        for name, record in items:
            with self._busy_lock:
                self._busy += 1
            try:
                self._process(name, record)
            finally:
                with self._busy_lock:
                    self._busy -= 1
        return len(items)

    def _process(self, name: str, record: dict[str, Any]) -> None:
        if record.get("kind") in ("digest", "left_out"):
            if self.overflow is None:
                self.queue.done(name)
            elif record["kind"] == "digest":
                self.overflow.flush(name, record)
            else:
                self.overflow.note(name, record)
            return
        try:
            alert, channel = outbox.from_item(record)
        except (KeyError, TypeError, ValueError) as exc:  # written by another version
            log.error("alerts: dropped an unreadable queued item (%s)", type(exc).__name__)
            self.queue.done(name)
            return
        attempts = int(record.get("attempts", 0))
        previous = outbox.decision_from(record.get("decision"))
        try:
            if previous is None and self.policy.delivered(alert):
                self.queue.done(name)
                return
            decision = self.handle(alert, channel, previous)
        except Undelivered as failed:
            self._retry(name, record, alert, attempts, failed.cause, failed.decision)
            return
        except (StorageUnavailable, Contention) as exc:
            self._retry(name, record, alert, attempts, exc, previous)
            return
        except Exception as exc:  # a bug, or an alert it trips on: retried, then given up, counted
            log.error("alerts: handling a %s alert failed: %s", alert.source,
                      type(exc).__name__, exc_info=exc)  # fmt: skip
            self._retry(name, record, alert, attempts, exc, previous)
            return
        if decision.action == Action.WAIT:
            self.queue.retry(name, WAIT, record)
            return
        try:
            self.policy.finished(alert)
        except Exception as exc:  # shown already: a retry would show it again
            log.error("alerts: a %s alert was shown but its record failed: %s", alert.source,
                      type(exc).__name__, exc_info=exc)  # fmt: skip
        self.queue.done(name)
        if attempts:
            log.info("alerts: %s alert shown after %d failed attempt(s)", alert.source, attempts)

    def _retry(
        self,
        name: str,
        record: dict[str, Any],
        alert: Alert,
        attempts: int,
        cause: Exception,
        decision: Decision | None,
    ) -> None:
        attempts += 1
        reason = cause.reason if isinstance(cause, DeliveryFailed) else type(cause).__name__
        if attempts >= MAX_ATTEMPTS:
            log.error(
                "alerts: gave up on a %s alert for %s after %d attempts (last: %s)",
                alert.source, record.get("channel"), attempts, reason,
            )  # fmt: skip
            metrics.alert_undelivered(str(alert.source), "gave_up")
            self.queue.done(name)
            return
        advice = cause.retry_after if isinstance(cause, DeliveryFailed) else None
        backoff = min(MAX_BACKOFF, self._backoff * 2 ** (attempts - 1))
        delay = advice if advice is not None else backoff
        log.warning(
            "alerts: could not show a %s alert in %s (%s); attempt %d, retrying in %.0f s",
            alert.source, record.get("channel"), reason, attempts, delay,
        )  # fmt: skip
        metrics.alert_undelivered(str(alert.source), "retried")
        kept = {**record, "attempts": attempts}
        if decision is not None:
            kept["decision"] = outbox.decision_record(decision)
        with contextlib.suppress(StorageUnavailable):  # else its lease runs out: back as it was
            self.queue.retry(name, delay, kept)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the queue is empty and no item is being handled (tests, shutdown)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                if self.queue.pending() == 0 and self._busy == 0:
                    return True
            except StorageUnavailable:
                pass
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            for number in range(self._workers):
                worker = threading.Thread(
                    target=self._work, name=f"acrbot-alerts-{number}", daemon=True
                )
                worker.start()
                self._threads.append(worker)
            self._started = True

    def start(self) -> None:
        """Start the workers now (a replica takes items others accepted)."""
        self._start()

    def drain(self, timeout: float) -> None:
        """Shutting down: handle what is due for up to ``timeout`` seconds, then stop.

        Items waiting for a retry stay in the shared store for another
        replica (or this one after its restart).
        """
        deadline = time.monotonic() + timeout
        self.stop(0)
        with contextlib.suppress(StorageUnavailable):
            while time.monotonic() < deadline and self.run_once():
                pass

    def stop(self, timeout: float = 5.0) -> None:
        """Let the workers finish the item in hand and exit; queued items stay in the store."""
        self._stopping.set()
        self._wake.set()
        for worker in self._threads:
            worker.join(timeout)

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                if self.run_once():
                    continue
            except StorageUnavailable:
                pass  # the store logs its outage; items wait in it
            except Exception as exc:  # a bug must not stop the worker
                log.error("alerts: worker error: %s", type(exc).__name__, exc_info=exc)
            self._wake.wait(self._poll)
            self._wake.clear()


def _as_resolved(triage: Triage, resolved_at: str | None) -> Triage:
    alert = replace(triage.alert, state=State.RESOLVED, resolved_at=resolved_at)
    return replace(triage, alert=alert)


def _new_items(
    routed: list[tuple[Alert, str]], shown: list[bool]
) -> list[tuple[str, dict[str, Any]]]:
    """The queue items of a delivery's alerts not shown already."""
    return [
        (outbox.item_id(alert), outbox.to_item(alert, channel))
        for (alert, channel), done in zip(routed, shown, strict=True)
        if not done
    ]
