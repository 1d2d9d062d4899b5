"""The dispatcher: policy decisions turned into notifier calls, on background threads."""

from __future__ import annotations

import re
from unittest.mock import create_autospec

from bot import metrics
from bot.storage import SqliteStorage, StorageUnavailable
from bot.triage import Triager, outbox, read_azure_monitor
from bot.triage import dispatcher as dispatcher_module
from bot.triage.dispatcher import AlertDispatcher, DeliveryFailed
from bot.triage.policy import AlertPolicy, Posted
from tests.triage.conftest import fixture


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def post(self, channel, triage, count=1):
        self.calls.append(("post", channel, triage.alert.state.value))
        return Posted(channel, f"{len(self.calls)}.0")

    def storm(self, message, triage, count, thread):
        self.calls.append(("storm", message.ts, count, thread))

    def resolved(self, message, channel, triage, still_firing=0, reply=True):
        self.calls.append(("resolved", message.ts if message else None, channel, still_firing))
        return None if message else Posted(channel, f"{len(self.calls)}.0")

    def late(self, message, channel, triage):
        self.calls.append(("late", message.ts if message else None, triage.alert.state.value))
        return message


class Flaky(Recorder):
    """A notifier whose first ``failures`` posts are rate-limited by Slack."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def post(self, channel, triage, count=1):
        if self.failures:
            self.failures -= 1
            raise DeliveryFailed("ratelimited", retry_after=0.05)
        return super().post(channel, triage, count)


def alert(alert_id: str, state: str = "Fired"):
    payload = fixture("azure_metric_storage.json")
    payload["data"]["essentials"]["alertId"] = alert_id
    payload["data"]["essentials"]["monitorCondition"] = state
    return read_azure_monitor(payload)[0]


def test_fired_storm_duplicate_and_resolved_through_the_queue():
    notifier = Recorder()
    store = SqliteStorage()
    dispatcher = AlertDispatcher(
        Triager(),
        AlertPolicy(store, coalesce_seconds=600),
        notifier,
        store.queue("alerts"),
        workers=1,
    )
    dispatcher.submit([(alert("a"), "C1"), (alert("a"), "C1"), (alert("b"), "C1")])
    assert dispatcher.join(10)
    dispatcher.submit([(alert("a", "Resolved"), "C1")])
    assert dispatcher.join(10)
    assert notifier.calls == [
        ("post", "C1", "fired"),
        ("storm", "1.0", 2, True),
        ("resolved", "1.0", "C1", 1),  # b, in a's storm, still fires
    ]


def triaged() -> float:
    """acrbot_alerts_triaged_total for fired Azure Monitor alerts, as /metrics shows it."""
    text = metrics.render()[0].decode()
    found = re.search(
        r'^acrbot_alerts_triaged_total\{[^}]*source="azure-monitor"[^}]*state="fired"[^}]*\} (\S+)',
        text,
        re.MULTILINE,
    )
    return float(found.group(1)) if found else 0.0


def test_an_alert_that_trips_a_bug_is_retried_then_given_up_not_taken_forever(monkeypatch):
    """Outside the notifier an error reached the worker loop: the item came back at every lease."""

    class Tripping(Triager):
        trips = 2

        def triage(self, alert):
            if self.trips:
                self.trips -= 1
                raise UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "surrogates not allowed")
            return super().triage(alert)

    notifier, store = Recorder(), SqliteStorage()
    dispatcher = AlertDispatcher(
        Tripping(), AlertPolicy(store), notifier, store.queue("alerts"), workers=1, poll=0.02,
        backoff=0.01,
    )  # fmt: skip
    before = triaged()
    dispatcher.submit([(alert("trips-twice"), "C1")])
    assert dispatcher.join(10)
    assert notifier.calls == [("post", "C1", "fired")]  # the third attempt
    assert triaged() == before + 1  # counted once, though triage ran three times

    monkeypatch.setattr(dispatcher_module, "MAX_ATTEMPTS", 3)
    dispatcher.triager = Tripping()
    dispatcher.triager.trips = 10**6
    dispatcher.submit([(alert("always-trips"), "C1")])
    assert dispatcher.join(10)  # given up after three attempts, not leased again and again
    assert len(notifier.calls) == 1
    dispatcher.stop()


def test_an_alert_the_policy_trips_on_is_given_up_after_its_attempts(monkeypatch):
    """Before any decision (the store refusing the alert's text): no lease, the same retries."""

    class Refusing(AlertPolicy):
        def delivered(self, alert):
            raise UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(dispatcher_module, "MAX_ATTEMPTS", 3)
    notifier, store = Recorder(), SqliteStorage()
    queue = store.queue("alerts")
    dispatcher = AlertDispatcher(
        Triager(), Refusing(store), notifier, queue, workers=1, poll=0.02, backoff=0.01
    )
    dispatcher.submit([(alert("refused"), "C1")])
    assert dispatcher.join(10) and queue.pending() == 0 and notifier.calls == []
    dispatcher.stop()


def test_an_alert_shown_whose_record_fails_leaves_the_queue_shown_once():
    class Unrecorded(AlertPolicy):
        def finished(self, alert):
            raise UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "surrogates not allowed")

    notifier, store = Recorder(), SqliteStorage()
    queue = store.queue("alerts")
    dispatcher = AlertDispatcher(
        Triager(), Unrecorded(store), notifier, queue, workers=1, poll=0.02, lease=0.2
    )
    dispatcher.submit([(alert("unrecorded"), "C1")])
    assert dispatcher.join(10) and queue.pending() == 0
    assert notifier.calls == [("post", "C1", "fired")]
    dispatcher.stop()


