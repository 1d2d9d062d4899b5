"""The ``slack:`` section and Slack's credentials, which come only from the environment.

The types live beside the Slack transport that uses them; the loader in
:mod:`bot.config` reads them with the rest of the tree, so a bad token is
refused by ``acrbot config check`` exactly as ``acrbot serve`` would refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.config_section import Env, Section, env_value
from bot.errors import ConfigError

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# ``alert_channels`` is the deprecated spelling of ``alerts.channels`` (read by the alerts).
KEYS = ("alert_channels", "feedback_path")


@dataclass(frozen=True)
class SlackCredentials:
    """Slack's secrets and endpoint, from the environment; checked for the mode that runs."""

    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_SLACK_API_URL

    def require(self, *, socket_mode: bool = False) -> SlackCredentials:
        """These credentials if they can serve Slack; else a ConfigError naming the gap."""
        _required(self.bot_token, "SLACK_BOT_TOKEN", "xoxb-", "the bot token (xoxb-…)")
        if not self.signing_secret and not socket_mode:
            raise ConfigError(
                "SLACK_SIGNING_SECRET",
                "is not set: copy it from your Slack app's Basic Information page",
            )
        if any(c.isspace() for c in self.signing_secret):
            raise ConfigError(
                "SLACK_SIGNING_SECRET", "contains spaces: copy the secret again, on its own"
            )
        if socket_mode and not self.app_token:
            raise ConfigError(
                "SLACK_APP_TOKEN",
                "is not set: Socket Mode needs an app-level token (xapp-…) "
                "with the connections:write scope",
            )
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN", "must be an app-level token starting with xapp-")
        return self


@dataclass(frozen=True)
class SlackSettings:
    """Behaviour in Slack, plus the credentials read from the environment."""

    feedback_path: Path | None = None
    credentials: SlackCredentials = field(default_factory=SlackCredentials)


def read_slack(section: Section, base: Path, env: Env) -> SlackSettings:
    """``section`` is checked by the loader first: the alerts read its deprecated key too."""
    return SlackSettings(section.path("feedback_path", base), read_credentials(env))


def read_credentials(env: Env) -> SlackCredentials:
    api_url = env_value(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not api_url.startswith(("https://", "http://")):
        raise ConfigError("SLACK_API_URL", "must be an http(s) URL such as https://slack.com/api/")
    return SlackCredentials(
        bot_token=env_value(env, "SLACK_BOT_TOKEN") or "",
        signing_secret=env_value(env, "SLACK_SIGNING_SECRET") or "",
        app_token=env_value(env, "SLACK_APP_TOKEN"),
        api_url=api_url if api_url.endswith("/") else api_url + "/",
    )


def _required(value: str, name: str, prefix: str, what: str) -> None:
    if not value:
        raise ConfigError(name, f"is not set: it must hold {what}")
    if not value.startswith(prefix):
        raise ConfigError(name, f"must start with {prefix} (it should hold {what})")
