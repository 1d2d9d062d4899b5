"""Two replicas on one Redis: one answer per help-channel thread, one reminder per hand-off.

Two in-process acrbots (each its own Bolt app, services and state folder)
share a real redis-server and the fake Slack, as two pods behind a load
balancer share Redis and Slack.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.slack.handoff_reminders import send_due_reminders
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack
from tests.slack.helpdesk_bot import (
    ASKER,
    HELP,
    OTHER,
    PLATFORM,
    HelpdeskBot,
    counter,
    posts,
    start_helpdesk_bot,
    wait_until,
)


@pytest.fixture
def replicas(tmp_path: Path, redis_url: str) -> Iterator[tuple[HelpdeskBot, HelpdeskBot]]:
    with FakeSlack() as slack:
        first = start_helpdesk_bot(tmp_path / "a", slack, redis_url=redis_url)
        second = start_helpdesk_bot(tmp_path / "b", slack, redis_url=redis_url)
        assert first.services.store.kind == second.services.store.kind == "redis"
        yield first, second


def both(action_a: Callable[[], object], action_b: Callable[[], object]) -> None:
    threads = [threading.Thread(target=action_a), threading.Thread(target=action_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)


def test_one_answer_per_thread_across_replicas(replicas: tuple[HelpdeskBot, HelpdeskBot]) -> None:
    a, b = replicas
    event = sr.message_channel(
        "how do I get the admin password for my registry?", user=ASKER, channel=HELP
    )
    a.slack.add_message(HELP, event)
    before = counter("help_channel", "already-answered")
    # Two deliveries the event-id check cannot join: each replica is sure it is first.
    both(lambda: a.event(event), lambda: b.event(event))
    wait_until(lambda: posts(a.slack, HELP))
    wait_until(lambda: counter("help_channel", "already-answered") > before)
    assert len(posts(a.slack, HELP)) == 1
    # Slack's retry of one delivery, landing on the other replica, does nothing either.
    event_id = a.event(sr.message_channel("docker pull is slow from ACR", channel=HELP, user=ASKER))
    b.event(
        sr.message_channel("docker pull is slow from ACR", channel=HELP, user=ASKER),
        event_id=event_id,
        headers={"X-Slack-Retry-Num": "1"},
    )
    wait_until(lambda: len(posts(a.slack, HELP)) == 2)


def test_one_reaction_answer_across_replicas(replicas: tuple[HelpdeskBot, HelpdeskBot]) -> None:
    a, b = replicas
    message = sr.message_channel("our docker pull from ACR is slow", user=ASKER, channel=OTHER)
    a.slack.add_message(OTHER, message)
    both(
        lambda: a.event(sr.reaction_added("question", user="U1", channel=OTHER, ts=message["ts"])),
        lambda: b.event(sr.reaction_added("question", user="U2", channel=OTHER, ts=message["ts"])),
    )
    wait_until(lambda: posts(a.slack, OTHER))
    assert a.services.store.claim(f"help:reaction:{OTHER}:{message['ts']}", 60) is False
    assert len(posts(a.slack, OTHER)) == 1


def test_one_reminder_across_replicas(replicas: tuple[HelpdeskBot, HelpdeskBot]) -> None:
    a, b = replicas
    handoff = a.services.handoffs.open(
        channel=HELP,
        thread="1700000000.000100",
        question_ts="1700000000.000100",
        asker=ASKER,
        requested_by=ASKER,
        question="docker pull is slow",
        usergroup=PLATFORM,
    )
    assert handoff is not None
    assert [h.id for h in b.services.handoffs.list(open_only=True)] == [handoff.id]
    later = handoff.opened_at + 16 * 60
    sent: list[int] = []
    both(
        lambda: sent.append(send_due_reminders(a.services, a.app.client, now=later)),
        lambda: sent.append(send_due_reminders(b.services, b.app.client, now=later)),
    )
    assert sorted(sent) == [0, 1]
    assert send_due_reminders(b.services, b.app.client, now=later + 3600) == 0
    reminders = [p for p in posts(a.slack, HELP) if "Reminder" in p["text"]]
    assert len(reminders) == 1 and reminders[0]["thread_ts"] == handoff.thread
    # Resolved on one replica, it is resolved on the other.
    assert a.services.handoffs.resolve(handoff.id, "UHELPER") is not None
    assert b.services.handoffs.resolve(handoff.id, "UHELPER") is None
    assert b.services.handoffs.open_count() == 0
