"""Two replicas + Redis under signed mixed Slack traffic: requests, errors, ack p50/p99, RSS.

    python benchmarks/load_benchmark.py [--clients 20] [--seconds 20] [--workers 1] [--faults]
    python benchmarks/load_benchmark.py --hung-redis --clients 40 --seconds 10

Starts a real ``redis-server`` on a free loopback port, the fake Slack and
Azure, and two replicas of the real app (``acrbot serve`` twice, sharing
``REDIS_URL``, as two pods would). Then ``--clients`` concurrent clients
(split over two processes, so the load generator is not one GIL) send signed
mentions, DMs, ``/acr ask`` commands and 👍 clicks round-robin to both
replicas for ``--seconds``. Afterwards it waits for every mention and DM to
be answered through the fake Slack and prints:

- requests sent and per second, errors (non-200 acks, connection failures,
  questions never answered; the target is 0);
- ack latency p50 / p99 (time to Slack's 200);
- resident memory of each replica (gunicorn master + workers; target
  <= 200 MB with the bundled FAQ).

``--faults`` injects, during the same run: Redis stopped for 3 s and
restarted (a third of the way in), a knowledge file replaced by a broken one
for 3 s (two thirds in), and the fake Slack answering 500 and 429
(``Retry-After: 1``) to some ``chat.postMessage`` calls. The errors line must
still read 0.

``--hung-redis`` points both replicas' ``REDIS_URL`` at a listener that
accepts connections and never answers (a half-dead proxy in front of a
cache): acks must stay well inside Slack's 3 s, since each call on the ack
path gives up after 0.25 s and, once Redis is known to be down, only one call
at a time tries it again (issue 18 B4).

Everything runs on 127.0.0.1 and stops after the bounded run. Figures depend
on the machine; the reference is 2 shared cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stats import percentile  # benchmarks/ is on sys.path when run as a script

from bot.knowledge.library import Library
from tests.fakes.acrbot_process import AZURE_TOKEN, SIGNING_SECRET
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.silent_server import SilentServer
from tests.fakes.slack_api import FakeSlack
from tests.redis_server import RedisServer, require_redis_server
from tests.reliability.replicas import BUNDLED_KNOWLEDGE, start_replicas, stop
from tests.reliability.traffic import Outcome, Traffic, signed_post

MB = 1024 * 1024


def load_process(urls: list[str], slack_root: str, entry_key: str, clients: int, seconds: float,
                 offset: int, queue) -> None:  # fmt: skip
    """One client process: ``clients`` threads of mixed signed traffic; outcomes to ``queue``."""

    class _ResponseUrls:  # the fake's response_url format, without the fake in this process
        def response_url(self, name: str) -> str:
            return f"{slack_root}/response/{name}-{offset}"

    traffic = Traffic(urls, _ResponseUrls(), signed_post(SIGNING_SECRET), entry_key=entry_key)
    for _ in range(offset):
        next(traffic._counter)  # different event ids and channels in each process
    queue.put(traffic.run(clients, seconds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per replica")
    parser.add_argument("--faults", action="store_true", help="Redis, knowledge, Slack faults")
    parser.add_argument(
        "--hung-redis", action="store_true", help="Redis accepts connections, never answers"
    )
    args = parser.parse_args()
    try:
        require_redis_server()
    except BaseException:
        print("redis-server is not installed (apt-get install redis-server)", file=sys.stderr)
        return 2

    entry_key = Library([BUNDLED_KNOWLEDGE], "https://docs.example/").current.entries[0].key
    with tempfile.TemporaryDirectory(prefix="acrbot-load-") as folder:
        redis = RedisServer(Path(folder) / "redis")
        redis.start()
        with (
            FakeSlack() as slack,
            FakeAzure([FakeRegistry("healthyreg")], token=AZURE_TOKEN) as azure,
            SilentServer() as silent,
        ):
            redis_url = silent.url if args.hung_redis else redis.url
            replicas = start_replicas(
                Path(folder) / "replicas", slack, azure, redis_url, workers=args.workers
            )
            try:
                faults = (
                    threading.Thread(target=inject_faults, args=(args, replicas, slack, redis))
                    if args.faults
                    else None
                )
                if faults:
                    faults.start()
                try:
                    return run(args, replicas, slack, entry_key)
                finally:
                    if faults:
                        faults.join()
            finally:
                for replica in replicas:
                    stop(replica)
                redis.stop()


def inject_faults(args: argparse.Namespace, replicas, slack: FakeSlack, redis) -> None:
    """Redis away for 3 s, a broken knowledge file for 3 s, Slack 500s and 429s."""
    third = args.seconds / 3
    time.sleep(max(1.0, third - 1.5))
    for _ in range(3):
        slack.fail_next("chat.postMessage", status=500, times=2)
        slack.fail_next("chat.postMessage", status=429, retry_after=1)
    redis.stop()
    print(f"[fault] redis stopped at {time.strftime('%X')}", flush=True)
    time.sleep(3)
    redis.start()
    print(f"[fault] redis restarted at {time.strftime('%X')}", flush=True)
    time.sleep(max(0.0, third - 3))
    faq = next((replicas.folder / "knowledge").glob("*.md"))
    good = faq.read_bytes()
    faq.write_bytes(b"\xff\xfe not UTF-8 \x00" + good[:100])
    print(f"[fault] {faq.name} broken at {time.strftime('%X')}", flush=True)
    time.sleep(3)
    faq.write_bytes(good)
    print(f"[fault] {faq.name} restored at {time.strftime('%X')}", flush=True)


def run(args: argparse.Namespace, replicas, slack: FakeSlack, entry_key: str) -> int:
    urls = [r.url for r in replicas]
    rss_before = [r.rss_bytes() for r in replicas]
    processes = 2 if args.clients >= 2 else 1
    queue = multiprocessing.get_context("spawn").Queue()
    workers = [
        multiprocessing.get_context("spawn").Process(
            target=load_process,
            args=(
                urls,
                slack.root_url,
                entry_key,
                args.clients // processes + (i < args.clients % processes),
                args.seconds,
                i * 10_000_000,
                queue,
            ),
        )
        for i in range(processes)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    outcomes: list[Outcome] = []
    for _ in workers:
        outcomes += queue.get(timeout=args.seconds + 120)
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started

    checker = Traffic(urls, slack, signed_post(SIGNING_SECRET), outcomes=outcomes)
    unanswered = checker.unanswered(timeout=30)
    failed = [o for o in outcomes if o.status != 200]
    acks = [o.seconds * 1000 for o in outcomes if o.status == 200]
    rss = [r.rss_bytes() for r in replicas]
    pss = [r.pss_bytes() for r in replicas]
    kinds = {k: sum(o.kind == k for o in outcomes) for k in ("mention", "dm", "ask", "click")}

    faults = ", with faults" if args.faults else ""
    faults += ", redis hung (accepts, never answers)" if args.hung_redis else ""
    print(f"two replicas + redis, {args.clients} clients, {args.seconds:g} s, "
          f"{args.workers} worker(s) per replica{faults}")  # fmt: skip
    if args.faults:
        statuses = [f.status for f in slack.failures]
        print(f"slack answered {statuses.count(500)}× 500 and {statuses.count(429)}× 429 "
              f"(retried); redis down 3 s; a knowledge file broken 3 s")  # fmt: skip
    print(f"requests: {len(outcomes)} ({len(outcomes) / elapsed:.1f}/s)  mix: {kinds}")
    print(f"errors: {len(failed) + len(unanswered)}  (non-200 or no answer: {len(failed)}, "
          f"questions never answered: {len(unanswered)})")  # fmt: skip
    print(f"ack latency: p50 {percentile(acks, 50):.1f} ms  p99 {percentile(acks, 99):.1f} ms")
    late = sum(ms > 3000 for ms in acks)
    print(f"acks over Slack's 3 s: {late} of {len(acks)}")
    for replica, before, after, shared in zip(replicas, rss_before, rss, pss, strict=True):
        print(f"{replica.name} RSS (master + workers): {before / MB:.0f} MB before, "
              f"{after / MB:.0f} MB after (target <= 200 MB); PSS {shared / MB:.0f} MB; "
              f"alive: {replica.alive}")  # fmt: skip
    return 0 if not failed and not unanswered and all(r.alive for r in replicas) else 1


if __name__ == "__main__":
    sys.exit(main())
