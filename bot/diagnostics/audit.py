"""The audit log: one record per request, confirmation, refusal and result.

Operators need to answer "who ran what against which registry, and what
happened" after the fact, so every step of the flow appends a record here,
including refusals. Records go to a stream of the shared store: a JSON-lines
file (one ``O_APPEND`` write under a file lock, fsynced, so threads and worker
processes never interleave or lose lines) or, with Redis, a Redis stream that
every replica writes and ``acrbot audit`` reads. Each record is also logged,
so it survives even while Redis is down. Values are clipped and the log holds
no tokens by design: the records are built from names and outcomes only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.storage import JsonlStream, RecordStream, StorageUnavailable

log = logging.getLogger("acrbot.audit")

FIELDS = (
    "time",
    "event",
    "request_id",
    "requester",
    "confirmer",
    "channel",
    "registry",
    "check",
    "repository",
    "image",
    "cluster",
    "outcome",
    "duration_ms",
    "detail",
)
_MAX_VALUE = 300


class AuditLog:
    """Append-only records; ``recent(n)`` reads the newest back (a JSON-lines file by default)."""

    def __init__(self, path: Path, stream: RecordStream | None = None) -> None:
        self.path = Path(path)
        self.stream = stream or JsonlStream(self.path, fsync=True)

    @property
    def location(self) -> str:
        return self.stream.location

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Write one record (``time`` is filled in when missing) and return what was written.

        The record is logged too; when the shared store is down the log line is
        all that is kept, and the caller is not failed for it.
        """
        line = _normalise(record)
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        try:
            self.stream.append(line)
        except StorageUnavailable:
            log.error("audit record not stored (shared store down): " + text)
        else:
            log.info("audit " + text)
        return line

    def recent(self, n: int = 20) -> list[dict[str, Any]]:
        """The last ``n`` records, oldest first; unreadable lines are skipped."""
        return self.stream.recent(n)


def _normalise(record: Mapping[str, Any]) -> dict[str, Any]:
    line: dict[str, Any] = {"time": _now()}
    for key in FIELDS:
        if key in record and record[key] is not None:
            line[key] = _clip(record[key])
    return line


def _clip(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE] + "..."


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
