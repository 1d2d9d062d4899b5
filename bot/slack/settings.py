"""The ``slack:`` section and Slack's credentials, which come only from the environment.

The types live beside the Slack transport that uses them; the loader in
:mod:`bot.config` reads them with the rest of the tree, so a bad token is
refused by ``acrbot config check`` exactly as ``acrbot serve`` would refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config_section import Env, Section, env_value
from bot.errors import ConfigError
from bot.knowledge.channel_questions import DEFAULT_MIN_CONFIDENCE
from bot.knowledge.settings import People as Named
from bot.knowledge.settings import read_people

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# ``alert_channels`` is the deprecated spelling of ``alerts.channels`` (read by the alerts).
KEYS = (
    "alert_channels",
    "feedback_path",
    "help_channels",
    "help_rate_limit",
    "followups",
    "ask_reaction",
    "ask_reaction_users",
    "escalation",
    "admins",
)
HELP_MODES = ("thread", "private")
_CHANNEL_KEYS = ("id", "mode", "min_confidence")
_RATE_KEYS = ("max_answers", "window_seconds")
_FOLLOWUP_KEYS = ("max_count", "idle_minutes")
_WHO_KEYS = ("users", "usergroups")
_ESCALATION_KEYS = ("usergroup", "channels", "remind_after_minutes")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
_USERGROUP_ID = re.compile(r"S[A-Z0-9]{2,}")
_REACTION = re.compile(r"[a-z0-9_+'-]{1,100}")


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
class HelpChannel:
    """A channel where acrbot answers unasked, only when sure (``slack.help_channels``)."""

    id: str
    mode: str = "thread"  # thread: in the message's thread; private: ephemeral, "Share in thread"
    min_confidence: float = DEFAULT_MIN_CONFIDENCE


@dataclass(frozen=True)
class RateLimit:
    max_answers: int = 20
    window_seconds: float = 3600.0


@dataclass(frozen=True)
class Followups:
    """How long acrbot keeps listening to a thread it answered in."""

    max_count: int = 3
    idle_minutes: float = 60.0


@dataclass(frozen=True)
class People:
    """Users and user groups (empty: anyone), as access rules name them."""

    users: frozenset[str] = frozenset()
    usergroups: frozenset[str] = frozenset()

    @property
    def anyone(self) -> bool:
        return not self.users and not self.usergroups


@dataclass(frozen=True)
class Escalation:
    """Who "Still need help?" calls in, per channel, and when an open hand-off is reminded."""

    usergroup: str | None = None
    channels: Mapping[str, str] = field(default_factory=dict)
    remind_after_minutes: float = 60.0

    def usergroup_for(self, channel: str | None) -> str | None:
        return self.channels.get(channel or "", self.usergroup)

    @property
    def enabled(self) -> bool:
        return bool(self.usergroup or self.channels)


@dataclass(frozen=True)
class SlackSettings:
    """Behaviour in Slack, plus the credentials read from the environment."""

    feedback_path: Path | None = None
    credentials: SlackCredentials = field(default_factory=SlackCredentials)
    help_channels: tuple[HelpChannel, ...] = ()
    help_rate_limit: RateLimit = field(default_factory=RateLimit)
    followups: Followups = field(default_factory=Followups)
    ask_reaction: str = "question"
    ask_reaction_users: People = field(default_factory=People)
    escalation: Escalation = field(default_factory=Escalation)
    admins: Named = field(default_factory=Named)  # App Home's admin part (empty: nobody)

    def help_channel(self, channel: str | None) -> HelpChannel | None:
        return next((c for c in self.help_channels if c.id == channel), None)


def read_slack(section: Section, base: Path, env: Env) -> SlackSettings:
    """``section`` is checked by the loader first: the alerts read its deprecated key too."""
    rate = section.section("help_rate_limit", _RATE_KEYS)
    followups = section.section("followups", _FOLLOWUP_KEYS)
    return SlackSettings(
        feedback_path=section.path("feedback_path", base),
        credentials=read_credentials(env),
        help_channels=_help_channels(section),
        help_rate_limit=RateLimit(
            rate.whole("max_answers", 20, 1, 10_000),
            rate.number("window_seconds", 3600.0, positive=True, maximum=86400),
        ),
        followups=Followups(
            followups.whole("max_count", 3, 0, 100),
            followups.number("idle_minutes", 60.0, positive=True, maximum=7 * 24 * 60),
        ),
        ask_reaction=_reaction(section),
        ask_reaction_users=_people(section.section("ask_reaction_users", _WHO_KEYS)),
        escalation=_escalation(section.section("escalation", _ESCALATION_KEYS)),
        admins=read_people(section, "admins"),
    )


def _help_channels(section: Section) -> tuple[HelpChannel, ...]:
    items = section.get("help_channels", [])
    if not isinstance(items, list):
        raise ConfigError(
            section.name("help_channels"), "must be a list of channel IDs or {id, mode, ...}"
        )
    channels: dict[str, HelpChannel] = {}
    for number, item in enumerate(items):
        where = f"{section.name('help_channels')}[{number}]"
        channel = _help_channel(item if isinstance(item, Mapping) else {"id": item}, where)
        if channel.id in channels:
            raise ConfigError(where, f"{channel.id} is listed twice")
        channels[channel.id] = channel
    return tuple(channels.values())


def _help_channel(item: Mapping[str, Any], where: str) -> HelpChannel:
    entry = Section(item, where, _CHANNEL_KEYS)
    channel = entry.get("id")
    if not isinstance(channel, str) or not _CHANNEL_ID.fullmatch(channel.strip()):
        raise ConfigError(where, "needs a channel ID such as C0123ABCD (not a #name)")
    return HelpChannel(
        id=channel.strip(),
        mode=entry.choice("mode", HELP_MODES, "thread"),
        min_confidence=entry.number("min_confidence", DEFAULT_MIN_CONFIDENCE, minimum=0, maximum=1),
    )


def _reaction(section: Section) -> str:
    name = (section.text("ask_reaction") or "question").strip(":").lower()
    if not _REACTION.fullmatch(name):
        raise ConfigError(
            section.name("ask_reaction"), "must be an emoji name such as question or eyes"
        )
    return name


def _people(section: Section) -> People:
    return People(
        frozenset(section.strings("users", what="user IDs such as U0123")),
        frozenset(section.strings("usergroups", what="user group IDs such as S0123")),
    )


def _escalation(section: Section) -> Escalation:
    usergroup = section.text("usergroup")
    if usergroup is not None:
        _usergroup(usergroup, section.name("usergroup"))
    raw = section.get("channels", {})
    if not isinstance(raw, Mapping):
        raise ConfigError(section.name("channels"), "must map channel IDs to user group IDs")
    channels = {}
    for channel, group in raw.items():
        where = f"{section.name('channels')}.{channel}"
        if not isinstance(channel, str) or not _CHANNEL_ID.fullmatch(channel):
            raise ConfigError(where, "is not a channel ID such as C0123ABCD")
        channels[channel] = _usergroup(group, where)
    return Escalation(
        usergroup=usergroup,
        channels=channels,
        remind_after_minutes=section.number(
            "remind_after_minutes", 60.0, positive=True, maximum=7 * 24 * 60
        ),
    )


def _usergroup(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _USERGROUP_ID.fullmatch(value):
        raise ConfigError(where, "must be a user group ID such as S0123ABCD")
    return value


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
