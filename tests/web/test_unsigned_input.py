"""Malformed and unsigned bodies (issue 8 items 3 and 4): a 4xx, no traceback, no body in the log."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import httpx
import pytest

from tests.fakes import slack_requests as sr

MALFORMED = [
    (b"[1,2]", "application/json"),
    (b"payload=notjson", "application/x-www-form-urlencoded"),
    (b'{"a":', "application/json"),
    (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
    (b"", "application/json"),
]


def unsigned(served, body: bytes, content_type: str, **headers: str) -> httpx.Response:
    return served.http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": content_type, **headers},
        timeout=5,
    )


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_unsigned_malformed_bodies_are_401(served, body, content_type):
    reply = unsigned(served, body, content_type)
    assert reply.status_code == 401
    assert "Traceback" not in reply.text


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_signed_malformed_bodies_are_400(served, body, content_type):
    reply = served.post(body, content_type=content_type)
    assert reply.status_code == 400
    assert reply.json() == {"error": "malformed Slack payload"}


@pytest.mark.parametrize("timestamp", ["abc", "12.5", "-1", "１２３".encode(), "0x1f", "9" * 40])
def test_a_timestamp_that_is_not_an_integer_is_401(served, timestamp):
    body = sr.url_verification("x")
    reply = served.post(body, headers={"X-Slack-Request-Timestamp": timestamp})
    assert reply.status_code == 401


@pytest.mark.parametrize("signature", [b"v0=\xe9", "v0=é".encode(), b"v0=\xff" * 30])
def test_a_signature_that_is_not_ascii_is_401_not_500(served, signature):
    """hmac.compare_digest raises on non-ASCII text: it was a 500 and a traceback per request."""
    reply = served.post(sr.url_verification("x"), headers={"X-Slack-Signature": signature})
    assert reply.status_code == 401 and reply.json() == {"error": "invalid request"}


def test_unsigned_bodies_never_reach_the_log(served_process, slack):
    """The real process's whole output: gunicorn's and uvicorn's lines, stderr included."""
    served = served_process
    marker = "FORGED-" + str(time.time_ns())
    forged = f'{{"type": "url_verification", "challenge": "x\\n2026-01-01 ERROR {marker}"}}'
    big = '{"type": "event_callback", "pad": "' + marker * 20_000 + '"}'
    for body in (forged, big):
        reply = unsigned(served, body.encode(), "application/json",
                         **{"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": str(int(time.time()))})  # fmt: skip
        assert reply.status_code == 401
    served.post(sr.event_callback(sr.message_im("docker pull is slow", channel="DLOGS")))
    slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "DLOGS")
    log = served.log.read_text()
    assert marker not in log
    assert "Traceback" not in log


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": 5}',
        b'{"type": "event_callback", "event": "x"}',
        b'{"type": "event_callback", "event": [1]}',
        b"payload=" + quote(json.dumps({"type": "block_actions", "actions": "x"})).encode(),
        b"payload=" + quote(json.dumps({"type": "block_actions", "user": "x"})).encode(),
        b"command=%2Facr&text=ask+x",
        b'{"type": "url_verification"}',
        b'{"type": "url_verification", "challenge": 5}',
    ],
)
def test_signed_bodies_of_a_shape_slack_never_sends_are_400(served, body):
    assert served.post(body).status_code == 400


def test_a_lone_surrogate_in_a_signed_event_is_read_as_a_replacement_character(served, slack):
    """A DM whose JSON escapes half a UTF-16 pair in its event_id and channel is still answered."""
    event = sr.message_im("docker pull is slow", channel="DSURR\ud800")
    body = sr.event_callback(event, event_id="Ev\udfff1")
    assert b"\\ud800" in body and b"\\udfff" in body  # escaped in the JSON, as Slack would
    assert served.post(body).status_code == 200
    slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == "DSURR\ufffd")
