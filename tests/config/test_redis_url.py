"""REDIS_URL is checked when settings load: `acrbot config check` says one line and exits 2."""

from __future__ import annotations

import os

import pytest

from tests.fakes.cli import Done, run_cli


def _config_check(redis_url: str) -> Done:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SLACK_BOT_TOKEN": "xoxb-1-test",
        "SLACK_SIGNING_SECRET": "s" * 32,
        "REDIS_URL": redis_url,
    }
    return run_cli("config", "check", env=env)


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:notaport/0",
        "redis://127.0.0.1:0/0",
        "redis://:hunter2secret@127.0.0.1:6379/notadb",
        "redis://127.0.0.1:6379/-1",
        "http://127.0.0.1:6379/0",
        "unix:///tmp/redis.sock?db=x",
    ],
)
def test_bad_redis_url_is_one_line_exit_2_without_the_password(url):
    result = _config_check(url)
    assert result.returncode == 2
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1
    assert "REDIS_URL" in output
    assert "hunter2secret" not in output


def test_good_redis_url_passes_config_check():
    result = _config_check("rediss://:pw@cache.example:6380/3")
    assert result.returncode == 0, result.stderr
