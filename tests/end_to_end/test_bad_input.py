"""Requests that are not what Slack sends: refused plainly, and the server keeps serving."""

from __future__ import annotations

import time

import pytest

from tests.end_to_end.conftest import ALICE, SIGNING_SECRET
from tests.fakes import slack_requests as sr


def still_answers(bot, slack, channel):
    bot.post(sr.event_callback(sr.message_im("docker pull is slow", channel=channel)))
    slack.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == channel)


def test_wrong_signature_is_401_and_nothing_is_posted(bot, slack):
    body = sr.event_callback(sr.message_im("docker pull is slow", channel="DSIG"))
    reply = sr.post("/slack/events", body, signing_secret="not-the-secret-at-all", client=bot.http)
    assert reply.status_code == 401
    still_answers(bot, slack, "DSIG2")
    assert not [c for c in slack.calls("chat.postMessage") if c.params["channel"] == "DSIG"]


def test_missing_signature_headers_are_401(bot):
    reply = bot.http.post(
        "/slack/events",
        content=sr.url_verification("x"),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 401


def test_a_stale_timestamp_is_401_even_with_a_valid_signature(bot, slack):
    old = int(time.time()) - 6 * 60
    body = sr.event_callback(sr.message_im("docker pull is slow", channel="DOLD"))
    assert bot.post(body, timestamp=old).status_code == 401


def test_a_replayed_request_with_an_altered_body_is_401(bot):
    body = sr.url_verification("abc")
    headers = sr.sign(SIGNING_SECRET, body)
    tampered = body.replace(b"abc", b"xyz")
    reply = bot.http.post(
        "/slack/events",
        content=tampered,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert reply.status_code == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"type": "event_callback", "event": {"type": "app_men', "application/json"),
        (b"payload=%7B%22type%22%3A%22block_actions%22%2C", "application/x-www-form-urlencoded"),
        (b"payload=not-json-at-all", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00garbage", "application/octet-stream"),
        (b"[]", "application/json"),
    ],
)
def test_malformed_bodies_get_a_4xx_or_a_harmless_ack(bot, slack, body, content_type):
    reply = bot.post(body, content_type=content_type)
    assert reply.status_code < 500, reply.text
    assert "Traceback" not in reply.text
    still_answers(bot, slack, "DMALFORMED")


def test_unknown_action_ids_are_acknowledged_and_explained(bot, slack):
    body = sr.block_actions(
        "launch_missiles", "{}", user_id=ALICE, response_url=slack.response_url("u1")
    )
    assert bot.post(body).status_code == 200
    (call,) = slack.wait_for("response_url")
    assert "no longer works" in call.params["text"]


def test_crafted_button_values_are_refused_politely(bot, slack):
    for value in ("", "not json", '{"k": "no-such-file#no-such-entry", "q": "x"}', "{" * 1500):
        body = sr.block_actions(
            "show_entry_0", value, user_id=ALICE, response_url=slack.response_url("c")
        )
        assert bot.post(body).status_code == 200
    calls = slack.wait_for("response_url", count=4)
    assert all("no longer" in c.params["text"] for c in calls)


def test_huge_texts_are_answered_within_limits(bot, slack):
    huge = "docker pull is slow " * 2000
    reply = bot.post(sr.slash_command(huge, user_id=ALICE, response_url=slack.response_url("h")))
    assert reply.status_code == 200
    assert len(reply.text) < 40_000
    bot.post(sr.event_callback(sr.message_im("镜像" * 20000, channel="DHUGE")))
    slack.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "DHUGE")
    assert slack.rejections == []


def test_a_body_over_a_megabyte_is_refused_before_parsing(bot):
    reply = bot.post(b"{" + b" " * (1024 * 1024 + 10) + b"}")
    assert reply.status_code == 413


def test_other_paths_and_methods(bot):
    assert bot.http.get("/slack/events").status_code == 405
    assert bot.http.get("/admin").status_code == 404
    assert bot.http.head("/healthz").status_code == 200


def test_server_log_never_shows_a_token_or_a_traceback(bot, slack):
    still_answers(bot, slack, "DLOG")
    log = bot.log.read_text()
    assert "xoxb-" not in log
    assert "acrbot-e2e-SECRET" not in log
    assert "Traceback" not in log
