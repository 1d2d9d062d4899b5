"""`acrbot serve` starts as production starts it and answers over a real socket."""

from __future__ import annotations

import httpx

from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import SHORT_SECRET


def test_acrbot_serve_starts_and_answers_slack_s_url_verification(served_process):
    assert httpx.get(f"{served_process.url}/healthz", timeout=5).json()["status"] == "ok"
    reply = served_process.post(sr.url_verification("abc123"))
    assert reply.status_code == 200
    assert "abc123" in reply.text


def test_serve_accepts_a_non_slack_looking_signing_secret(served_process):
    """Local fakes and test harnesses use secrets like "test-secret"; requests must still verify."""
    assert served_process.secret == SHORT_SECRET
    body = sr.url_verification("short-secret-ok")
    url = f"{served_process.url}/slack/events"
    reply = sr.post(url, body, signing_secret=SHORT_SECRET)
    assert reply.status_code == 200 and "short-secret-ok" in reply.text
    wrong = sr.post(url, body, signing_secret="other-secret")
    assert wrong.status_code == 401
