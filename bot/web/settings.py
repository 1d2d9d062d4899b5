"""The ``serve:`` section: how ``acrbot serve`` listens and logs.

Each YAML value is overridden by the environment variable a container
platform sets (``PORT``, ``WEB_CONCURRENCY`` …), so one image runs anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config_section import Env, Section, env_value
from bot.errors import ConfigError

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("text", "json")
KEYS = ("host", "port", "workers", "threads", "log_level", "log_format")


@dataclass(frozen=True)
class ServeSettings:
    """How ``acrbot serve`` listens and logs (HOST, PORT, WEB_CONCURRENCY, ...)."""

    host: str = "0.0.0.0"
    port: int = 3000
    workers: int = 1
    threads: int = 16
    log_level: str = "info"
    log_format: str = "text"


def read_serve(raw: Any, env: Env) -> ServeSettings:
    section = Section(raw, "serve", KEYS)
    host = env_value(env, "HOST") or section.text("host", "0.0.0.0") or "0.0.0.0"
    return ServeSettings(
        host=host,
        port=_whole_from(env, "PORT", section, "port", 3000, 1, 65535, "a TCP port number"),
        workers=_whole_from(env, "WEB_CONCURRENCY", section, "workers", 1, 1, 64, "a count"),
        threads=_whole_from(env, "GUNICORN_THREADS", section, "threads", 16, 1, 1024, "a count"),
        log_level=_choice_from(env, "LOG_LEVEL", section, "log_level", LOG_LEVELS, "info"),
        log_format=_choice_from(
            env, "ACRBOT_LOG_FORMAT", section, "log_format", LOG_FORMATS, "text"
        ),
    )


def _whole_from(
    env: Env, name: str, section: Section, key: str, default: int, low: int, high: int, what: str
) -> int:
    value = env_value(env, name)
    if value is None:
        return section.whole(key, default, low, high)
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise ConfigError(name, f"must be {what} from {low} to {high}, got {shown!r}")
    return int(value)


def _choice_from(
    env: Env, name: str, section: Section, key: str, choices: tuple[str, ...], default: str
) -> str:
    value = env_value(env, name)
    if value is None:
        return section.choice(key, choices, default)
    if value.lower() not in choices:
        raise ConfigError(name, f"must be one of {', '.join(choices)}")
    return value.lower()
