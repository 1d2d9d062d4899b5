"""The served app in this process, against fake Slack and Azure on 127.0.0.1.

The router, Bolt app and services are those ``acrbot serve`` runs in each
worker (``tests/fakes/in_process.py``); requests go through the ASGI app,
and the app's calls to Slack and Azure go over real HTTP to the fakes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.acrbot_process import (  # noqa: F401 - names the tests import from here
    ALERTS,
    ALICE,
    AZURE_TOKEN,
    BOB,
    MALLORY,
    OPS,
    SIGNING_SECRET,
)
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.in_process import InProcessBot, start_in_process
from tests.fakes.slack_api import FakeSlack


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessBot]:
    tmp = tmp_path_factory.mktemp("bot")
    registries = [
        FakeRegistry("healthyreg"),
        FakeRegistry("walledreg", forbidden=True, default_action="Deny", ip_rules=2),
        FakeRegistry("fullreg", storage_used=480 * 1024**3, max_storage=500 * 1024**3),
    ]
    with FakeSlack() as slack, FakeAzure(registries, token=AZURE_TOKEN) as azure:
        slack.usergroups = {"SOPS": [BOB]}
        with start_in_process(tmp, slack, azure) as bot:
            yield bot


@pytest.fixture
def slack(bot: InProcessBot) -> FakeSlack:
    bot.slack.reset()
    return bot.slack
