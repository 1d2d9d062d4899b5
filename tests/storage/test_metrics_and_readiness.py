"""Metrics summed over worker processes, /readyz's answer, and the CI rule for redis-server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import metrics
from bot.knowledge.library import Library
from bot.readiness import readiness
from bot.storage import MemoryStorage, SqliteStorage, StorageUnavailable
from tests import redis_server

ROOT = Path(__file__).parents[2]
COUNT_ONE = (
    "from bot import metrics; metrics.question('mention', True); "
    "metrics.diagnostic('usage', 'ok'); metrics.redis_up(True)"
)


def test_counts_of_worker_processes_are_summed(tmp_path: Path) -> None:
    env = {**os.environ, metrics.ENV: str(tmp_path)}
    for _ in range(3):  # three "workers", each counting once and exiting
        subprocess.run([sys.executable, "-c", COUNT_ONE], cwd=ROOT, env=env, check=True)
    render = "from bot import metrics; print(metrics.render()[0].decode())"
    text = subprocess.run(
        [sys.executable, "-c", render], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    assert 'acrbot_questions_total{outcome="answered",source="mention"} 3.0' in text
    assert 'acrbot_diagnostics_total{check="usage",outcome="ok"} 3.0' in text


def test_serve_creates_a_folder_when_unset_and_empties_a_given_one(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    try:
        created = metrics.setup_multiprocess(env)
        assert created.is_dir() and env[metrics.ENV] == str(created)
        stale = tmp_path / "counter_123.db"
        stale.write_bytes(b"old run")
        assert metrics.setup_multiprocess({metrics.ENV: str(tmp_path)}) == tmp_path
        assert not stale.exists()
    finally:
        os.environ.pop(metrics.ENV, None)
        metrics._use_current_mode()  # back to in-process values for the other tests


def test_metrics_render_as_prometheus_text() -> None:
    metrics.refusal("rate-limited")
    text, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    assert b'acrbot_refusals_total{reason="rate-limited"}' in text
    assert b"# TYPE acrbot_search_seconds histogram" in text


class DownStore(MemoryStorage):
    kind = "redis"

    def state(self) -> str:
        return "down"

    def claim(self, key: str, ttl: float) -> bool:
        raise StorageUnavailable()


def test_readyz_is_503_until_the_knowledge_base_is_loaded() -> None:
    code, body = readiness(lambda: None, lambda: None)
    assert code == 503 and body["status"] == "starting"


def test_readyz_is_503_when_no_entry_could_be_loaded(tmp_path: Path) -> None:
    library = Library([tmp_path / "missing"], "https://docs.example/")
    code, body = readiness(lambda: library, lambda: None)
    assert code == 503 and body["entries"] == 0 and body["knowledge_errors"] == 1


def test_readyz_reports_entries_reload_time_and_redis(tmp_path: Path) -> None:
    library = Library([ROOT / "knowledge"], "https://docs.example/")
    code, body = readiness(lambda: library, lambda: SqliteStorage(None))
    assert code == 200 and body["entries"] > 10 and body["last_reload"].endswith("Z")
    assert body["redis"] == "not configured"
    code, body = readiness(lambda: library, DownStore)
    assert code == 200 and body["redis"] == "down"  # a Redis blip keeps the replica in


def test_a_missing_redis_server_skips_locally_and_fails_under_ci(monkeypatch) -> None:
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        redis_server.require_redis_server()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI requires it"):
        redis_server.require_redis_server()
