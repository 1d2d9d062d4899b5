"""Answers captured from chat threads: submitted by anyone, answered only once a person approves.

A captured entry is user input end to end, so :func:`check_submission`
decides what may be kept: sizes are bounded, chat markup that would ping
people (``<!here>``, ``<@U…>``, ``<!subteam^…>``) is turned into plain
text, headings are flattened so the answer stays one FAQ entry, and a text
that looks like it carries a token or a password is refused with the
reason (:mod:`bot.knowledge.secret_text`).

The entries live in the shared store's ``knowledge`` table (every replica
sees the same ones); each write bumps the table's version, which is what
:class:`~bot.knowledge.library.Library` polls so that it re-reads the approved
entries only when something changed. Approved phrasings (from "did you
mean" picks) live in the same table, so one approval gate covers both.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any
from urllib.parse import urlsplit

from bot.errors import AcrbotError
from bot.knowledge.language import normalise
from bot.knowledge.secret_text import secret_in
from bot.storage import Storage

TABLE = "knowledge"
ENTRY_PREFIX = "entry:"
PHRASING_PREFIX = "phrasing:"
ANCHOR_PREFIX = "captured-"
STATUSES = ("pending", "approved", "rejected")
MAX_QUESTION = 300
MAX_ANSWER = 2800  # one Block Kit section (3000) with room for the docs link and the title
MAX_PERMALINK = 500
DECISION_CLAIM = "capture-decision:"
DECISION_TTL = 365 * 86400.0  # a decision stands; the entry's status says so after the claim
MAX_ENTRIES = 2000  # pending and decided together: a table every replica re-reads
_SLACK_HOSTS = (".slack.com", ".slack-gov.com")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?")

# Slack markup that notifies people; kept as readable text, never as a ping.
_PING = re.compile(r"<!(here|channel|everyone)(?:\|[^<>]*)?>|<!subteam\^[A-Z0-9]+(?:\|([^<>]*))?>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>")
_BARE_PING = re.compile(r"(?<![\w`])@(here|channel|everyone)\b")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")


class CaptureRefused(AcrbotError):
    """A submission that cannot be kept; ``field`` is the one to fix (question, answer, …)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class UnknownCapture(AcrbotError):
    """No pending captured entry or phrasing has this ID."""


@dataclass(frozen=True)
class Captured:
    """One captured answer; ``anchor`` is its stable FAQ anchor (``captured-<id>``)."""

    id: str
    question: str
    answer_markdown: str
    language: str
    permalink: str
    submitted_by: str
    status: str = "pending"
    created: float = 0.0
    decided_by: str = ""
    decided_at: float = 0.0
    edited_by: str = ""

    @property
    def anchor(self) -> str:
        return ANCHOR_PREFIX + self.id

    def record(self) -> dict[str, Any]:
        return {"kind": "entry", **asdict(self)}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Captured | None:
        names = {f.name for f in fields(cls)}
        try:
            item = cls(**{k: v for k, v in record.items() if k in names})
        except TypeError:
            return None
        return item if item.status in STATUSES and isinstance(item.id, str) else None


@dataclass(frozen=True)
class ApprovedPhrasing:
    """A "did you mean" phrasing approved for an entry (by anchor), shared by every replica."""

    id: str
    anchor: str
    query: str
    decided_by: str
    decided_at: float


def check_submission(
    question: str, answer: str, language: str, permalink: str
) -> tuple[str, str, str, str]:
    """The submission as it may be kept, or :class:`CaptureRefused` naming the field and why."""
    question = " ".join(neutralise(question or "").split())
    answer = flatten_headings(neutralise(answer or "")).strip("\n")
    if not question:
        raise CaptureRefused("question", "Write the question this answers.")
    if len(question) > MAX_QUESTION:
        raise CaptureRefused(
            "question", f"The question is {len(question)} characters; keep it under {MAX_QUESTION}."
        )
    if not answer.strip():
        raise CaptureRefused("answer", "Write the answer.")
    if len(answer) > MAX_ANSWER:
        raise CaptureRefused(
            "answer",
            f"The answer is {len(answer)} characters; keep it under {MAX_ANSWER} "
            "(link to the docs for the rest).",
        )
    for name, text in (("question", question), ("answer", answer)):
        found = secret_in(text)
        if found:
            raise CaptureRefused(
                name,
                f"This looks like it contains {found}. Remove it (use a placeholder such as "
                "<password>) before saving: answers are shown to everyone.",
            )
    language = normalise(language or "en")
    if not _LANGUAGE.fullmatch(language):
        raise CaptureRefused("language", "Pick a language such as en, zh or zh-tw.")
    permalink = (permalink or "").strip()
    if permalink and not is_thread_link(permalink):
        raise CaptureRefused(
            "permalink", "The thread link must be the Slack thread's link (https://….slack.com/…)."
        )
    return question, answer + "\n", language, permalink


def is_thread_link(url: str) -> bool:
    """A Slack permalink: the docs link of an answer must not send readers anywhere else."""
    if len(url) > MAX_PERMALINK or any(c.isspace() or c in '<>|"' for c in url):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and host.endswith(_SLACK_HOSTS) and not parts.username


