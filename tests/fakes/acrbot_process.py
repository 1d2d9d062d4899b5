"""Run the real acrbot, as production runs it (`acrbot serve` under gunicorn), against fakes.

Used by the end-to-end tests and by benchmarks/slack_benchmark.py: a free
port on 127.0.0.1, Slack's Web API pointed at a FakeSlack, Azure at a
FakeAzure, state in a temporary folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from tests.fakes.azure_api import SUBSCRIPTION, TENANT, FakeAzure
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).parents[2]
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1111-2222-acrbottesttoken"
AZURE_TOKEN = "acrbot-e2e-SECRET-aad-token"
OPS, ALICE, BOB, MALLORY = "COPS", "UALICE", "UBOB", "UMALLORY"
ALERTS = "CALERTS"
# What local fakes and test harnesses use for a signing secret; `acrbot serve` must accept it.
SHORT_SECRET = "test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
