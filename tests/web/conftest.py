"""The served app for the server's own tests: in process, and as `acrbot serve` where it must be.

``served`` is the router ``acrbot serve`` builds, driven in this process
(``tests/fakes/in_process.py``); ``served_process`` is the real `acrbot
serve` (gunicorn and its worker) on a free port, for what only real sockets
and a real process show: slow clients, start-up, the process's own log. It
runs with a short, non-Slack-looking signing secret, as local harnesses do.
Both talk to the same fake Slack and fake Azure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.fakes.acrbot_process import AZURE_TOKEN, SHORT_SECRET, SIGNING_SECRET, start_bot, stop
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.in_process import InProcessBot, start_in_process
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import post


@dataclass
class Served:
    url: str
    slack: FakeSlack
    log: Path
    secret: str = SIGNING_SECRET
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def post(self, body: bytes, **kwargs) -> httpx.Response:
        return post(f"{self.url}/slack/events", body, signing_secret=self.secret, **kwargs)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture(scope="session")
def server_fakes() -> Iterator[tuple[FakeSlack, FakeAzure]]:
    with FakeSlack() as slack, FakeAzure([FakeRegistry("healthyreg")], token=AZURE_TOKEN) as azure:
        yield slack, azure


@pytest.fixture(scope="session")
def served(
    tmp_path_factory: pytest.TempPathFactory, server_fakes: tuple[FakeSlack, FakeAzure]
) -> Iterator[InProcessBot]:
    with start_in_process(tmp_path_factory.mktemp("served"), *server_fakes) as bot:
        yield bot


@pytest.fixture(scope="session")
def served_process(
    tmp_path_factory: pytest.TempPathFactory, server_fakes: tuple[FakeSlack, FakeAzure]
) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("served_process")
    process, url, log = start_bot(tmp, *server_fakes, SLACK_SIGNING_SECRET=SHORT_SECRET)
    served = Served(url, server_fakes[0], log, SHORT_SECRET)
    try:
        yield served
    finally:
        served.http.close()
        stop(process)


@pytest.fixture
def slack(server_fakes: tuple[FakeSlack, FakeAzure]) -> Iterator[FakeSlack]:
    fake = server_fakes[0]
    fake.reset()
    yield fake
    fake.reset()
