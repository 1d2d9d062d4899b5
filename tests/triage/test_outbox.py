"""A queued alert is the alert: written as JSON and read back whole."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.triage import outbox, read_alertmanager, read_azure_monitor
from tests.triage.conftest import fixture

ALERTS = [
    *read_alertmanager(fixture("alertmanager_imagepull.json")),
    *read_alertmanager(fixture("alertmanager_image_label.json")),
    *(
        read_azure_monitor(fixture(name))[0]
        for name in ("azure_metric_storage.json", "azure_activity_nulls.json",
                     "azure_log_failed_logins.json", "azure_monitor_aks_log.json")
    ),
]  # fmt: skip


@pytest.mark.parametrize("alert", ALERTS, ids=lambda a: f"{a.source}-{a.rule}")
def test_an_item_is_asdict_of_the_alert_and_reads_back_equal(alert):
    reference = dataclasses.asdict(alert)  # the generic conversion it replaces
    reference["source"], reference["state"] = str(alert.source), str(alert.state)
    item = outbox.to_item(alert, "C1")
    assert json.dumps(item["alert"], sort_keys=True) == json.dumps(reference, sort_keys=True)
    assert outbox.from_item(json.loads(json.dumps(item))) == (alert, "C1")


def test_the_fixtures_hold_a_measured_alert():
    assert any(a.measurement is not None for a in ALERTS)
