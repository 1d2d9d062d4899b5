"""`acrbot serve` with ACRBOT_LOG_FORMAT=json: every line (gunicorn's too) is one JSON object.

Also the log-forging review finding (issue 8 item 4) end to end: a request
body that holds a newline and a fake record cannot write a line of its own,
and a 1 MiB unsigned body does not add a megabyte to the log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import ALICE, AZURE_TOKEN
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.slack_api import FakeSlack
from tests.redis_server import RedisServer
from tests.reliability.replicas import Replica, Replicas, confirm_value, start_replicas, stop

FORGED = "x\n2026-11-29 23:00:00,000 ERROR bot.slack.server: FORGED admin password reset"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, redis: RedisServer) -> Iterator[Replicas]:
    """One replica, two workers writing to one log: the pair's Redis, a log of its own."""
    if redis.process is None or not redis.ping():  # a fault test may have stopped it
        redis.stop()
        redis.start()
    with FakeSlack() as slack, FakeAzure([FakeRegistry("healthyreg")], token=AZURE_TOKEN) as azure:
        replicas = start_replicas(
            tmp_path_factory.mktemp("jsonlogs"),
            slack,
            azure,
            redis.url,
            count=1,
            workers=2,
            extra_env={"ACRBOT_LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"},
        )
        try:
            yield replicas
        finally:
            stop(replicas[0])


def records(replica: Replica) -> list[dict]:
    lines = [line for line in replica.log.read_text().splitlines() if line.strip()]
    parsed = []
    for line in lines:
        record = json.loads(line)  # fails the test on any line that is not JSON
        assert {"time", "level", "logger", "message", "request_id"} <= set(record)
        parsed.append(record)
    return parsed


def test_every_line_is_json_including_gunicorns(served: Replicas) -> None:
    found = records(served[0])
    loggers = {r["logger"] for r in found}
    assert "gunicorn.error" in loggers  # "Booting worker", "Listening at" …
    assert any(name.startswith("bot.") or name.startswith("acrbot") for name in loggers)


def test_a_forged_body_cannot_write_a_line_and_a_large_one_is_clipped(served: Replicas) -> None:
    replica = served[0]
    before = replica.log.stat().st_size
    url = f"{replica.url}/slack/events"
    for body in (FORGED.encode(), b"payload=" + b"A" * (1024 * 1024 - 16)):
        reply = httpx.post(
            url,
            content=body,
            headers={
                "X-Slack-Request-Timestamp": "1",
                "X-Slack-Signature": "v0=bad",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            timeout=10,
        )
        assert 400 <= reply.status_code < 500
    added = replica.log.stat().st_size - before
    assert added < 20_000, added
    text = replica.log.read_text()
    assert not any(line.startswith("2026-11-29 23:00:00,000 ERROR") for line in text.splitlines())
    records(replica)  # still one JSON object per line


def test_the_lines_of_one_request_share_a_request_id(served: Replicas) -> None:
    replica, slack = served[0], served.slack
    body = sr.slash_command(
        "diagnose healthyreg",
        user_id=ALICE,
        channel_id="CLOG",
        response_url=slack.response_url("r"),
    )
    assert replica.post(body).status_code == 200
    (request,) = slack.wait_for("response_url", predicate=lambda c: c.name == "r", timeout=10)
    value = confirm_value(request.params)
    click = sr.block_actions(
        "diag_confirm",
        value,
        user_id=ALICE,
        channel_id="CLOG",
        response_url=slack.response_url("c"),
    )
    assert replica.post(click).status_code == 200
    slack.wait_for(
        "response_url", predicate=lambda c: c.name == "c" and "header" in json.dumps(c.params)
    )
    audit = [r for r in records(replica) if r["logger"] == "acrbot.audit"]
    confirmed = next(r for r in audit if '"outcome":"confirmed"' in r["message"])
    result = next(r for r in audit if '"event":"result"' in r["message"])
    pending = next(r for r in audit if '"outcome":"pending"' in r["message"])
    assert confirmed["request_id"] and confirmed["request_id"] == result["request_id"]
    assert pending["request_id"] and pending["request_id"] != confirmed["request_id"]


def test_with_two_workers_the_master_loads_what_they_share_before_the_fork(served: Replicas):
    """The workers' code and read-only tables are loaded once, in the master (issue 17)."""
    said = [r["message"] for r in records(served[0])]
    assert any("loaded before the fork, shared by the 2 workers" in m for m in said), said[:5]
