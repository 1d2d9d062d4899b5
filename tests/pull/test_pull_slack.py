"""`/acr pull IMAGE [CLUSTER]` through the real Bolt app: access rules, Confirm, report, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.config import load_settings
from bot.web.app import build_slack_app
from tests.diagnostics.conftest import TOKEN
from tests.fakes.acrbot_process import BOT_TOKEN, SIGNING_SECRET, write_config
from tests.fakes.azure_cluster import FakeRoleAssignment
from tests.fakes.slack_api import FakeSlack
from tests.pull.world import CLUSTER_CONFIG, healthy
from tests.slack.test_app_dispatch import MALLORY, InProcess, button, text_of


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[InProcess]:
    world = healthy()
    world.role_assignments = [FakeRoleAssignment("nobody", "x", "/")]  # no pull role
    with FakeSlack() as slack, world.azure() as azure:
        config = tmp_path / "acrbot.yaml"
        write_config(config, azure)
        raw = yaml.safe_load(config.read_text())
        raw["azure"]["clusters"] = [CLUSTER_CONFIG]
        config.write_text(yaml.safe_dump(raw))
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.base_url,
            "ACRBOT_STATE_DIR": str(tmp_path / "state"),
            "ACRBOT_AZURE_TOKEN": TOKEN,
        }
        app, services = build_slack_app(load_settings(config, env=env), background_reload=False)
        yield InProcess(app, services, slack)


def test_acr_pull_confirms_then_leads_with_the_cause_and_fix(bot: InProcess) -> None:
    bot.dispatch(bot.command("pull contosoreg.azurecr.io/shop/api:1.4 prod-eastus", name="ask"))
    confirmation = bot.replies("ask")[0]
    assert "aks-prod" in text_of(confirmation) and "shop/api:1.4" in text_of(confirmation)
    token = button(confirmation, "diag_confirm")["value"]
    bot.dispatch(bot.click("diag_confirm", token, name="run"))
    reports = bot.slack.wait_for(
        "response_url", lambda c: c.name == "run" and "header" in json.dumps(c.params), timeout=10
    )
    blocks = reports[-1].params["blocks"]
    cause = json.dumps(blocks[2])
    assert "PULL_ROLE_MISSING" in cause
    assert "az aks update -n aks-prod -g rg-aks --attach-acr contosoreg" in cause
    assert blocks[-2]["type"] == "context" or "Steps:" in json.dumps(blocks)  # steps folded
    records = bot.services.diagnostics.audit.recent(20)
    result = next(r for r in records if r["event"] == "result")
    assert result["check"] == "pull" and result["image"] == "shop/api:1.4"


def test_acr_pull_is_refused_for_someone_no_rule_allows(bot: InProcess) -> None:
    body = bot.command(
        "pull contosoreg.azurecr.io/shop/api:1.4 aks-prod", name="m", user_id=MALLORY
    )
    bot.dispatch(body)
    assert ":no_entry:" in text_of(bot.replies("m")[0])


def test_acr_pull_without_an_image_says_how(bot: InProcess) -> None:
    bot.dispatch(bot.command("pull", name="u"))
    assert "/acr pull IMAGE [CLUSTER]" in text_of(bot.replies("u")[0])
