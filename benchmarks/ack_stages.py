"""Where one `/acr ask` ack spends its time, stage by stage, in process.

    python benchmarks/ack_stages.py [--requests 400] [--rounds 5]

The ack of a signed slash command goes: the router's checks (UTF-8,
Slack's signature, the payload's shape), Bolt's dispatch (its middleware
and acrbot's, listener matching), the search, the Block Kit rendering, and
the HTTP server around all of it (see ack_side_by_side.py for that, under
load). Each stage runs on its own over the same requests and prints CPU
microseconds per request, the best of ``--rounds`` (CPU time, best of
several: what the stage costs, not what a busy machine made it wait).
``bolt + middleware`` is the whole dispatch less the search and rendering.

The last two lines serve the same requests through the worker's whole ASGI
router, 20 at a time on one event loop, as uvicorn would (no sockets):
once answered on the loop, as ``acrbot serve`` does with a store on this
host, and once through the request pool, as it did with Redis before
its reads and claims were awaited on the loop (and does while Redis
cannot answer at once). They
include every thread's CPU (the question log's writer too), so their
difference is what the hop to a thread and back costs under load.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.slack.questions import clean, result_message  # noqa: E402
from bot.web import slack_events  # noqa: E402
from bot.web.app import build_slack_app, build_worker  # noqa: E402
from bot.web.routes import Request, Router  # noqa: E402
from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes.acrbot_process import (  # noqa: E402
    AZURE_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    write_config,
)
from tests.fakes.azure_api import FakeAzure  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402

QUESTIONS = ["how do I get the admin password", "docker pull is slow", "镜像推送很慢怎么办"]


def per_request_us(stage: Callable[[int], object], count: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for i in range(count):
            stage(i)
        best = min(best, time.process_time() - started)
    return best / count * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n, rounds = args.requests, args.rounds
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack, FakeAzure() as azure:
        config = Path(tmp) / "acrbot.yaml"
        write_config(config, azure)
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": slack.base_url, "ACRBOT_STATE_DIR": f"{tmp}/state",
               "ACRBOT_AZURE_TOKEN": AZURE_TOKEN}  # fmt: skip
        app, services = build_slack_app(load_settings(config, env=env), background_reload=False)

        def requests() -> list[Request]:
            made = []
            for i in range(n):
                question = QUESTIONS[i % len(QUESTIONS)]
                body = sr.slash_command(f"ask {question}", response_url=f"{slack.base_url}/r")
                headers = {**sr.sign(SIGNING_SECRET, body),
                           "content-type": "application/x-www-form-urlencoded"}  # fmt: skip
                made.append(Request("POST", "/slack/events", "", {k.lower(): v for k, v in
                                    headers.items()}, body))  # fmt: skip
            return made

        batch = requests()
        verifier = slack_events.SignatureVerifier(SIGNING_SECRET)
        questions = [clean(QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]
        results = [services.library.ask(q) for q in questions]

        def checks(i: int) -> None:
            r = batch[i]
            slack_events.signed(verifier, r.headers, r.body)
            slack_events.well_formed(r.body, r.headers["content-type"])

        stages = {
            "checks": per_request_us(checks, n, rounds),
            "search": per_request_us(lambda i: services.library.ask(questions[i]), n, rounds),
            "render": per_request_us(lambda i: result_message(results[i]), n, rounds),
        }
        fresh = [requests() for _ in range(rounds)]  # each dispatch a new trigger_id
        best = float("inf")
        for round_requests in fresh:
            started = time.process_time()
            for r in round_requests:
                payload = slack_events.parsed(r.body, r.headers["content-type"])
                slack_events.dispatch(app, r, payload)
            best = min(best, time.process_time() - started)
        stages["dispatch (all)"] = best / n * 1e6
        stages["bolt + middleware"] = stages["dispatch (all)"] - stages["search"] - stages["render"]
        settings = load_settings(config, env=env)
        for label, redis_like in (("served, on the loop", False), ("served, through pool", True)):
            worker = build_worker(settings, background_reload=False)
            if redis_like:  # what Redis not answering at once makes the route do: a thread
                pool = worker.router.executor
                events = slack_events.slack_events(worker.app, SIGNING_SECRET, pool)
                worker.router.add("POST", "/slack/events", events)
            batches = [requests() for _ in range(rounds + 1)]
            stages[label] = served_us(worker.router, batches)
    for name, us in stages.items():
        print(f"{name:<22} {us:8.0f} µs")
    return 0


def served_us(router: Router, batches: list[list[Request]], clients: int = 20) -> float:
    """CPU per request through the whole router, ``clients`` requests at a time (best round)."""

    async def one(request: Request) -> None:
        headers = [(k.encode(), v.encode()) for k, v in request.headers.items()]
        headers.append((b"content-length", b"%d" % len(request.body)))
        scope = {"type": "http", "method": "POST", "path": request.path, "query_string": b"",
                 "client": ("127.0.0.1", 5), "headers": headers}  # fmt: skip
        messages = [{"type": "http.request", "body": request.body, "more_body": False}]
        sent: list[dict] = []

        async def receive() -> dict:
            return messages.pop() if messages else await asyncio.sleep(3600)

        async def send(message: dict) -> None:
            sent.append(message)

        await router(scope, receive, send)
        assert sent[0]["status"] == 200, sent[0]

    async def run(batch: list[Request]) -> float:
        pending = iter(batch)

        async def client() -> None:
            for request in pending:
                await one(request)

        started = time.process_time()
        await asyncio.gather(*(client() for _ in range(clients)))
        return time.process_time() - started

    async def rounds() -> float:
        await run(batches[0])  # warm-up
        return min([await run(batch) for batch in batches[1:]])

    return asyncio.run(rounds()) / len(batches[0]) * 1e6


if __name__ == "__main__":
    sys.exit(main())
