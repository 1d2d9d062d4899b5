"""The one interface for state that several processes or replicas must agree on.

Four shapes cover everything acrbot shares:

- **claims** with a TTL: "the first to claim this key acts" (Slack event
  de-duplication, once-only Confirm, concurrency slots, alert delivery
  de-duplication);
- **counters**: over a sliding window, "at most N of these in the last W
  seconds" (per-user rate limits); or plain counters with a TTL (firings and
  resolutions of an alert storm);
- small **keyed JSON records** with a TTL (where an alert's message went, a
  storm's window);
- an **append-only record stream**: audit and feedback records;
- small **tables** of keyed JSON records without a TTL, with a version that
  every write bumps (captured knowledge entries and their approvals, the
  bounded log of questions asked): a reader polls the cheap version and
  re-reads the table only when it moved.
- a **work queue** of keyed JSON items, each taken by one worker at a time
  under a lease and removed only when done (alerts answered 2xx and not yet
  posted: a worker that dies mid-post lets its lease lapse and another
  takes the item).

Records can also be replaced only if unchanged since they were read
(:meth:`Storage.replace_if`), so a read-modify-write of one record (an alert
storm's count and state) is atomic across replicas.

Backends: :mod:`bot.storage.memory` (one process), :mod:`bot.storage.sqlite`
(every worker on one host) and :mod:`bot.storage.redis` (every replica).
A backend that cannot reach its store raises :class:`StorageUnavailable`,
never a library exception, so callers decide per use what an outage means.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import AcrbotError


class StorageUnavailable(AcrbotError):
    """The shared store (Redis) cannot be reached right now; callers refuse or fall back."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "Shared state is temporarily unavailable; please try again in a minute."
        )


@dataclass(frozen=True)
class WindowHit:
    """The answer of :meth:`Storage.hit`: counted or not, and how long to wait if not."""

    allowed: bool
    count: int  # hits inside the window, this one included when allowed
    retry_after: float = 0.0  # seconds until the oldest hit leaves the window (when refused)

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after)) if not self.allowed else 0


class RecordStream(ABC):
    """An append-only sequence of JSON-able records (oldest first)."""

    @abstractmethod
    def append(self, record: Mapping[str, Any]) -> None:
        """Add one record; raises :class:`StorageUnavailable` when the store is down."""

    @abstractmethod
    def recent(self, n: int) -> list[dict[str, Any]]:
        """The newest ``n`` records, oldest first."""

    @abstractmethod
    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every record kept, oldest first; unreadable records are skipped."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the records live, for messages such as "no feedback yet (…)"."""


class WorkQueue(ABC):
    """Keyed items due at a time; :meth:`take` leases them so one worker at a time has each.

    An item stays until :meth:`done`: a worker that fails puts it back with
    :meth:`retry`, and a worker that dies simply lets its lease run out.
    Items are due in the order they were added (then by retry time).
    """

    @abstractmethod
    def add(self, item_id: str, record: Mapping[str, Any], ttl: float, delay: float = 0.0) -> bool:
        """Queue an item, due in ``delay`` seconds and kept at most ``ttl`` seconds.

        False (and nothing changed) when an item with this id is already queued.
        """

    def add_many(self, items: Sequence[tuple[str, Mapping[str, Any]]], ttl: float) -> int:
        """:meth:`add` of each ``(item_id, record)``, due now, as one write; how many were new.

        A webhook delivery of 200 alerts was 200 transactions (or round trips)
        before its answer; a backend writes them in one.
        """
        return sum(self.add(item_id, record, ttl) for item_id, record in items)

    async def add_many_async(
        self, items: Sequence[tuple[str, Mapping[str, Any]]], ttl: float
    ) -> int:
        """:meth:`add_many`, awaited (see :meth:`Storage.get_many_async`)."""
        return self.add_many(items, ttl)

    @abstractmethod
    def take(self, lease: float, limit: int) -> list[tuple[str, dict[str, Any]]]:
        """Up to ``limit`` due items, each now leased: due again only ``lease`` seconds later."""

    @abstractmethod
    def retry(self, item_id: str, delay: float, record: Mapping[str, Any]) -> None:
        """Put a taken item back, due in ``delay`` seconds, with ``record`` replacing its own."""

    @abstractmethod
    def done(self, item_id: str) -> None:
        """Remove an item (unknown ids are ignored)."""

    @abstractmethod
    def pending(self) -> int:
        """How many items are queued (due or leased)."""

    async def pending_async(self) -> int:
        """:meth:`pending`, awaited (see :meth:`Storage.get_many_async`)."""
        return self.pending()


