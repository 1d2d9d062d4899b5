"""Two replicas of acrbot and a real redis-server of their own, shared by the test modules.

Each test gets them with Redis running and empty and the fake Slack's
record cleared (``replicas``); tests that break something put it back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.acrbot_process import AZURE_TOKEN, BOB
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.slack_api import FakeSlack
from tests.redis_server import RedisServer
from tests.reliability.replicas import Replicas, start_replicas, stop

RATE_LIMIT = 4  # diagnostics per person per minute, across both replicas


@pytest.fixture(scope="session")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pair(tmp_path_factory: pytest.TempPathFactory, redis: RedisServer) -> Iterator[Replicas]:
    registries = [
        FakeRegistry("healthyreg"),
        FakeRegistry("slowreg", slow=frozenset({"registry"})),
        FakeRegistry("throttledreg", exchange_throttled=True),
        FakeRegistry("failingreg", server_error={"registry": 500, "usages": 503}),
    ]
    with FakeSlack() as slack, FakeAzure(registries, token=AZURE_TOKEN) as azure:
        slack.usergroups = {"SOPS": [BOB]}
        replicas = start_replicas(
            tmp_path_factory.mktemp("replicas"),
            slack,
            azure,
            redis.url,
            rate_limit={"max_requests": RATE_LIMIT, "window_seconds": 60},
        )
        try:
            yield replicas
        finally:
            for replica in replicas:
                stop(replica)


@pytest.fixture
def replicas(pair: Replicas, redis: RedisServer) -> Replicas:
    """The pair, with Redis running and empty, and the fake Slack forgetting earlier calls."""
    if redis.process is None or not redis.ping():
        redis.stop()
        redis.start()
    redis.flush()
    pair.slack.reset()
    return pair
