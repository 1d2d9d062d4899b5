"""Tests of the Slack fake itself: if these fail, end-to-end results mean nothing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack, validate_blocks

SECRET = "test-signing-secret"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.base_url)


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str = "a1", **extra: Any) -> dict[str, Any]:
    text = {"type": "plain_text", "text": "Run"}
    return {"type": "button", "action_id": action_id, "text": text, "value": "v", **extra}


# --------------------------------------------------------------------------- Web API


def test_post_message_is_recorded_with_increasing_ts(slack: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="hi", blocks=[section("hi")])
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])

    assert first["ts"] == "1700000000.000100"
    assert second["ts"] == "1700000000.000200"
    assert second["message"]["thread_ts"] == first["ts"]
    calls = slack.calls("chat.postMessage")
    assert [c.params["text"] for c in calls] == ["hi", "again"]
    assert calls[0].params["blocks"] == [section("hi")]
    assert calls[0].headers["authorization"] == "Bearer xoxb-test"


def test_form_encoded_blocks_are_decoded(slack: FakeSlack, client: WebClient) -> None:
    blocks = [section("form")]
    params = {"channel": "C1", "text": "t", "blocks": json.dumps(blocks)}
    client.api_call("chat.postMessage", params=params)

    (call,) = slack.wait_for("chat.postMessage")
    assert "x-www-form-urlencoded" in call.headers["content-type"]
    assert call.params["blocks"] == blocks


def test_other_methods_answer_like_slack(slack: FakeSlack, client: WebClient) -> None:
    slack.usergroups = {"S123": ["U1", "U2"]}
    slack.users["U2"] = {"locale": "zh-CN", "tz": "Asia/Shanghai"}

    assert client.auth_test()["user_id"] == "UBOT"
    assert client.usergroups_users_list(usergroup="S123")["users"] == ["U1", "U2"]
    assert client.users_info(user="U2", include_locale=True)["user"]["locale"] == "zh-CN"
    assert "locale" not in client.users_info(user="U1")["user"]
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    assert client.chat_update(channel="C1", ts="1.2", text="new")["text"] == "new"
    link = client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")
    assert link["permalink"].endswith("/archives/C1/p1700000000000100")
    with pytest.raises(SlackApiError) as missing:
        client.usergroups_users_list(usergroup="S404")
    assert missing.value.response["error"] == "no_such_subteam"


@pytest.mark.parametrize(
    ("token", "method", "error"),
    [("bogus", "auth.test", "not_authed"), ("xoxb-test", "chat.nope", "unknown_method")],
)
def test_client_mistakes_are_rejected(
    slack: FakeSlack, token: str, method: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        WebClient(token=token, base_url=slack.base_url).api_call(method)

    assert refused.value.response.status_code == 200
    assert refused.value.response["error"] == error
    assert slack.calls() == []
    assert [m for m, _ in slack.rejections] == [method]


# --------------------------------------------------------------------------- Block Kit


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("text", "blocks", "error", "reason"),
    [
        ("t", [section(f"s{i}") for i in range(51)], "invalid_blocks", "51 blocks"),
        ("t", [section("x" * 3001)], "invalid_blocks", "blocks[0].text has 3001 characters"),
        ("", [section("ok")], "missing_text_fallback", "missing_text_fallback"),
    ],
)
def test_invalid_messages_are_rejected(
    slack: FakeSlack, client: WebClient, text: str, blocks: list[Any], error: str, reason: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C1", text=text, blocks=blocks)

    assert refused.value.response["error"] == error
    assert any(reason in r for r in refused.value.response["errors"])
    assert slack.calls("chat.postMessage") == []
    ((method, reasons),) = slack.rejections
    assert method == "chat.postMessage"
    assert any(reason in r for r in reasons)


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        ({"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}, "151 characters"),
        ({"type": "header", "text": {"type": "mrkdwn", "text": "h"}}, "plain_text"),
        (section("s", fields=[{"type": "mrkdwn", "text": "f"}] * 11), "11 items"),
        (section("s", fields=[{"type": "mrkdwn", "text": "f" * 2001}]), "fields[0] has 2001"),
        (section("s", accessory=button(text={"type": "plain_text", "text": "b" * 76})), "76"),
        (section("s", accessory=button(value="v" * 2001)), "value has 2001"),
        (section("s", accessory=button(url="https://x/" + "u" * 2991)), "url has 3001"),
        (section("s", accessory=button(action_id="a" * 256)), "action_id has 256"),
        (section("s", block_id="b" * 256), "block_id has 256"),
        ({"type": "actions", "elements": [button(f"a{i}") for i in range(26)]}, "26 items"),
        ({"type": "actions", "elements": [button("same"), button("same")]}, "repeats"),
        ({"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}, "11 items"),
        (section(""), "mrkdwn text is empty"),
        ({"type": "context", "elements": [{"type": "plain_text", "text": ""}]}, "is empty"),
    ],
)
def test_validate_blocks_limits(block: dict[str, Any], reason: str) -> None:
    errors = validate_blocks([block])

    assert any(reason in e for e in errors), errors


@pytest.mark.parametrize(("key", "limit"), [("title", 100), ("text", 300), ("confirm", 30)])
def test_validate_blocks_confirm_limits(key: str, limit: int) -> None:
    confirm = {k: {"type": "plain_text", "text": "x"} for k in ("title", "text", "confirm", "deny")}
    confirm[key] = {"type": "plain_text", "text": "x" * (limit + 1)}

    errors = validate_blocks([section("s", accessory=button(confirm=confirm))])

    assert errors == [
        f"blocks[0].accessory.confirm.{key} has {limit + 1} characters, at most {limit} allowed"
    ]


def test_validate_blocks_duplicate_block_id_and_valid_message() -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "Title"}}
    actions = {"type": "actions", "elements": [button("run"), button("cancel")]}
    valid = [header, section("body", block_id="b1", accessory=button("more")), actions]

    assert validate_blocks(valid) == []
    assert validate_blocks([section("a", block_id="b1"), section("b", block_id="b1")]) == [
        "blocks[1].block_id 'b1' is used twice in the message"
    ]


# --------------------------------------------------------------------------- failures


def test_rate_limit_is_retried_by_slack_sdk(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    client = WebClient(
        token="xoxb-test", base_url=slack.base_url, retry_handlers=[RateLimitErrorRetryHandler()]
    )

    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]

    assert time.monotonic() - started >= 1  # slack-sdk honoured Retry-After
    assert [(f.method, f.status) for f in slack.failures] == [("chat.postMessage", 429)]
    assert len(slack.calls("chat.postMessage")) == 1


def test_server_errors_and_no_retry_handler(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", status=503, times=2)

    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel="C1", text="hi")
    assert failed.value.response.status_code == 503
    retrying = WebClient(
        token="xoxb-test", base_url=slack.base_url, retry_handlers=[ServerErrorRetryHandler()]
    )
    assert retrying.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [f.status for f in slack.failures] == [503, 503]


# --------------------------------------------------------------------------- response_url, wait_for


def test_response_url_is_recorded_and_validated(slack: FakeSlack) -> None:
    ok = httpx.post(slack.response_url("r1"), json={"text": "done", "replace_original": True})
    bad = httpx.post(slack.response_url("r2"), json={"text": "x", "blocks": [section("")]})

    assert (ok.status_code, ok.text) == (200, "ok")
    assert (bad.status_code, bad.text) == (400, "invalid_blocks")
    (call,) = slack.wait_for("response_url", lambda c: c.params["replace_original"])
    assert (call.name, call.params["text"]) == ("r1", "done")
    assert slack.rejections[0][0] == "response_url"


def test_wait_for_waits_for_late_calls_and_explains_timeouts(
    slack: FakeSlack, client: WebClient
) -> None:
    threading.Timer(0.2, client.chat_postMessage, kwargs={"channel": "C1", "text": "late"}).start()
    assert slack.wait_for("chat.postMessage", timeout=5)[0].params["text"] == "late"

    with pytest.raises(AssertionError, match=r"(?s)chat.update.*chat.postMessage.*late"):
        slack.wait_for("chat.update", timeout=0.1)
    slack.reset()
    assert slack.calls() == []


# --------------------------------------------------------------------------- requests


def test_sign_matches_slack_sdk() -> None:
    body = sr.slash_command("help", response_url="http://x/r")
    headers = sr.sign(SECRET, body)

    verifier = SignatureVerifier(SECRET)
    timestamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert verifier.is_valid(body, timestamp, signature)
    assert signature == verifier.generate_signature(timestamp=timestamp, body=body)
    assert not verifier.is_valid(body + b"x", timestamp, signature)


def test_request_bodies_have_slack_shape() -> None:
    command = {
        k: v[0] for k, v in parse_qs(sr.slash_command("a b", response_url="u").decode()).items()
    }
    click = json.loads(
        parse_qs(sr.block_actions("run", "42", response_url="u").decode())["payload"][0]
    )
    event = json.loads(sr.event_callback(sr.app_mention("hello"), event_id="Ev1"))

    assert (command["command"], command["text"], command["response_url"]) == ("/acr", "a b", "u")
    assert command["is_enterprise_install"] == "false"
    assert click["actions"][0] | {"action_ts": None} == {
        "action_id": "run",
        "block_id": "b1",
        "text": {"type": "plain_text", "text": "Button", "emoji": True},
        "value": "42",
        "type": "button",
        "action_ts": None,
    }
    assert click["container"]["message_ts"] == click["message"]["ts"]
    assert (event["type"], event["event_id"]) == ("event_callback", "Ev1")
    assert event["event"]["text"] == "<@UBOT> hello"
    assert sr.new_event_id().startswith("Ev")
    assert "client_msg_id" not in sr.message_im("x", subtype="bot_message", bot_id="B2")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep pytest output free of access logs."""


