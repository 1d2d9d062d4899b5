# ruff: noqa: F811  (the end-to-end fixtures, imported, are parameters here)
"""What the readers' fixes change in Slack: webhooks through the in-process app, the fake Slack.

Each payload gets a fresh rule (or alertname) and alert ID so tests never join each
other's storms or de-duplicate each other's deliveries.
"""

from __future__ import annotations

import copy
import json
import uuid

from tests.fakes.slack_requests import event_callback, slash_command
from tests.triage.conftest import FIXTURES, fixture
from tests.triage.test_end_to_end import (  # noqa: F401  (pytest fixtures)
    ALERTS,
    ONCALL,
    PROD_ONCALL,
    _message_event,
    _private_answer,
    alert_bot,
    blocks_of,
    bot,
    posts_to,
)


def _top_level(bot) -> list:
    return [c for c in bot.slack.calls("chat.postMessage") if "thread_ts" not in c.params]


def _fresh_group(name: str) -> dict:
    group = copy.deepcopy(fixture(name))
    rule = f"KubeContainerWaiting{uuid.uuid4().hex[:8]}"
    for member in group["alerts"]:
        member["labels"]["alertname"] = rule
        member["fingerprint"] = uuid.uuid4().hex[:16]
    group["commonLabels"]["alertname"] = group["groupLabels"]["alertname"] = rule
    return group


# -- 1. Alertmanager: different workloads or clusters are not one storm -----------------------


def test_two_workloads_in_one_group_are_both_shown(bot):
    reply = bot.webhook("alertmanager", _fresh_group("rt_am_two_workloads.json"), bearer=True)
    assert reply.status_code == 200 and reply.json() == {"accepted": 2}
    calls = posts_to(bot.slack, ONCALL, count=2)
    shown = " ".join(json.dumps(c.params) for c in calls)
    assert "othereg" in shown and "contosoreg" in shown
    bot.settled()
    assert len(_top_level(bot)) == 2
    assert not any("fired 2 times" in json.dumps(u.params) for u in bot.slack.calls("chat.update"))


def test_the_same_pod_in_two_clusters_is_shown_twice(bot):
    group = copy.deepcopy(fixture("rt_am_two_clusters.json"))
    rule = f"KubePodCrashLooping{uuid.uuid4().hex[:8]}"
    for member in group["alerts"]:
        member["labels"]["alertname"] = rule
        member["fingerprint"] = uuid.uuid4().hex[:16]
    assert bot.webhook("alertmanager", group, bearer=True).status_code == 200
    posts_to(bot.slack, ONCALL, count=2)
    bot.settled()
    assert len(_top_level(bot)) == 2


def test_replicas_of_one_workload_are_still_one_storm(bot):
    group = _fresh_group("rt_am_two_workloads.json")
    template = group["alerts"][0]
    group["alerts"] = []
    for pod in ("api-7d9f8b6c5-x2k4q", "api-7d9f8b6c5-bq9rd", "api-7d9f8b6c5-wz6lk"):
        member = copy.deepcopy(template)
        member["labels"]["pod"] = pod
        member["fingerprint"] = uuid.uuid4().hex[:16]
        group["alerts"].append(member)
    assert bot.webhook("alertmanager", group, bearer=True).status_code == 200
    posts_to(bot.slack, ONCALL)
    bot.slack.wait_for(
        "chat.update", lambda c: "fired 3 times" in json.dumps(c.params.get("blocks")), 10
    )
    bot.settled()
    assert len(_top_level(bot)) == 1


# -- 2. a health recovery resolves the outage's message ----------------------------------------


def _fresh_pair(fired: str, resolved: str, key: str) -> tuple[dict, dict]:
    """Both events of one health event: one rule, one correlation or tracking ID, two alerts."""
    rule, shared = f"acr health {uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    pair = []
    for name in (fired, resolved):
        payload = copy.deepcopy(fixture(name))
        essentials, context = payload["data"]["essentials"], payload["data"]["alertContext"]
        essentials["alertRule"] = rule
        essentials["alertId"] = (
            f"/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/{uuid.uuid4()}"
        )
        (context["properties"] if key == "trackingId" else context)[key] = shared
        pair.append(payload)
    return pair[0], pair[1]


def _resolves_in_place(bot, fired: dict, resolved: dict) -> None:
    assert bot.webhook("azure-monitor", fired).status_code == 200
    posts_to(bot.slack, ONCALL)
    assert bot.webhook("azure-monitor", resolved).status_code == 200
    (update,) = bot.slack.wait_for("chat.update", timeout=10)
    assert update.params["channel"] == ONCALL and "RESOLVED" in update.params["text"]
    shown = json.dumps(update.params)
    assert "fired 2 times" not in shown
    bot.slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == update.params["ts"], 10
    )
    bot.settled()
    assert len(_top_level(bot)) == 1
    threads = [
        c.params["text"] for c in bot.slack.calls("chat.postMessage") if "thread_ts" in c.params
    ]
    assert not any("Fired again" in t for t in threads)


