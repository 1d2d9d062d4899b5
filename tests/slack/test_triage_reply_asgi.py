"""`/acr triage` and alert posts through the served ASGI app, with signed requests.

The paths the red-team report found silent or forgeable: a pasted
Alertmanager group whose alerts offer checks (one ``alert_checks`` block
each made Slack's duplicate block_id, and the ack came back empty), alerts
of a paste the reply does not show, a reply that cannot be built, and alert
text that forges a headline line or is auto-linked by Slack.
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

from bot.slack import block_limits
from tests.fakes.acrbot_process import ALERTS, ALICE, AZURE_TOKEN, SIGNING_SECRET
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.in_process import InProcessBot, start_in_process
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import block_actions, post, slash_command

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


def block_ids(blocks: list[dict]) -> list[str]:
    return [b["block_id"] for b in blocks if b.get("block_id")]


def text_objects(blocks: list[dict]) -> Iterator[dict]:
    for block in blocks:
        if isinstance(block.get("text"), dict):
            yield block["text"]
        for element in block.get("elements", []):
            if element.get("type") in ("mrkdwn", "plain_text"):
                yield element


# -- item 4: several alerts with checks in one paste ------------------------------------------


def test_a_pasted_group_whose_alerts_offer_checks_gets_its_reply(bot):
    reply = triage(bot, paste("am_group10.json"))
    blocks = reply["blocks"]
    assert block_limits.problems_in(blocks) == []
    ids = block_ids(blocks)
    assert len(ids) == len(set(ids))
    actions = [b for b in blocks if b["type"] == "actions"]
    # the first keeps the id echo.py and the listeners know; each alert has its own
    assert [b["block_id"] for b in actions] == ["alert_checks", "alert_checks_2", "alert_checks_3"]
    for block in actions:  # the same buttons the click listener answers
        assert block["elements"][0]["action_id"] == "diag_request_0"
    assert reply["text"].count("FIRED") == 3


def test_a_button_of_the_second_alert_goes_through_access_and_confirm(bot):
    actions = [b for b in triage(bot, paste("am_group10.json"))["blocks"] if b["type"] == "actions"]
    second = actions[1]
    health = next(e for e in second["elements"] if json.loads(e["value"])["c"] == "check-health")
    body = block_actions(
        health["action_id"],
        health["value"],
        block_id=second["block_id"],
        user_id=ALICE,
        response_url=bot.slack.response_url("click"),
    )
    assert send(bot, body).status_code == 200
    (answer,) = bot.slack.wait_for("response_url", lambda c: c.name == "click", 10)
    assert "confirm" in json.dumps(answer.params).lower()


def test_the_reply_counts_the_alerts_it_does_not_show(bot):
    reply = triage(bot, paste("am_group8_nochecks.json"))
    last = reply["blocks"][-1]
    assert last["type"] == "context"
    note = last["elements"][0]["text"]
    assert "…and 5 more alerts not shown here" in note
    assert "see the alert channel" in note and "paste fewer" in note
    assert "not read" not in note  # every alert of the paste was read
    assert "5 more alerts" in reply["text"]  # the notification's text says it too


def test_alertmanagers_truncated_alerts_are_counted(bot):
    # 10 alerts, 3 shown, and truncatedAlerts: 37 that Alertmanager never sent
    note = triage(bot, paste("am_group10.json"))["blocks"][-1]["elements"][0]["text"]
    assert "…and 44 more alerts not shown here" in note
    assert "37 of them were not read: 37 dropped by Alertmanager's `max_alerts`" in note


def test_one_alert_gets_no_note(bot):
    text = 'Failed to pull image "contosoreg.azurecr.io/app:1": 401 Unauthorized'
    blocks = triage(bot, text)["blocks"]
    assert "more alert" not in json.dumps(blocks)


def test_a_reply_slack_would_refuse_is_sent_as_plain_text(bot, monkeypatch):
    """Were every alert's buttons one ``alert_checks`` block again, the ack still says something."""
    from bot.slack import triage_reply

    monkeypatch.setattr(triage_reply, "checks_block_id", lambda number: "alert_checks")
    reply = triage(bot, paste("am_group10.json"))
    assert not reply.get("blocks")
    text = reply["text"]
    assert "could not lay the reply out as a Slack message" in text
    assert "duplicate block_id 'alert_checks'" in text
    assert "Paste fewer alerts" in text and "acrbot triage" in text
    assert text.count("FIRED") == 3 and "44 more alerts" in text


def test_a_failure_while_triaging_is_said_not_silent(bot, monkeypatch):
    triager = bot.served.services.triager

    def broken(alerts):
        raise RuntimeError("index went away")

    monkeypatch.setattr(triager, "triage_all", broken)
    reply = triage(bot, "contosoreg.azurecr.io 401 Unauthorized")
    assert "Something went wrong in acrbot while triaging" in reply["text"]
    assert "acrbot triage" in reply["text"]
    assert "index went away" not in json.dumps(reply)  # the log has it, not the chat


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
    payload = alertmanager(severity="warning")
    # An error the FAQ file answers (its entries link learn.microsoft.com; the pull
    # troubleshooting file's do not), so acrbot's own link is in the reply beside the bait.
    payload["alerts"][0]["annotations"]["description"] = (
        "docker login to contosoreg.azurecr.io failed: unauthorized: authentication required, "
        "see https://evil.example/login #general @here"
    )
    blocks = triage(bot, json.dumps(payload))["blocks"]
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
