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
    names = ["web-0", "my-app-redis", "my-app-cache", "my-app-redis-v2"]
    keys = set()
    for pod in names:
        payload["alerts"][0]["labels"]["pod"] = pod
        keys.update(_keys(payload))
    assert len(keys) == len(names)


# -- the storm key is the labels naming the problem, not every label but a few --------------


def _pair(first: dict, second: dict) -> set[str | None]:
    """The storm keys of one group holding two members that differ only as given."""
    payload = fixture("rt_am_two_workloads.json")
    template = payload["alerts"][0]
    payload["alerts"] = []
    for n, extra in enumerate((first, second)):
        member = copy.deepcopy(template)
        member["labels"].update(extra)
        member["fingerprint"] = f"{n:016x}"
        payload["alerts"].append(member)
    return set(_keys(payload))


# A 48-character Deployment: its ReplicaSet's name and '-' pass 58 characters, so Kubernetes
# cuts the pod's generated prefix to 58 and appends the random suffix without a '-'.
_LONG = "payments-reconciliation-service-eastus-canary-v2"
_CUT = f"{_LONG}-7d9f8b6c5-"[:58]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"pod": "web-0"}, {"pod": "web-1"}),  # a StatefulSet's ordinals
        ({"pod": f"{_CUT}x2k4q"}, {"pod": f"{_CUT}bq9zr"}),  # a truncated generated name
        (  # cAdvisor's per-container id and name
            {"pod": "api-7d9f8b6c5-x2k4q", "id": "/kubepods/pod1/abc", "name": "k8s_api_x2k4q"},
            {"pod": "api-7d9f8b6c5-bq9zr", "id": "/kubepods/pod2/def", "name": "k8s_api_bq9zr"},
        ),
        (  # kube_pod_info's placement labels
            {"pod": "api-7d9f8b6c5-x2k4q", "node": "aks-n1", "host_ip": "10.0.0.4"},
            {"pod": "api-7d9f8b6c5-bq9zr", "node": "aks-n2", "host_ip": "10.0.0.5"},
        ),
        (
            {"pod": "api-7d9f8b6c5-x2k4q", "container_id": "containerd://aa11"},
            {"pod": "api-7d9f8b6c5-bq9zr", "container_id": "containerd://bb22"},
        ),
        (
            {"pod": "api-7d9f8b6c5-x2k4q", "replica": "A"},
            {"pod": "api-7d9f8b6c5-x2k4q", "replica": "B"},
        ),
        (  # a PodMonitor's instance is the pod's own IP
            {"pod": "api-7d9f8b6c5-x2k4q", "instance": "10.1.0.5:8080"},
            {"pod": "api-7d9f8b6c5-bq9zr", "instance": "10.1.0.6:8080"},
        ),
    ],
)
def test_replicas_of_one_workload_are_one_storm_whatever_else_their_labels_say(first, second):
    assert len(_pair(first, second)) == 1


def test_two_long_deployments_sharing_no_58_character_prefix_stay_apart():
    other = f"{_LONG[:-2]}v3-5c8b9d7f4-"[:58]
    assert len(_pair({"pod": f"{_CUT}x2k4q"}, {"pod": f"{other}bq9zr"})) == 2


def test_two_nodes_are_two_problems_when_no_pod_is_named():
    assert len(_pair({"pod": None, "node": "aks-n1"}, {"pod": None, "node": "aks-n2"})) == 2
