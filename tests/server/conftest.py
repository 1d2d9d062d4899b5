"""`acrbot serve` as production runs it, against the fake Slack, for the server's own tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.fakes.acrbot_process import AZURE_TOKEN, SIGNING_SECRET, start_bot, stop
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import post


@dataclass
class Served:
    url: str
    slack: FakeSlack
    log: Path

    def post(self, body: bytes, **kwargs) -> httpx.Response:
        return post(f"{self.url}/slack/events", body, signing_secret=SIGNING_SECRET, **kwargs)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("served")
    with FakeSlack() as slack, FakeAzure([FakeRegistry("healthyreg")], token=AZURE_TOKEN) as azure:
        process, url, log = start_bot(tmp, slack, azure)
        try:
            yield Served(url, slack, log)
        finally:
            stop(process)


@pytest.fixture
def slack(served: Served) -> Iterator[FakeSlack]:
    served.slack.reset()
    yield served.slack
    served.slack.reset()
