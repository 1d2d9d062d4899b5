"""The webhook's decisions (token, size, JSON, shape, route) without an HTTP server."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import pytest

from bot.storage import StorageUnavailable
from bot.triage.routing import choose_channel
from bot.triage.webhook import AlertIntake, QueueFull
from tests.triage.conftest import FIXTURES, fixture

TOKEN = "s3cret-alert-token"


@dataclass(frozen=True)
class Route:
    channel: str
    subscriptions: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()


def intake(token=TOKEN, **kwargs):
    queued = []
    return AlertIntake(token, queued.extend, default_channel="C0ALERTS", **kwargs), queued


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_token_in_the_query_or_as_bearer():
    webhook, queued = intake()
    reply = webhook.handle("azure-monitor", f"token={TOKEN}", {}, body("azure_metric_storage.json"))
    assert (reply.status, reply.body) == (200, {"accepted": 1})
    headers = {"authorization": f"Bearer {TOKEN}"}
    reply = webhook.handle("alertmanager", "", headers, body("alertmanager_imagepull.json"))
    assert (reply.status, reply.body) == (200, {"accepted": 2})
    assert [channel for _, channel in queued] == ["C0ALERTS"] * 3


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        (f"token={TOKEN}", {"authorization": "Bearer eyJ0eXAiOiJKV1Qi.entra.jwt"}),
        ("token=wrong", {"authorization": f"Bearer {TOKEN}"}),
    ],
)
def test_either_token_may_be_ours(query, headers):
    """Azure Monitor's secure webhook sends an Entra ID Bearer token beside the URL's ?token=."""
    webhook, queued = intake()
    reply = webhook.handle("azure-monitor", query, headers, body("azure_metric_storage.json"))
    assert (reply.status, reply.body) == (200, {"accepted": 1}) and len(queued) == 1


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("", {}),
        ("token=wrong", {}),
        ("", {"authorization": "Bearer wrong"}),
        ("token=", {}),
        ("token=wrong", {"authorization": "Bearer also-wrong"}),
    ],
)
def test_missing_or_wrong_token_is_401(query, headers):
    webhook, queued = intake()
    reply = webhook.handle("azure-monitor", query, headers, body("azure_metric_storage.json"))
    assert reply.status == 401 and queued == []
    assert TOKEN not in json.dumps(reply.body)


def test_endpoints_are_off_without_a_token():
    webhook, _ = intake(token=None)
    reply = webhook.handle("azure-monitor", f"token={TOKEN}", {}, body("azure_metric_storage.json"))
    assert reply.status == 404 and not webhook.enabled


def test_bad_bodies():
    webhook, queued = intake()
    auth = f"token={TOKEN}"
    assert webhook.handle("azure-monitor", auth, {}, b"{not json").status == 400
    assert webhook.handle("azure-monitor", auth, {}, b"\xff\xfe").status == 400
    assert webhook.handle("azure-monitor", auth, {}, b" " * (1024 * 1024 + 1)).status == 413
    reply = webhook.handle("azure-monitor", auth, {}, body("alertmanager_imagepull.json"))
    assert reply.status == 422 and "common alert schema" in reply.body["error"]
    reply = webhook.handle("alertmanager", auth, {}, body("azure_metric_storage.json"))
    assert reply.status == 422 and "alerts" in reply.body["error"]
    assert queued == []


def test_no_route_and_no_default_is_422():
    queued = []
    webhook = AlertIntake(TOKEN, queued.extend, routes=[Route("C0PROD", severities=("Sev0",))])
    reply = webhook.handle("azure-monitor", f"token={TOKEN}", {}, body("azure_metric_storage.json"))
    assert reply.status == 422 and "default_channel" in reply.body["error"] and queued == []


def test_a_full_queue_is_503():
    def full(_):
        raise QueueFull

    webhook = AlertIntake(TOKEN, full, default_channel="C1")
    reply = webhook.handle("azure-monitor", f"token={TOKEN}", {}, body("azure_metric_storage.json"))
    assert reply.status == 503 and ("Retry-After", "30") in reply.headers


def test_routes_first_match_wins():
    from bot.triage import read_azure_monitor

    (alert,) = read_azure_monitor(fixture("azure_metric_storage.json"))
    routes = [
        Route("C0NOPE", subscriptions=("00000000-0000-0000-0000-000000000000",)),
        Route("C0PROD", resource_groups=("PROD-RG",), severities=("sev2", "Sev1")),
        Route("C0LATER"),
    ]
    assert choose_channel(alert, routes, "C0DEFAULT") == "C0PROD"
    assert choose_channel(alert, routes[:1], "C0DEFAULT") == "C0DEFAULT"
    assert choose_channel(alert, routes[:1], None) is None


@pytest.mark.parametrize(
    ("source", "query", "payload", "fails"),
    [
        ("azure-monitor", f"token={TOKEN}", body("azure_metric_storage.json"), None),
        ("alertmanager", f"token={TOKEN}", body("alertmanager_imagepull.json"), None),
        ("nowhere", f"token={TOKEN}", b"{}", None),
        ("azure-monitor", "token=wrong", body("azure_metric_storage.json"), None),
        ("azure-monitor", f"token={TOKEN}", b" " * (1024 * 1024 + 1), None),
        ("azure-monitor", f"token={TOKEN}", b"{not json", None),
        ("alertmanager", f"token={TOKEN}", body("azure_metric_storage.json"), None),
        ("azure-monitor", f"token={TOKEN}", body("azure_metric_storage.json"), QueueFull),
        ("alertmanager", f"token={TOKEN}", body("alertmanager_imagepull.json"), StorageUnavailable),
    ],
)
def test_the_loop_answers_each_delivery_as_a_thread_does(source, query, payload, fails):
    """``handle_async`` (Redis, on the event loop) and ``handle`` share their checks and replies."""
    queued, awaited = [], []

    def dispatch(routed):
        if fails:
            raise fails()
        queued.extend(routed)

    async def dispatch_async(routed):
        if fails:
            raise fails()
        awaited.extend(routed)

    webhook = AlertIntake(
        TOKEN, dispatch, default_channel="C0ALERTS", dispatch_async=dispatch_async
    )
    blocking = webhook.handle(source, query, {}, payload)
    on_loop = asyncio.run(webhook.handle_async(source, query, {}, payload))
    assert on_loop == blocking
    assert awaited == queued
