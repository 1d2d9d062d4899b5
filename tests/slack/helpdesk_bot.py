"""An in-process acrbot with help channels, follow-ups, the ask reaction and hand-offs.

The real Bolt app and services (``build_slack_app``) against the fake Slack;
requests are signed as Slack signs them and go through ``app.dispatch``.
Optionally on a shared Redis, so two of these are two replicas.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from slack_bolt import App, BoltRequest, BoltResponse

from bot.config import load_settings
from bot.services import Services
from bot.web.app import build_slack_app
from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import BOT_TOKEN, SIGNING_SECRET
from tests.fakes.slack_api import FakeSlack

HELP, PRIVATE, OTHER, ALERTS = "C0HELP", "C0PRIV", "C0OTHER", "C0ALERTS"
PLATFORM = "S0PLATFORM"
ASKER, HELPER, STRANGER = "UASKER", "UHELPER", "USTRANGER"

CONFIG: dict[str, Any] = {
    "slack": {
        "help_channels": [HELP, {"id": PRIVATE, "mode": "private", "min_confidence": 0.8}],
        "followups": {"max_count": 2, "idle_minutes": 30},
        "escalation": {"usergroup": PLATFORM, "remind_after_minutes": 15},
    },
    "alerts": {"channels": [ALERTS]},
}


class HelpdeskBot:
    def __init__(self, app: App, services: Services, slack: FakeSlack) -> None:
        self.app, self.services, self.slack = app, services, slack

    def dispatch(self, body: bytes, headers: dict[str, str] | None = None) -> BoltResponse:
        signed = sr.sign(SIGNING_SECRET, body)
        signed["Content-Type"] = (
            "application/json" if body.startswith(b"{") else "application/x-www-form-urlencoded"
        )
        request = BoltRequest(body=body.decode(), headers={**signed, **(headers or {})})
        return self.app.dispatch(request)

    def event(self, event: dict[str, Any], event_id: str | None = None, **kw: Any) -> str:
        """Deliver ``event``; returns its event_id (deliver it again to play Slack's retry)."""
        event_id = event_id or sr.new_event_id()
        response = self.dispatch(sr.event_callback(event, event_id=event_id), **kw)
        assert response.status == 200, response.body
        return event_id

    def click(
        self, action_id: str, value: str, *, user: str, channel: str, message: dict[str, Any]
    ) -> str:
        name = f"r{time.monotonic_ns()}"
        body = sr.block_actions(
            action_id,
            value,
            response_url=self.slack.response_url(name),
            user_id=user,
            channel_id=channel,
            message_ts=message["ts"],
            message=message,
        )
        assert self.dispatch(body).status == 200
        return name


def start_helpdesk_bot(
    tmp: Path, slack: FakeSlack, *, redis_url: str | None = None, config: dict | None = None
) -> HelpdeskBot:
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "acrbot.yaml"
    path.write_text(yaml.safe_dump(config or CONFIG), encoding="utf-8")
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.base_url,
        "ACRBOT_STATE_DIR": str(tmp / "state"),
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    settings = load_settings(path, env=env)
    app, services = build_slack_app(settings, background_reload=False)
    return HelpdeskBot(app, services, slack)


def wait_until(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll ``check`` until it returns something truthy (a positive signal), or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"waited {timeout}s for {check}")


def counter(name: str, *labels: str) -> float:
    from bot import metrics

    return getattr(metrics.get(), name).labels(*labels)._value.get()


def posts(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [c.params for c in slack.calls("chat.postMessage") if c.params.get("channel") == channel]


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """action_id -> button, for every button in the message."""
    return {
        e["action_id"]: e
        for b in message.get("blocks", [])
        if b.get("type") == "actions"
        for e in b["elements"]
    }
