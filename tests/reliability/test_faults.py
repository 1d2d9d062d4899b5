"""Faults under traffic: each request ends with an answer or a clear error; no replica dies.

The fake Slack answers 429 with Retry-After and 500s; the fake Azure is slow,
throttles and fails; Redis is stopped and restarted mid-run; a knowledge file
is replaced by a broken one while questions keep coming.
"""

from __future__ import annotations

import json
import threading
import time

from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import ALICE, SIGNING_SECRET
from tests.reliability.replicas import Replicas, confirm_value
from tests.reliability.traffic import Traffic, signed_post

CHANNEL = "CFAULT"


def traffic(replicas: Replicas, **kwargs) -> Traffic:
    return Traffic([r.url for r in replicas], replicas.slack, signed_post(SIGNING_SECRET), **kwargs)


def answered_in_thread(replicas: Replicas, ts: str, timeout: float = 15) -> list:
    return replicas.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == ts, timeout=timeout
    )


def mention(replica, text: str = "docker pull is slow") -> str:
    event = sr.app_mention(text, channel=CHANNEL)
    assert replica.post(sr.event_callback(event)).status_code == 200
    return event["ts"]


def test_slack_429_with_retry_after_is_waited_out(replicas: Replicas) -> None:
    replicas.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    ts = mention(replicas[0])
    answered_in_thread(replicas, ts)
    assert [f.status for f in replicas.slack.failures] == [429]


def test_slack_500s_are_retried(replicas: Replicas) -> None:
    replicas.slack.fail_next("chat.postMessage", status=500, times=2)
    ts = mention(replicas[1])
    answered_in_thread(replicas, ts)
    assert [f.status for f in replicas.slack.failures] == [500, 500]
    text = replicas[1].get("/metrics").text
    assert 'acrbot_slack_api_retries_total{method="chat.postMessage",reason="server_error"}' in text


def test_slack_failing_for_good_leaves_the_replica_serving(replicas: Replicas) -> None:
    replicas.slack.fail_next("chat.postMessage", status=500, times=10)
    mention(replicas[0])
    deadline = time.monotonic() + 15
    while len(replicas.slack.failures) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(replicas.slack.failures) >= 3  # tried, retried, gave up
    replicas.slack.reset()
    answered_in_thread(replicas, mention(replicas[0]))
    assert all(r.alive for r in replicas)


def confirm_and_report(replicas: Replicas, registry: str, name: str) -> str:
    body = sr.slash_command(
        f"diagnose {registry}",
        user_id=ALICE,
        channel_id=CHANNEL,
        response_url=replicas.slack.response_url(f"{name}-req"),
    )
    assert replicas[0].post(body).status_code == 200
    (request,) = replicas.slack.wait_for(
        "response_url", predicate=lambda c: c.name == f"{name}-req", timeout=10
    )
    value = confirm_value(request.params)
    click = sr.block_actions(
        "diag_confirm",
        value,
        user_id=ALICE,
        channel_id=CHANNEL,
        response_url=replicas.slack.response_url(name),
    )
    assert replicas[1].post(click).status_code == 200
    calls = replicas.slack.wait_for(
        "response_url",
        predicate=lambda c: c.name == name and "header" in json.dumps(c.params),
        timeout=20,
    )
    return json.dumps(calls[-1].params, ensure_ascii=False)


def test_azure_slow_throttling_and_failing_end_in_a_clear_report(replicas: Replicas) -> None:
    for registry in ("slowreg", "throttledreg", "failingreg"):
        report = confirm_and_report(replicas, registry, registry)
        assert registry in report
        assert "❌" in report or "⚠️" in report  # a step failed, and the report says which
        assert "Traceback" not in report
    assert all(r.alive for r in replicas)


def redis_reported(replica, state: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout  # a replica retries Redis about once a second
    while replica.get("/readyz").json().get("redis") != state:
        assert time.monotonic() < deadline, f"{replica.name} never reported Redis {state}"
        time.sleep(0.05)


def test_redis_stopped_and_restarted_mid_run(replicas: Replicas, redis) -> None:
    load = traffic(replicas)
    stop = threading.Event()
    runner = threading.Thread(target=load.run, args=(4,), kwargs={"stop": stop})
    runner.start()
    try:
        load.wait_for_more(8)  # under way
        redis.stop()
        for replica in replicas:
            redis_reported(replica, "down")
        load.wait_for_more(12)  # served while Redis is down
        redis.start()
        for replica in replicas:
            redis_reported(replica, "up")
        load.wait_for_more(8)  # and after it is back
    finally:
        stop.set()
        runner.join()
    outcomes = load.outcomes
    assert outcomes and all(o.status == 200 for o in outcomes), {o.status for o in outcomes}
    assert load.unanswered() == []
    assert all(r.alive for r in replicas)


def test_a_knowledge_file_replaced_by_a_broken_one_under_load(replicas: Replicas) -> None:
    faq = next((replicas.folder / "knowledge").glob("*.md"))
    good = faq.read_bytes()
    load = traffic(replicas)
    stop = threading.Event()
    runner = threading.Thread(target=load.run, args=(4,), kwargs={"stop": stop})
    runner.start()
    try:
        load.wait_for_more(8)  # under way
        faq.write_bytes(b"\xff\xfe not UTF-8 \x00\x01" + good[:100])  # broken mid-run
        failed = 'acrbot_knowledge_reloads_total{outcome="failed"}'
        deadline = time.monotonic() + 15
        while not all(failed in r.get("/metrics").text for r in replicas):
            assert time.monotonic() < deadline, "a replica never tried the broken file"
            time.sleep(0.1)
        load.wait_for_more(12)  # still answering, from the last good version
    finally:
        stop.set()
        runner.join()
        faq.write_bytes(good)
    assert all(o.status == 200 for o in load.outcomes), {o.status for o in load.outcomes}
    assert load.unanswered() == []
    for replica in replicas:
        ready = replica.get("/readyz")
        assert ready.status_code == 200 and ready.json()["entries"] > 10
        assert replica.alive
    # The last good version kept serving: an FAQ question is still answered.
    ts = mention(replicas[0], "how do I get the admin password for my registry?")
    (reply,) = answered_in_thread(replicas, ts)
    assert "admin" in json.dumps(reply.params, ensure_ascii=False).lower()


def test_a_hanging_slack_delays_no_one_else_and_ends_in_a_clear_error(replicas: Replicas) -> None:
    slack = replicas.slack
    slack.hang_next("chat.postMessage", times=1)
    stuck = sr.event_callback(sr.message_im("docker pull is slow", user="UHUNG", channel="DHUNG"))
    other = sr.event_callback(sr.message_im("docker pull is slow", user="UFINE", channel="DFINE"))
    try:
        assert replicas[0].post(stuck).status_code == 200
        slack.wait_until_hanging(1)
        assert replicas[0].post(other).status_code == 200
        slack.wait_for(
            "chat.postMessage", predicate=lambda c: c.params.get("channel") == "DFINE", timeout=5
        )
        # The stuck reply ends with the answer or a "couldn't post" the person can see.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            told = [
                c
                for c in slack.calls()
                if c.params.get("channel") == "DHUNG"
                and c.method in ("chat.postMessage", "chat.postEphemeral")
            ]
            if told:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the person whose reply hung was never told anything")
    finally:
        slack.release()
    assert all(r.alive for r in replicas)