def test_a_resource_health_recovery_resolves_the_outage_message(bot):
    fired, resolved = _fresh_pair(
        "rt_az_resourcehealth.json", "rt_az_resourcehealth_recovered.json", "correlationId"
    )
    _resolves_in_place(bot, fired, resolved)


def test_a_service_health_resolved_update_resolves_the_incident_message(bot):
    fired, resolved = _fresh_pair(
        "rt_az_servicehealth.json", "rt_az_servicehealth_resolved.json", "trackingId"
    )
    _resolves_in_place(bot, fired, resolved)


# -- 5. an activity-log alert without targets is routed by its scope ---------------------------


def test_a_sev0_registry_delete_without_targets_goes_to_the_prod_route(bot):
    payload = copy.deepcopy(fixture("rt_az_activity_admin_scope.json"))
    payload["data"]["essentials"]["alertId"] += uuid.uuid4().hex[:8]
    payload["data"]["essentials"]["alertRule"] = f"acr-deleted-{uuid.uuid4().hex[:8]}"
    assert bot.webhook("azure-monitor", payload).status_code == 200
    (call,) = posts_to(bot.slack, PROD_ONCALL)
    assert "registries/delete" in call.params["text"]
    bot.settled()
    assert not [c for c in bot.slack.calls("chat.postMessage") if c.params["channel"] == ONCALL]


# -- 7. older log alerts: registries in the results, the link ---------------------------------


def _fresh(name: str) -> dict:
    payload = copy.deepcopy(fixture(name))
    essentials = payload["data"]["essentials"]
    essentials["alertId"] += uuid.uuid4().hex[:8]
    essentials["alertRule"] = f"{essentials['alertRule']}-{uuid.uuid4().hex[:8]}"
    return payload


def test_an_older_log_alert_names_its_registries_and_links_its_results(bot):
    assert (
        bot.webhook("azure-monitor", _fresh("rt_az_log_old_searchresults.json")).status_code == 200
    )
    (call,) = posts_to(bot.slack, ONCALL)
    assert "contosoprodacr" in call.params["text"]
    assert "No registry named" not in json.dumps(call.params)
    assert "https://portal.azure.com#@tenant/blade/filtered" in json.dumps(blocks_of(call))


def test_a_v2_log_alert_links_its_unfiltered_results(bot):
    assert bot.webhook("azure-monitor", _fresh("rt_az_log_v2_nodims.json")).status_code == 200
    (call,) = posts_to(bot.slack, ONCALL)
    assert "LogsBlade/source/Alerts.EmailLinks/scope/x/q/y" in json.dumps(blocks_of(call))


# -- 3. "resolved" inside an error does not resolve the alert ----------------------------------


def test_acr_triage_of_an_error_saying_resolved_is_fired_with_its_checks(bot):
    pasted = (FIXTURES / "rt_t_resolved_word.txt").read_text(encoding="utf-8")
    name = f"rt-{uuid.uuid4().hex[:8]}"
    reply = bot.slack_post(
        slash_command("triage " + pasted, response_url=bot.slack.response_url(name))
    )
    assert reply.status_code == 200
    answer = _private_answer(bot, reply, name)
    assert "FIRED" in answer and "RESOLVED" not in answer
    values = [
        json.loads(e["value"])["c"]
        for b in json.loads(answer)["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert values[:2] == ["pull", "check-health"]


def test_a_watched_channel_error_saying_could_not_be_resolved_is_fired(bot):
    pasted = (FIXTURES / "rt_t_dns_windows.txt").read_text(encoding="utf-8")
    event = _message_event(ALERTS, text=pasted, attachments=[])
    assert bot.slack_post(event_callback(event)).status_code == 200
    (reply,) = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"], 10
    )
    assert "FIRED" in reply.params["text"] and "RESOLVED" not in reply.params["text"]


def test_a_service_health_update_joins_the_incident_message_and_the_recovery_resolves_it(bot):
    rule, tracking = f"acr health {uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    events = []
    for stage, communication in (
        ("Active", "We are investigating"),
        ("Active", "Mitigation in progress, next update 14:00 UTC"),
        ("Resolved", "Mitigated"),
    ):
        payload = copy.deepcopy(fixture("rt_az_servicehealth.json"))
        essentials, context = payload["data"]["essentials"], payload["data"]["alertContext"]
        essentials["alertRule"] = rule
        essentials["alertId"] = (
            f"/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/{uuid.uuid4()}"
        )
        context["eventDataId"] = str(uuid.uuid4())
        context["status"] = "Resolved" if stage == "Resolved" else "Active"
        context["properties"].update(trackingId=tracking, stage=stage, communication=communication)
        events.append(payload)
    assert bot.webhook("azure-monitor", events[0]).status_code == 200
    posts_to(bot.slack, ONCALL)
    assert bot.webhook("azure-monitor", events[1]).status_code == 200
    bot.slack.wait_for(
        "chat.update", lambda c: "fired 2 times" in json.dumps(c.params.get("blocks")), 10
    )
    assert bot.webhook("azure-monitor", events[2]).status_code == 200
    bot.slack.wait_for("chat.update", lambda c: "RESOLVED" in c.params.get("text", ""), 10)
    bot.settled()
    assert len(_top_level(bot)) == 1
