"""A help channel through the whole ASGI app (`build_router`): HTTP, signature, Bolt, listener."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from bot.config import load_settings
from bot.web.app import build_router
from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import BOT_TOKEN, SIGNING_SECRET
from tests.fakes.in_process import AsgiClient
from tests.fakes.slack_api import FakeSlack
from tests.slack.helpdesk_bot import HELP, posts, wait_until


def post(client: AsgiClient, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return sr.post(
        "/slack/events", body, signing_secret=SIGNING_SECRET, headers=headers, client=client
    )


def test_a_help_channel_question_through_the_asgi_app(tmp_path: Path) -> None:
    config = tmp_path / "acrbot.yaml"
    config.write_text(yaml.safe_dump({"slack": {"help_channels": [HELP]}}), encoding="utf-8")
    with FakeSlack() as slack:
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.base_url,
            "ACRBOT_STATE_DIR": str(tmp_path / "state"),
        }
        router = build_router(load_settings(config, env=env), background_reload=False)
        with AsgiClient(router) as client:
            event = sr.message_channel(
                "docker pull from our ACR is very slow, any tips?", channel=HELP
            )
            body = sr.event_callback(event, event_id="Ev0HELPASGI1")
            assert post(client, body).status_code == 200
            assert (
                post(
                    client, body, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"}
                ).status_code
                == 200
            )
            (answer,) = wait_until(lambda: posts(slack, HELP))
            assert answer["thread_ts"] == event["ts"] and "docker" in answer["text"].lower()
            greeting = sr.message_channel("good morning all!", channel=HELP)
            assert post(client, sr.event_callback(greeting)).status_code == 200
            question = sr.message_channel(
                "how do I get the admin password for my registry?", channel=HELP
            )
            assert post(client, sr.event_callback(question)).status_code == 200
            wait_until(lambda: len(posts(slack, HELP)) == 2)  # the next question: a positive signal
            assert [p["thread_ts"] for p in posts(slack, HELP)] == [event["ts"], question["ts"]]
