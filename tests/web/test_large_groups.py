"""Issue 18 B6: a large Alertmanager group is accepted, and what is left out is said.

900 alerts used to be answered ``{"accepted": 200}`` with no trace of the
other 700, ``truncatedAlerts`` was ignored, and a 3,000-alert group (1.3 MB)
got a 413 that Alertmanager does not retry. Here the whole ASGI app of one
worker, in process, against the fake Slack.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import metrics
from bot.config import load_settings
from bot.triage.readers.alertmanager import MAX_ALERTS, left_out
from bot.web.app import build_router
from bot.web.routes import Router
from tests.fakes.slack_api import FakeSlack
from tests.triage.conftest import fixture

TOKEN = "large-group-token-9876"


def group(size: int, truncated: int = 0) -> dict[str, Any]:
    payload = fixture("alertmanager_imagepull.json")
    member = payload["alerts"][0]
    payload["alerts"] = []
    for n in range(size):
        alert = copy.deepcopy(member)
        alert["fingerprint"] = f"{n:016x}"
        alert["labels"]["pod"] = f"checkout-api-{n}"
        payload["alerts"].append(alert)
    payload["commonLabels"] = {"alertname": "KubePodImagePullBackOff"}
    if truncated:
        payload["truncatedAlerts"] = truncated
    return payload


def test_left_out_counts_past_the_limit_and_what_alertmanager_truncated():
    assert left_out(group(3)) == (0, 0)
    assert left_out(group(MAX_ALERTS + 700)) == (700, 0)
    assert left_out(group(10, truncated=50)) == (0, 50)
    assert left_out({**group(1), "truncatedAlerts": "lots"}) == (0, 0)
    assert left_out({**group(1), "truncatedAlerts": True}) == (0, 0)


def call(router: Router, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """One POST through the ASGI app, its body in 64 kB chunks as a server hands it over."""
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)] or [b""]
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": path,
        "query_string": f"token={TOKEN}".encode(),
        "headers": [(b"content-length", str(len(body)).encode())], "client": ("127.0.0.1", 1),
    }  # fmt: skip
    asyncio.run(router(scope, receive, send))
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Router, FakeSlack]]:
    config = tmp_path / "acrbot.yaml"
    config.write_text(yaml.safe_dump({"alerts": {"default_channel": "C0ONCALL"}}))
    with FakeSlack() as slack:
        env = {
            "ACRBOT_CONFIG": str(config),
            "ACRBOT_STATE_DIR": str(tmp_path / "state"),
            "ACRBOT_ALERT_TOKEN": TOKEN,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "secret-of-at-least-sixteen",
            "SLACK_API_URL": slack.base_url,
        }
        router = build_router(load_settings(env=env), background_reload=False)
        try:
            yield router, slack
        finally:
            for stop in router.on_shutdown:
                stop()


def left_out_total() -> float:
    text = metrics.render()[0].decode()
    line = next(
        (
            x
            for x in text.splitlines()
            if x.startswith('acrbot_alerts_left_out_total{source="alertmanager"}')
        ),
        "x 0",
    )
    return float(line.split()[-1])


def test_a_3000_alert_group_is_accepted_and_the_rest_is_said(served, caplog):
    router, slack = served
    body = json.dumps(group(3000, truncated=120)).encode()
    assert len(body) > 1024 * 1024  # over the 1 MB every other route keeps
    before = left_out_total()
    with caplog.at_level(logging.WARNING):
        status, reply = call(router, "/alerts/alertmanager", body)
    assert status == 200 and reply == {"accepted": MAX_ALERTS, "left_out": 2920}
    assert any("2920 alert(s) left out" in r.getMessage() for r in caplog.records)
    assert left_out_total() - before == 2920
    (note,) = slack.wait_for(
        "chat.postMessage", predicate=lambda c: "are not shown here" in c.params["text"], timeout=60
    )
    assert "2920 alerts" in note.params["text"] and "KubePodImagePullBackOff" in note.params["text"]
    assert "2800 past the 200" in note.params["text"] and "120 dropped" in note.params["text"]


def test_azure_monitor_keeps_its_one_megabyte_limit(served):
    router, _ = served
    status, _ = call(router, "/alerts/azure-monitor", b" " * (1024 * 1024 + 1))
    assert status == 413
