"""Fixtures of the storage tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis_server import RedisServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test alone: stopping, filling or reconfiguring it disturbs nobody else."""
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    yield redis
    redis.stop()
