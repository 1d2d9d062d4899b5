"""``GET /readyz``: may a load balancer send this replica traffic?

Ready means the knowledge base is loaded (with at least one entry) and the
configuration valid (a replica whose settings were bad never got this far). Redis is reported, not
required: a Redis outage must not take every replica out of the load
balancer at once, since questions are still answered without it; the body
and the ``acrbot_redis_up`` metric say it is down: ``"down"`` when it cannot
be reached, ``"refusing writes"`` when it answers but cannot store anything
(full under ``noeviction``, a read-only replica), which a PING alone would
hide. The answer never waits on a hung Redis: while another call is trying
it, or within a second of a failure, the last known state is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.storage import Storage


class _Library(Protocol):
    @property
    def current(self) -> Any: ...


def redis_state(store: Storage | None) -> str:
    """ "up" / "down" / "refusing writes" for Redis; "not configured" for SQLite or memory."""
    if store is None or store.kind != "redis":
        return "not configured"
    return store.state()


def readiness(
    library: Callable[[], _Library | None], store: Callable[[], Storage | None]
) -> tuple[int, dict[str, Any]]:
    """The status code and JSON body of ``/readyz``; 503 until the library exists."""
    loaded = library()
    shared = store()
    if loaded is None:
        return 503, {"status": "starting", "redis": redis_state(shared)}
    knowledge = loaded.current
    loaded_at = getattr(loaded, "loaded_at", None)
    # No entries at all (a wrong knowledge path) would answer "I don't know" to everyone:
    # keep such a replica out of the load balancer, and a rollout of it from finishing.
    ready = len(knowledge.entries) > 0
    return 200 if ready else 503, {
        "status": "ready" if ready else "no knowledge loaded",
        "entries": len(knowledge.entries),
        "knowledge_errors": len(getattr(knowledge, "errors", ()) or ()),
        "last_reload": _iso(loaded_at) if loaded_at else None,
        "redis": redis_state(shared),
    }


def _iso(timestamp: float) -> str:
    return (
        datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )
