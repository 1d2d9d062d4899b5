"""Fixtures shared by every test package, and how many examples the property tests try.

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

from tests.redis_server import RedisServer

settings.register_profile("ci", max_examples=50)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
