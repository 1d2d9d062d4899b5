"""Signed Slack traffic for the reliability tests and the load benchmark.

Every request is what Slack would send (signed events, slash commands,
button clicks); ``Outcome`` records how it was acknowledged so a test can
check that each ended with an answer or a clear error, and none vanished.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack

QUESTIONS = (
    "how do I get the admin password for my registry?",
    "docker pull is slow",
    "镜像拉取太慢怎么办",
    "can I move a registry to another subscription",
    "what is geo-replication",
    "how do I delete untagged manifests",
)
_users = itertools.count(1)


@dataclass
class Outcome:
    kind: str
    status: int | None  # None: no HTTP answer at all (connection error, timeout)
    seconds: float
    thread_ts: str | None = None  # mentions: where the answer must appear
    channel: str | None = None  # DMs: where the answer must appear
    response: str | None = None  # commands and clicks: the response_url name


@dataclass
class Traffic:
    """Mixed signed requests against a list of replica URLs, round robin."""

    urls: Sequence[str]
    slack: FakeSlack
    post: Callable[..., httpx.Response]
    entry_key: str = "not-an-entry"  # the 👍 button's entry (a real key records feedback)
    outcomes: list[Outcome] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: itertools.count = field(default_factory=itertools.count)

    def one(self, kind: str | None = None) -> Outcome:
        n = next(self._counter)
        url = self.urls[n % len(self.urls)]
        kind = kind or ("mention", "dm", "ask", "click")[n % 4]
        question = QUESTIONS[n % len(QUESTIONS)]
        user = f"ULOAD{next(_users)}"
        outcome = Outcome(kind, None, 0.0)
        if kind == "mention":
            event = sr.app_mention(question, user=user, channel="CLOAD")
            body, outcome.thread_ts = sr.event_callback(event), event["ts"]
        elif kind == "dm":
            channel = f"DLOAD{n}"
            body = sr.event_callback(sr.message_im(question, user=user, channel=channel))
            outcome.channel = channel
        elif kind == "ask":
            outcome.response = f"ask{n}"
            body = sr.slash_command(
                f"ask {question}", user_id=user, response_url=self.slack.response_url(f"ask{n}")
            )
        else:  # a "did you mean" / show-entry style click that needs no state: 👍
            outcome.response = f"click{n}"
            body = sr.block_actions(
                "feedback_up",
                json.dumps({"k": self.entry_key, "q": question}),
                user_id=user,
                response_url=self.slack.response_url(f"click{n}"),
            )
        started = time.perf_counter()
        try:
            outcome.status = self.post(url, body).status_code
        except httpx.HTTPError:
            outcome.status = None
        outcome.seconds = time.perf_counter() - started
        with self._lock:
            self.outcomes.append(outcome)
        return outcome

    def run(
        self, clients: int, seconds: float = 60.0, stop: threading.Event | None = None
    ) -> list[Outcome]:
        """``clients`` concurrent senders for ``seconds`` (or until ``stop`` is set)."""
        stop_at = time.monotonic() + seconds

        def client() -> None:
            while time.monotonic() < stop_at and not (stop is not None and stop.is_set()):
                self.one()

        with ThreadPoolExecutor(clients) as pool:
            for future in [pool.submit(client) for _ in range(clients)]:
                future.result()
        return self.outcomes

    def wait_for_more(self, count: int, timeout: float = 20) -> None:
        """Wait until ``count`` more requests than now have had their HTTP answer."""
        wanted = len(self.outcomes) + count
        deadline = time.monotonic() + timeout
        while len(self.outcomes) < wanted:
            assert time.monotonic() < deadline, f"{len(self.outcomes)} of {wanted} requests sent"
            time.sleep(0.02)

    def unanswered(self, timeout: float = 20) -> list[Outcome]:
        """Mentions and DMs whose answer never reached Slack (after waiting ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            missing = [o for o in self.outcomes if o.status == 200 and not self._answered(o)]
            if not missing or time.monotonic() > deadline:
                return missing
            time.sleep(0.2)

    def _answered(self, outcome: Outcome) -> bool:
        posts = self.slack.calls("chat.postMessage")
        if outcome.thread_ts:
            return any(c.params.get("thread_ts") == outcome.thread_ts for c in posts)
        if outcome.channel:
            return any(c.params.get("channel") == outcome.channel for c in posts)
        return True  # commands answer in the ack; clicks answer on their response_url


def signed_post(signing_secret: str, timeout: float = 10) -> Callable[..., httpx.Response]:
    client = httpx.Client(timeout=timeout, limits=httpx.Limits(max_connections=100))

    def post(url: str, body: bytes) -> httpx.Response:
        headers = sr.sign(signing_secret, body)
        headers["Content-Type"] = sr.JSON if body.startswith(b"{") else sr.FORM
        return client.post(f"{url}/slack/events", content=body, headers=headers)

    return post
