"""Slack credentials and endpoints from the environment, validated before anything starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.errors import ConfigError

DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackCredentials:
    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    port: int = 3000

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, socket_mode: bool = False
    ) -> SlackCredentials:
        env = os.environ if env is None else env
        bot_token = _required(env, "SLACK_BOT_TOKEN", "xoxb-", "the bot token (xoxb-…)")
        signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        if not signing_secret and not socket_mode:
            raise ConfigError(
                "SLACK_SIGNING_SECRET",
                "is not set: copy it from your Slack app's Basic Information page",
            )
        if any(c.isspace() for c in signing_secret):
            raise ConfigError(
                "SLACK_SIGNING_SECRET", "contains spaces: copy the secret again, on its own"
            )
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        if socket_mode and not app_token:
            raise ConfigError(
                "SLACK_APP_TOKEN",
                "is not set: Socket Mode needs an app-level token (xapp-…) "
                "with the connections:write scope",
            )
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN", "must be an app-level token starting with xapp-")
        return cls(
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            api_url=_api_url(env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL),
            port=_port(env.get("PORT", "").strip() or "3000"),
        )


def _required(env: Mapping[str, str], name: str, prefix: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(name, f"is not set: it must hold {what}")
    if not value.startswith(prefix):
        raise ConfigError(name, f"must start with {prefix} (it should hold {what})")
    return value


def _api_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ConfigError("SLACK_API_URL", "must be an http(s) URL such as https://slack.com/api/")
    return value if value.endswith("/") else value + "/"


def _port(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 65536:
        raise ConfigError("PORT", f"must be a TCP port number, got {value!r}")
    return int(value)
