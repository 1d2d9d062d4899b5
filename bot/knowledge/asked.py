"""What people asked, and whether acrbot answered: the record behind App Home and the report.

Every question (from a mention, a DM, a help channel, a reaction or
``/acr``) is kept in the shared store as one small record: source,
answered or not, the entry that answered, who, when, the question text
(clipped). The record is a ring of :data:`MAX_RECORDS` slots in one table,
so it is bounded on every backend; the oldest question is overwritten
first.

:func:`summary` turns it into the admin figures: asked and answered per
source, a day-by-day count, and the unanswered questions grouped (similar
wordings together, by shared words or, for Chinese, shared character pairs).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.storage import Storage, StorageUnavailable

log = logging.getLogger(__name__)

TABLE = "questions"
SEQUENCE = "questions-sequence"
MAX_RECORDS = 5000
MAX_TEXT = 300
SOURCES = ("mention", "dm", "help_channel", "reaction", "command", "followup")
_FOREVER = 10 * 365 * 86400.0
_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+")
_STOP = frozenset(
    "a an the to of in on for and or is are do does how what why can i my me it we with "
    "from be this that when where which acr azure registry container".split()
)
GROUP_SIMILARITY = 0.2  # mean Jaccard of a question's terms with a group's members
GROUPED_MAX = 500  # newest unanswered questions grouped (the comparison is quadratic)
Terms = Callable[[str], Iterable[str]]


@dataclass(frozen=True)
class Asked:
    source: str
    answered: bool
    entry: str  # the answering entry's anchor, "" when not answered
    user: str
    time: float
    text: str = ""


@dataclass
class Group:
    """Unanswered questions that share most of their words."""

    example: str
    count: int = 0
    users: set[str] = field(default_factory=set)
    members: list[frozenset[str]] = field(default_factory=list)  # each question's terms

    def likeness(self, terms: frozenset[str]) -> float:
        """Mean Jaccard similarity with the members (average link: no chaining drift)."""
        return sum(_jaccard(terms, m) for m in self.members) / len(self.members)


@dataclass(frozen=True)
class Summary:
    days: int
    asked: int
    answered: int
    by_source: dict[str, tuple[int, int]]  # source -> (asked, answered)
    per_day: list[tuple[str, int, int]]  # (YYYY-MM-DD, answered, not answered), oldest first
    unanswered: list[Group]
    entries_used: Counter[str]

    @property
    def share(self) -> float:
        return self.answered / self.asked if self.asked else 0.0


MAX_PENDING = 1000  # records waiting for the store; past it (the store hangs) new ones are dropped
GATHER_SECONDS = 0.05  # the writer waits this long after a question for others to write with it


class QuestionLog:
    """The shared record of questions, written by one thread of its own.

    A question is answered in Slack's ack; writing its record (two writes to
    the shared store) there made every ``/acr ask`` wait on storage. So
    :meth:`record` only queues it, and :meth:`all` first waits for what this
    process queued, so a reader here always sees its own questions.

    The writer gathers what arrives within ``gather`` seconds into one write:
    woken for every question, it wrote batches of one or two, and its wake-ups
    and commits cost more CPU than the searches (0.37 ms a question under
    load, measured in process).
    """

    def __init__(self, storage: Storage, gather: float = GATHER_SECONDS) -> None:
        self.storage = storage
        self.gather = gather
        self._queue: list[dict] = []
        self._ready = threading.Condition()
        self._flush_now = threading.Event()  # a reader waits: write what there is at once
        self._queued = 0  # records ever queued here, and of those, written (or failed)
        self._done = 0
        self._dropped = 0
        self._writer: threading.Thread | None = None

    def record(
        self,
        source: str,
        answered: bool,
        entry: str,
        user: str,
        text: str,
        now: float | None = None,
    ) -> None:
        """Queue one question for the store; an outage loses the record, never the answer."""
        record = {
            "source": source if source in SOURCES else "other",
            "answered": bool(answered),
            "entry": entry[:200] if answered else "",
            "user": user[:40],
            "time": round(time.time() if now is None else now, 3),
            "text": " ".join(text.split())[:MAX_TEXT],
        }
        with self._ready:
            if len(self._queue) >= MAX_PENDING:
                self._dropped += 1
                if self._dropped == 1 or self._dropped % 1000 == 0:
                    log.warning("questions not recorded: %d waiting for the store", MAX_PENDING)
                return
            self._queue.append(record)
            self._queued += 1
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, daemon=True, name="asked")
                self._writer.start()
            self._ready.notify_all()

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every record queued here before the call has been written (or failed).

        Records queued meanwhile by other threads are not waited for, so a
        reader under steady traffic waits for one write, not for a quiet moment.
        """
        deadline = time.monotonic() + timeout
        with self._ready:
            target = self._queued
            if self._done >= target:
                return
            self._flush_now.set()
            while self._done < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._ready.wait(left)

    def _write(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
            self._flush_now.wait(self.gather)  # what else arrives meanwhile goes in the same write
            self._flush_now.clear()
            with self._ready:
                batch, self._queue = self._queue, []
            self._store(batch)
            with self._ready:
                self._done += len(batch)
                self._ready.notify_all()

    def _store(self, batch: list[dict]) -> None:
        """One sequence step and one table write for the whole batch.

        Under load a record at a time was two transactions per question, and
        the writer fell behind the questions (and dropped them past
        :data:`MAX_PENDING`); a batch costs two, however many it holds.
        """
        try:
            last = self.storage.incr(SEQUENCE, _FOREVER, by=len(batch))
            first = last - len(batch) + 1
            slots = {str((first + i) % MAX_RECORDS): r for i, r in enumerate(batch)}
            self.storage.table_put_many(TABLE, slots)
        except StorageUnavailable:
            log.warning("%d question(s) not recorded: shared store down", len(batch))
        except Exception:  # a bug here must not stop the writer
            log.exception("%d question(s) not recorded", len(batch))

    def all(self) -> list[Asked]:
        self.flush()
        found = []
        for record in self.storage.table(TABLE).values():
            try:
                found.append(
                    Asked(
                        str(record["source"]),
                        bool(record["answered"]),
                        str(record.get("entry", "")),
                        str(record.get("user", "")),
                        float(record["time"]),
                        str(record.get("text", "")),
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        return sorted(found, key=lambda a: a.time)

    def of_user(self, user: str, limit: int = 5) -> list[Asked]:
        return [a for a in self.all() if a.user == user][-limit:][::-1]


def summary(
    records: Iterable[Asked], days: int, now: float | None = None, terms: Terms | None = None
) -> Summary:
    """``terms`` reads a question for grouping (the search's analyzer: stems, concepts,
    Chinese); plain words by default."""
    now = time.time() if now is None else now
    since = now - days * 86400
    recent = [r for r in records if r.time >= since]
    by_source: dict[str, list[int]] = {s: [0, 0] for s in SOURCES}
    day_counts: dict[str, list[int]] = {}
    for offset in range(days - 1, -1, -1):
        day_counts[_day(now - offset * 86400)] = [0, 0]
    for r in recent:
        counts = by_source.setdefault(r.source, [0, 0])
        counts[0] += 1
        counts[1] += r.answered
        day = day_counts.setdefault(_day(r.time), [0, 0])
        day[0 if r.answered else 1] += 1
    return Summary(
        days=days,
        asked=len(recent),
        answered=sum(r.answered for r in recent),
        by_source={s: (c[0], c[1]) for s, c in by_source.items()},
        per_day=[(d, c[0], c[1]) for d, c in sorted(day_counts.items())][-days:],
        unanswered=group_unanswered((r for r in recent if not r.answered), terms),
        entries_used=Counter(r.entry for r in recent if r.answered and r.entry),
    )


def group_unanswered(records: Iterable[Asked], terms: Terms | None = None) -> list[Group]:
    """Similar questions together (newest wording as the example), biggest group first.

    Each question joins the group it is most like on average, if that is at
    least :data:`GROUP_SIMILARITY`; the newest :data:`GROUPED_MAX` are grouped.
    """
    read = terms or words_of
    groups: list[Group] = []
    for r in sorted(records, key=lambda a: -a.time)[:GROUPED_MAX]:
        found = frozenset(read(r.text))
        if not found:
            continue
        scored = [(g.likeness(found), n) for n, g in enumerate(groups)]
        best = max(scored, default=(0.0, -1))
        if best[0] >= GROUP_SIMILARITY:
            home = groups[best[1]]
        else:
            home = Group(r.text)
            groups.append(home)
        home.members.append(found)
        home.count += 1
        home.users.add(r.user)
    groups.sort(key=lambda g: (-g.count, -len(g.users), g.example))
    return groups


def words_of(text: str) -> frozenset[str]:
    found: set[str] = set()
    for token in _WORD.findall(text.lower()):
        if token[0] >= "\u3400":  # Chinese: overlapping character pairs
            found.update(token[i : i + 2] for i in range(max(1, len(token) - 1)))
        elif token not in _STOP and len(token) > 1:
            found.add(token.rstrip("s") if len(token) > 3 else token)
    return frozenset(found)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _day(moment: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(moment))
