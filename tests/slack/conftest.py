"""The real app, served by `acrbot serve` (gunicorn) on a free port, against fake Slack and Azure."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from tests.fakes.azure_api import SUBSCRIPTION, TENANT, FakeAzure, FakeRegistry
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import post

ROOT = Path(__file__).parents[2]
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1111-2222-acrbottesttoken"
AZURE_TOKEN = "acrbot-e2e-SECRET-aad-token"
OPS, ALICE, BOB, MALLORY = "COPS", "UALICE", "UBOB", "UMALLORY"
ALERTS = "CALERTS"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Bot:
    url: str
    slack: FakeSlack
    azure: FakeAzure
    state: Path
    log: Path

    def post(self, body: bytes, **kwargs) -> httpx.Response:
        return post(f"{self.url}/slack/events", body, signing_secret=SIGNING_SECRET, **kwargs)


def write_config(path: Path, azure: FakeAzure) -> None:
    config = {
        "slack": {"alert_channels": [ALERTS]},
        "azure": {
            "credential": "static",
            "tenant_id": TENANT,
            "subscriptions": [SUBSCRIPTION],
            "arm_endpoint": azure.arm_endpoint,
            "login_server_url": azure.login_server_url,
        },
        "access": {
            "rules": [
                {"users": [ALICE], "checks": ["*"], "registries": ["*"]},
                {"usergroups": ["SOPS"], "checks": ["usage"], "registries": ["*"]},
            ]
        },
        "diagnostics": {
            "deadline_seconds": 5,
            "connect_timeout_seconds": 0.5,
            "read_timeout_seconds": 1,
            "max_retry_wait_seconds": 0.05,
            "rate_limit": {"max_requests": 100, "window_seconds": 60},
        },
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


def start_bot(tmp: Path, slack: FakeSlack, azure: FakeAzure, **extra_env: str) -> tuple:
    port = free_port()
    config = tmp / "acrbot.yaml"
    write_config(config, azure)
    log = tmp / "server.log"
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.base_url,
        "ACRBOT_CONFIG": str(config),
        "ACRBOT_STATE_DIR": str(tmp / "state"),
        "ACRBOT_AZURE_TOKEN": AZURE_TOKEN,
        "PORT": str(port),
        **extra_env,
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"acrbot serve exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url, log
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"acrbot serve did not come up: {log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    tmp = tmp_path_factory.mktemp("bot")
    registries = [
        FakeRegistry("healthyreg"),
        FakeRegistry("walledreg", forbidden=True, default_action="Deny", ip_rules=2),
        FakeRegistry("fullreg", storage_used=480 * 1024**3),
    ]
    with FakeSlack() as slack, FakeAzure(registries, token=AZURE_TOKEN) as azure:
        slack.usergroups = {"SOPS": [BOB]}
        process, url, log = start_bot(tmp, slack, azure)
        try:
            yield Bot(url, slack, azure, tmp / "state", log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def slack(bot: Bot) -> FakeSlack:
    bot.slack.reset()
    return bot.slack
