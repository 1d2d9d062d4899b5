"""One answer per event, however often Slack delivers it; one effect per click, however replayed.

Slack retries an event it thinks we missed (``X-Slack-Retry-Num``). The first
delivery to claim the ``event_id`` handles it; later ones are acknowledged and
dropped. Claims live in the shared store (SQLite: every worker on the host
agrees; Redis: every replica does). While Redis is down the claim falls back
to this process (``bot.storage.ProcessFallback``): a question is answered
rather than dropped.
Retries are not dropped blindly: when the first delivery never arrived, the
retry is the first to claim and is answered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any, Protocol

from slack_bolt import BoltContext, BoltResponse
from slack_bolt.middleware import Middleware

from bot.slack.middleware import Plain
from bot.slack.subcommands import is_diagnostic

log = logging.getLogger(__name__)


class Claims(Protocol):
    def claim(self, key: str, ttl: float) -> bool: ...


class AsyncClaims(Claims, Protocol):
    async def claim_async(self, key: str, ttl: float) -> bool | None: ...


EVENT_TTL = 2 * 3600  # Slack's last retry comes about 5 minutes after the first try

# Claims already made for this request, awaited on the event loop before Bolt ran: the
# middleware reads them instead of claiming again (with Redis, a claim crosses the network).
_CLAIMED_AHEAD: ContextVar[Mapping[str, bool]] = ContextVar(
    "claimed_ahead", default=MappingProxyType({})
)


def deduplicate_events(claims: Claims) -> Middleware:
    def middleware(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
        key = event_key(body)
        if key and not _claim(claims, key, EVENT_TTL):
            log.info("duplicate delivery of %s dropped", body.get("event_id"))
            return BoltResponse(status=200, body="")
        return next()

    return Plain(middleware)


def event_key(body: dict[str, Any]) -> str | None:
    """The claim key of an event delivery (its ``event_id``), else ``None``."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    return f"slack:event:{event_id}" if event_id else None


async def claim_ahead(claims: AsyncClaims, body: dict[str, Any]) -> dict[str, bool] | None:
    """This request's claims, awaited; ``None`` when they must be claimed from a thread.

    For :func:`claimed_ahead` around Bolt's dispatch. An empty result: nothing to claim.
    """
    made = {}
    for key, ttl in ((event_key(body), EVENT_TTL), (interaction_key(body), INTERACTION_TTL)):
        if key:
            won = await claims.claim_async(key, ttl)
            if won is None:
                return None
            made[key] = won
    return made


@contextmanager
def claimed_ahead(made: Mapping[str, bool]) -> Iterator[None]:
    """Bolt's dispatch inside reads these claims instead of making them."""
    token = _CLAIMED_AHEAD.set(made)
    try:
        yield
    finally:
        _CLAIMED_AHEAD.reset(token)


def _claim(claims: Claims, key: str, ttl: float) -> bool:
    made = _CLAIMED_AHEAD.get().get(key)
    return claims.claim(key, ttl) if made is None else made


# Clicks and commands that write something (a feedback record, a shared answer, a pending
# diagnostic request and its audit line). Confirm has its own once-only claim.
SIDE_EFFECTING_ACTIONS = re.compile(
    r"^(feedback_(up|down)|share_answer|share_in_thread|handoff_request|handoff_resolve"
    r"|diag_request_\d+|capture_(approve|reject))$"
)
INTERACTION_TTL = 15 * 60  # Slack refuses signatures older than 5 minutes; keep a margin


def deduplicate_interactions(claims: Claims) -> Middleware:
    """A signed payload replayed within Slack's five minutes must not act twice.

    Each genuine click or command has its own ``trigger_id`` (and a click its
    ``action_ts``); a replay repeats them. The first claim acts, replays get
    an empty 200.
    """

    def middleware(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
        key = interaction_key(body)
        if key and not _claim(claims, key, INTERACTION_TTL):
            log.info("replayed interaction dropped")
            return BoltResponse(status=200, body="")
        return next()

    return Plain(middleware)


def interaction_key(body: dict[str, Any]) -> str | None:
    """The claim key of a side-effecting click or `/acr` diagnostic, else ``None``."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        return None
    if body.get("type") == "block_actions":
        actions = body.get("actions") or [{}]
        first = actions[0] if isinstance(actions[0], dict) else {}
        if SIDE_EFFECTING_ACTIONS.match(str(first.get("action_id", ""))):
            return f"slack:action:{trigger}:{first.get('action_ts', '')}"
        return None
    if body.get("type") == "view_submission":  # a capture saved twice would be two entries
        return f"slack:view:{trigger}"
    if body.get("command") == "/acr" and is_diagnostic(body):
        return f"slack:command:{trigger}"
    return None
