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
"""

from __future__ import annotations

import argparse
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
from bot.web.app import build_slack_app  # noqa: E402
from bot.web.routes import Request  # noqa: E402
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
                slack_events.dispatch(app, r)
            best = min(best, time.process_time() - started)
        stages["dispatch (all)"] = best / n * 1e6
        stages["bolt + middleware"] = stages["dispatch (all)"] - stages["search"] - stages["render"]
    for name, us in stages.items():
        print(f"{name:<20} {us:8.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
