"""Deliveries handled once, storms coalesced, Resolved finding Fired — and all of it on disk."""

from __future__ import annotations

from pathlib import Path

from bot.storage import SqliteStorage
from bot.triage import read_alertmanager, read_azure_monitor
from bot.triage.policy import Action, AlertPolicy, Posted
from tests.triage.conftest import fixture


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def policy_for(path: Path | None = None, clock: Clock | None = None, **kwargs) -> AlertPolicy:
    clock = clock or Clock()
    return AlertPolicy(SqliteStorage(path, clock=clock), clock=clock, **kwargs)


def storage_alert(alert_id: str = "a1", state: str = "Fired"):
    payload = fixture("azure_metric_storage.json")
    payload["data"]["essentials"]["alertId"] = f"/subscriptions/x/alerts/{alert_id}"
    payload["data"]["essentials"]["monitorCondition"] = state
    return read_azure_monitor(payload)[0]


def fire(policy: AlertPolicy, alert, ts: str, channel: str = "C1"):
    """Decide, and when the decision is to post, say it was posted at ``ts``."""
    decision = policy.decide(alert)
    if decision.action == Action.POST:
        policy.posted(alert, Posted(channel, ts), decision)
    return decision


def test_the_same_delivery_twice_is_handled_once():
    policy = policy_for()
    assert policy.decide(storage_alert()).action == Action.POST
    # still being posted (its worker stalled or died): wait for its lease, never a second POST
    assert policy.decide(storage_alert()).action == Action.WAIT
    alert = storage_alert("second")
    fire(policy, alert, "2.2")
    policy.finished(alert)
    assert policy.delivered(storage_alert("second"))
    assert policy.decide(storage_alert("second")).action == Action.DUPLICATE


def test_a_firing_whose_worker_died_is_posted_once_its_lease_ends():
    clock = Clock()
    policy = policy_for(clock=clock, post_lease=60)
    assert policy.decide(storage_alert()).action == Action.POST  # ...and that worker dies
    clock.now += 61
    assert policy.decide(storage_alert()).action == Action.POST


def test_resolved_finds_the_fired_message():
    policy = policy_for()
    fired = storage_alert()
    assert fire(policy, fired, "111.1").action == Action.POST
    decision = policy.decide(storage_alert(state="Resolved"))
    assert decision.action == Action.RESOLVE and decision.message == Posted("C1", "111.1")


def test_resolved_without_a_fired_message_has_none():
    decision = policy_for().decide(storage_alert(state="Resolved"))
    assert decision.action == Action.RESOLVE and decision.message is None


def test_a_storm_of_fifteen_posts_once_and_threads_once_a_minute():
    clock = Clock()
    policy = policy_for(clock=clock, coalesce_seconds=600)
    decisions = []
    for n in range(15):
        decisions.append(fire(policy, storage_alert(f"storm-{n}"), "100.1"))
        clock.now += 10  # one firing every 10 s: 150 s in all
    assert [d.action for d in decisions].count(Action.POST) == 1
    coalesced = decisions[1:]
    assert all(
        d.action == Action.COALESCE and d.message == Posted("C1", "100.1") for d in coalesced
    )
    assert [d.count for d in coalesced] == list(range(2, 16))
    # thread replies at most once a minute: at 10 s, 70 s and 130 s (a claim lasts 60 s)
    assert [n for n, d in enumerate(decisions) if d.thread_update] == [1, 7, 13]


def test_a_firing_after_the_quiet_window_posts_again():
    clock = Clock()
    policy = policy_for(clock=clock, coalesce_seconds=600)
    assert fire(policy, storage_alert("one"), "1.1").action == Action.POST
    clock.now += 300
    assert policy.decide(storage_alert("two")).action == Action.COALESCE
    clock.now += 500  # 500 s after the last firing, 800 s after the first: still the storm
    assert policy.decide(storage_alert("three")).action == Action.COALESCE
    clock.now += 601
    assert policy.decide(storage_alert("four")).action == Action.POST


def test_alerts_without_a_storm_key_are_never_coalesced():
    policy = policy_for()
    payload = fixture("azure_activity_nulls.json")
    for n in range(3):
        payload["data"]["essentials"]["alertId"] = f"/x/{n}"
        assert policy.decide(read_azure_monitor(payload)[0]).action == Action.POST


def test_alertmanager_resends_of_a_group_are_duplicates():
    policy = policy_for()
    group = fixture("alertmanager_imagepull.json")
    first = [fire(policy, a, "1.1").action for a in read_alertmanager(group)]
    for alert in read_alertmanager(group):
        policy.finished(alert)
    assert all(policy.delivered(a) for a in read_alertmanager(group))  # re-send: not queued
    again = [policy.decide(a).action for a in read_alertmanager(group)]
    assert first == [Action.POST, Action.POST] and again == [Action.DUPLICATE] * 2


def test_records_survive_a_restart(tmp_path):
    path = tmp_path / "claims.sqlite3"  # the shared store in the state directory
    clock = Clock()
    before = policy_for(path, clock)
    assert fire(before, storage_alert(), "9.9").action == Action.POST
    after = policy_for(path, clock)  # a new process on the same state directory
    assert after.decide(storage_alert()).action == Action.DUPLICATE
    assert after.decide(storage_alert("another")).action == Action.COALESCE
    assert after.decide(storage_alert(state="Resolved")).message == Posted("C1", "9.9")


def test_store_claims_and_counters_expire():
    clock = Clock()
    store = SqliteStorage(clock=clock)
    assert store.claim("k", 10) and not store.claim("k", 10)
    assert store.incr("n", 10) == 1 and store.incr("n", 10) == 2
    store.put("r", {"a": 1}, 10)
    clock.now += 11
    assert store.claim("k", 10) and store.incr("n", 10) == 1 and store.get("r") is None


def test_a_storm_is_resolved_when_every_firing_in_it_is():
    policy = policy_for()
    assert fire(policy, storage_alert("s1"), "5.5").action == Action.POST
    assert policy.decide(storage_alert("s2")).action == Action.COALESCE
    assert policy.decide(storage_alert("s3")).action == Action.COALESCE
    still = [policy.decide(storage_alert(n, "Resolved")) for n in ("s2", "s1", "s3")]
    assert [d.still_firing for d in still] == [2, 1, 0]
    assert all(d.message == Posted("C1", "5.5") for d in still)


def test_a_flapping_alert_is_resolved_each_time():
    policy = policy_for()
    fire(policy, storage_alert("f1"), "7.7")
    assert policy.decide(storage_alert("f1", "Resolved")).still_firing == 0
    assert policy.decide(storage_alert("f2")).action == Action.COALESCE  # fires again
    assert policy.decide(storage_alert("f2", "Resolved")).still_firing == 0


def test_a_delivery_is_looked_up_at_once_as_each_alert_would_be():
    policy = policy_for()
    group = read_alertmanager(fixture("alertmanager_imagepull.json"))
    shown, fired = group[0], storage_alert("shown")
    for alert in (shown, fired):
        fire(policy, alert, "1.1")
        policy.finished(alert)
    resolved = storage_alert("shown", state="Resolved")  # its Fired was shown, not this
    mixed = [*group, fired, storage_alert("new"), resolved, shown]
    assert policy.delivered_among(mixed) == [policy.delivered(a) for a in mixed]
    assert policy.delivered_among(mixed) == [True, False, True, False, False, True]
    assert policy.delivered_among([]) == []
