"""Alerts no error signal matches still say what fired and where (red-team items 8 and 14).

A Resource Health "Unavailable" event on a registry said only
"Microsoft.Resourcehealth/healthevent/Activated/action: Active" and offered no
check; kube-prometheus' KubePodCrashLooping and KubePodNotReady said only
their generic summary, with no pod, namespace or cluster.
"""

from __future__ import annotations

from bot.triage import Triager, read_alertmanager, read_any, read_azure_monitor
from tests.triage.conftest import fixture


def test_a_registry_reported_unavailable_says_so_and_offers_its_check_health(triager):
    (triage,) = triager.triage_all(read_azure_monitor(fixture("rt_dom_az_resourcehealth.json")))
    assert "Container Registry is unavailable" in triage.summary
    assert [(c.check, c.registry) for c in triage.checks] == [("check-health", "contosoprodacr")]
    assert "health" in triage.signals


def test_its_recovery_says_available_not_unavailable(triager):
    payload = fixture("rt_dom_az_resourcehealth_recovered.json")
    (triage,) = triager.triage_all(read_azure_monitor(payload))
    # previousHealthStatus "Unavailable" is where it came from, not what it is
    assert "Container Registry is available" in triage.summary
    assert "Unavailable" not in triage.summary
    assert "health" not in triage.signals and triage.checks == ()


def test_unavailable_and_degraded_said_of_something_are_a_health_signal():
    triager = Triager()
    for text in (
        "contosoreg.azurecr.io returned 503 Service Unavailable",
        "Container Registry - East US - Degraded pulls",
        "the registry is temporarily unavailable",
    ):
        assert "health" in triager.triage(read_any(text)[0]).signals, text
    assert "health" not in triager.triage(read_any("Unavailable")[0]).signals


def test_a_crash_looping_pod_says_which_pod_namespace_and_cluster(triager):
    (triage,) = triager.triage_all(read_alertmanager(fixture("rt_dom_am_crashloop.json")))
    assert triage.summary.startswith("Pod is crash looping.")
    assert "shop/api-7d9f-abcde" in triage.summary  # namespace/pod, from the description
    assert "aks-prod" in triage.summary  # the cluster label


def test_a_pod_not_ready_says_where_and_that_it_is_not_about_a_registry(triager):
    (triage,) = triager.triage_all(read_alertmanager(fixture("rt_dom_am_podnotready.json")))
    assert "shop/api-7d9f-abcde" in triage.summary and "cluster aks-prod" in triage.summary
    assert triage.summary.endswith("not about a registry: no check to offer")


def test_the_cluster_is_not_repeated_when_the_description_names_it(triager):
    payload = fixture("rt_dom_am_podnotready.json")
    payload["alerts"][0]["annotations"]["description"] = (
        "Pod shop/api-7d9f-abcde on aks-prod has been in a non-ready state for 15 minutes."
    )
    (triage,) = triager.triage_all(read_alertmanager(payload))
    assert triage.summary.count("aks-prod") == 1


def test_where_in_chinese():
    (alert,) = read_alertmanager(fixture("rt_dom_am_podnotready.json"))
    assert "集群 aks-prod" in Triager(language="zh").triage(alert).summary
