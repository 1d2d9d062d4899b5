"""An append-only record of 👍 / 👎 on answers, and a summary of what does badly.

JSON lines, one click each, appended under a lock with ``O_APPEND`` so
several worker processes can write to the same file safely. Nothing is ever
rewritten: the summary is computed from the whole history when asked.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.storage import RecordStream, StorageUnavailable

log = logging.getLogger(__name__)

VERDICTS = ("up", "down")


@dataclass(frozen=True)
class Feedback:
    query: str
    entry: str
    user: str
    verdict: str  # "up" or "down"
    time: float


@dataclass(frozen=True)
class EntryScore:
    entry: str
    up: int
    down: int

    @property
    def share_down(self) -> float:
        return self.down / (self.up + self.down) if self.up + self.down else 0.0


class FeedbackStore:
    """Clicks in a JSON-lines file at ``path``, or in ``stream`` (Redis, shared by replicas)."""

    def __init__(self, path: Path, stream: RecordStream | None = None) -> None:
        self.path = path
        self.stream = stream
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        return self.stream.location if self.stream is not None else str(self.path)

    def record(self, query: str, entry: str, user: str, verdict: str) -> Feedback:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        item = Feedback(query[:1000], entry, user, verdict, round(time.time(), 3))
        if self.stream is not None:
            try:
                self.stream.append(asdict(item))
            except StorageUnavailable:  # the click is kept in the log rather than lost
                log.error("feedback not stored (shared store down): " + json.dumps(asdict(item)))
            return item
        line = (json.dumps(asdict(item), ensure_ascii=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    # After a torn line, do not glue this click onto it. (Racing another
                    # process's write this may add a blank line, which reading skips.)
                    line = b"\n" + line
                os.write(fd, line)
            finally:
                os.close(fd)
        return item

    def __iter__(self) -> Iterator[Feedback]:
        if self.stream is not None:
            for record in self.stream:
                try:
                    yield Feedback(**record)
                except TypeError:
                    continue
            return
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    yield Feedback(**json.loads(line))
                except (ValueError, TypeError):
                    continue  # a torn last line after a crash: skip, never fail the summary


def summarise(items: Iterable[Feedback]) -> tuple[list[EntryScore], list[tuple[str, str, int]]]:
    """Entries ordered worst first, and the queries most often marked unhelpful."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    bad_queries: Counter[tuple[str, str]] = Counter()
    for item in items:
        counts[item.entry][item.verdict] += 1
        if item.verdict == "down":
            bad_queries[(item.query.strip().lower(), item.entry)] += 1
    scores = [EntryScore(e, c["up"], c["down"]) for e, c in counts.items()]
    scores.sort(key=lambda s: (-s.share_down, -s.down, s.entry))
    worst = [(q, e, n) for (q, e), n in bad_queries.most_common(10)]
    return scores, worst
