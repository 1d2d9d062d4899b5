"""One answer per event, however often Slack delivers it.

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
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import BoltResponse

log = logging.getLogger(__name__)


class Claims(Protocol):
    def claim(self, key: str, ttl: float) -> bool: ...


EVENT_TTL = 2 * 3600  # Slack's last retry comes about 5 minutes after the first try


def deduplicate_events(claims: Claims) -> Callable[..., Any]:
    def middleware(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not claims.claim(f"slack:event:{event_id}", EVENT_TTL):
            log.info("duplicate delivery of %s dropped", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return middleware
