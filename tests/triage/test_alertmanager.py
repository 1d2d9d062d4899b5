"""Alertmanager's webhook (version 4): a group in, one alert per member out."""

from __future__ import annotations

import pytest

from bot.triage import State, UnknownShape, read_alertmanager
from tests.triage.conftest import fixture


def test_a_group_gives_one_alert_per_member():
    alerts = read_alertmanager(fixture("alertmanager_imagepull.json"))
    assert [a.rule for a in alerts] == ["KubePodImagePullBackOff"] * 2
    assert [a.severity for a in alerts] == ["critical", "warning"]
    assert all(a.state == State.FIRED for a in alerts)
    assert alerts[0].identity != alerts[1].identity
    assert "401 Unauthorized" in " ".join(alerts[0].text)


def test_delivery_key_is_fingerprint_start_and_status():
    payload = fixture("alertmanager_imagepull.json")
    (first, _) = read_alertmanager(payload)
    assert first.delivery_key == "alertmanager:4c2e8f1a9b7d3e65:2026-11-29T03:05:30.123Z:fired"
    payload["alerts"][0]["status"] = "resolved"
    payload["alerts"][0]["endsAt"] = "2026-11-29T03:40:00Z"
    (resolved, _) = read_alertmanager(payload)
    assert resolved.state == State.RESOLVED and resolved.identity == first.identity
    assert resolved.resolved_at == "2026-11-29T03:40:00Z"


def test_storm_key_ignores_the_pod_name():
    payload = fixture("alertmanager_imagepull.json")
    (first, _) = read_alertmanager(payload)
    payload["alerts"][0]["labels"]["pod"] = "checkout-api-7d9f8b6c5-zz999"
    payload["alerts"][0]["fingerprint"] = "0000000000000001"
    (again, _) = read_alertmanager(payload)
    assert again.storm_key == first.storm_key and again.identity != first.identity


def test_missing_fingerprint_is_derived_from_labels():
    payload = fixture("alertmanager_imagepull.json")
    del payload["alerts"][0]["fingerprint"]
    a = read_alertmanager(payload)[0]
    b = read_alertmanager(payload)[0]
    assert a.identity == b.identity


def test_an_empty_group_is_read_as_no_alerts():
    assert read_alertmanager({"version": "4", "status": "firing", "alerts": []}) == []


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("text", "expected a JSON object"),
        ({"receiver": "x"}, "no 'alerts' list"),
        ({"version": "3", "alerts": []}, "version"),
        ({"version": "4", "alerts": [1, 2]}, "not objects"),
    ],
)
def test_other_shapes_are_refused(payload, reason):
    with pytest.raises(UnknownShape) as caught:
        read_alertmanager(payload)
    assert reason in str(caught.value)
