"""The ``storage:`` section: where state shared across replicas lives.

A Redis URL the client would choke on later is refused here, at start-up
and by ``acrbot config check``; errors never repeat the URL, which may hold
a password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.config_section import Env, Section, env_value
from bot.errors import ConfigError

KEYS = ("redis_url",)


@dataclass(frozen=True)
class StorageSettings:
    """Shared state across replicas; ``None`` keeps claims in the local state directory."""

    redis_url: str | None = field(default=None, repr=False)  # may carry a password


def read_storage(raw: Any, env: Env) -> StorageSettings:
    """``REDIS_URL`` wins over ``storage.redis_url``."""
    section = Section(raw, "storage", KEYS)
    url = env_value(env, "REDIS_URL") or section.text("redis_url")
    if url is not None:
        check_redis_url(url)
    return StorageSettings(redis_url=url)


def check_redis_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("REDIS_URL", "must be a redis://, rediss:// or unix:// URL")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError("REDIS_URL", "has a port that is not a number from 1 to 65535")
    if parts.scheme == "unix":
        dbs = parse_qs(parts.query).get("db", [])
        db = dbs[-1] if dbs else ""
    else:
        db = parts.path.strip("/")
    if db and not (db.isascii() and db.isdigit()):
        raise ConfigError("REDIS_URL", "has a database that is not a non-negative whole number")
