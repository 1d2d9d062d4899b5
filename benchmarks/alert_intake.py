"""What accepting one Alertmanager delivery costs, by its number of alerts, before the 2xx.

    python benchmarks/alert_intake.py [--alerts 1,20,200] [--deliveries 30] [--redis]

A delivery's alerts are written to the shared queue before the webhook
answers (a 2xx means they are kept, issue 18 B1), each checked first
against what was already shown. This serves deliveries of distinct groups
through the worker's whole ASGI router, in process, with the store on this
host (SQLite) or, with ``--redis``, in a real ``redis-server``, and prints
the median time to the answer and the worker's CPU per delivery. The
dispatcher's threads are not started, so posting to Slack does not run
alongside: the figures are the intake alone.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bot.config import load_settings  # noqa: E402
from bot.triage.dispatcher import AlertDispatcher  # noqa: E402
from bot.web.app import build_router  # noqa: E402
from bot.web.routes import Router  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

TOKEN = "intake-benchmark-token-4411"
FIXTURE = ROOT / "tests" / "triage" / "fixtures" / "alertmanager_imagepull.json"


def delivery(number: int, size: int) -> bytes:
    payload = json.loads(FIXTURE.read_text(encoding="utf-8"))
    member = payload["alerts"][0]
    payload["groupKey"] = f'{{}}:{{alertname="intake{number}"}}'
    payload["alerts"] = []
    for n in range(size):
        alert = copy.deepcopy(member)
        alert["fingerprint"] = f"{number:08x}{n:08x}"
        alert["labels"]["pod"] = f"api-{number}-{n}"
        payload["alerts"].append(alert)
    return json.dumps(payload).encode()


async def post(router: Router, body: bytes) -> int:
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/alerts/alertmanager",
             "query_string": f"token={TOKEN}".encode(), "client": ("127.0.0.1", 1),
             "headers": [(b"content-length", str(len(body)).encode()),
                         (b"content-type", b"application/json")]}  # fmt: skip
    await router(scope, receive, send)
    return sent[0]["status"]


def measure(router: Router, size: int, deliveries: int, first: int) -> tuple[float, float]:
    """Median answer time and CPU per delivery, one at a time on one loop (as uvicorn's)."""
    bodies = [delivery(first + i, size) for i in range(deliveries)]

    async def one_by_one() -> tuple[list[float], float]:
        walls, cpu = [], 0.0
        for body in bodies:
            started, started_cpu = time.perf_counter(), time.process_time()
            status = await post(router, body)
            walls.append(time.perf_counter() - started)
            cpu += time.process_time() - started_cpu
            assert status == 200, status
        return walls, cpu

    walls, cpu = asyncio.run(one_by_one())
    return statistics.median(walls) * 1e3, cpu / deliveries * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", default="1,20,200", help="alerts per delivery, comma-separated")
    parser.add_argument("--deliveries", type=int, default=30)
    parser.add_argument("--redis", action="store_true", help="the shared store in redis-server")
    args = parser.parse_args()
    sizes = [int(n) for n in args.alerts.split(",")]
    AlertDispatcher._start = lambda self: None  # the intake alone: nothing posts meanwhile
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        redis = RedisServer(Path(tmp) / "redis") if args.redis else None
        if redis is not None:
            redis.start()
        config = Path(tmp) / "acrbot.yaml"
        config.write_text(yaml.safe_dump({"alerts": {"default_channel": "C0ONCALL"}}))
        env = {"ACRBOT_CONFIG": str(config), "ACRBOT_STATE_DIR": f"{tmp}/state",
               "ACRBOT_ALERT_TOKEN": TOKEN, "SLACK_BOT_TOKEN": "xoxb-intake",
               "SLACK_SIGNING_SECRET": "intake-benchmark-secret", "SLACK_API_URL": slack.base_url,
               **({"REDIS_URL": redis.url} if redis else {})}  # fmt: skip
        router = build_router(load_settings(env=env), background_reload=False)
        try:
            measure(router, 5, 5, 10**6)  # warm-up
            print(f"store: {'redis' if redis else 'sqlite'}")
            print(f"{'alerts':>7} {'answer ms (p50)':>16} {'CPU ms':>8} {'CPU µs/alert':>13}")
            for i, size in enumerate(sizes):
                wall, cpu = measure(router, size, args.deliveries, i * 10**4)
                print(f"{size:>7} {wall:>16.2f} {cpu:>8.2f} {cpu / size * 1e3:>13.0f}")
        finally:
            for stop in router.on_shutdown:
                stop()
            if redis is not None:
                redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
