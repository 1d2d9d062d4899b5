"""The audit log: whole lines from threads and processes, newest-first reads, clipped values."""

from __future__ import annotations

import json
import multiprocessing
import stat
import threading
from pathlib import Path

from bot.diagnostics.audit import AuditLog
from bot.storage.streams import JsonlStream


def _write_many(path: str, who: str, count: int) -> None:
    log = AuditLog(Path(path))
    for i in range(count):
        log.append({"event": "request", "requester": who, "detail": f"{who}-{i}-" + "x" * 200})


def test_append_and_recent(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a" / "audit.jsonl")
    assert log.recent(5) == []
    for i in range(30):
        log.append({"event": "result", "outcome": "ok", "duration_ms": i, "ignored": "x"})
    recent = log.recent(3)
    assert [r["duration_ms"] for r in recent] == [27, 28, 29]
    assert "ignored" not in recent[0] and recent[0]["time"].endswith("Z")
    assert stat.S_IMODE((tmp_path / "a" / "audit.jsonl").stat().st_mode) == 0o600


def test_values_are_clipped_and_control_characters_neutralised(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    written = log.append({"registry": "x" * 10_000, "detail": "line1\nline2\x1b[31m"})
    assert len(written["registry"]) < 400
    assert "\n" not in written["detail"] and "\x1b" not in written["detail"]
    assert len((tmp_path / "audit.jsonl").read_text().splitlines()) == 1


def test_threads_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    threads = [
        threading.Thread(target=_write_many, args=(str(path), f"t{n}", 50)) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = path.read_text().splitlines()
    assert len(lines) == 400
    assert all(json.loads(line)["event"] == "request" for line in lines)


def test_processes_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_many, args=(str(path), f"p{n}", 40)) for n in range(3)]
    for worker in workers:
        worker.start()
    _write_many(str(path), "main", 40)
    for worker in workers:
        worker.join(30)
    lines = path.read_text().splitlines()
    assert len(lines) == 160
    assert {json.loads(line)["requester"] for line in lines} == {"p0", "p1", "p2", "main"}


def test_recent_skips_garbage_and_reads_a_long_tail(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    old = AuditLog(path, JsonlStream(path))  # the same lines, without 2,000 fsyncs
    for i in range(2000):
        old.append({"event": "request", "duration_ms": i, "detail": "y" * 100})
    with path.open("a") as handle:
        handle.write("not json\n[1, 2]\n")
    log.append({"event": "result", "duration_ms": 2000})
    recent = log.recent(1000)
    assert len(recent) == 1000
    assert recent[-1]["duration_ms"] == 2000 and recent[0]["duration_ms"] == 1001
