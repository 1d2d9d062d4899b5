"""Alertmanager's storm key: one problem is one storm, and no alert hides inside another's.

A storm is the same alert firing again or many identical alerts (the replicas of one
workload failing alike); alerts for another workload, cluster, container, waiting
reason or image are different problems, each shown on its own.
"""

from __future__ import annotations

import copy

import pytest

from bot.triage import read_alertmanager
from tests.triage.conftest import fixture


def _keys(payload) -> list[str | None]:
    return [a.storm_key for a in read_alertmanager(payload)]


def test_the_same_pod_in_two_clusters_is_two_problems():
    first, second = _keys(fixture("rt_am_two_clusters.json"))
    assert first and second and first != second


def test_two_workloads_with_the_same_container_name_are_two_problems():
    first, second = _keys(fixture("rt_am_two_workloads.json"))
    assert first and second and first != second


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("cluster", "aks-dr-westus"),
        ("namespace", "billing"),
        ("container", "sidecar"),
        ("reason", "ErrImagePull"),
        ("image", "othereg.azurecr.io/shop/api:1.4"),
        ("pod", "billing-6c5d4f7b9-zt7wq"),  # another workload
    ],
)
def test_a_label_naming_another_problem_splits_the_storm(label, value):
    payload = fixture("rt_am_two_workloads.json")
    payload["alerts"] = payload["alerts"][:1]
    payload["alerts"][0]["labels"]["image"] = "contosoreg.azurecr.io/shop/api:1.4"
    (before,) = _keys(payload)
    changed = copy.deepcopy(payload)
    changed["alerts"][0]["labels"][label] = value
    changed["alerts"][0]["fingerprint"] = "f00d000000000001"
    (after,) = _keys(changed)
    assert before != after


def test_replicas_of_one_workload_failing_alike_are_one_storm():
    payload = fixture("rt_am_two_workloads.json")
    template = payload["alerts"][0]
    payload["alerts"] = []
    for n, pod in enumerate(
        ["api-7d9f8b6c5-x2k4q", "api-7d9f8b6c5-bq9rd", "api-7d9f8b6c5-wz6lk", "api-5f6b7c8d9-mh2tt"]
    ):
        member = copy.deepcopy(template)
        member["labels"]["pod"] = pod
        member["fingerprint"] = f"{n:016x}"
        payload["alerts"].append(member)
    alerts = read_alertmanager(payload)
    assert len({a.storm_key for a in alerts}) == 1
    assert len({a.identity for a in alerts}) == 4  # each still its own firing


def test_the_same_alert_firing_again_joins_its_storm():
    payload = fixture("rt_am_two_workloads.json")
    (first, _) = read_alertmanager(payload)
    payload["alerts"][0]["startsAt"] = "2026-12-07T09:30:00Z"
    (again, _) = read_alertmanager(payload)
    assert again.storm_key == first.storm_key and again.identity != first.identity


def test_pods_kubernetes_did_not_name_stay_apart():
    payload = fixture("rt_am_two_workloads.json")
    payload["alerts"] = payload["alerts"][:1]
    names = ["web-0", "web-1", "my-app-redis", "my-app-cache"]
    keys = set()
    for pod in names:
        payload["alerts"][0]["labels"]["pod"] = pod
        keys.update(_keys(payload))
    assert len(keys) == len(names)
