"""The audit log: one JSON line per request, confirmation, refusal and result.

Operators need to answer "who ran what against which registry, and what
happened" after the fact, so every step of the flow appends a line here,
including refusals. Lines are written with a single ``O_APPEND`` write under
a file lock and fsynced, so threads and worker processes never interleave
or lose them. Values are clipped and the log holds no tokens by design: the
records are built from names and outcomes only.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:  # advisory locks keep processes from interleaving; absent on Windows
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

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
    "outcome",
    "duration_ms",
    "detail",
)
_MAX_VALUE = 300
_TAIL_CHUNK = 64 * 1024


class AuditLog:
    """Append-only JSON-lines file; ``recent(n)`` reads the newest records back."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Write one record (``time`` is filled in when missing) and return what was written."""
        line = _normalise(record)
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)  # closing releases the lock
        return line

    def recent(self, n: int = 20) -> list[dict[str, Any]]:
        """The last ``n`` records, oldest first; unreadable lines are skipped."""
        if n <= 0 or not self.path.exists():
            return []
        records: list[dict[str, Any]] = []
        for raw in reversed(self._tail_lines(n)):
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            if isinstance(value, dict):
                records.append(value)
            if len(records) == n:
                break
        return list(reversed(records))

    def _tail_lines(self, n: int) -> list[bytes]:
        with self.path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            end = handle.tell()
            start, chunk = end, b""
            while start > 0 and chunk.count(b"\n") <= n:
                start = max(0, start - _TAIL_CHUNK)
                handle.seek(start)
                chunk = handle.read(end - start)
        lines = chunk.split(b"\n")
        if start > 0:
            lines = lines[1:]  # the first line may be cut in half
        return [line for line in lines if line.strip()]


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
