"""Azure Monitor's activity-log and older log-alert shapes, read as Azure sends them.

- Activity-log alerts always arrive as ``monitorCondition: Fired``: a Resource Health
  or Service Health recovery says so in the event (``status``, ``currentHealthStatus``,
  ``stage``), and is another alert with another ``alertId``; it must still find the
  outage's message (Service Health's ``trackingId``; Resource Health's
  ``correlationId``, assumed shared by one health event's Activated and Resolved).
- An activity-log alert with ``alertTargetIDs: null`` is placed by its
  ``authorization.scope`` (or the event's ``resourceId``).
- Older log alerts (Log Analytics) carry ``SearchResults`` tables, ``Dimensions`` and
  ``LinkTo…`` in alertContext; V2 ones may have only ``linkToSearchResultsUI``.
"""

from __future__ import annotations

import copy

import pytest

from bot.triage import State, read_azure_monitor
from tests.triage.conftest import fixture

SUB = "11111111-2222-3333-4444-555555555555"


def _read(payload):
    (alert,) = read_azure_monitor(payload)
    return alert


# -- 2. health recoveries resolve ------------------------------------------------------------


def test_a_resource_health_recovery_is_resolved_and_finds_the_outage():
    outage = _read(fixture("rt_az_resourcehealth.json"))
    recovery = _read(fixture("rt_az_resourcehealth_recovered.json"))
    assert outage.state == State.FIRED
    assert recovery.state == State.RESOLVED
    assert recovery.storm_key == outage.storm_key  # another event of the same health event
    assert recovery.identity != outage.identity  # each event is its own delivery
    assert recovery.delivery_key != outage.delivery_key
    assert recovery.resolved_at == "2026-12-07T10:41:12Z"  # when the event says it recovered


def test_a_service_health_incident_resolved_finds_its_first_notice():
    active = _read(fixture("rt_az_servicehealth.json"))
    resolved = _read(fixture("rt_az_servicehealth_resolved.json"))
    assert active.state == State.FIRED and resolved.state == State.RESOLVED
    assert resolved.storm_key == active.storm_key and "1LG8-3TZ" in resolved.storm_key
    assert resolved.identity != active.identity


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("context", "status", "Resolved"),
        ("properties", "currentHealthStatus", "Available"),
        ("context", "operationName", "Microsoft.Resourcehealth/healthevent/Resolved/action"),
    ],
)
def test_each_way_resource_health_says_it_recovered(where, key, value):
    payload = fixture("rt_az_resourcehealth.json")
    context = payload["data"]["alertContext"]
    (context if where == "context" else context["properties"])[key] = value
    assert _read(payload).state == State.RESOLVED


def test_a_service_health_stage_resolved_is_resolved_even_while_status_is_active():
    payload = fixture("rt_az_servicehealth.json")
    payload["data"]["alertContext"]["properties"]["stage"] = "Resolved"
    assert _read(payload).state == State.RESOLVED


@pytest.mark.parametrize(
    ("key", "value"),
    [("currentHealthStatus", "Degraded"), ("currentHealthStatus", "Unknown")],
)
def test_a_health_event_that_is_not_a_recovery_stays_fired(key, value):
    payload = fixture("rt_az_resourcehealth.json")
    payload["data"]["alertContext"]["properties"][key] = value
    payload["data"]["alertContext"]["operationName"] = (
        "Microsoft.Resourcehealth/healthevent/Updated/action"
    )
    payload["data"]["alertContext"]["status"] = "Updated"
    assert _read(payload).state == State.FIRED


def test_another_outage_of_the_same_resource_is_a_new_alert():
    first = _read(fixture("rt_az_resourcehealth.json"))
    later = fixture("rt_az_resourcehealth.json")
    later["data"]["alertContext"]["correlationId"] = "0d9e8f7a-6b5c-4d3e-a2f1-0e9d8c7b6a51"
    assert _read(later).storm_key != first.storm_key


@pytest.mark.parametrize("status", ["Succeeded", "Failed", "Started"])
def test_an_administrative_event_is_never_read_as_resolved(status):
    payload = fixture("rt_az_activity_admin_scope.json")
    payload["data"]["alertContext"]["status"] = status
    assert _read(payload).state == State.FIRED


def test_null_health_fields_are_read_as_not_given():
    payload = fixture("rt_az_resourcehealth_recovered.json")
    context = payload["data"]["alertContext"]
    context["properties"] = None
    context["status"] = None
    context["correlationId"] = None
    context["operationName"] = None
    alert = _read(payload)
    assert alert.state == State.FIRED
    assert alert.identity == f"azure-monitor:{payload['data']['essentials']['alertId']}"


# -- 5. no targets: the scope places the alert -----------------------------------------------


