"""Issue 14's done-when: an ImagePullBackOff alert in a watched channel, clicked through, names the cause.

Alertmanager's Slack notification lands in a watched channel; acrbot
answers in its thread with "Why can't aks-prod pull shop/api:1.4?"; the
click goes through the same request → access rule → Confirm → run path as
``/acr pull``, against the fake Azure of ``tests/pull``, and the report in
the thread names the cause and the exact fix. Once per cause code.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import load_settings
from bot.slack.mrkdwn import escape
from bot.web.app import build_slack_app
from tests.diagnostics.conftest import TOKEN
from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import ALERTS, BOT_TOKEN, SIGNING_SECRET, write_config
from tests.fakes.slack_api import FakeSlack
from tests.pull.broken import CAUSES, Broken
from tests.pull.world import CLUSTER_CONFIG, World, healthy
from tests.slack.test_app_dispatch import ALICE, MALLORY, InProcess, button, text_of
from tests.triage.conftest import FIXTURES

NOTIFICATION = "alertmanager_slack_imagepullbackoff.json"


@contextmanager
def running(world: World, tmp_path: Path) -> Iterator[InProcess]:
    with FakeSlack() as slack, world.azure() as azure:
        config = tmp_path / "acrbot.yaml"
        write_config(config, azure)
        raw = yaml.safe_load(config.read_text())
        raw["azure"]["clusters"] = [CLUSTER_CONFIG]
        config.write_text(yaml.safe_dump(raw))
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.base_url,
            "ACRBOT_STATE_DIR": str(tmp_path / "state"),
            "ACRBOT_AZURE_TOKEN": TOKEN,
        }
        app, services = build_slack_app(load_settings(config, env=env), background_reload=False)
        yield InProcess(app, services, slack)


def notification(image: str) -> dict[str, Any]:
    """Alertmanager's Slack message for a pod that cannot pull ``image`` (cluster prod-eastus)."""
    raw = (FIXTURES / NOTIFICATION).read_text(encoding="utf-8").replace("{IMAGE}", image)
    event = copy.deepcopy(json.loads(raw))
    ts = sr.new_ts()
    event.update({"channel": ALERTS, "ts": ts, "event_ts": ts, "channel_type": "channel"})
    return event


def thread_reply(bot: InProcess, event: dict[str, Any]) -> dict[str, Any]:
    """acrbot's answer in the alert's thread, as posted."""
    assert bot.dispatch(sr.event_callback(event)).status == 200
    (call,) = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"], timeout=10
    )
    return call.params


def click(bot: InProcess, reply: dict[str, Any], element: dict[str, Any], name: str, user: str):
    """Click ``element`` of the thread reply, as Slack sends it (the message, in its thread)."""
    message = {
        "type": "message",
        "user": sr.BOT_USER_ID,
        "ts": sr.new_ts(),
        "thread_ts": reply["thread_ts"],
        "text": reply["text"],
        "blocks": reply["blocks"],
    }
    body = sr.block_actions(
        element["action_id"],
        element["value"],
        response_url=bot.slack.response_url(name),
        user_id=user,
        channel_id=ALERTS,
        message=message,
    )
    assert bot.dispatch(body).status == 200


@pytest.mark.parametrize("broken", CAUSES, ids=[c.id for c in CAUSES])
def test_the_alert_clicked_through_names_the_cause_and_the_fix(
    broken: Broken, tmp_path: Path
) -> None:
    world = broken.world()
    with running(world, tmp_path) as bot:
        reply = thread_reply(bot, notification(broken.image))
        pull = button(reply, "diag_request_0")
        shown = broken.image.split("/", 1)[1]
        assert pull["text"]["text"] == f"🔎 Why can't aks-prod pull {shown}?"
        checks = [
            json.loads(e["value"])["c"]
            for b in reply["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        ]
        assert checks[0] == "pull" and "check-health" in checks  # check-health stays on offer

        click(bot, reply, pull, "request", ALICE)
        (confirmation,) = bot.replies("request")
        assert "aks-prod" in text_of(confirmation) and shown in text_of(confirmation)
        token = button(confirmation, "diag_confirm")
        click(bot, reply, token, "run", ALICE)
        reports = bot.slack.wait_for(
            "response_url",
            lambda c: c.name == "run" and "header" in json.dumps(c.params),
            timeout=15,
        )
    report = json.dumps(reports[-1].params["blocks"], ensure_ascii=False)
    first_cause = json.dumps(reports[-1].params["blocks"][2], ensure_ascii=False)
    assert broken.code in first_cause, report
    for piece in broken.fix_pieces(world):
        assert json.dumps(escape(piece), ensure_ascii=False)[1:-1] in first_cause, (piece, report)


def test_the_click_is_refused_for_someone_no_rule_allows(tmp_path: Path) -> None:
    with running(healthy(), tmp_path) as bot:
        reply = thread_reply(bot, notification("contosoreg.azurecr.io/shop/api:1.4"))
        click(bot, reply, button(reply, "diag_request_0"), "mallory", MALLORY)
        (refusal,) = bot.replies("mallory")
        assert ":no_entry:" in text_of(refusal) and "diag_confirm" not in text_of(refusal)
