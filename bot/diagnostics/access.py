"""Who may run which diagnostic on which registry, from where: declared once, in config.

Access is a list of rules; a request is allowed when one rule names the
person (directly or through one of their user groups), the channel (when the
rule restricts channels), the check and the registry. No rule, no access: a
fresh install runs nothing until an operator writes a rule. Group membership
is chat-specific, so it arrives as a callable; this module knows no Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from bot.diagnostics.errors import AccessDenied
from bot.errors import ConfigError

log = logging.getLogger(__name__)

ANY = "*"
Membership = Callable[[str], Iterable[str]]
"""Given a user ID, the IDs of the user groups that person belongs to."""

_RULE_KEYS = ("users", "usergroups", "channels", "checks", "registries")


@dataclass(frozen=True)
class AccessRule:
    users: frozenset[str] = frozenset()
    usergroups: frozenset[str] = frozenset()
    channels: frozenset[str] | None = None
    checks: frozenset[str] = frozenset({ANY})
    registries: frozenset[str] = frozenset({ANY})

    def names_user(self, user: str, groups: Callable[[], set[str]]) -> bool:
        if ANY in self.users or user in self.users:
            return True
        return bool(self.usergroups) and bool(self.usergroups & groups())

    def allows_channel(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels

    def covers(self, check: str, registry: str) -> bool:
        return (ANY in self.checks or check in self.checks) and (
            ANY in self.registries or registry.lower() in self.registries
        )


@dataclass(frozen=True)
class AccessDecision:
    """The outcome and a plain sentence saying why; ``rule`` is the index that allowed it."""

    allowed: bool
    reason: str
    rule: int | None = None


class AccessPolicy:
    """Evaluates the configured rules; default deny."""

    def __init__(self, rules: Iterable[AccessRule], membership: Membership | None = None) -> None:
        self.rules = tuple(rules)
        self._membership = membership

    def decide(self, user: str, channel: str, check: str, registry: str) -> AccessDecision:
        if not self.rules:
            return AccessDecision(
                False,
                "Diagnostics are not enabled yet: no access rules are configured. "
                "An operator can add one under access.rules in the acrbot config.",
            )
        groups = self._groups_once(user)
        named = [(i, r) for i, r in enumerate(self.rules) if r.names_user(user, groups)]
        if not named:
            return AccessDecision(
                False, "You are not on the list of people allowed to run diagnostics."
            )
        for index, rule in named:
            if rule.covers(check, registry) and rule.allows_channel(channel):
                return AccessDecision(True, f"allowed by access rule {index + 1}", index)
        if any(rule.covers(check, registry) for _, rule in named):
            return AccessDecision(
                False, f"You may run {check} on {registry}, but not from this channel."
            )
        return AccessDecision(False, f"You are not allowed to run {check} on {registry}.")

    def require(self, user: str, channel: str, check: str, registry: str) -> AccessDecision:
        """Like :meth:`decide`, raising :class:`AccessDenied` when the answer is no."""
        decision = self.decide(user, channel, check, registry)
        if not decision.allowed:
            raise AccessDenied(decision.reason)
        return decision

    def names_registry(self, registry: str) -> bool:
        """Does some rule name ``registry`` itself (not merely ``*``)? Widens where it may live."""
        return any(registry.lower() in rule.registries for rule in self.rules)

    def grants_for(self, user: str, channel: str) -> list[tuple[list[str], list[str]]]:
        """What ``user`` may run here, as (checks, registries) pairs, for a help message."""
        groups = self._groups_once(user)
        return [
            (sorted(r.checks), sorted(r.registries))
            for r in self.rules
            if r.names_user(user, groups) and r.allows_channel(channel)
        ]

    def _groups_once(self, user: str) -> Callable[[], set[str]]:
        cache: list[set[str]] = []

        def groups() -> set[str]:
            if not cache:
                cache.append(self._lookup_groups(user))
            return cache[0]

        return groups

    def _lookup_groups(self, user: str) -> set[str]:
        if self._membership is None:
            return set()
        try:
            return set(self._membership(user))
        except Exception as exc:  # a failed lookup must deny, not crash
            log.warning("user group lookup failed (%s); treating as no groups", type(exc).__name__)
            return set()


def describe_grant(user: str, check: str, registry: str, channel: str | None = None) -> str:
    """A config snippet an operator can paste to allow this request; for /acr help."""
    lines = [
        "access:",
        "  rules:",
        f"    - users: [{user}]",
        f"      checks: [{check}]",
        f"      registries: [{registry}]",
    ]
    if channel:
        lines.append(f"      channels: [{channel}]")
    return "\n".join(lines)


def parse_rules(value: object, where: str, known_checks: Collection[str]) -> tuple[AccessRule, ...]:
    """Validate the ``access.rules`` list; errors name the exact rule and key."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(where, "must be a list of rules")
    return tuple(_rule(item, f"{where}[{i}]", known_checks) for i, item in enumerate(value))


def _rule(item: object, where: str, known_checks: Collection[str]) -> AccessRule:
    if not isinstance(item, dict):
        raise ConfigError(where, "must be a mapping with users/usergroups, checks and registries")
    unknown = sorted(str(k) for k in item if k not in _RULE_KEYS)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", f"unknown key; use {', '.join(_RULE_KEYS)}")
    users = _ids(item.get("users"), f"{where}.users")
    groups = _ids(item.get("usergroups"), f"{where}.usergroups")
    if not users and not groups:
        raise ConfigError(where, "must name users or usergroups (use users: ['*'] for anyone)")
    channels = _ids(item.get("channels"), f"{where}.channels") if "channels" in item else None
    checks = _ids(item.get("checks"), f"{where}.checks")
    for check in checks - {ANY}:
        if check not in known_checks:
            raise ConfigError(f"{where}.checks", f"must be among {', '.join(known_checks)} or '*'")
    registries = frozenset(r.lower() for r in _ids(item.get("registries"), f"{where}.registries"))
    if not checks or not registries:
        raise ConfigError(where, "must list checks and registries (or '*')")
    return AccessRule(users, groups, channels, checks, registries)


def _ids(value: object, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() and not any(c.isspace() for c in v.strip()) for v in value
    ):
        raise ConfigError(where, "must be a list of IDs without spaces")
    return frozenset(v.strip() for v in value)
