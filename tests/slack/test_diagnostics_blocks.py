"""Diagnostic reports as Slack messages: Azure's words never turn live, not even in the fallback."""

from __future__ import annotations

import json

import pytest

from bot.diagnostics.report import Cause, CheckReport, RegistrySummary, Status, StepResult
from bot.slack.diagnostics_blocks import report_message, verdict_message

REGISTRY = RegistrySummary("contosoreg", "sub", "rg", "public", "contosoreg.azurecr.io")
HOSTILE = "<!channel> <@U0BOSS> <https://evil.example|click>"


def pull_report() -> CheckReport:
    return CheckReport(
        "pull",
        REGISTRY,
        (StepResult("image", Status.FAILED, title="Image", detail=HOSTILE),),
        f"The tag was not found; closest first: 1.3, {HOSTILE}",
        facts={"Image": "shop/api:1.4"},
        image={"repository": "shop/api", "tag": "1.4", "digest": None},
        causes=(Cause("MANIFEST_NOT_FOUND", f"Tags near it: {HOSTILE}", f"push {HOSTILE}"),),
    )


@pytest.mark.parametrize("render", [verdict_message, report_message])
def test_azure_text_is_escaped_in_the_fallback_and_the_blocks(render) -> None:
    message = render(pull_report(), "U1")
    for text in (message.text, json.dumps(message.blocks, ensure_ascii=False)):
        assert "<!channel>" not in text and "<@U0BOSS>" not in text
        assert "<https://evil.example" not in text
    assert "&lt;!channel&gt;" in message.text
