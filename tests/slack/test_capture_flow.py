"""Issue 16 end to end: shortcut → modal → submission → approver DM → Approve → answered.

The real Bolt app (middleware, listeners, services) in this process against
the fake Slack, with signed requests; two replicas share a real Redis, so
an approval clicked on one is answered on the other by the next question.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse

from bot.config import load_settings
from bot.services import Services
from bot.web.app import build_slack_app
from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import BOT_TOKEN, SIGNING_SECRET
from tests.fakes.slack_api import BOT_USER_ID, FakeSlack

EXPERT, APPROVER, GROUPED, ADMIN, MALLORY = "UEXPERT", "UAPPROVER", "UGROUPED", "UADMIN", "UMAL"
CHANNEL = "C1HELP"
QUESTION = "How do I purge untagged manifests on a schedule with ACR tasks?"
REPLY = (
    "Use an *ACR task* with the purge command &amp; a cron trigger:\n"
    '```az acr task create --name purge --cmd "acr purge --untagged --ago 7d" '
    '--schedule "0 1 * * *" --registry myreg --context /dev/null```\n'
    "See <https://aka.ms/acr/purge|the purge docs>, thanks <@UOTHER>!"
)


class Replica:
    def __init__(self, app: App, services: Services, slack: FakeSlack) -> None:
        self.app, self.services, self.slack = app, services, slack

    def dispatch(self, body: bytes) -> BoltResponse:
        headers = sr.sign(SIGNING_SECRET, body)
        headers["Content-Type"] = "application/json" if body.startswith(b"{") else sr.FORM
        return self.app.dispatch(BoltRequest(body=body.decode(), headers=headers))

    def ask(self, question: str, user: str = MALLORY) -> str:
        url = self.slack.response_url("ask")
        body = sr.slash_command(f"ask {question}", response_url=url, user_id=user)
        return json.dumps(json.loads(self.dispatch(body).body), ensure_ascii=False)

    def click(self, action_id: str, value: str, user: str, name: str) -> None:
        url = self.slack.response_url(name)
        self.dispatch(sr.block_actions(action_id, value, response_url=url, user_id=user))


def write_config(path: Path) -> None:
    config = {
        "knowledge": {
            "approvers": {"users": [APPROVER], "usergroups": ["SKNOW"]},
            "capture_reaction": "books",
        },
        "slack": {"admins": {"users": [ADMIN]}, "help_channels": ["C0HELPDESK"]},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


def replica(tmp: Path, slack: FakeSlack, name: str, redis_url: str | None) -> Replica:
    config = tmp / "acrbot.yaml"
    write_config(config)
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.base_url,
        "ACRBOT_STATE_DIR": str(tmp / f"state-{name}"),
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    app, services = build_slack_app(load_settings(config, env=env), background_reload=True)
    return Replica(app, services, slack)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.usergroups["SKNOW"] = [GROUPED]
        parent = {"type": "message", "user": "UQ", "ts": "1700000000.000100"}
        fake.add_message(CHANNEL, {**parent, "text": f"<@{BOT_USER_ID}> {QUESTION}"})
        reply = {"type": "message", "user": EXPERT, "text": REPLY, "ts": "1700000000.000200"}
        fake.add_message(CHANNEL, {**reply, "thread_ts": "1700000000.000100"})
        yield fake


@pytest.fixture
def one(tmp_path: Path, slack: FakeSlack) -> Replica:
    return replica(tmp_path, slack, "one", None)


def open_modal(bot: Replica, user: str = EXPERT) -> dict[str, Any]:
    message = bot.slack.messages[CHANNEL][1]
    bot.dispatch(sr.message_shortcut("save_answer", message, user_id=user, channel_id=CHANNEL))
    (call,) = bot.slack.wait_for("views.open")
    return call.params["view"]


def initial(view: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if element["type"] == "static_select":
            values[block["block_id"]] = {"selected": element["initial_option"]["value"]}
        else:
            values[block["block_id"]] = element.get("initial_value", "")
    return values


def submit(bot: Replica, view: dict[str, Any], user: str = EXPERT, **changes: str) -> BoltResponse:
    return bot.dispatch(sr.view_submission(view, initial(view) | changes, user_id=user))


def approver_dm(bot: Replica, user: str = APPROVER) -> dict[str, Any]:
    (call,) = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.params["channel"] == user and "capture_approve" in str(c)
    )
    return call.params


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button")


def test_the_modal_is_pre_filled_from_the_thread(one: Replica) -> None:
    values = initial(open_modal(one))
    assert values["question"] == QUESTION  # the parent, without the mention
    answer = values["answer"]
    assert "**ACR task**" in answer and "& a cron trigger" in answer
    assert '```\naz acr task create --name purge --cmd "acr purge --untagged --ago 7d"' in answer
    assert "[the purge docs](https://aka.ms/acr/purge)" in answer and "<@" not in answer
    assert values["language"] == {"selected": "en"}
    assert values["permalink"].endswith("/archives/C1HELP/p1700000000000200")


def test_approve_on_one_replica_is_answered_on_the_other(
    tmp_path: Path, slack: FakeSlack, redis_url: str
) -> None:
    first = replica(tmp_path, slack, "a", redis_url)
    second = replica(tmp_path, slack, "b", redis_url)
    view = open_modal(first)
    assert submit(first, view).status == 200
    review = approver_dm(first)
    grouped = approver_dm(first, GROUPED)  # the approver group's member is told too
    assert grouped["blocks"] == review["blocks"]
    assert "acr purge --untagged" not in second.ask("purge untagged manifests on a schedule")
    item_id = button_value(review, "capture_approve")
    second.click("capture_approve", item_id, MALLORY, "refused")  # not an approver
    (refusal,) = slack.wait_for("response_url", lambda c: c.name == "refused")
    assert "Only the approvers" in json.dumps(refusal.params)
    assert second.services.captured.get(item_id).status == "pending"
    first.click("capture_approve", item_id, APPROVER, "approved")
    (done,) = slack.wait_for("response_url", lambda c: c.name == "approved")
    assert done.params["replace_original"] is True and "Approved by" in json.dumps(done.params)
    answer = second.ask("purge untagged manifests on a schedule with acr tasks")
    assert "acr purge --untagged" in answer
    assert "archives/C1HELP/p1700000000000200" in answer  # the docs link is the thread


def test_a_rejected_capture_is_never_answered(one: Replica) -> None:
    submit(one, open_modal(one))
    item_id = button_value(approver_dm(one, GROUPED), "capture_reject")
    one.click("capture_reject", item_id, GROUPED, "rejected")  # an approver through the group
    one.slack.wait_for("response_url", lambda c: c.name == "rejected")
    assert one.services.captured.get(item_id).status == "rejected"
    assert "acr purge --untagged" not in one.ask(QUESTION)


@pytest.mark.parametrize(
    "answer", ["token: xoxb-1234567890-abcdefghijkl", "docker login -u admin -p Hunter2Hunter2"]
)
def test_a_capture_with_a_secret_is_refused_on_the_field(one: Replica, answer: str) -> None:
    response = submit(one, open_modal(one), answer=answer)
    refused = json.loads(response.body)
    assert refused["response_action"] == "errors" and "answer" in refused["errors"]
    assert "Remove it" in refused["errors"]["answer"]
    assert one.services.captured.entries() == []


def test_an_approver_edits_then_approves(one: Replica) -> None:
    submit(one, open_modal(one))
    item_id = button_value(approver_dm(one), "capture_edit")
    one.slack.reset()
    one.click("capture_edit", item_id, APPROVER, "edit")
    (call,) = one.slack.wait_for("views.open")
    edited = call.params["view"]
    assert initial(edited)["question"] == QUESTION
    submit(one, edited, user=APPROVER, question="How do I purge old images automatically?")
    assert one.services.captured.get(item_id).question.endswith("automatically?")
    one.click("capture_approve", item_id, APPROVER, "ok")
    one.slack.wait_for("response_url", lambda c: c.name == "ok")
    assert "acr purge --untagged" in one.ask("purge old images automatically")


def test_the_reaction_offers_the_form_by_dm_to_a_permitted_person(one: Replica) -> None:
    item = {"type": "message", "channel": CHANNEL, "ts": "1700000000.000200"}
    event = {"type": "reaction_added", "user": MALLORY, "reaction": "books", "item": item}
    one.dispatch(sr.event_callback({**event, "event_ts": "1.1"}))
    one.dispatch(sr.event_callback({**event, "user": APPROVER, "event_ts": "1.2"}))
    (offer,) = one.slack.wait_for("chat.postMessage")
    assert offer.params["channel"] == APPROVER
    one.click("capture_open", button_value(offer.params, "capture_open"), APPROVER, "open")
    (call,) = one.slack.wait_for("views.open")
    assert initial(call.params["view"])["question"] == QUESTION
    assert all(c.params["channel"] != MALLORY for c in one.slack.calls("chat.postMessage"))


def test_app_home_for_a_person_and_for_an_admin(one: Replica) -> None:
    for question in ("why does the flux capacitor misfire", "flux capacitor misfire why"):
        one.ask(question, user="UASKER")
    one.ask("how do I get admin credentials for my registry?", user="UASKER")
    silent = sr.message_channel("why does my flux capacitor misfire?", channel="C0HELPDESK")
    one.dispatch(sr.event_callback(silent))  # a help-channel question acrbot leaves alone
    wait_until(lambda: len(one.services.asked.all()) == 4)
    submit(one, open_modal(one))
    one.dispatch(sr.event_callback({"type": "app_home_opened", "user": "UASKER", "tab": "home"}))
    (person,) = one.slack.wait_for("views.publish")
    text = json.dumps(person.params["view"], ensure_ascii=False)
    assert person.params["user_id"] == "UASKER" and "Your recent questions" in text
    assert "admin credentials" in text and "Admin" not in text
    one.slack.reset()
    one.dispatch(sr.event_callback({"type": "app_home_opened", "user": ADMIN, "tab": "home"}))
    (admin,) = one.slack.wait_for("views.publish")
    view = admin.params["view"]
    text = json.dumps(view, ensure_ascii=False)
    assert "Not answered, grouped" in text and "3× (2 people)" in text
    assert "help channel: 0/1" in text
    assert "capture_write" in text and "Waiting for approval" in text and QUESTION in text
    assert "█" in text or "░" in text


def home_click(bot: Replica, action_id: str, value: str, user: str) -> None:
    """A button on the Home tab: a view container, no response URL."""
    body = sr.block_actions(action_id, value, response_url="", user_id=user)
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    payload.pop("response_url")
    payload.pop("message")
    payload["container"] = {"type": "view", "view_id": "VH1"}
    payload["view"] = {"id": "VH1", "type": "home"}
    bot.dispatch(urlencode({"payload": json.dumps(payload)}).encode())


def test_write_an_answer_and_approve_from_the_admin_home(one: Replica) -> None:
    one.ask("why does the flux capacitor misfire", user="UASKER")
    one.dispatch(sr.event_callback({"type": "app_home_opened", "user": ADMIN, "tab": "home"}))
    (home,) = one.slack.wait_for("views.publish")
    write = next(b["accessory"] for b in home.params["view"]["blocks"] if "accessory" in b)
    home_click(one, "capture_write", write["value"], ADMIN)
    (opened,) = one.slack.wait_for("views.open")
    view = opened.params["view"]
    assert initial(view)["question"] == "why does the flux capacitor misfire"
    submit(one, view, user=ADMIN, answer="Recalibrate it:\n\n```\nflux --calibrate\n```")
    (item,) = one.services.captured.entries("pending")
    approver_dm(one)  # the lazy listener has told the approvers and thanked the submitter
    one.slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == ADMIN)
    one.slack.reset()
    home_click(one, "capture_approve", item.id, ADMIN)  # an admin, not an approver: refused
    (refusal,) = one.slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == ADMIN)
    assert "Only the approvers" in json.dumps(refusal.params)
    home_click(one, "capture_approve", item.id, APPROVER)
    (again,) = one.slack.wait_for("views.publish")  # the Home is published again, decided
    assert again.params["user_id"] == APPROVER
    assert one.services.captured.get(item.id).status == "approved"
    assert "flux --calibrate" in one.ask("why does the flux capacitor misfire")


def test_an_approver_who_is_not_an_admin_sees_what_waits(one: Replica) -> None:
    submit(one, open_modal(one))
    one.dispatch(sr.event_callback({"type": "app_home_opened", "user": APPROVER, "tab": "home"}))
    (call,) = one.slack.wait_for("views.publish")
    text = json.dumps(call.params["view"], ensure_ascii=False)
    assert "Waiting for approval" in text and QUESTION in text and "capture_approve" in text
    assert "Not answered, grouped" not in text  # the admin figures stay with admins


def test_app_home_in_the_person_s_language(one: Replica) -> None:
    one.slack.users["UZH"] = {"locale": "zh-TW"}
    one.dispatch(sr.event_callback({"type": "app_home_opened", "user": "UZH", "tab": "home"}))
    (call,) = one.slack.wait_for("views.publish")
    assert "你最近的問題" in json.dumps(call.params["view"], ensure_ascii=False)
