"""After the webhook has answered: triage each alert, apply the policy, tell the notifier.

The notifier is whatever shows alerts to people (the Slack layer); this
module only decides what it is asked to do: post a new message, update a
storm's count (and now and then reply in its thread), or mark a message
resolved. Work runs on a few background threads fed by bounded queues, so
the webhook answers at once and a burst of deliveries cannot pile up
without limit. Alerts of one storm (or one alert's Fired and Resolved) always
go to the same thread, in order: a storm's later firings then find the
message its first one posted.
"""

from __future__ import annotations

import logging
import queue
import threading
import zlib
from typing import Protocol

from bot import metrics
from bot.triage.model import Alert, Triage
from bot.triage.policy import Action, AlertPolicy, Decision, Posted
from bot.triage.triager import Triager
from bot.triage.webhook import QueueFull

log = logging.getLogger(__name__)


class Notifier(Protocol):
    def post(self, channel: str, triage: Triage) -> Posted | None:
        """Post a new alert message; where it went, or ``None`` if it could not be posted."""

    def storm(self, message: Posted, triage: Triage, count: int, thread: bool) -> None:
        """Show ``count`` firings on the storm's message; reply in its thread if ``thread``."""

    def resolved(
        self, message: Posted | None, channel: str, triage: Triage, still_firing: int = 0
    ) -> None:
        """Mark ``message`` resolved and reply in its thread; a short note if it is unknown.

        ``still_firing`` > 0 (a storm's other firings): only the thread reply.
        """


class AlertDispatcher:
    def __init__(
        self,
        triager: Triager,
        policy: AlertPolicy,
        notifier: Notifier,
        *,
        workers: int = 2,
        queue_size: int = 1000,
    ) -> None:
        self.triager = triager
        self.policy = policy
        self.notifier = notifier
        self._queues: list[queue.Queue[tuple[Alert, str]]] = [
            queue.Queue(max(1, queue_size // max(1, workers))) for _ in range(max(1, workers))
        ]
        self._started = False
        self._start_lock = threading.Lock()

    def submit(self, routed: list[tuple[Alert, str]]) -> None:
        """Queue alerts for handling; :class:`QueueFull` if there is no room for all of them."""
        self._start()
        shards = [self._shard(alert) for alert, _ in routed]
        for shard in set(shards):
            if self._queues[shard].qsize() + shards.count(shard) > self._queues[shard].maxsize:
                raise QueueFull
        try:
            for item, shard in zip(routed, shards, strict=True):
                self._queues[shard].put_nowait(item)
        except queue.Full:  # another delivery filled it meanwhile
            raise QueueFull from None

    def _shard(self, alert: Alert) -> int:
        key = alert.storm_key or alert.identity or ""
        return zlib.crc32(key.encode("utf-8", "replace")) % len(self._queues)

    def handle(self, alert: Alert, channel: str) -> Decision:
        """Decide and notify for one alert, here and now (the workers call this)."""
        decision = self.policy.decide(alert)
        if decision.action == Action.DUPLICATE:
            return decision
        triage = self.triager.triage(alert)
        metrics.alert_triaged(alert.source, alert.state)
        if decision.action == Action.POST:
            posted = self.notifier.post(channel, triage)
            if posted is not None:
                self.policy.posted(alert, posted)
        elif decision.action == Action.COALESCE:
            if decision.message is not None:
                self.notifier.storm(
                    decision.message, triage, decision.count, decision.thread_update
                )
        elif decision.action == Action.RESOLVE:
            self.notifier.resolved(decision.message, channel, triage, decision.still_firing)
        return decision

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the queue is empty (tests, graceful shutdown)."""
        done = threading.Event()

        def wait() -> None:
            for shard_queue in self._queues:
                shard_queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout)

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            for number, shard_queue in enumerate(self._queues):
                threading.Thread(
                    target=self._work,
                    args=(shard_queue,),
                    name=f"acrbot-alerts-{number}",
                    daemon=True,
                ).start()
            self._started = True

    def _work(self, shard_queue: queue.Queue[tuple[Alert, str]]) -> None:
        while True:
            alert, channel = shard_queue.get()
            try:
                self.handle(alert, channel)
            except Exception:  # one bad alert or a Slack outage must not stop the worker
                log.exception("alerts: could not deliver %s alert", alert.source)
            finally:
                shard_queue.task_done()