def test_an_activity_alert_without_targets_is_placed_by_its_scope():
    alert = _read(fixture("rt_az_activity_admin_scope.json"))
    assert (alert.subscription, alert.resource_group) == (SUB, "prod-rg")
    assert alert.target_ids[0].endswith("/registries/ContosoProdACR")


def test_the_events_resource_id_places_it_when_the_scope_is_the_subscription():
    payload = fixture("rt_az_activity_admin_scope.json")
    context = payload["data"]["alertContext"]
    resource = context["authorization"]["scope"]
    context["authorization"]["scope"] = f"/subscriptions/{SUB}"
    context["resourceId"] = resource
    alert = _read(payload)
    assert (alert.subscription, alert.resource_group) == (SUB, "prod-rg")


def test_without_any_scope_the_alert_id_still_gives_the_subscription():
    payload = fixture("rt_az_activity_admin_scope.json")
    payload["data"]["alertContext"]["authorization"] = None
    alert = _read(payload)
    assert (alert.subscription, alert.resource_group) == (SUB, None)


# -- 7. older log alerts and the V2 link fallback ----------------------------------------------


def test_older_log_alert_reads_registries_from_its_results_and_dimensions():
    alert = _read(fixture("rt_az_log_old_searchresults.json"))
    assert "contosoprodacr.azurecr.io" in alert.registry_fields  # LoginServer column / dimension
    assert "otherteamacr.azurecr.io" in alert.registry_fields
    assert any("otherteamacr.azurecr.io" in t for t in alert.text)
    assert alert.links == ("https://portal.azure.com#@tenant/blade/filtered",)


def test_older_log_alert_without_a_filtered_link_gives_the_search_link():
    payload = fixture("rt_az_log_old_searchresults.json")
    del payload["data"]["alertContext"]["LinkToFilteredSearchResultsUI"]
    alert = _read(payload)
    assert alert.links and alert.links[0].startswith("https://portal.azure.com#@tenant/blade/")
    assert "api.loganalytics.io" not in " ".join(alert.links)


def test_v2_log_alert_without_a_filtered_link_gives_the_search_link():
    alert = _read(fixture("rt_az_log_v2_nodims.json"))
    assert alert.links == (
        "https://portal.azure.com#@tenant/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade"
        "/source/Alerts.EmailLinks/scope/x/q/y",
    )


def test_search_results_of_any_shape_are_tolerated():
    payload = fixture("rt_az_log_old_searchresults.json")
    context = payload["data"]["alertContext"]
    for results in (None, [], {"tables": None}, {"tables": [{"rows": [None, 1, ["x"]]}]}):
        context["SearchResults"] = copy.deepcopy(results)
        context["Dimensions"] = {"name": "LoginServer"}
        assert _read(payload).rule == "ACR login failures"


def test_a_subscription_scope_does_not_hide_the_events_resource():
    payload = fixture("rt_az_activity_admin_scope.json")
    context = payload["data"]["alertContext"]
    resource = context["authorization"]["scope"]
    context["authorization"]["scope"] = f"/subscriptions/{SUB}"
    context["resourceId"] = resource
    assert _read(payload).target_ids == (resource,)


def test_a_huge_result_table_is_read_up_to_a_bound():
    payload = fixture("rt_az_log_old_searchresults.json")
    table = payload["data"]["alertContext"]["SearchResults"]["tables"][0]
    table["rows"] = [[f"reg{n:05d}.azurecr.io", n] for n in range(5000)]
    alert = _read(payload)
    assert "reg00000.azurecr.io" in alert.registry_fields
    assert len(alert.registry_fields) < 600


# -- hostile text in the newly read fields stays neutralised ---------------------------------


def test_hostile_text_in_results_dimensions_links_and_health_fields_is_neutralised(triager):
    from tests.triage.test_injection import EVIL, _assert_no_live, _everything

    payload = fixture("rt_az_log_old_searchresults.json")
    context = payload["data"]["alertContext"]
    context["SearchResults"]["tables"][0]["rows"].append([f"evilacr.azurecr.io {EVIL}", 1])
    context["Dimensions"].append({"name": "LoginServer", "value": EVIL})
    context["LinkToFilteredSearchResultsUI"] = f"https://portal.azure.com/#x|{EVIL}>"
    triage = triager.triage(_read(payload))
    _assert_no_live(triage, *_everything(triage))

    health = fixture("rt_az_servicehealth_resolved.json")
    props = health["data"]["alertContext"]["properties"]
    props.update(title=EVIL, trackingId=EVIL, stage=EVIL, communication=EVIL)
    triage = triager.triage(_read(health))
    _assert_no_live(triage, *_everything(triage))
