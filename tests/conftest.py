"""Fixtures shared by every test package, and how many examples the property tests try.

Retries to Slack are counted, not timed, in this process: slack_sdk's
back-off between attempts (its own, 0.5 to 3.5 s with jitter) is made a
hundredth of a second by ``short_slack_backoff``, so a test of "a 5xx is
retried twice" does not sleep through it. Which failures are retried, how
often, and a 429's ``Retry-After`` are untouched; the real ``acrbot serve``
processes (tests/reliability) keep slack_sdk's own back-off.

Hypothesis profiles (``HYPOTHESIS_PROFILE``): ``ci``, the default, tries 50
examples per property, enough to find the shallow breakages in a run of
the whole suite; ``thorough`` tries 1,000 (run it after touching a parser,
a reader or the Slack payload checks). The strategies are the same in both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from slack_sdk.http_retry.handler import default_interval_calculator

from tests.redis_server import RedisServer

settings.register_profile("ci", max_examples=50)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def short_slack_backoff() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(default_interval_calculator, "calculate_sleep_duration", lambda attempt: 0.01)
        yield


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session (skipped when not installed, except under CI)."""
    server = RedisServer(Path(tmp_path_factory.mktemp("redis")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A running, empty Redis."""
    if redis_server.process is None or not redis_server.ping():
        redis_server.stop()
        redis_server.start()
    redis_server.flush()
    return redis_server.url