def test_a_failed_post_whose_lease_cannot_be_given_back_is_retried_and_counted_once():
    """The store failing as the post's lease is given back must not lose the decision."""

    class Forgetful(AlertPolicy):
        outages = 1

        def failed(self, alert, decision):
            if self.outages:
                self.outages -= 1
                raise StorageUnavailable("store down")
            return super().failed(alert, decision)

    notifier, store = Flaky(failures=1), SqliteStorage()
    dispatcher = AlertDispatcher(
        Triager(), Forgetful(store, post_lease=0.3), notifier, store.queue("alerts"),
        workers=1, poll=0.02,
    )  # fmt: skip
    before = triaged()
    dispatcher.submit([(alert("forgetful"), "C1")])
    assert dispatcher.join(10)
    assert notifier.calls == [("post", "C1", "fired")] and triaged() == before + 1
    dispatcher.stop()


def test_a_failed_post_stays_queued_and_is_posted_by_the_retry():
    notifier = Flaky(failures=2)
    store = SqliteStorage()
    dispatcher = AlertDispatcher(
        Triager(), AlertPolicy(store), notifier, store.queue("alerts"), workers=1, poll=0.02
    )
    dispatcher.submit([(alert("x"), "C1")])
    assert dispatcher.join(10)
    dispatcher.submit([(alert("x", "Resolved"), "C1")])
    assert dispatcher.join(10)
    assert notifier.calls == [("post", "C1", "fired"), ("resolved", "1.0", "C1", 0)]


def test_without_retry_after_the_wait_doubles_from_the_backoff_up_to_its_cap(monkeypatch):
    """The delay handed to the queue, read per attempt (run_once, no worker threads)."""

    class Down(Recorder):
        def post(self, channel, triage, count=1):
            raise DeliveryFailed("timeout")

    store = SqliteStorage()
    queue = store.queue("alerts")
    delays: list[float] = []
    retry = queue.retry

    def recorded(item_id, delay, record):
        delays.append(delay)
        retry(item_id, 0.0, record)  # due again at once: the next run_once takes it

    monkeypatch.setattr(queue, "retry", create_autospec(retry, side_effect=recorded))
    monkeypatch.setattr(dispatcher_module, "MAX_BACKOFF", 20.0)
    dispatcher = AlertDispatcher(Triager(), AlertPolicy(store), Down(), queue, backoff=3.0)
    queue.add("x", outbox.to_item(alert("x"), "C1"), outbox.ITEM_TTL)
    for _ in range(5):
        assert dispatcher.run_once() == 1
    assert delays == [3.0, 6.0, 12.0, 20.0, 20.0]
