"""The Azure Monitor common alert schema: metric, log and activity-log alerts, nulls and all."""

from __future__ import annotations

import copy

import pytest

from bot.triage import State, UnknownShape, read_azure_monitor
from tests.triage.conftest import fixture


def test_metric_alert_on_storage_used_reads_value_threshold_and_window():
    (alert,) = read_azure_monitor(fixture("azure_metric_storage.json"))
    assert alert.state == State.FIRED
    assert alert.severity == "Sev2"
    assert alert.rule == "acr-storage-above-90-percent"
    m = alert.measurement
    assert (m.name, m.unit, m.operator, m.aggregation, m.window) == (
        "StorageUsed",
        "bytes",
        "GreaterThan",
        "Average",
        "PT1H",
    )
    assert m.value == 99857989632 and m.threshold == 96636764160  # threshold arrives as a string
    assert alert.subscription == "11111111-2222-3333-4444-555555555555"
    assert alert.resource_group == "prod-rg"


def test_fired_and_resolved_share_identity_but_not_delivery_key():
    (fired,) = read_azure_monitor(fixture("azure_metric_storage.json"))
    (resolved,) = read_azure_monitor(fixture("azure_metric_storage_resolved.json"))
    assert resolved.state == State.RESOLVED
    assert fired.identity == resolved.identity
    assert fired.delivery_key != resolved.delivery_key
    assert fired.storm_key == resolved.storm_key
    assert resolved.resolved_at.startswith("2026-11-29T03:12")


def test_log_alert_reads_query_count_and_login_server_dimension():
    (alert,) = read_azure_monitor(fixture("azure_log_failed_logins.json"))
    assert alert.measurement.value == 57 and alert.measurement.threshold == 20
    assert alert.measurement.unit == "count"
    assert "contosoregistry.azurecr.io" in alert.registry_fields
    assert any("ContainerRegistryLoginEvents" in t for t in alert.text)
    assert alert.links and alert.links[0].startswith("https://portal.azure.com")


def test_activity_log_alert_with_null_fields_reads_operation_and_scope():
    (alert,) = read_azure_monitor(fixture("azure_activity_nulls.json"))
    assert alert.rule is None and alert.severity is None
    assert alert.detail == (
        "Microsoft.ContainerRegistry/registries/write: Failed (Forbidden), "
        "by deploy-pipeline@contoso.com"
    )
    assert alert.target_ids[0].endswith("registries/ContosoRegistry")
    assert alert.storm_key is None  # no rule: nothing to coalesce on


@pytest.mark.parametrize(
    "path",
    [
        ("essentials", "alertRule"),
        ("essentials", "severity"),
        ("essentials", "alertTargetIDs"),
        ("essentials", "configurationItems"),
        ("essentials", "monitorCondition"),
        ("alertContext",),
        ("alertContext", "condition"),
        ("alertContext", "properties"),
        ("customProperties",),
    ],
)
@pytest.mark.parametrize(
    "name",
    ["azure_metric_storage.json", "azure_log_failed_logins.json", "azure_activity_nulls.json"],
)
def test_every_nullable_field_may_be_null(name, path):
    payload = copy.deepcopy(fixture(name))
    node = payload["data"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = None
    (alert,) = read_azure_monitor(payload)
    assert alert.source == "azure-monitor"


def test_resource_ids_in_any_case_give_the_same_scope():
    payload = fixture("azure_metric_storage.json")
    payload["data"]["essentials"]["alertTargetIDs"] = [
        "/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/PROD-RG/PROVIDERS/"
        "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/CONTOSOREGISTRY"
    ]
    (alert,) = read_azure_monitor(payload)
    assert alert.resource_group == "prod-rg"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([], "expected a JSON object"),
        ({"schemaId": "Microsoft.Insights/activityLogs", "data": {"context": {}}}, "essentials"),
        ({"receiver": "x", "alerts": []}, "common alert schema"),
        ({"schemaId": "azureMonitorCommonAlertSchema", "data": {"essentials": "x"}}, "essentials"),
    ],
)
def test_other_shapes_are_refused_with_a_one_line_reason(payload, reason):
    with pytest.raises(UnknownShape) as caught:
        read_azure_monitor(payload)
    assert reason in str(caught.value) and "\n" not in str(caught.value)
