"""One approval gate for what acrbot learns: captured answers and "did you mean" phrasings.

An approver sees both kinds in one list (:func:`pending`) and decides with
one ID (:func:`approve`, :func:`reject`), from Slack or the terminal. An
approved phrasing is kept in the shared store beside the captured answers,
so every replica's index takes it up at once, as it does an approved answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.feedback import Candidate, Feedback, candidates, unapproved
from bot.knowledge.captured import Captured, CapturedStore, UnknownCapture

REJECTED_PHRASING = "rejected-phrasing:"


class _Knowledge(Protocol):
    def get(self, key: str) -> object | None: ...


@dataclass(frozen=True)
class Pending:
    """One thing waiting for an approver."""

    kind: str  # "answer" or "phrasing"
    id: str
    question: str
    detail: str  # the answer, or the entry a phrasing would join
    language: str
    submitted_by: str
    link: str = ""
    count: int = 1  # picks, for a phrasing


def pending(
    store: CapturedStore, clicks: Iterable[Feedback], knowledge: _Knowledge
) -> list[Pending]:
    """Captured answers waiting (oldest first), then phrasing candidates (most picked first)."""
    answers = [
        Pending(
            "answer", e.id, e.question, e.answer_markdown, e.language, e.submitted_by, e.permalink
        )
        for e in store.entries("pending")
    ]
    return answers + [_phrasing(c) for c in phrasing_candidates(store, clicks, knowledge)]


def phrasing_candidates(
    store: CapturedStore, clicks: Iterable[Feedback], knowledge: _Knowledge
) -> list[Candidate]:
    """Candidates neither approved (file or store) nor rejected, for entries still known."""
    rejected = {
        key.removeprefix(REJECTED_PHRASING)
        for key in store.storage.table("knowledge")
        if key.startswith(REJECTED_PHRASING)
    }
    found = unapproved(candidates(clicks), knowledge)  # type: ignore[arg-type]
    return [c for c in found if c.id not in rejected and knowledge.get(c.anchor) is not None]


def _phrasing(c: Candidate) -> Pending:
    return Pending(
        "phrasing", c.id, c.query, c.anchor, c.language, f"{c.users} people", "", c.count
    )


def approve(
    store: CapturedStore, item_id: str, by: str, clicks: Iterable[Feedback], knowledge: _Knowledge
) -> Pending | Captured:
    """Approve a captured answer or a phrasing candidate by ID; :class:`UnknownCapture` if none."""
    if store.get(item_id) is not None:
        return store.decide(item_id, "approved", by)
    chosen = _candidate(store, item_id, clicks, knowledge)
    store.approve_phrasing(chosen.id, chosen.anchor, chosen.query, by)
    return _phrasing(chosen)


def reject(
    store: CapturedStore, item_id: str, by: str, clicks: Iterable[Feedback], knowledge: _Knowledge
) -> Pending | Captured:
    if store.get(item_id) is not None:
        return store.decide(item_id, "rejected", by)
    chosen = _candidate(store, item_id, clicks, knowledge)
    store.storage.table_put("knowledge", REJECTED_PHRASING + chosen.id, {"by": by[:40]})
    return _phrasing(chosen)


def _candidate(
    store: CapturedStore, item_id: str, clicks: Iterable[Feedback], knowledge: _Knowledge
) -> Candidate:
    wanted = item_id.strip().lower()
    for candidate in phrasing_candidates(store, clicks, knowledge):
        if candidate.id == wanted:
            return candidate
    raise UnknownCapture(
        f"nothing pending has the ID {item_id!r} (already decided, or mistyped): "
        "see `acrbot knowledge pending`"
    )
