"""Which channel a webhook alert goes to: the first matching route, else the default.

A route matches when every field it lists matches (an empty field matches
anything): the alert's subscription, its resource group (case-insensitive,
as ARM compares them) and its severity. ``None`` means nowhere: the webhook
refuses the alert (422) rather than dropping it silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from bot.triage.model import Alert


class Route(Protocol):
    channel: str
    subscriptions: Sequence[str]
    resource_groups: Sequence[str]
    severities: Sequence[str]


def _matches(value: str | None, allowed: Iterable[str]) -> bool:
    wanted = {a.lower() for a in allowed}
    return not wanted or (value or "").lower() in wanted


def choose_channel(
    alert: Alert, routes: Sequence[Route], default_channel: str | None
) -> str | None:
    for route in routes:
        if (
            _matches(alert.subscription, route.subscriptions)
            and _matches(alert.resource_group, route.resource_groups)
            and _matches(alert.severity, route.severities)
        ):
            return route.channel
    return default_channel or None