class Storage(ABC):
    """Claims, window counters and record streams; see the module docstring."""

    #: "memory", "sqlite" or "redis"
    kind: str = "abstract"
    #: true when other hosts see the same state (only Redis)
    shared_across_hosts: bool = False

    @abstractmethod
    def claim(self, key: str, ttl: float) -> bool:
        """True for exactly one caller per ``key`` until ``ttl`` seconds have passed."""

    async def claim_async(self, key: str, ttl: float) -> bool | None:
        """:meth:`claim` without blocking an event loop, or ``None`` if it cannot say at once.

        As :meth:`table_version_async`: only a store across hosts awaits; the
        default sends the caller to :meth:`claim`, from a thread.
        """
        return None

    @abstractmethod
    def release(self, key: str) -> None:
        """Drop a claim before its TTL (a freed concurrency slot); unknown keys are ignored."""

    @abstractmethod
    def hit(self, key: str, limit: int, window: float, now: float | None = None) -> WindowHit:
        """Count one hit on ``key`` unless ``limit`` hits already fall inside ``window`` seconds.

        A refused hit is not counted, so waiting out ``retry_after`` always works.
        ``now`` (seconds, any epoch the caller keeps consistent) defaults to wall time.
        """

    @abstractmethod
    def incr(self, key: str, ttl: float, by: int = 1) -> int:
        """Add ``by`` (one unless told; at least one) to the counter ``key`` and return it.

        A counter starts at 0 and expires ``ttl`` seconds after its first increment
        (later increments do not extend it); then it starts again at 0.
        """

    @abstractmethod
    def count(self, key: str) -> int:
        """The counter's value (0 when absent or expired), without changing it."""

    @abstractmethod
    def get(self, key: str) -> dict[str, Any] | None:
        """The record under ``key``, or ``None`` when absent, expired or unreadable."""

    def get_many(self, keys: Sequence[str]) -> list[dict[str, Any] | None]:
        """:meth:`get` of each key, in order; a backend reads them in one round trip."""
        return [self.get(key) for key in keys]

    async def get_many_async(self, keys: Sequence[str]) -> list[dict[str, Any] | None]:
        """:meth:`get_many`, awaited: a store across hosts never blocks the loop on it.

        On this host the blocking read is microseconds, and the default makes it.
        """
        return self.get_many(keys)

    @abstractmethod
    def put(self, key: str, record: Mapping[str, Any], ttl: float) -> None:
        """Keep a small JSON-able record under ``key`` for ``ttl`` seconds (replacing any)."""

    @abstractmethod
    def replace_if(
        self,
        key: str,
        expected: Mapping[str, Any] | None,
        record: Mapping[str, Any],
        ttl: float,
    ) -> bool:
        """Put ``record`` only if the record under ``key`` still equals ``expected``.

        ``expected=None`` means "absent or expired". False (nothing written)
        when another writer changed it first: read it again and retry.
        """

    @abstractmethod
    def queue(self, name: str) -> WorkQueue:
        """The work queue ``name``, shared like the rest of the store."""

    @abstractmethod
    def stream(self, name: str, path: Path | None = None) -> RecordStream:
        """The record stream ``name``; file-backed stores keep it at ``path`` when given."""

    @abstractmethod
    def table_put(self, table: str, key: str, record: Mapping[str, Any]) -> int:
        """Keep ``record`` under ``key`` in ``table`` (replacing any) and return the table's
        new version: one more than before, atomically with the write."""

    @abstractmethod
    def table_put_many(self, table: str, records: Mapping[str, Mapping[str, Any]]) -> int:
        """:meth:`table_put` for several keys at once, as one write: one transaction, one
        more version (a writer that batches pays for one commit, not one per record).
        No records: nothing written, the version as it was."""

    @abstractmethod
    def table(self, table: str) -> dict[str, dict[str, Any]]:
        """Every record of ``table`` by key (empty when there is none); unreadable ones skipped."""

    @abstractmethod
    def table_version(self, table: str) -> int:
        """How many writes ``table`` has had (0 for a table never written; a batch is one)."""

    async def table_version_async(self, table: str) -> int | None:
        """:meth:`table_version` without blocking an event loop, or ``None`` if it cannot.

        Only a store across hosts has a read worth awaiting; on this host the
        blocking read is microseconds, so the default says "ask :meth:`table_version`".
        """
        return None

    def state(self) -> str:
        """ "up", or "down" while the store cannot be reached (only Redis can be down)."""
        return "up"

    @property
    def known_down(self) -> bool:
        """Down when last tried, without trying now: the ``*_async`` calls would refuse."""
        return False

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release connections or files."""
