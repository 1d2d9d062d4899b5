"""Text someone asked acrbot about is triaged; the alert-evidence gate is the watched channels'.

Review of red-team item 11: the gate that keeps chat in a watched channel silent
("Heads up: ACR team standup moved to 3pm") was applied to every pasted text,
also to ``/acr triage`` and ``acrbot triage``, and knew no slowness, hang,
not-ready or percent-full wording: "docker pull contosoreg.azurecr.io/api:1.4 is
very slow" lost its check-health button and FAQ, and a KubePodNotReady paste
naming contosoreg.azurecr.io got "Nothing recognised: no registry". The
watched-channel listener says its text is unsolicited; the explicit paths do not.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import create_autospec

import pytest
from slack_sdk import WebClient

from bot.helpdesk.threads import ThreadBook
from bot.slack.listeners.events import watched_channel
from bot.slack.triage_reply import triage_reply
from bot.storage import MemoryStorage
from bot.triage.readers import read_any, read_message

SLOW = "docker pull contosoreg.azurecr.io/api:1.4 is very slow from aks-prod, takes 10 minutes"
HANG = "pulls from contosoreg.azurecr.io hang at 'Waiting' since 09:00"
NOT_READY = (
    "KubePodNotReady\n"
    "Pod shop/api-7d9f8b6c5-x2k4q has been in a non-ready state for longer than 15 minutes.\n"
    "image contosoreg.azurecr.io/api:1.4"
)
STORAGE = "ACR storage used 95% on contosoreg"
CHAT = "Heads up: ACR team standup moved to 3pm"
WATCHED = "C0ALERTS"


def posted(text: str) -> dict[str, Any]:
    return {"type": "message", "channel": WATCHED, "user": "U1", "text": text, "ts": "1.1"}


@pytest.mark.parametrize("text", [SLOW, HANG])
def test_a_pasted_slow_or_hanging_pull_gets_check_health_and_the_faq(triager, text):
    (triage,) = triager.triage_all(read_any(text))
    assert triage.about_registry and triage.registries == ("contosoreg",)
    assert ("check-health", "contosoreg") in [(c.check, c.registry) for c in triage.checks]
    assert triage.faq


def test_a_pasted_pod_not_ready_naming_a_registry_is_no_nothing_recognised(triager):
    (triage,) = triager.triage_all(read_any(NOT_READY))
    assert triage.about_registry and triage.registries == ("contosoreg",)
    reply = triage_reply(triager, NOT_READY)
    assert "Nothing recognised" not in reply.text and "contosoreg" in reply.text


def test_a_pasted_storage_percentage_gets_the_faq(triager):
    (triage,) = triager.triage_all(read_any(STORAGE))
    assert triage.about_registry and triage.faq


def test_slash_acr_triage_answers_a_slow_pull_with_its_button(triager):
    reply = triage_reply(triager, SLOW)
    assert "Nothing recognised" not in reply.text
    assert "check-health" in str(reply.blocks)


def test_what_is_asked_about_is_triaged_even_without_alert_wording(triager):
    # asked, ACR's words are enough; unsolicited, they are chat
    text = "does anyone have the az acr cheat sheet handy?"
    assert triager.triage(read_message(posted(text))).about_registry
    assert not triager.triage(read_message(posted(text)), unsolicited=True).about_registry


@pytest.mark.parametrize(
    "text",
    [
        SLOW,
        HANG,
        NOT_READY,
        STORAGE,
        "ACR storage 97% full on contosoreg.azurecr.io",
        "拉取 contosoreg.azurecr.io/api:1.4 很慢，要十分钟",
        "从 contosoreg.azurecr.io 拉取镜像卡住了",
        "ACR 存储使用率 95%，contosoreg",
        "Pod shop/api 未就绪，镜像 contosoreg.azurecr.io/api:1.4",
    ],
)
def test_performance_and_availability_wording_is_alert_evidence(triager, text):
    assert triager.triage(read_message(posted(text)), unsolicited=True).about_registry


@pytest.mark.parametrize(
    "text", [CHAT, "we're 95% done moving the build agents to ACR", "ACR 团队周会改到下午三点"]
)
def test_chat_stays_chat_when_unsolicited(triager, text):
    assert not triager.triage(read_message(posted(text)), unsolicited=True).about_registry


@pytest.fixture
def context(triager) -> dict[str, Any]:
    alerts = SimpleNamespace(channels=(WATCHED,), language="en", channel_posts_per_minute=20)
    services = SimpleNamespace(
        settings=SimpleNamespace(alerts=alerts),
        triager=triager,
        threads=ThreadBook(MemoryStorage(), max_followups=3, idle_seconds=60),
        store=MemoryStorage(),
    )
    return {"services": services, "bot_id": "B0ACRBOT", "bot_user_id": "U0ACRBOT"}


def test_the_watched_channel_listener_says_its_text_is_unsolicited(context):
    client = create_autospec(WebClient, instance=True)
    watched_channel.triage_message(posted(CHAT), client, context)
    client.chat_postMessage.assert_not_called()
    watched_channel.triage_message(posted(SLOW), client, context)
    (call,) = client.chat_postMessage.call_args_list
    assert "contosoreg" in call.kwargs["text"]


def test_acrbot_triage_reads_a_slow_pull_paste_as_asked():
    import json
    import os

    from tests.fakes.cli import run_cli

    env = {k: v for k, v in os.environ.items() if k != "ACRBOT_CONFIG"}
    done = run_cli("triage", "--json", env=env, input=SLOW.encode())
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    result = json.loads(line)
    assert result["registries"] == ["contosoreg"]
    assert {"check": "check-health", "registry": "contosoreg"} in result["checks"]
    assert result["faq"]
