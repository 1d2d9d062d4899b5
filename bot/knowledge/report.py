"""The admin figures: what was asked and answered, what is missing, what waits, what ran.

One function builds them from plain records (questions asked, feedback
clicks, the entries, the pending list, audit records as dicts), so App Home
and ``acrbot report`` show the same numbers, and nothing here knows Slack
or the diagnostics.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.feedback import EntryScore, Feedback, summarise
from bot.knowledge.asked import Asked, Summary, Terms, summary
from bot.knowledge.model import Entry
from bot.knowledge.review import Pending


@dataclass(frozen=True)
class AdminReport:
    windows: dict[int, Summary]  # days -> figures (7 and 30)
    worst: list[EntryScore]  # entries with the most 👎, worst first
    never_used: list[Entry]  # in the longest window: never answered a question nor got a click
    pending: list[Pending]
    checks_run: dict[int, int]  # days -> diagnostics confirmed and run
    alerts_triaged: dict[int, int] = field(default_factory=dict)  # days -> alerts triaged

    def as_json(self) -> dict[str, Any]:
        """The shape of ``acrbot report --json`` (a contract: add keys, never rename)."""
        return {
            "windows": {
                str(days): {
                    "asked": s.asked,
                    "answered": s.answered,
                    "share_answered": round(s.share, 4),
                    "by_source": {
                        k: {"asked": a, "answered": n} for k, (a, n) in s.by_source.items()
                    },
                    "per_day": [
                        {"day": d, "answered": a, "not_answered": n} for d, a, n in s.per_day
                    ],
                    "unanswered": [
                        {"example": g.example, "count": g.count, "people": len(g.users)}
                        for g in s.unanswered
                    ],
                    "checks_run": self.checks_run.get(days, 0),
                    "alerts_triaged": self.alerts_triaged.get(days, 0),
                }
                for days, s in self.windows.items()
            },
            "most_down": [
                {"entry": s.entry, "down": s.down, "up": s.up} for s in self.worst if s.down
            ],
            "never_used": [e.id for e in self.never_used],
            "pending": [
                {"kind": p.kind, "id": p.id, "question": p.question, "language": p.language}
                for p in self.pending
            ],
        }


def admin_report(
    asked: Sequence[Asked],
    clicks: Iterable[Feedback],
    entries: Iterable[Entry],
    pending: list[Pending],
    audit: Iterable[Mapping[str, Any]],
    days: Sequence[int] = (7, 30),
    now: float | None = None,
    alerts_triaged: Mapping[int, int] | None = None,
    terms: Terms | None = None,
) -> AdminReport:
    """``terms`` groups the unanswered questions (see :func:`grouping_terms`)."""
    now = time.time() if now is None else now
    clicks = list(clicks)
    windows = {d: summary(asked, d, now, terms) for d in days}
    longest = windows[max(days)]
    scores, _ = summarise(clicks)
    clicked = {c.entry.rpartition("#")[2] for c in clicks if c.time >= now - max(days) * 86400}
    used = {key.rpartition("#")[2] for key in longest.entries_used} | clicked
    never = [e for e in entries if e.id not in used and (e.answer_markdown.strip() or e.editions)]
    runs = [_time(r) for r in audit if r.get("event") == "confirmation"]
    checks = {d: sum(1 for t in runs if t is not None and t >= now - d * 86400) for d in days}
    worst = [s for s in scores if s.down][:10]
    return AdminReport(windows, worst, never, pending, checks, dict(alerts_triaged or {}))


class _Analyzed(Protocol):
    entries: tuple[Entry, ...]

    @property
    def index(self) -> Any: ...


def grouping_terms(knowledge: _Analyzed) -> Terms:
    """The search's own reading of a question (stems, concepts such as ``#delete``, Chinese
    pairs), without the terms most questions share (``acr``, ``#registry``): what groups
    "purge old images" with "delete old images automatically"."""
    analyzer = knowledge.index.analyzer
    seen: Counter[str] = Counter()
    for entry in knowledge.entries:
        seen.update(set(analyzer.terms(entry.question)))
    common = {t for t, n in seen.items() if n > max(3, len(knowledge.entries) // 4)}

    def terms(text: str) -> list[str]:
        return [t for t in analyzer.terms(text) if t not in common]

    return terms


def pending_confirms(
    audit: Iterable[Mapping[str, Any]], user: str, ttl: float, now: float | None = None
) -> list[dict[str, Any]]:
    """``user``'s diagnostic requests still waiting for Confirm (not run, cancelled or expired)."""
    now = time.time() if now is None else now
    waiting: dict[str, dict[str, Any]] = {}
    for record in audit:
        request = str(record.get("request_id") or "")
        if record.get("event") == "request" and record.get("outcome") == "pending":
            moment = _time(record)
            if record.get("requester") == user and moment is not None and moment >= now - ttl:
                waiting[request] = dict(record)
        elif request in waiting:
            del waiting[request]  # confirmed, cancelled or refused since
    return list(waiting.values())


def _time(record: Mapping[str, Any]) -> float | None:
    try:
        return datetime.fromisoformat(str(record["time"]).replace("Z", "+00:00")).timestamp()
    except (KeyError, ValueError):
        return None
