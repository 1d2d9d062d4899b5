"""Which of the user groups named in the access rules a Slack user belongs to."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class SlackUserGroups:
    """Looks members up with ``usergroups.users.list``, cached for a few minutes."""

    def __init__(self, client: WebClient, groups: Iterable[str], ttl: float = 300.0) -> None:
        self.client = client
        self.groups = sorted(set(groups))
        self.ttl = ttl
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def __call__(self, user: str) -> set[str]:
        return {group for group in self.groups if user in self._members(group)}

    def _members(self, group: str) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(group)
            if cached and now - cached[0] < self.ttl:
                return cached[1]
        try:
            users = frozenset(self.client.usergroups_users_list(usergroup=group).get("users", []))
        except SlackApiError as exc:
            # Unknown group or missing usergroups:read scope: nobody matches; say so in the log.
            log.warning("cannot list members of user group %s: %s", group, exc.response["error"])
            users = frozenset()
        with self._lock:
            self._cache[group] = (now, users)
        return users
