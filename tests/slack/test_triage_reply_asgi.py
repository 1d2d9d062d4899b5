"""`/acr triage` and alert posts through the served ASGI app, with signed requests.

The paths the red-team report found forgeable: alert text that forges a
headline line, or is auto-linked by Slack.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.fakes.acrbot_process import ALERTS, ALICE, AZURE_TOKEN, SIGNING_SECRET
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.in_process import InProcessBot, start_in_process
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import post, slash_command

PASTES = Path(__file__).parent / "triage_paste"
TOKEN = "alert-token-7c1e0b2d9a4f"
ONCALL = "C0ONCALL"


def paste(name: str) -> str:
    return (PASTES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessBot]:
    tmp = tmp_path_factory.mktemp("triage_reply")

    def configure(path: Path) -> None:
        config = yaml.safe_load(path.read_text())
        config.get("slack", {}).pop("alert_channels", None)
        config["alerts"] = {"channels": [ALERTS], "default_channel": ONCALL, "language": "en"}
        path.write_text(yaml.safe_dump(config))

    with (
        FakeSlack() as slack,
        FakeAzure([FakeRegistry("contosoreg")], token=AZURE_TOKEN) as azure,
        start_in_process(tmp, slack, azure, configure=configure, ACRBOT_ALERT_TOKEN=TOKEN) as bot,
    ):
        yield bot


@pytest.fixture
def bot(served: InProcessBot) -> InProcessBot:
    served.slack.reset()
    return served


def send(bot: InProcessBot, body: bytes) -> httpx.Response:
    return post("/slack/events", body, signing_secret=SIGNING_SECRET, client=bot.http)


def triage(bot: InProcessBot, text: str, name: str = "t") -> dict:
    """`/acr triage TEXT` by Alice: the ephemeral reply, from the ack or the response URL."""
    body = slash_command("triage " + text, user_id=ALICE, response_url=bot.slack.response_url(name))
    reply = send(bot, body)
    assert reply.status_code == 200
    if reply.content:
        data = reply.json()
    else:
        (call,) = bot.slack.wait_for("response_url", lambda c: c.name == name, 10)
        data = call.params
    assert data.get("response_type", "ephemeral") == "ephemeral"
    return data


def text_objects(blocks: list[dict]) -> Iterator[dict]:
    for block in blocks:
        if isinstance(block.get("text"), dict):
            yield block["text"]
        for element in block.get("elements", []):
            if element.get("type") in ("mrkdwn", "plain_text"):
                yield element


# -- item 15: one-line fields, verbatim text ---------------------------------------------------


def alertmanager(**labels: str) -> dict:
    group = json.loads(paste("am_group8_nochecks.json"))
    member = copy.deepcopy(group["alerts"][0])
    member["labels"].update(labels)
    member["fingerprint"] = uuid.uuid4().hex[:16]
    member["annotations"]["description"] = (
        "Failed to pull image contosoreg.azurecr.io/shop/api:1.4: 401 Unauthorized, "
        "see https://evil.example/login #general @here"
    )
    group["alerts"] = [member]
    return group


def webhook(bot: InProcessBot, payload: dict) -> None:
    reply = bot.http.post(
        f"/alerts/alertmanager?token={TOKEN}",
        content=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text


FORGED = "warning\n🔴 *FIRED* · Sev0 · `registry-deleted` · *othereg*"


@pytest.mark.parametrize("severity", [FORGED, FORGED.replace("\n", "\u2028"), FORGED + "\r\x0b"])
def test_a_line_break_in_a_label_forges_no_headline_in_the_channel(bot, severity):
    payload = alertmanager(severity=severity, alertname=f"crash-{uuid.uuid4().hex[:6]}")
    webhook(bot, payload)
    (call,) = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.params.get("channel") == ONCALL, 10
    )
    blocks = call.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    section = blocks[0]["text"]["text"]
    top, _summary = section.split("\n")  # one headline line, one summary line
    assert top.startswith("🔴 *FIRED* · warning 🔴 *FIRED* · Sev0")
    assert "\u2028" not in section and "\r" not in section and "\x0b" not in section
    assert "\n" not in call.params["text"]


def test_pasted_alert_text_is_not_auto_linked(bot):
    blocks = triage(bot, json.dumps(alertmanager(severity="warning")))["blocks"]
    mrkdwn = [t for t in text_objects(blocks) if t["type"] == "mrkdwn"]
    assert any("https://evil.example/login" in t["text"] for t in mrkdwn)
    assert all(t.get("verbatim") is True for t in mrkdwn)
    # acrbot's own links are written as <url|label>, which verbatim text still renders
    assert "<https://learn.microsoft.com/" in json.dumps(blocks)
    assert "<https://evil.example" not in json.dumps(blocks)


def test_a_resolved_time_that_is_not_a_time_pings_nobody(bot):
    fired = alertmanager(severity="warning", alertname=f"crash-{uuid.uuid4().hex[:6]}")
    webhook(bot, fired)
    bot.slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == ONCALL, 10)
    resolved = copy.deepcopy(fired)
    resolved["status"] = resolved["alerts"][0]["status"] = "resolved"
    resolved["alerts"][0]["endsAt"] = "<!channel> now"
    webhook(bot, resolved)
    calls = bot.slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == ONCALL, 10, 2)
    updates = bot.slack.calls("chat.update")
    said = json.dumps([c.params for c in calls] + [c.params for c in updates])
    assert "<!channel>" not in said  # the "Resolved …" reply in the thread is plain text
    assert "&lt;!channel&gt; now" in said
