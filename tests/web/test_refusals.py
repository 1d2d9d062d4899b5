"""Refused credentials are counted and logged, never flooding the log (issue 18 B14).

A wrong alert token was neither logged nor counted (a brute force was
invisible), and every unsigned Slack request added a log line (anyone who
can reach the port could flood it). Now: each is counted in
``acrbot_unauthorized_requests_total``, and logged a line a minute per
endpoint with how many were refused; the token presented never appears.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot import metrics
from bot.config import load_settings
from bot.web.app import build_router
from bot.web.refusals import REFUSALS, RefusalLog
from tests.fakes.in_process import AsgiClient
from tests.fakes.slack_api import FakeSlack

TOKEN = "alert-token-for-refusal-tests"
GUESS = "guessed-token-0000"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def unauthorized_total(endpoint: str) -> float:
    prefix = f'acrbot_unauthorized_requests_total{{endpoint="{endpoint}"}} '
    for line in metrics.render()[0].decode().splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return 0.0


def refusal_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.web.refusals"]


@pytest.fixture
def acrbot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AsgiClient]:
    # The process's one RefusalLog may have logged for another test within the minute.
    monkeypatch.setattr(REFUSALS, "_tallies", {})
    config = tmp_path / "acrbot.yaml"
    config.write_text(yaml.safe_dump({"alerts": {"default_channel": "C0ONCALL"}}))
    with FakeSlack() as slack:
        env = {
            "ACRBOT_CONFIG": str(config),
            "ACRBOT_STATE_DIR": str(tmp_path / "state"),
            "ACRBOT_ALERT_TOKEN": TOKEN,
            "SLACK_BOT_TOKEN": "xoxb-1111-2222-refusals",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.base_url,
        }
        with AsgiClient(build_router(load_settings(env=env), background_reload=False)) as acrbot:
            yield acrbot


def test_wrong_alert_tokens_are_counted_each_and_logged_once_a_minute(acrbot, caplog) -> None:
    before = unauthorized_total("alertmanager")
    body = json.dumps({"version": "4", "status": "firing", "alerts": []}).encode()
    with caplog.at_level(logging.INFO):
        for n in range(40):
            reply = acrbot.post(
                "/alerts/alertmanager",
                content=body,
                headers={"Authorization": f"Bearer {GUESS}{n}"},
            )
            assert reply.status_code == 401
        assert (
            acrbot.post("/alerts/azure-monitor", content=body, params={"token": GUESS}).status_code
            == 401
        )
    assert unauthorized_total("alertmanager") == before + 40
    lines = refusal_lines(caplog)
    assert len(lines) == 2, lines  # one per endpoint, however many guesses
    assert "alertmanager" in lines[0] and "wrong token" in lines[0] and "127.0.0.1" in lines[0]
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert GUESS not in ours and TOKEN not in ours


def test_unsigned_slack_requests_are_counted_each_and_logged_once_a_minute(acrbot, caplog) -> None:
    before = unauthorized_total("slack")
    headers = {"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": str(int(time.time()))}
    with caplog.at_level(logging.INFO):
        for _ in range(40):
            reply = acrbot.post(
                "/slack/events", content=b'{"type": "event_callback"}', headers=headers
            )
            assert reply.status_code == 401
    assert unauthorized_total("slack") == before + 40
    assert len(refusal_lines(caplog)) == 1


def test_a_line_a_minute_says_how_many_were_refused_since_the_last() -> None:
    now = [1000.0]
    refusals = RefusalLog(interval=60, clock=lambda: now[0])
    logger = logging.getLogger("bot.web.refusals")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        for _ in range(25):
            refusals.refused("alertmanager", "a missing or wrong token", "10.0.0.9")
            now[0] += 1
        now[0] += 60
        refusals.refused("alertmanager", "a missing or wrong token", "10.0.0.9")
    finally:
        logger.removeHandler(handler)
    counts = [int(r.getMessage().split()[1]) for r in records]  # "refused N request(s) ..."
    assert counts == [1, 25]  # the first at once, then the 24 held back plus this one
