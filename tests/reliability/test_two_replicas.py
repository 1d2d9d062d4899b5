"""Two replicas and one Redis behave as one bot; Redis going away breaks nothing for good.

Each test drives the real `acrbot serve` processes with signed requests, as
a load balancer would spread Slack's deliveries over two pods.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.knowledge.library import Library
from bot.slack.blocks import button_value
from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import ALICE
from tests.reliability.conftest import RATE_LIMIT
from tests.reliability.replicas import Replicas, confirm_value

CHANNEL = "CREL"


def dropped_as_duplicate(replica, body: bytes) -> bool:
    """The replica said it dropped this delivery: it queued no work, so it will post nothing.

    Logged by the de-duplication middleware before the HTTP answer, so it is
    in the log by the time the request has returned.
    """
    event_id = json.loads(body)["event_id"]
    return f"duplicate delivery of {event_id} dropped" in replica.log.read_text()


def mention_replies(replicas: Replicas, thread_ts: str) -> list:
    return [
        c
        for c in replicas.slack.calls("chat.postMessage")
        if c.params.get("thread_ts") == thread_ts
    ]


def diagnose(replica, replicas: Replicas, name: str, text: str = "diagnose healthyreg") -> dict:
    body = sr.slash_command(
        text, user_id=ALICE, channel_id=CHANNEL, response_url=replicas.slack.response_url(name)
    )
    assert replica.post(body).status_code == 200
    (call,) = replicas.slack.wait_for(
        "response_url", predicate=lambda c: c.name == name, timeout=10
    )
    return call.params


def audit_records(replicas: Replicas) -> list[dict]:
    result = replicas.cli("audit", "--json", "--limit", "500")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_a_retry_landing_on_the_other_replica_is_answered_once(replicas: Replicas) -> None:
    first, second = replicas
    event = sr.app_mention("how do I get the admin password?", channel=CHANNEL)
    body = sr.event_callback(event)
    assert first.post(body).status_code == 200
    retry = second.post(
        body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status_code == 200
    replicas.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == event["ts"]
    )
    assert dropped_as_duplicate(second, body)
    assert len(mention_replies(replicas, event["ts"])) == 1


def test_a_retry_whose_first_delivery_never_arrived_is_answered(replicas: Replicas) -> None:
    event = sr.app_mention("docker pull is slow", channel=CHANNEL)
    body = sr.event_callback(event)
    replicas[1].post(body, headers={"X-Slack-Retry-Num": "2"})
    replicas.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == event["ts"]
    )


def test_a_confirm_clicked_on_both_replicas_runs_once(replicas: Replicas) -> None:
    value = confirm_value(diagnose(replicas[0], replicas, "request"))
    before = len(replicas.azure.calls())
    barrier = threading.Barrier(2)

    def click(replica, name: str) -> None:
        body = sr.block_actions(
            "diag_confirm",
            value,
            user_id=ALICE,
            channel_id=CHANNEL,
            response_url=replicas.slack.response_url(name),
        )
        barrier.wait()
        assert replica.post(body).status_code == 200

    threads = [
        threading.Thread(target=click, args=(r, f"click{i}")) for i, r in enumerate(replicas)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Both clicks answered for good: a report on one, "at most once" on the other.
    final = replicas.slack.wait_for(
        "response_url",
        predicate=lambda c: (
            c.name in ("click0", "click1")
            and ("header" in json.dumps(c.params) or "at most once" in c.params.get("text", ""))
        ),
        timeout=15,
        count=2,
    )
    reports = [c for c in final if "header" in json.dumps(c.params)]
    assert len(reports) == 1  # one click ran the check; the other was told
    assert {c.name for c in final} == {"click0", "click1"}
    runs = [
        r
        for r in audit_records(replicas)
        if r.get("event") == "confirmation" and r.get("outcome") == "confirmed"
    ]
    assert len(runs) == 1
    replays = [r for r in audit_records(replicas) if r.get("outcome") == "replayed"]
    assert len(replays) == 1
    assert len(replicas.azure.calls()) > before


def test_a_users_rate_limit_holds_across_both_replicas(replicas: Replicas) -> None:
    for i in range(RATE_LIMIT):
        message = diagnose(replicas[i % 2], replicas, f"req{i}")
        assert "diag_confirm" in json.dumps(message)
    refused = diagnose(replicas[RATE_LIMIT % 2], replicas, "over")
    assert "please wait" in json.dumps(refused)
    refused = diagnose(replicas[(RATE_LIMIT + 1) % 2], replicas, "over2")
    assert "please wait" in json.dumps(refused)


def test_audit_records_of_both_replicas_are_read_from_redis(replicas: Replicas) -> None:
    diagnose(replicas[0], replicas, "a0")
    diagnose(replicas[1], replicas, "a1")
    pending = [r for r in audit_records(replicas) if r.get("outcome") == "pending"]
    assert len(pending) == 2
    text = replicas.cli("audit").stdout
    assert text.count("healthyreg") >= 2


def test_feedback_of_both_replicas_is_read_from_redis(replicas: Replicas) -> None:
    entry = Library([replicas.folder / "knowledge"], "https://docs.example/").current.entries[0]
    for i, replica in enumerate(replicas):
        body = sr.block_actions(
            "feedback_down",
            button_value(entry.key, f"slow pull {i}"),
            user_id=ALICE,
            channel_id=CHANNEL,
            response_url=replicas.slack.response_url(f"fb{i}"),
        )
        assert replica.post(body).status_code == 200
    for name in ("fb0", "fb1"):  # each replica's thanks comes after its record: wait for both
        replicas.slack.wait_for("response_url", predicate=lambda c, n=name: c.name == n, timeout=10)
    summary = replicas.cli("feedback")
    assert summary.returncode == 0, summary.stderr
    assert "No feedback yet" not in summary.stdout
    assert "slow pull 0" in summary.stdout and "slow pull 1" in summary.stdout


def test_readyz_reports_knowledge_and_redis(replicas: Replicas) -> None:
    for replica in replicas:
        reply = replica.get("/readyz")
        assert reply.status_code == 200
        body = reply.json()
        assert body["entries"] > 10 and body["redis"] == "up" and body["last_reload"]


def test_metrics_are_prometheus_text_summed_over_workers(replicas: Replicas) -> None:
    event = sr.app_mention("how do I get the admin password?", channel=CHANNEL)
    replicas[0].post(sr.event_callback(event))
    replicas.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == event["ts"]
    )
    reply = replicas[0].get("/metrics")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/plain")
    text = reply.text
    assert 'acrbot_questions_total{outcome="answered",source="mention"}' in text
    assert "acrbot_search_seconds_bucket" in text
    assert 'acrbot_slack_api_calls_total{method="chat.postMessage",outcome="ok"}' in text
    assert "acrbot_redis_up 1.0" in text


@pytest.mark.usefixtures("replicas")
def test_redis_down_questions_answered_diagnostics_refused_then_recovered(
    replicas: Replicas, redis
) -> None:
    redis.stop()
    try:
        # Questions keep being answered by both replicas, and retries still deduplicated
        # within a replica.
        for replica in replicas:
            event = sr.app_mention("how do I get the admin password?", channel=CHANNEL)
            body = sr.event_callback(event)
            assert replica.post(body).status_code == 200
            replica.post(body, headers={"X-Slack-Retry-Num": "1"})
            replicas.slack.wait_for(
                "chat.postMessage",
                predicate=lambda c, ts=event["ts"]: c.params.get("thread_ts") == ts,
            )
            assert dropped_as_duplicate(replica, body)
            assert len(mention_replies(replicas, event["ts"])) == 1
        # Diagnostics are refused clearly rather than run without the once-only guarantee.
        refused = diagnose(replicas[0], replicas, "down")
        assert "temporarily unavailable" in json.dumps(refused)
        for replica in replicas:
            ready = replica.get("/readyz")
            assert ready.status_code == 200 and ready.json()["redis"] == "down"
            assert "acrbot_redis_up 0.0" in replica.get("/metrics").text
        assert (
            sum("de-duplicating within this process" in r.log.read_text() for r in replicas) == 2
        )  # said once per replica
    finally:
        redis.start()
    # Back without a restart of either replica.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        message = diagnose(replicas[1], replicas, f"back{time.monotonic()}")
        if "diag_confirm" in json.dumps(message):
            break
        time.sleep(0.5)
    else:
        pytest.fail("diagnostics did not come back after Redis restarted")
    for replica in replicas:
        deadline = time.monotonic() + 10  # each replica retries Redis about once a second
        while replica.get("/readyz").json()["redis"] != "up":
            assert time.monotonic() < deadline, f"{replica.name} still reports Redis down"
            time.sleep(0.2)
    assert all(r.alive for r in replicas)
