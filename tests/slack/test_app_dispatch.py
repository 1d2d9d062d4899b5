"""The real Bolt app in this process: signed ``BoltRequest``s through ``app.dispatch``.

The same app ``acrbot serve`` runs (middleware, listeners, services), against
the fake Slack Web API and fake Azure on 127.0.0.1, without gunicorn: fast
enough to cover every listener and the replay rules (issue 8, item 19).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse

from bot.config import load_settings
from bot.services import Services
from bot.slack.blocks import button_value
from bot.web.app import build_slack_app
from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import AZURE_TOKEN, BOT_TOKEN, SIGNING_SECRET, write_config
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.slack_api import FakeSlack

ALICE, MALLORY = "UALICE", "UMALLORY"
ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"


class InProcess:
    def __init__(self, app: App, services: Services, slack: FakeSlack) -> None:
        self.app, self.services, self.slack = app, services, slack

    def dispatch(self, body: bytes, *, signed: bool = True) -> BoltResponse:
        headers = sr.sign(SIGNING_SECRET, body) if signed else {}
        if body.startswith(b"{"):
            headers["Content-Type"] = "application/json"
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.app.dispatch(BoltRequest(body=body.decode(), headers=headers))

    def command(self, text: str, name: str = "r1", **kwargs: Any) -> bytes:
        kwargs.setdefault("user_id", ALICE)
        return sr.slash_command(text, response_url=self.slack.response_url(name), **kwargs)

    def click(self, action_id: str, value: str, name: str, user: str = ALICE) -> bytes:
        return sr.block_actions(
            action_id, value, response_url=self.slack.response_url(name), user_id=user
        )

    def all_calls(self, name: str) -> list[dict[str, Any]]:
        return [c.params for c in self.slack.calls("response_url") if c.name == name]

    def replies(self, name: str, count: int = 1) -> list[dict[str, Any]]:
        calls = self.slack.wait_for("response_url", lambda c: c.name == name, count=count)
        return [c.params for c in calls]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    tmp = tmp_path_factory.mktemp("inprocess")
    with FakeSlack() as slack, FakeAzure([FakeRegistry("healthyreg")], token=AZURE_TOKEN) as azure:
        config = tmp / "acrbot.yaml"
        write_config(config, azure)
        raw = yaml.safe_load(config.read_text())
        raw["diagnostics"]["confirm_ttl_seconds"] = 300
        config.write_text(yaml.safe_dump(raw))
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.base_url,
            "ACRBOT_STATE_DIR": str(tmp / "state"),
            "ACRBOT_AZURE_TOKEN": AZURE_TOKEN,
        }
        settings = load_settings(config, env=env)
        app, services = build_slack_app(settings, background_reload=False)
        yield InProcess(app, services, slack)


@pytest.fixture
def inproc(bot: InProcess) -> InProcess:
    bot.slack.reset()
    return bot


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False) + message.get("text", "")


def button(message: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(
        e
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(prefix)
    )


def test_unsigned_requests_are_refused(inproc: InProcess) -> None:
    assert inproc.dispatch(inproc.command("ask docker pull is slow"), signed=False).status == 401


def test_mention_is_answered_in_its_thread(inproc: InProcess) -> None:
    event = sr.app_mention("<@UBOT> how do I get admin credentials?", ts="1700000001.000100")
    assert inproc.dispatch(sr.event_callback(event)).status == 200
    (call,) = inproc.slack.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1700000001.000100"
    assert "az acr credential show" in text_of(call.params)


@pytest.mark.parametrize("subtype", ["file_share", "thread_broadcast"])
def test_a_person_s_message_with_a_subtype_is_answered(inproc: InProcess, subtype: str) -> None:
    event = sr.message_im("docker pull is slow", channel="D43", subtype=subtype)
    inproc.dispatch(sr.event_callback(event))
    (call,) = inproc.slack.wait_for("chat.postMessage")
    assert call.params["channel"] == "D43"


def test_an_event_acrbot_does_not_handle_is_acknowledged_not_404(inproc: InProcess) -> None:
    """A 404 makes Slack retry (and eventually disable) event deliveries."""
    reaction = {"type": "reaction_added", "user": ALICE, "reaction": "eyes", "event_ts": "1.2"}
    response = inproc.dispatch(sr.event_callback(reaction))
    assert response.status == 200
    home = {"type": "app_home_opened", "user": ALICE, "channel": "D1", "tab": "home"}
    assert inproc.dispatch(sr.event_callback(home)).status == 200
    assert inproc.slack.calls("chat.postMessage") == []


def test_direct_message_is_answered_in_the_dm(inproc: InProcess) -> None:
    inproc.dispatch(sr.event_callback(sr.message_im("docker pull is slow", channel="D42")))
    (call,) = inproc.slack.wait_for("chat.postMessage")
    assert call.params["channel"] == "D42"


def test_acr_ask_is_answered_in_the_ack(inproc: InProcess) -> None:
    response = inproc.dispatch(inproc.command("ask how do I get admin credentials?"))
    assert response.status == 200
    assert "az acr credential show" in text_of(json.loads(response.body))


def test_help_lists_only_what_works(inproc: InProcess) -> None:
    reply = json.loads(inproc.dispatch(inproc.command("help")).body)
    assert "/acr diagnose" in text_of(reply) and "/acr triage" in text_of(reply)


def test_diagnose_shows_the_configured_confirm_lifetime(inproc: InProcess) -> None:
    inproc.dispatch(inproc.command("diagnose healthyreg", name="diag"))
    (reply,) = inproc.replies("diag")
    assert "expires in 5 minutes" in text_of(reply)
    assert button(reply, "diag_confirm")["value"]


def test_diagnose_with_a_repository_confirms_what_will_be_checked(inproc: InProcess) -> None:
    inproc.dispatch(inproc.command("diagnose healthyreg team/app", name="repo"))
    (reply,) = inproc.replies("repo")
    assert "team/app" in text_of(reply)
    assert button(reply, "diag_confirm")["value"]


def test_a_repository_is_refused_for_usage(inproc: InProcess) -> None:
    inproc.dispatch(inproc.command("usage healthyreg team/app", name="usage-repo"))
    (reply,) = inproc.replies("usage-repo")
    assert ":no_entry:" in text_of(reply)
    assert "diag_confirm" not in json.dumps(reply)


def test_the_run_check_button_and_the_command_make_the_same_request(inproc: InProcess) -> None:
    inproc.dispatch(inproc.command("diagnose healthyreg", name="by-command"))
    value = json.dumps({"r": "healthyreg", "c": "check-health"})
    inproc.dispatch(inproc.click("diag_request_0", value, name="by-button"))
    (by_command,) = inproc.replies("by-command")
    (by_button,) = inproc.replies("by-button")
    assert by_command["text"] == by_button["text"]
    assert by_command["response_type"] == by_button["response_type"] == "ephemeral"


def test_a_refusal_is_private_and_says_why(inproc: InProcess) -> None:
    inproc.dispatch(inproc.command("diagnose healthyreg", name="mal", user_id=MALLORY))
    (reply,) = inproc.replies("mal")
    assert reply["response_type"] == "ephemeral" and ":no_entry:" in text_of(reply)


def test_confirm_runs_the_check_and_reports(inproc: InProcess) -> None:
    inproc.dispatch(inproc.command("usage healthyreg", name="ask-usage"))
    token = button(inproc.replies("ask-usage")[0], "diag_confirm")["value"]
    inproc.dispatch(inproc.click("diag_confirm", token, name="run"))
    reports = inproc.slack.wait_for(
        "response_url",
        lambda c: c.name == "run" and "Running" not in text_of(c.params),
        timeout=10,
    )
    assert "healthyreg" in text_of(reports[-1].params)


def test_cancel_withdraws_the_request(inproc: InProcess) -> None:
    inproc.dispatch(inproc.command("usage healthyreg", name="ask-cancel"))
    token = button(inproc.replies("ask-cancel")[0], "diag_cancel")["value"]
    inproc.dispatch(inproc.click("diag_cancel", token, name="cancel"))
    (reply,) = inproc.replies("cancel")
    assert reply["text"].startswith("Cancelled:")


def test_show_entry_and_unknown_buttons(inproc: InProcess) -> None:
    inproc.dispatch(inproc.click("show_entry_0", button_value(ADMIN, "admin"), name="show"))
    inproc.dispatch(inproc.click("made_up_action", "x", name="unknown"))
    assert "az acr credential show" in text_of(inproc.replies("show")[0])
    assert inproc.replies("unknown")[0]["response_type"] == "ephemeral"


# --- replays (issue 8, item 19) ---------------------------------------------------------


@pytest.fixture
def drops(caplog: pytest.LogCaptureFixture) -> Callable[[], int]:
    """How many replays the de-duplication middleware has dropped so far in this test.

    It drops a replay before any listener runs, and says so, before
    ``dispatch`` returns: a dropped replay has queued no work, so once the
    first delivery's replies are in, nothing else is coming.
    """
    caplog.set_level(logging.INFO, logger="bot.slack.dedupe")
    return lambda: sum(r.getMessage() == "replayed interaction dropped" for r in caplog.records)


def feedback_count(services: Services) -> int:
    return sum(1 for _ in services.feedback)


def test_a_replayed_feedback_click_records_once(inproc: InProcess, drops) -> None:
    before = feedback_count(inproc.services)
    body = inproc.click("feedback_up", button_value(ADMIN, "admin password"), name="fb")
    for _ in range(3):
        assert inproc.dispatch(body).status == 200
    assert drops() == 2
    inproc.replies("fb")
    assert len(inproc.all_calls("fb")) == 1
    two = inproc.click("feedback_down", button_value(ADMIN, "admin password"), name="fb2")
    inproc.dispatch(two)  # a genuine second click (its own trigger_id) still counts
    inproc.replies("fb2")
    assert feedback_count(inproc.services) == before + 2


def test_a_replayed_share_posts_once(inproc: InProcess, drops) -> None:
    body = inproc.click("share_answer", button_value(ADMIN, "admin"), name="share")
    inproc.dispatch(body)
    inproc.dispatch(body)
    assert drops() == 1
    inproc.replies("share", count=2)  # the post in the channel and the delete of the private one
    calls = inproc.all_calls("share")
    assert [c.get("response_type") for c in calls].count("in_channel") == 1
    assert len(calls) == 2


def test_a_replayed_diagnose_command_requests_once(inproc: InProcess, drops) -> None:
    audit = inproc.services.diagnostics.audit
    before = len(audit.recent(10_000))
    body = inproc.command("diagnose healthyreg", name="replayed")
    inproc.dispatch(body)
    inproc.dispatch(body)
    assert drops() == 1
    inproc.replies("replayed")
    assert len(inproc.all_calls("replayed")) == 1
    pending = [r for r in audit.recent(10_000)[before:] if r.get("outcome") == "pending"]
    assert len(pending) == 1


def test_a_replayed_run_check_button_requests_once(inproc: InProcess, drops) -> None:
    value = json.dumps({"r": "healthyreg", "c": "check-health"})
    body = inproc.click("diag_request_0", value, name="offer")
    inproc.dispatch(body)
    inproc.dispatch(body)
    assert drops() == 1
    inproc.replies("offer")
    assert len(inproc.all_calls("offer")) == 1


def test_state_lives_in_the_configured_directory(bot: InProcess) -> None:
    assert Path(bot.services.settings.state_dir).name == "state"