def neutralise(text: str) -> str:
    """Chat pings as plain words, control and bidi characters dropped."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _PING.sub(lambda m: m.group(2) or (m.group(1) or "team"), text)
    text = _USER.sub(lambda m: m.group(2) or "someone", text)
    return _BARE_PING.sub(r"\1", text)


def flatten_headings(markdown: str) -> str:
    """Headings become bold lines (outside code), so an answer never splits into entries."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opening:
            fence = opening.group(1)
            out.append(line)
        elif (atx := _ATX.match(line)) is not None:
            out.append(f"**{atx.group(1).strip()}**" if atx.group(1) else "")
        elif _SETEXT.match(line) and out and out[-1].strip():
            out.append("* * *")  # a thematic break: it cannot turn the line above into a heading
        else:
            out.append(line)
    return "\n".join(out)


def capture_id(question: str, submitted_by: str, created: float) -> str:
    return hashlib.sha256(f"{question}\0{submitted_by}\0{created!r}".encode()).hexdigest()[:10]


class CapturedStore:
    """Captured entries and approved phrasings in the shared store's ``knowledge`` table."""

    def __init__(self, storage: Storage, clock: Any = time.time) -> None:
        self.storage = storage
        self._clock = clock

    def version(self) -> int:
        return self.storage.table_version(TABLE)

    async def version_async(self) -> int | None:
        """:meth:`version` awaited without blocking; ``None`` when the store cannot say so."""
        return await self.storage.table_version_async(TABLE)

    def submit(
        self, question: str, answer: str, language: str, permalink: str, submitted_by: str
    ) -> Captured:
        """A new pending entry; :class:`CaptureRefused` when it cannot be kept."""
        question, answer, language, permalink = check_submission(
            question, answer, language, permalink
        )
        if len(self.entries()) >= MAX_ENTRIES:
            raise CaptureRefused(
                "answer", f"acrbot already keeps {MAX_ENTRIES} captured answers; export and prune."
            )
        created = round(self._clock(), 3)
        item = Captured(
            capture_id(question, submitted_by, created),
            question,
            answer,
            language,
            permalink,
            submitted_by[:40],
            "pending",
            created,
        )
        _require_round_trip(item)
        self.storage.table_put(TABLE, ENTRY_PREFIX + item.id, item.record())
        return item

    def edit(
        self, item_id: str, question: str, answer: str, language: str, permalink: str, by: str
    ) -> Captured:
        """New text for a pending entry (an approver's edit); it stays pending."""
        item = self.get(item_id)
        if item is None or item.status != "pending":
            raise UnknownCapture(f"no pending captured answer {item_id!r}")
        question, answer, language, permalink = check_submission(
            question, answer, language, permalink
        )
        edited = replace(
            item,
            question=question,
            answer_markdown=answer,
            language=language,
            permalink=permalink,
            edited_by=by[:40],
        )
        _require_round_trip(edited)
        self.storage.table_put(TABLE, ENTRY_PREFIX + item.id, edited.record())
        return edited

    def decide(self, item_id: str, status: str, by: str) -> Captured:
        """Approve or reject a pending entry; deciding twice is refused (the first one stands)."""
        if status not in ("approved", "rejected"):
            raise ValueError("status must be approved or rejected")
        item = self.get(item_id)
        if item is None:
            raise UnknownCapture(f"no captured answer {item_id!r}")
        if item.status != "pending":
            raise UnknownCapture(f"{item.id} was already {item.status} by {item.decided_by}")
        # Two approvers clicking at once on two replicas: one claim wins, the other is told.
        if not self.storage.claim(DECISION_CLAIM + item.id, DECISION_TTL):
            raise UnknownCapture(f"{item.id} is being decided by someone else right now")
        decided = replace(item, status=status, decided_by=by[:40], decided_at=self._clock())
        try:
            self.storage.table_put(TABLE, ENTRY_PREFIX + item.id, decided.record())
        except BaseException:
            self.storage.release(DECISION_CLAIM + item.id)  # not decided: may be tried again
            raise
        return decided

    def get(self, item_id: str) -> Captured | None:
        wanted = item_id.strip().lower().removeprefix(ANCHOR_PREFIX)
        return next((e for e in self.entries() if e.id == wanted), None)

    def entries(self, status: str | None = None) -> list[Captured]:
        """Oldest first; ``status`` keeps only pending, approved or rejected ones."""
        found = []
        for key, record in self.storage.table(TABLE).items():
            item = Captured.from_record(record) if key.startswith(ENTRY_PREFIX) else None
            if item is not None and (status is None or item.status == status):
                found.append(item)
        return sorted(found, key=lambda e: (e.created, e.id))

    def approve_phrasing(self, candidate_id: str, anchor: str, query: str, by: str) -> None:
        record = {
            "kind": "phrasing",
            "id": candidate_id,
            "anchor": anchor,
            "query": " ".join(query.split())[:500],
            "decided_by": by[:40],
            "decided_at": self._clock(),
        }
        self.storage.table_put(TABLE, PHRASING_PREFIX + candidate_id, record)

    def phrasings(self) -> list[ApprovedPhrasing]:
        found = []
        for key, r in self.storage.table(TABLE).items():
            if key.startswith(PHRASING_PREFIX):
                try:
                    found.append(
                        ApprovedPhrasing(
                            str(r["id"]),
                            str(r["anchor"]),
                            str(r["query"]),
                            str(r.get("decided_by", "")),
                            float(r.get("decided_at", 0)),
                        )
                    )
                except (KeyError, TypeError, ValueError):
                    continue
        return sorted(found, key=lambda p: (p.decided_at, p.id))


def _require_round_trip(item: Captured) -> None:
    from bot.knowledge.captured_markdown import round_trips

    if not round_trips(item):
        raise CaptureRefused(
            "answer",
            "This answer's layout would not stay one FAQ entry (a table of contents or stray "
            "markup); write it as plain paragraphs, lists and code blocks.",
        )
