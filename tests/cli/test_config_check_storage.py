"""`acrbot config check` says where shared state lives, and --online checks Redis answers."""

from __future__ import annotations

import os
from pathlib import Path

import redis

from tests.fakes.cli import Done, run_cli
from tests.fakes.slack_api import FakeSlack
from tests.redis_server import RedisServer, free_port


def check(tmp_path: Path, *args: str, **env: str) -> Done:
    environ = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ACRBOT_CONFIG")},
        "SLACK_BOT_TOKEN": "xoxb-1-2-configchecktoken",
        "SLACK_SIGNING_SECRET": "a-signing-secret-for-tests",
        "ACRBOT_STATE_DIR": str(tmp_path / "state"),
        **env,
    }
    return run_cli("config", "check", *args, env=environ)


def test_without_redis_state_is_on_this_host(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "storage: SQLite and JSONL in" in result.stdout


def test_redis_is_named_without_its_password(tmp_path: Path) -> None:
    result = check(tmp_path, REDIS_URL="rediss://:S3cret@cache.example:6380/0")
    assert result.returncode == 0, result.stderr
    assert "storage: Redis at rediss://cache.example:6380/0" in result.stdout
    assert "S3cret" not in result.stdout + result.stderr


def test_online_refuses_a_redis_that_does_not_answer(tmp_path: Path) -> None:
    url = f"redis://:S3cret@127.0.0.1:{free_port()}/0"  # nothing listens there
    result = check(tmp_path, "--online", REDIS_URL=url)
    assert result.returncode == 2
    assert "cannot reach Redis at redis://127.0.0.1" in result.stderr
    assert "S3cret" not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_online_accepts_a_redis_that_answers(tmp_path: Path, redis_url: str) -> None:
    result = check(tmp_path, "--online", REDIS_URL=redis_url)
    assert "(up; maxmemory-policy noeviction)" in result.stdout, result.stdout + result.stderr


def test_online_warns_of_a_policy_that_may_evict_claims(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        redis.Redis.from_url(server.url).config_set("maxmemory-policy", "volatile-lru")
        with FakeSlack() as slack:
            result = check(tmp_path, "--online", REDIS_URL=server.url, SLACK_API_URL=slack.base_url)
        assert result.returncode == 0, result.stderr
        assert "maxmemory-policy volatile-lru: when full it may evict Confirm" in result.stdout
        assert "set noeviction" in result.stdout
    finally:
        server.stop()


def test_online_refuses_a_redis_that_refuses_writes(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        admin = redis.Redis.from_url(server.url)
        admin.config_set("maxmemory-policy", "noeviction")
        admin.config_set("maxmemory", 1)  # full: every write refused, PING still answers
        result = check(tmp_path, "--online", REDIS_URL=server.url)
        assert result.returncode == 2
        assert "answers but refuses writes" in result.stderr and "Traceback" not in result.stderr
    finally:
        server.stop()
