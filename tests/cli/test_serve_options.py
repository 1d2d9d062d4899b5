"""`acrbot serve`'s options come from the settings tree; the command line's host/port win."""

from __future__ import annotations

import pytest

from bot.cli.serve import serve_options
from bot.config import load_settings
from bot.errors import ConfigError


def test_defaults_and_the_environment() -> None:
    defaults = serve_options(load_settings(env={}).serve)
    assert (defaults.workers, defaults.threads) == (1, 16)
    env = {"WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "8", "PORT": "8080"}
    options = serve_options(load_settings(env=env).serve, host="127.0.0.1")
    assert (options.host, options.port, options.workers, options.threads) == (
        "127.0.0.1",
        8080,
        3,
        8,
    )


def test_the_command_line_port_wins() -> None:
    assert serve_options(load_settings(env={"PORT": "8080"}).serve, port=9000).port == 9000


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "100000"])
def test_a_bad_worker_count_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="WEB_CONCURRENCY"):
        load_settings(env={"WEB_CONCURRENCY": value})
