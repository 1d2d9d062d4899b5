"""Free text: pasted errors and other integrations' Slack messages."""

from __future__ import annotations

from bot.triage import State, read_any
from bot.triage.readers import read_message, read_text
from bot.triage.readers.free_text import unslack
from tests.triage.conftest import fixture


def test_a_slack_message_with_the_error_only_in_an_attachment():
    alert = read_message(fixture("slack_bot_message.json"))
    assert alert.rule == "[Triggered] [prod] deploy of checkout failed"
    joined = " ".join(alert.text)
    assert "is not allowed access" in joined and "cluster: aks-prod-westeurope" in joined


def test_blocks_are_read():
    message = {
        "text": "",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Pull failures"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*myreg.azurecr.io*: manifest unknown"},
                "fields": [{"type": "mrkdwn", "text": "*Severity*: Sev1"}],
            },
        ],
    }
    alert = read_message(message)
    assert "myreg.azurecr.io" in " ".join(alert.text)
    assert alert.severity == "Sev1"


def test_slack_escaping_is_undone():
    assert unslack("&lt;b&gt; <https://x.example/a|the link> <@U123> &amp;") == (
        "<b> the link https://x.example/a  &"
    )


def test_resolved_text_is_read_as_resolved():
    assert read_text("[RESOLVED] acr pull failures on myreg.azurecr.io").state == State.RESOLVED
    assert read_text("FIRING: 401 on myreg.azurecr.io").state == State.FIRED


def test_pasted_json_of_a_known_shape_is_read_as_that_shape():
    import json

    text = json.dumps(fixture("azure_metric_storage.json"))
    (alert,) = read_any(text)
    assert alert.source == "azure-monitor"
    assert read_any(json.dumps(fixture("slack_bot_message.json")))[0].source == "text"
    assert len(read_any(json.dumps(fixture("alertmanager_imagepull.json")))) == 2


def test_broken_json_is_read_as_text():
    (alert,) = read_any('{"schemaId": "azureMonitorCommonAlertSchema", oops')
    assert alert.source == "text"
