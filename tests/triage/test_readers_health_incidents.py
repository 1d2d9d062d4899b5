"""A health incident's events through the policy: every event is its own delivery.

Service Health sends one alert per communication (a new ``alertId`` each, one
``trackingId``); Resource Health one per health change (one ``correlationId``).
An update of a firing incident is counted into its message (never dropped as a
duplicate), the recovery resolves that message, and a re-activation after the
recovery is a new message (never a "late" Fired).
"""

from __future__ import annotations

import copy

from bot.storage.memory import MemoryStorage
from bot.triage import read_azure_monitor
from bot.triage.policy import Action, AlertPolicy, Posted
from tests.triage.conftest import fixture


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _service_health(n: int, stage: str = "Active", communication: str = "Investigating") -> dict:
    payload = copy.deepcopy(fixture("rt_az_servicehealth.json"))
    essentials, context = payload["data"]["essentials"], payload["data"]["alertContext"]
    essentials["alertId"] = essentials["alertId"][:-4] + f"{n:04d}"
    context["eventDataId"], context["correlationId"] = f"event-{n}", f"corr-{n}"
    context["status"] = "Resolved" if stage == "Resolved" else "Active"
    context["properties"].update(stage=stage, communication=communication, communicationId=str(n))
    return payload


def _resource_health(n: int, operation: str, current: str, previous: str, status: str) -> dict:
    payload = copy.deepcopy(fixture("rt_az_resourcehealth.json"))
    essentials, context = payload["data"]["essentials"], payload["data"]["alertContext"]
    essentials["alertId"] = essentials["alertId"][:-4] + f"{n:04d}"
    context["eventDataId"] = f"event-{n}"
    context["operationName"] = f"Microsoft.Resourcehealth/healthevent/{operation}/action"
    context["status"] = status
    context["properties"].update(currentHealthStatus=current, previousHealthStatus=previous)
    return payload


def _run(payloads, gap: float = 60.0):
    clock = Clock()
    policy = AlertPolicy(MemoryStorage(), coalesce_seconds=600, clock=clock)
    decisions, ts = [], 0
    for payload in payloads:
        (alert,) = read_azure_monitor(payload)
        decision = policy.decide(alert)
        if decision.action == Action.POST:
            ts += 1
            policy.posted(alert, Posted("C1", f"{ts}.0"), decision)
        policy.finished(alert)
        decisions.append(decision)
        clock.now += gap
    return decisions


def test_a_service_health_update_is_counted_into_the_incident_and_the_recovery_resolves_it():
    posted, update, resolved = _run(
        [
            _service_health(1),
            _service_health(2, communication="Mitigation in progress, ETA 14:00 UTC"),
            _service_health(3, stage="Resolved"),
        ]
    )
    assert posted.action == Action.POST
    assert update.action == Action.COALESCE and update.count == 2
    assert update.message == Posted("C1", "1.0")
    assert resolved.action == Action.RESOLVE
    assert resolved.message == Posted("C1", "1.0") and resolved.still_firing == 0


def test_a_service_health_update_hours_later_still_joins_the_incident():
    _posted, update, resolved = _run(
        [_service_health(1), _service_health(2), _service_health(3, stage="Resolved")], gap=7200
    )
    assert update.action == Action.COALESCE and update.message == Posted("C1", "1.0")
    assert resolved.action == Action.RESOLVE and resolved.message == Posted("C1", "1.0")


def test_a_service_health_reactivation_after_its_recovery_is_a_new_message():
    posted, resolved, again, resolved_again = _run(
        [
            _service_health(1),
            _service_health(2, stage="Resolved"),
            _service_health(3, communication="The issue has recurred"),
            _service_health(4, stage="Resolved"),
        ]
    )
    assert posted.action == Action.POST and resolved.action == Action.RESOLVE
    assert again.action == Action.POST and again.count == 1
    assert resolved_again.action == Action.RESOLVE
    assert resolved_again.message == Posted("C1", "2.0")


def test_a_resent_health_event_is_still_a_duplicate():
    clock = Clock()
    policy = AlertPolicy(MemoryStorage(), coalesce_seconds=600, clock=clock)
    (first,) = read_azure_monitor(_service_health(1))
    decision = policy.decide(first)
    policy.posted(first, Posted("C1", "1.0"), decision)
    policy.finished(first)
    (resent,) = read_azure_monitor(_service_health(1))
    assert policy.delivered(resent)
    (update,) = read_azure_monitor(_service_health(2))
    assert not policy.delivered(update)


def test_a_resource_health_update_to_degraded_is_counted_and_the_recovery_resolves():
    posted, update, resolved = _run(
        [
            _resource_health(1, "Activated", "Unavailable", "Available", "Active"),
            _resource_health(2, "Updated", "Degraded", "Unavailable", "Updated"),
            _resource_health(3, "Resolved", "Available", "Degraded", "Resolved"),
        ]
    )
    assert posted.action == Action.POST
    assert update.action == Action.COALESCE and update.message == Posted("C1", "1.0")
    assert resolved.action == Action.RESOLVE
    assert resolved.message == Posted("C1", "1.0") and resolved.still_firing == 0
