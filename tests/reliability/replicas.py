"""Two replicas of the real acrbot (``acrbot serve`` twice) sharing one real Redis.

Each replica is its own gunicorn master with its own state folder, as two
pods would be; only ``REDIS_URL`` (and the config, and the knowledge folder)
is shared. Used by the reliability tests and benchmarks/load_benchmark.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import (
    AZURE_TOKEN,
    BOT_TOKEN,
    ROOT,
    SIGNING_SECRET,
    free_port,
    write_config,
)
from tests.fakes.azure_api import FakeAzure
from tests.fakes.cli import Done, run_cli
from tests.fakes.slack_api import FakeSlack

BUNDLED_KNOWLEDGE = ROOT / "knowledge"


@dataclass
class Replica:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def post(self, body: bytes, **kwargs: Any) -> httpx.Response:
        return sr.post(f"{self.url}/slack/events", body, signing_secret=SIGNING_SECRET, **kwargs)

    def get(self, path: str, timeout: float = 5) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=timeout)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def rss_bytes(self) -> int:
        """Resident memory of the gunicorn master and its workers (Linux /proc)."""
        return sum(_rss(pid) for pid in [self.process.pid, *_children(self.process.pid)])

    def pss_bytes(self) -> int:
        """Proportional set size: like RSS, but pages the workers share with the master once."""
        return sum(_pss(pid) for pid in [self.process.pid, *_children(self.process.pid)])


@dataclass
class Replicas:
    replicas: list[Replica]
    slack: FakeSlack
    azure: FakeAzure
    folder: Path
    env: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, index: int) -> Replica:
        return self.replicas[index]

    def __iter__(self):
        return iter(self.replicas)

    def cli(self, *args: str) -> Done:
        """The ``acrbot`` command line (in this process) with the replicas' environment."""
        return run_cli(*args, env=self.env)


def config(folder: Path, azure: FakeAzure, **diagnostics: Any) -> Path:
    """The end-to-end config, with ``diagnostics`` keys overridden (e.g. a tighter rate limit)."""
    path = folder / "acrbot.yaml"
    write_config(path, azure)
    data = yaml.safe_load(path.read_text())
    data["diagnostics"].update(diagnostics)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def start_replicas(
    folder: Path,
    slack: FakeSlack,
    azure: FakeAzure,
    redis_url: str | None,
    *,
    count: int = 2,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    **diagnostics: Any,
) -> Replicas:
    folder.mkdir(parents=True, exist_ok=True)
    knowledge = folder / "knowledge"
    if not knowledge.exists():
        shutil.copytree(BUNDLED_KNOWLEDGE, knowledge)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.base_url,
        "ACRBOT_CONFIG": str(config(folder, azure, **diagnostics)),
        "ACRBOT_KNOWLEDGE_DIR": str(knowledge),
        "ACRBOT_AZURE_TOKEN": AZURE_TOKEN,
        "ACRBOT_STATE_DIR": str(folder / "cli-state"),
        "WEB_CONCURRENCY": str(workers),
        **(extra_env or {}),
    }
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    started: list[Replica] = []
    try:
        for i in range(count):
            started.append(_start(f"replica{i + 1}", folder, env))
        for replica in started:
            _wait_ready(replica)
    except BaseException:
        for replica in started:
            stop(replica)
        raise
    return Replicas(started, slack, azure, folder, env)


def stop(replica: Replica) -> None:
    replica.process.terminate()
    try:
        replica.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        replica.process.kill()
        replica.process.wait()


def _start(name: str, folder: Path, env: dict[str, str]) -> Replica:
    port = free_port()
    log = folder / f"{name}.log"
    own = {**env, "PORT": str(port), "ACRBOT_STATE_DIR": str(folder / name / "state")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
        cwd=ROOT,
        env=own,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return Replica(name, f"http://127.0.0.1:{port}", process, log)


def _wait_ready(replica: Replica, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not replica.alive:
            raise RuntimeError(f"{replica.name} exited: {replica.log.read_text()[-3000:]}")
        try:
            if replica.get("/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{replica.name} did not become ready: {replica.log.read_text()[-3000:]}")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            found += [int(child), *_children(int(child))]
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def confirm_value(message: dict) -> str:
    """The signed token on a Confirm button of ``message`` (a reply acrbot sent)."""
    return next(
        e["value"]
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "diag_confirm"
    )
