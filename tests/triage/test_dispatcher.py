"""The dispatcher: policy decisions turned into notifier calls, on background threads."""

from __future__ import annotations

from bot.storage import SqliteStorage
from bot.triage import Triager, read_azure_monitor
from bot.triage.dispatcher import AlertDispatcher
from bot.triage.policy import AlertPolicy, Posted
from tests.triage.conftest import fixture


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def post(self, channel, triage):
        self.calls.append(("post", channel, triage.alert.state.value))
        return Posted(channel, f"{len(self.calls)}.0")

    def storm(self, message, triage, count, thread):
        self.calls.append(("storm", message.ts, count, thread))

    def resolved(self, message, channel, triage, still_firing=0):
        self.calls.append(("resolved", message.ts if message else None, channel, still_firing))


def alert(alert_id: str, state: str = "Fired"):
    payload = fixture("azure_metric_storage.json")
    payload["data"]["essentials"]["alertId"] = alert_id
    payload["data"]["essentials"]["monitorCondition"] = state
    return read_azure_monitor(payload)[0]


def test_fired_storm_duplicate_and_resolved_through_the_queue():
    notifier = Recorder()
    dispatcher = AlertDispatcher(
        Triager(), AlertPolicy(SqliteStorage(), coalesce_seconds=600), notifier
    )
    dispatcher.submit([(alert("a"), "C1"), (alert("a"), "C1"), (alert("b"), "C1")])
    dispatcher.submit([(alert("a", "Resolved"), "C1")])
    assert dispatcher.join(10)
    assert notifier.calls == [
        ("post", "C1", "fired"),
        ("storm", "1.0", 2, True),
        ("resolved", "1.0", "C1", 1),  # b, in a's storm, still fires
    ]


def test_a_notifier_failure_does_not_stop_the_worker():
    class Broken(Recorder):
        def post(self, channel, triage):
            raise RuntimeError("slack is down")

    notifier = Broken()
    dispatcher = AlertDispatcher(Triager(), AlertPolicy(SqliteStorage()), notifier, workers=1)
    dispatcher.submit([(alert("x"), "C1")])
    dispatcher.submit([(alert("x", "Resolved"), "C1")])
    assert dispatcher.join(10)
    assert notifier.calls == [("resolved", None, "C1", 0)]
