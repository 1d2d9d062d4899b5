"""Hand-offs to people: "Still need help?" opens one, "Resolved" closes it, one reminder.

The record is a stream of events (opened, reminded, resolved), folded into
hand-offs when read, so several replicas only ever append. Claims in the
shared store make each step happen once however many replicas or clicks:

- ``handoff:open:<channel>:<question ts>``: one open hand-off per question
  (released when it is resolved, so it can be opened again later);
- ``handoff:resolve:<id>`` and ``handoff:remind:<id>``: one resolution and
  one reminder per hand-off, across every replica.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from bot.storage import RecordStream, Storage

CLAIM_TTL = 90 * 24 * 3600
FOLD_MAX = 20_000  # events read to list hand-offs: months of a busy team's hand-offs
QUESTION_MAX = 500


@dataclass(frozen=True)
class Handoff:
    id: str
    channel: str
    thread: str  # where the hand-off was posted (the question's thread)
    question_ts: str  # the question's message, which gets 👀 and then ✅
    asker: str
    requested_by: str
    question: str
    usergroup: str | None
    opened_at: float
    reminded_at: float | None = None
    resolved_at: float | None = None
    resolved_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": "open" if self.is_open else "resolved",
            "channel": self.channel,
            "thread": self.thread,
            "question_ts": self.question_ts,
            "asker": self.asker,
            "requested_by": self.requested_by,
            "question": self.question,
            "usergroup": self.usergroup,
            "opened_at": self.opened_at,
            "reminded_at": self.reminded_at,
            "resolved_at": self.resolved_at,
            "resolved_by": self.resolved_by,
        }


class HandoffBook:
    def __init__(self, store: Storage, stream: RecordStream) -> None:
        self.store = store
        self.stream = stream

    def open(
        self,
        *,
        channel: str,
        thread: str,
        question_ts: str,
        asker: str,
        requested_by: str,
        question: str,
        usergroup: str | None,
    ) -> Handoff | None:
        """A new open hand-off, or ``None`` when this question already has one open."""
        if not self.store.claim(f"handoff:open:{channel}:{question_ts}", CLAIM_TTL):
            return None
        handoff = Handoff(
            id=secrets.token_hex(6),
            channel=channel,
            thread=thread,
            question_ts=question_ts,
            asker=asker,
            requested_by=requested_by,
            question=question[:QUESTION_MAX],
            usergroup=usergroup,
            opened_at=time.time(),
        )
        self.stream.append({"event": "opened", **handoff.as_json()})
        return handoff

    def resolve(self, handoff_id: str, by: str) -> Handoff | None:
        """Close it once; ``None`` when unknown or already resolved."""
        handoff = self.get(handoff_id)
        if handoff is None or not handoff.is_open:
            return None
        if not self.store.claim(f"handoff:resolve:{handoff_id}", CLAIM_TTL):
            return None
        now = time.time()
        self.stream.append({"event": "resolved", "id": handoff_id, "by": by, "at": now})
        self.store.release(f"handoff:open:{handoff.channel}:{handoff.question_ts}")
        return replace(handoff, resolved_at=now, resolved_by=by)

    def due_reminders(self, after_seconds: float, now: float | None = None) -> list[Handoff]:
        """Open hand-offs older than ``after_seconds`` that this caller is the one to remind."""
        now = time.time() if now is None else now
        due = []
        for handoff in self.list(open_only=True):
            if handoff.reminded_at is not None or now - handoff.opened_at < after_seconds:
                continue
            if self.store.claim(f"handoff:remind:{handoff.id}", CLAIM_TTL):
                self.stream.append({"event": "reminded", "id": handoff.id, "at": now})
                due.append(replace(handoff, reminded_at=now))
        return due

    def get(self, handoff_id: str) -> Handoff | None:
        return next((h for h in self.list() if h.id == handoff_id), None)

    def list(self, *, open_only: bool = False) -> list[Handoff]:
        """Every hand-off, oldest first (only open ones with ``open_only``)."""
        handoffs = fold(self.stream.recent(FOLD_MAX))
        return [h for h in handoffs if h.is_open] if open_only else handoffs

    def open_count(self) -> int:
        return len(self.list(open_only=True))


def fold(events: Iterable[dict[str, Any]]) -> list[Handoff]:
    """Events, oldest first, into hand-offs; events naming no opened hand-off are skipped."""
    found: dict[str, Handoff] = {}
    for event in events:
        kind, handoff_id = event.get("event"), str(event.get("id", ""))
        if kind == "opened":
            opened = _opened(event)
            if opened is not None:
                found[handoff_id] = opened
        elif handoff_id in found and kind == "resolved":
            found[handoff_id] = replace(
                found[handoff_id], resolved_at=_number(event.get("at")), resolved_by=event.get("by")
            )
        elif handoff_id in found and kind == "reminded":
            found[handoff_id] = replace(found[handoff_id], reminded_at=_number(event.get("at")))
    return list(found.values())


def _opened(event: dict[str, Any]) -> Handoff | None:
    try:
        return Handoff(
            id=str(event["id"]),
            channel=str(event["channel"]),
            thread=str(event["thread"]),
            question_ts=str(event["question_ts"]),
            asker=str(event.get("asker") or ""),
            requested_by=str(event.get("requested_by") or ""),
            question=str(event.get("question") or ""),
            usergroup=event.get("usergroup"),
            opened_at=_number(event.get("opened_at")),
        )
    except KeyError:
        return None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
