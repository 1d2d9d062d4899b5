"""The ``alerts:`` section: watched channels, where webhook alerts go, and storms.

Beside the triage that acts on it. Channels are plain IDs here; nothing in
this module knows how they are posted to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.config_section import Env, Section, env_value
from bot.errors import ConfigError

ALERT_LANGUAGES = ("en", "zh")
KEYS = (
    "channels",
    "default_channel",
    "routes",
    "coalesce_seconds",
    "channel_posts_per_minute",
    "language",
)
_ROUTE = ("channel", "subscriptions", "resource_groups", "severities")
log = logging.getLogger("bot.config")  # the warning reads as a settings warning, as before


@dataclass(frozen=True)
class AlertRoute:
    """Webhook alerts matching every listed field (empty: any) go to ``channel``."""

    channel: str
    subscriptions: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertSettings:
    """Watched channels, routes for webhook alerts, and how long a storm is folded into one."""

    channels: tuple[str, ...] = ()
    default_channel: str | None = None
    routes: tuple[AlertRoute, ...] = ()
    coalesce_seconds: float = 600.0
    channel_posts_per_minute: int = 20  # beyond: folded into the channel's digest message
    language: str = "en"
    token: str | None = field(default=None, repr=False)  # ACRBOT_ALERT_TOKEN


def read_alerts(raw: Any, slack: Section, env: Env) -> AlertSettings:
    """``slack`` holds the old ``slack.alert_channels``, still honoured with a warning."""
    section = Section(raw, "alerts", KEYS)
    channels = section.strings("channels", what="channel IDs")
    deprecated = slack.strings("alert_channels", what="channel IDs such as C0123")
    if deprecated:
        log.warning("slack.alert_channels is deprecated: use alerts.channels")
        channels = tuple(dict.fromkeys(channels + deprecated))
    return AlertSettings(
        channels=channels,
        default_channel=section.text("default_channel"),
        routes=tuple(_route(route) for route in section.sections("routes", _ROUTE)),
        coalesce_seconds=section.number("coalesce_seconds", 600.0, minimum=0, maximum=86400),
        channel_posts_per_minute=section.whole("channel_posts_per_minute", 20, 1, 600),
        language=section.choice("language", ALERT_LANGUAGES, "en"),
        token=env_value(env, "ACRBOT_ALERT_TOKEN"),
    )


def _route(route: Section) -> AlertRoute:
    channel = route.text("channel")
    if channel is None:
        raise ConfigError(route.name("channel"), "is required: the channel ID to post to")
    return AlertRoute(
        channel=channel,
        subscriptions=tuple(s.lower() for s in route.strings("subscriptions")),
        resource_groups=route.strings("resource_groups", what="resource group names"),
        severities=route.strings("severities", what="severities such as Sev1"),
    )
