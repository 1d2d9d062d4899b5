"""What the on-call engineer sees in Slack for a triaged alert."""

from __future__ import annotations

import json

from bot.slack.alert_blocks import alert_message, digest_message, resolved_note, short_time
from bot.triage import read_alertmanager, read_azure_monitor
from bot.triage.readers import read_text
from tests.triage.conftest import fixture


def test_fired_alert_has_headline_summary_faq_links_and_check_buttons(triager):
    (alert,) = read_azure_monitor(fixture("azure_metric_storage.json"))
    message = alert_message(triager.triage(alert), count=4)
    section = message.blocks[0]["text"]["text"]
    assert section.startswith(
        "🔴 *FIRED* · Sev2 · `acr-storage-above-90-percent` · *contosoregistry*"
    )
    assert "StorageUsed 93 GiB" in section
    context = message.blocks[1]["elements"][0]["text"]
    assert "fired 2026-11-29 02:41 UTC" in context and "fired 4 times" in context
    faq = message.blocks[2]["text"]["text"]
    assert faq.count("<https://learn.microsoft.com/") in (1, 2, 3)
    (button,) = message.blocks[3]["elements"]
    assert button["action_id"] == "diag_request_0"
    assert json.loads(button["value"]) == {"r": "contosoregistry", "c": "usage"}


def test_image_pull_button_carries_the_repository(triager):
    first, _ = read_alertmanager(fixture("alertmanager_imagepull.json"))
    message = alert_message(triager.triage(first))
    pull, health = message.blocks[-1]["elements"]
    assert json.loads(health["value"])["p"] == "shop/checkout-api"
    assert json.loads(pull["value"]) == {
        "r": "contosoregistry",
        "c": "pull",
        "i": "shop/checkout-api:1.42.0",
    }
    assert pull["text"]["text"] == "🔎 Why can't shop/checkout-api:1.42.0 be pulled?"


def test_resolved_has_no_buttons_and_shows_the_time(triager):
    (alert,) = read_azure_monitor(fixture("azure_metric_storage_resolved.json"))
    message = alert_message(triager.triage(alert))
    assert message.blocks[0]["text"]["text"].startswith("✅ *RESOLVED*")
    assert "resolved 2026-11-29 03:12 UTC" in message.blocks[1]["elements"][0]["text"]
    assert all(b["type"] != "actions" for b in message.blocks)
    assert "03:12 UTC" in resolved_note(triager.triage(alert)).text


def test_hostile_text_is_escaped(triager):
    triage = triager.triage(read_text("<!channel> myreg.azurecr.io 401 <@U123> & more"))
    message = alert_message(triage)
    assert "<!channel>" not in json.dumps(message.blocks)


def test_chinese_words():
    (alert,) = read_azure_monitor(fixture("azure_metric_vm_cpu.json"))
    from bot.triage import Triager

    message = alert_message(Triager(language="zh").triage(alert), "zh")
    assert message.blocks[0]["text"]["text"].startswith("🔴 *告警*")


def test_short_time():
    assert short_time("2026-11-29T02:41:07.6401842Z") == "2026-11-29 02:41 UTC"
    assert short_time(None) == ""


def test_huge_fields_stay_within_block_kit_limits(triager):
    payload = fixture("azure_log_failed_logins.json")
    essentials = payload["data"]["essentials"]
    essentials["alertRule"] = "r" * 10_000
    essentials["severity"] = "S" * 5_000
    essentials["description"] = "contosoregistry.azurecr.io 401 " * 5_000
    criterion = payload["data"]["alertContext"]["condition"]["allOf"][0]
    criterion["linkToFilteredSearchResultsUI"] = "https://portal.azure.com/" + "x" * 5_000
    payload["data"]["essentials"]["configurationItems"] = [
        f"reg{n:05d}.azurecr.io" for n in range(500)
    ]
    (alert,) = read_azure_monitor(payload)
    message = alert_message(triager.triage(alert), count=99)  # limits.check runs on build
    assert len(message.text) <= 3000


def test_a_digest_counts_in_the_singular_and_plural() -> None:
    entry = {"state": "fired", "rule": "r", "summary": "s"}
    assert digest_message([entry], 1).text.startswith("📋 1 more alert in this channel")
    assert "…and 1 earlier one" in json.dumps(digest_message([entry], 2).blocks, ensure_ascii=False)
    assert digest_message([entry, entry], 2).text.startswith("📋 2 more alerts in this channel")
    assert "本频道另有 1 条告警" in digest_message([entry], 1, "zh").text
