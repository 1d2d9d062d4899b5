"""The real app, served by `acrbot serve` (gunicorn) on a free port, against fake Slack and Azure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.fakes.acrbot_process import (  # noqa: F401 - names the tests import from here
    ALERTS,
    ALICE,
    AZURE_TOKEN,
    BOB,
    MALLORY,
    OPS,
    SIGNING_SECRET,
    start_bot,
    stop,
)
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import post


@dataclass
class Bot:
    url: str
    slack: FakeSlack
    azure: FakeAzure
    state: Path
    log: Path

    def post(self, body: bytes, **kwargs) -> httpx.Response:
        return post(f"{self.url}/slack/events", body, signing_secret=SIGNING_SECRET, **kwargs)


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    tmp = tmp_path_factory.mktemp("bot")
    registries = [
        FakeRegistry("healthyreg"),
        FakeRegistry("walledreg", forbidden=True, default_action="Deny", ip_rules=2),
        FakeRegistry("fullreg", storage_used=480 * 1024**3, max_storage=500 * 1024**3),
    ]
    with FakeSlack() as slack, FakeAzure(registries, token=AZURE_TOKEN) as azure:
        slack.usergroups = {"SOPS": [BOB]}
        process, url, log = start_bot(tmp, slack, azure)
        try:
            yield Bot(url, slack, azure, tmp / "state", log)
        finally:
            stop(process)


@pytest.fixture
def slack(bot: Bot) -> FakeSlack:
    bot.slack.reset()
    return bot.slack
