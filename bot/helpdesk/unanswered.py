"""Questions acrbot saw and did not answer: a record stream the App Home report can read.

A help-channel question below the channel's bar, an "I don't know" after a
reaction: each is one record (where, who, a clip of the text, why, the best
guess and its score), so the team can see what the FAQ is missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.storage import RecordStream

TEXT_MAX = 500


@dataclass(frozen=True)
class Unanswered:
    channel: str
    ts: str
    user: str
    text: str
    surface: str  # help_channel | reaction | mention | followup
    reason: str  # low-confidence | close-second | nothing-found | rate-limited
    best: str | None = None  # the top entry's anchor, when there was one
    score: float = 0.0


class UnansweredLog:
    def __init__(self, stream: RecordStream) -> None:
        self.stream = stream

    def record(self, item: Unanswered) -> None:
        self.stream.append(
            {
                "at": time.time(),
                "channel": item.channel,
                "ts": item.ts,
                "user": item.user,
                "text": item.text[:TEXT_MAX],
                "surface": item.surface,
                "reason": item.reason,
                "best": item.best,
                "score": round(item.score, 3),
            }
        )

    def recent(self, n: int = 100) -> list[dict[str, Any]]:
        return self.stream.recent(n)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.stream)
