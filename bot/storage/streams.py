"""Record streams kept in this process or in a JSON-lines file.

The file stream is what a single host uses for audit and feedback records:
one ``O_APPEND`` write per record under an advisory lock, so threads and
gunicorn workers never interleave lines, and a torn last line (a crash
mid-write) is skipped on reading and never glued to the next record.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from bot.storage.base import RecordStream

try:  # advisory locks keep processes from interleaving; absent on Windows
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

_TAIL_CHUNK = 64 * 1024
MEMORY_STREAM_MAX = 100_000


def encode(record: Mapping[str, Any]) -> str:
    """One compact JSON line; lone surrogates are escaped rather than lost."""
    return json.dumps(dict(record), ensure_ascii=True, separators=(",", ":"))


def decode(text: str | bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class MemoryStream(RecordStream):
    """Records of this process only (tests, the terminal), newest ``MEMORY_STREAM_MAX`` kept."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._records: deque[str] = deque(maxlen=MEMORY_STREAM_MAX)
        self._lock = threading.Lock()

    def append(self, record: Mapping[str, Any]) -> None:
        line = encode(record)
        with self._lock:
            self._records.append(line)

    def recent(self, n: int) -> list[dict[str, Any]]:
        if n <= 0:
            return []
        with self._lock:
            lines = list(self._records)[-n:]
        return [r for r in map(decode, lines) if r is not None]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self._lock:
            lines = list(self._records)
        for line in lines:
            record = decode(line)
            if record is not None:
                yield record

    @property
    def location(self) -> str:
        return f"memory:{self._name}"


class JsonlStream(RecordStream):
    """Append-only JSON lines in one file, safe across threads and processes of a host."""

    def __init__(self, path: Path, *, fsync: bool = False) -> None:
        self.path = Path(path)
        self._fsync = fsync
        self._lock = threading.Lock()

    def append(self, record: Mapping[str, Any]) -> None:
        line = (encode(record) + "\n").encode("ascii")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # after a torn line, start a fresh one
                os.write(fd, line)
                if self._fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)  # closing releases the lock

    def recent(self, n: int) -> list[dict[str, Any]]:
        if n <= 0 or not self.path.exists():
            return []
        records: list[dict[str, Any]] = []
        for raw in reversed(self._tail_lines(n)):
            record = decode(raw)
            if record is not None:
                records.append(record)
            if len(records) == n:
                break
        return list(reversed(records))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open("rb") as lines:
            for line in lines:
                record = decode(line) if line.strip() else None
                if record is not None:
                    yield record

    @property
    def location(self) -> str:
        return str(self.path)

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
