"""Alert webhook answer time under concurrent deliveries, and delivery-to-Slack time.

    python benchmarks/triage_benchmark.py [--clients 20] [--deliveries 400]

Runs the real app (`acrbot serve`) against the fake Slack on loopback, with
``ACRBOT_ALERT_TOKEN`` set, and POSTs real-shaped Azure Monitor payloads to
``/alerts/azure-monitor`` from ``--clients`` concurrent clients (each its own
keep-alive connection). Each delivery has its own alertId and rule, so every
one is triaged and posted (no de-duplication or storm shortcut). Prints the
webhook's answer time (p50/p99/max: the issue asks for an answer within a
second, since Azure Monitor gives up after about 10 s) and the time until
every alert had reached Slack.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stats import percentile  # benchmarks/ is on sys.path when run as a script

from tests.fakes.acrbot_process import start_bot, stop
from tests.fakes.azure_api import FakeAzure
from tests.fakes.slack_api import FakeSlack

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "triage" / "fixtures"
TOKEN = "benchmark-alert-token-5e1d"
PAYLOADS = [
    "azure_metric_storage.json",
    "azure_log_failed_logins.json",
    "azure_activity_nulls.json",
    "azure_metric_vm_cpu.json",
]


def bodies(count: int) -> list[bytes]:
    templates = [json.loads((FIXTURES / name).read_text()) for name in PAYLOADS]
    out = []
    for number in range(count):
        payload = copy.deepcopy(templates[number % len(templates)])
        essentials = payload["data"]["essentials"]
        essentials["alertId"] = f"/subscriptions/x/alerts/{uuid.uuid4()}"
        essentials["alertRule"] = f"bench-{number}"
        out.append(json.dumps(payload).encode())
    return out


def run(url: str, clients: int, deliveries: int) -> tuple[list[float], int]:
    work = bodies(deliveries)
    lock = threading.Lock()
    times: list[float] = []
    errors = 0

    def client() -> None:
        nonlocal errors
        with httpx.Client(timeout=15) as http:
            while True:
                with lock:
                    if not work:
                        return
                    body = work.pop()
                start = time.perf_counter()
                try:
                    reply = http.post(
                        f"{url}/alerts/azure-monitor?token={TOKEN}",
                        content=body,
                        headers={"Content-Type": "application/json"},
                    )
                    ok = reply.status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    times.append(elapsed)
                    errors += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--deliveries", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, FakeSlack() as slack, FakeAzure([]) as azure:
        tmp = Path(folder)
        config = tmp / "alerts.yaml"
        config.write_text(
            json.dumps(
                {
                    "alerts": {
                        "default_channel": "C0ONCALL",
                        "coalesce_seconds": 600,
                        # the most a channel may take: every alert is posted, none folded
                        "channel_posts_per_minute": 600,
                    }
                }
            )
        )
        process, url, _log = start_bot(
            tmp, slack, azure, ACRBOT_CONFIG=str(config), ACRBOT_ALERT_TOKEN=TOKEN
        )
        try:
            run(url, 2, 10)  # warm up: imports, first search, SQLite files
            slack.wait_for("chat.postMessage", count=10, timeout=30)
            slack.reset()
            started = time.perf_counter()
            times, errors = run(url, args.clients, args.deliveries)
            answered = time.perf_counter() - started
            slack.wait_for("chat.postMessage", count=args.deliveries, timeout=300)
            delivered = time.perf_counter() - started
        finally:
            stop(process)
    ms = [t * 1000 for t in times]
    print(f"alert webhook: {args.deliveries} deliveries from {args.clients} concurrent clients")
    print(
        f"  answer time  p50 {percentile(ms, 50):.1f} ms   p99 {percentile(ms, 99):.1f} ms   "
        f"max {max(ms):.1f} ms   mean {statistics.mean(ms):.1f} ms   errors {errors}"
    )
    print(f"  all answered in {answered:.2f} s ({args.deliveries / answered:.0f} deliveries/s)")
    print(f"  all {args.deliveries} alerts posted to Slack {delivered:.2f} s after the first POST")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
