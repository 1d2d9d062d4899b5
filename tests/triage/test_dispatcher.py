"""The dispatcher: policy decisions turned into notifier calls, on background threads."""

from __future__ import annotations

from unittest.mock import create_autospec

from bot.storage import SqliteStorage
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


def test_a_failed_post_stays_queued_and_is_posted_by_the_retry():
    class Flaky(Recorder):
        failures = 2

        def post(self, channel, triage, count=1):
            if self.failures:
                self.failures -= 1
                raise DeliveryFailed("ratelimited", retry_after=0.05)
            return super().post(channel, triage, count)

    notifier = Flaky()
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
