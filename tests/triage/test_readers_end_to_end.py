# ruff: noqa: F811  (the end-to-end fixtures, imported, are parameters here)
"""What the readers' fixes change in Slack: webhooks through the in-process app, the fake Slack.

Each payload gets a fresh rule (or alertname) and alert ID so tests never join each
other's storms or de-duplicate each other's deliveries.
"""

from __future__ import annotations

import copy
import json
import uuid

from tests.triage.conftest import fixture
from tests.triage.test_end_to_end import (  # noqa: F401  (pytest fixtures)
    ONCALL,
    alert_bot,
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
