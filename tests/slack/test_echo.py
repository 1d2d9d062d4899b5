"""Issue 18 B10: everything acrbot renders for alerts is recognised when a bot reposts it.

Held out from the wording: every message kind, both languages, and three
ways a relay might carry it (text, blocks, an attachment); and messages of
other tools (including ones that say FIRED, RESOLVED or ✅) are not.
"""

from __future__ import annotations

import pytest

from bot.slack.alert_blocks import (
    alert_message,
    digest_message,
    left_out_message,
    resolved_note,
    resolved_reply,
    storm_reply,
)
from bot.slack.echo import is_own_rendering
from bot.triage import read_alertmanager, read_azure_monitor
from bot.triage.digest import entry
from tests.triage.conftest import fixture

FIXTURES = (
    "azure_metric_storage.json",
    "azure_metric_storage_resolved.json",
    "azure_log_failed_logins.json",
    "azure_activity_nulls.json",
    "azure_metric_vm_cpu.json",
)


def renderings(triager, language: str):
    alerts = [read_azure_monitor(fixture(name))[0] for name in FIXTURES]
    alerts += read_alertmanager(fixture("alertmanager_imagepull.json"))
    for alert in alerts:
        triage = triager.triage(alert)
        yield alert_message(triage, language)
        yield alert_message(triage, language, count=7)
        yield storm_reply(triage, 3, language)
        yield resolved_note(triage, language)
        yield resolved_reply(triage, language, still_firing=2)
        yield digest_message([entry(triage)], 30, language)
    yield left_out_message("KubePodImagePullBackOff", 700, 20, 200, language)


def carried(message, how: str) -> dict:
    kwargs = message.as_kwargs()
    if how == "text":
        return {"text": kwargs["text"]}
    if how == "attachment":
        return {"text": "", "attachments": [{"text": "Forwarded: " + kwargs["text"]}]}
    return {"text": "", "blocks": kwargs.get("blocks") or []}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("how", ["text", "attachment", "blocks"])
def test_every_rendering_is_recognised(triager, language, how):
    for message in renderings(triager, language):
        if how == "blocks" and not message.as_kwargs().get("blocks"):
            continue  # a text-only reply has no blocks to repost
        assert is_own_rendering(carried(message, how)), message.as_kwargs()["text"]


@pytest.mark.parametrize(
    "text",
    [
        "[Triggered] [prod] deploy of checkout failed",
        "🔴 FIRING: KubeContainerWaiting on aks-prod (contosoregistry.azurecr.io)",
        "✅ Resolved: [prod] contosoregistry.azurecr.io pull errors recovered.",
        "RESOLVED · disk on build-agent-01",
        "Alert fired 3 times on contosoregistry.azurecr.io: 401 Unauthorized",
        "告警：contosoregistry 拉取失败 401",
    ],
)
def test_other_tools_messages_are_not_taken_for_acrbots(text):
    assert not is_own_rendering({"text": text})
    assert not is_own_rendering(fixture("slack_bot_message.json"))
