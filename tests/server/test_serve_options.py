"""`acrbot serve`'s environment: the same variables as before, refused plainly when wrong."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.slack.server import serve_options


def test_defaults_and_the_environment() -> None:
    assert serve_options("0.0.0.0", 3000, {}).workers == 1
    assert serve_options("0.0.0.0", 3000, {}).threads == 16
    options = serve_options("127.0.0.1", 8080, {"WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "8"})
    assert (options.host, options.port, options.workers, options.threads) == (
        "127.0.0.1",
        8080,
        3,
        8,
    )


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "100000"])
def test_a_bad_worker_count_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="WEB_CONCURRENCY"):
        serve_options("0.0.0.0", 3000, {"WEB_CONCURRENCY": value})