def test_bolt_app_round_trip_over_http(slack: FakeSlack) -> None:
    """The fake serves a real Bolt app: auth.test, response_url and Web API calls."""
    app = App(signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=slack.base_url))

    @app.command("/acr")
    def handle(ack: Any, respond: Any, client: WebClient, command: dict[str, Any]) -> None:
        ack()
        respond(text=f"echo {command['text']}")
        client.chat_postMessage(channel=command["channel_id"], text="posted")

    server: WSGIServer = make_server(
        "127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        body = sr.slash_command("ping", response_url=slack.response_url("cmd"))
        assert sr.post(url, body, signing_secret=SECRET).status_code == 200
        assert sr.post(url, body, signing_secret="wrong").status_code == 401
        (reply,) = slack.wait_for("response_url")
        slack.wait_for("chat.postMessage", lambda c: c.params["text"] == "posted")
    finally:
        server.shutdown()
        server.server_close()
    assert (reply.name, reply.params["text"]) == ("cmd", "echo ping")
    assert slack.calls()[0].method == "auth.test"


def test_hang_next_holds_calls_until_released(slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.base_url, timeout=1)
    slack.hang_next("chat.postMessage")
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="held")
    assert slack.hanging == 1
    client.chat_postMessage(channel="C1", text="next one is answered")
    slack.release()
    assert [c.params["text"] for c in slack.calls("chat.postMessage")] == ["next one is answered"]
