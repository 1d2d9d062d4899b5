"""An append-only record of clicks on answers: 👍 / 👎, and "did you mean" picks.

JSON lines, one click each, appended under a lock with ``O_APPEND`` so
several worker processes can write to the same file safely. Nothing is ever
rewritten: the summary is computed from the whole history when asked.

A "did you mean" pick (``picked``) says which entry a person wanted for a
query the search ranked wrong: the candidates for alternate phrasings
(``acrbot feedback --phrasings``). Nothing is learned from them until a
person approves one (``acrbot feedback --approve ID``), which adds it to
``phrasings.yaml`` in the knowledge folder.

Clicks come from Slack buttons, whose values anyone can forge: only entry
keys the knowledge base has are recorded (:func:`record_click`), text is
stored whatever it holds (lone surrogates become U+FFFD rather than losing
the record), and control characters are stripped when anything is shown.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from bot.json_input import storable
from bot.storage import RecordStream, StorageUnavailable

log = logging.getLogger(__name__)

VERDICTS = ("up", "down", "picked")
MAX_FIELD = 1000


class _Entry(Protocol):
    id: str
    key: str


class _Knowledge(Protocol):
    def get(self, key: str) -> _Entry | None: ...


class _Phrased(Protocol):
    alternates: tuple[str, ...]  # the reviewed phrasings already approved for the entry


class _Phrasings(Protocol):
    def get(self, key: str) -> _Phrased | None: ...


@dataclass(frozen=True)
class Feedback:
    query: str
    entry: str
    user: str
    verdict: str  # "up", "down", or "picked" (a "did you mean" suggestion was clicked)
    time: float
    language: str = ""  # the asker's language, when known


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

    def record(
        self, query: str, entry: str, user: str, verdict: str, language: str = ""
    ) -> Feedback:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        item = Feedback(
            storable(query)[:MAX_FIELD],
            storable(entry)[:MAX_FIELD],
            storable(user)[:100],
            verdict,
            round(time.time(), 3),
            storable(language)[:16],
        )
        data = asdict(item)
        if not item.language:
            del data["language"]  # 👍/👎 lines stay as they always were
        if self.stream is not None:
            try:
                self.stream.append(data)
            except StorageUnavailable:  # the click is kept in the log rather than lost
                log.error("feedback not stored (shared store down): " + json.dumps(data))
            return item
        line = (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")
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


def printable(text: str) -> str:
    """``text`` without control or format characters (terminal escapes, bidi overrides)."""
    return "".join(
        " " if c in "\t\n\r" else c
        for c in storable(text)
        if c in "\t\n\r" or unicodedata.category(c)[0] != "C"
    )


def record_click(
    store: FeedbackStore,
    knowledge: _Knowledge,
    query: str,
    key: str,
    user: str,
    verdict: str,
    language: str = "",
) -> Feedback | None:
    """Record a button click on an entry the knowledge base has; None (nothing kept) otherwise.

    This is the one call the Slack listeners make: 👍/👎 (``up``/``down``) and a
    "did you mean" click (``picked``). A forged or outdated key is not recorded.
    """
    if not isinstance(query, str):  # a forged button value ("q": null) records nothing
        return None
    entry = knowledge.get(key)
    if entry is None:
        return None
    return store.record(query, entry.key, user, verdict, language)


def summarise(items: Iterable[Feedback]) -> tuple[list[EntryScore], list[tuple[str, str, int]]]:
    """Entries ordered worst first, and the queries most often marked unhelpful."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    bad_queries: Counter[tuple[str, str]] = Counter()
    for item in items:
        if item.verdict not in ("up", "down"):
            continue
        entry = printable(item.entry)
        counts[entry][item.verdict] += 1
        if item.verdict == "down":
            bad_queries[(printable(item.query).strip().lower(), entry)] += 1
    scores = [EntryScore(e, c["up"], c["down"]) for e, c in counts.items()]
    scores.sort(key=lambda s: (-s.share_down, -s.down, s.entry))
    worst = [(q, e, n) for (q, e), n in bad_queries.most_common(10)]
    return scores, worst


@dataclass(frozen=True)
class Candidate:
    """A phrasing people used for an entry the search did not put first."""

    id: str
    query: str
    anchor: str
    language: str
    count: int  # "did you mean" picks of this entry for this query
    after_down: int  # of which the same person had marked the answer 👎 first
    users: int


def candidate_id(query: str, anchor: str) -> str:
    """A short stable ID for (query, entry): what ``--approve`` takes."""
    digest = hashlib.sha256(f"{_phrasing(query)}\0{anchor}".encode()).hexdigest()
    return digest[:8]


def _most_common(texts: Iterable[str]) -> str:
    """The most frequent spelling; the earliest one on a tie."""
    return Counter(texts).most_common(1)[0][0]


def _phrasing(query: str) -> str:
    return " ".join(printable(query).split()).lower()


def candidates(items: Iterable[Feedback]) -> list[Candidate]:
    """Phrasing candidates from "did you mean" picks, most often picked first."""
    downs: set[tuple[str, str]] = set()
    groups: dict[tuple[str, str], list[Feedback]] = defaultdict(list)
    after_down: Counter[tuple[str, str]] = Counter()
    for item in items:
        query = _phrasing(item.query)
        if not query:
            continue
        if item.verdict == "down":
            downs.add((query, item.user))
        elif item.verdict == "picked":
            anchor = printable(item.entry).rpartition("#")[2]
            groups[(query, anchor)].append(item)
            after_down[(query, anchor)] += (query, item.user) in downs
    found = [
        Candidate(
            id=candidate_id(query, anchor),
            query=_most_common(" ".join(printable(p.query).split()) for p in picks),
            anchor=anchor,
            language=printable(picks[-1].language),
            count=len(picks),
            after_down=after_down[(query, anchor)],
            users=len({p.user for p in picks}),
        )
        for (query, anchor), picks in groups.items()
    ]
    found.sort(key=lambda c: (-c.count, -c.after_down, c.query))
    return found


def unapproved(found: list[Candidate], knowledge: _Phrasings) -> list[Candidate]:
    """Candidates not yet in phrasings.yaml: an approved one is done, not a candidate."""
    done = set()
    for c in found:
        entry = knowledge.get(c.anchor)
        if entry is not None and _spaced(c.query) in {_spaced(p) for p in entry.alternates}:
            done.add(c.id)
    return [c for c in found if c.id not in done]


def _spaced(text: str) -> str:
    """One phrasing however it is spaced or capitalised."""
    return " ".join(text.split()).lower()
