"""What captured knowledge costs a question: the store's version read on every ask, and the
rebuild after an approval, on the memory, SQLite and (with ``--redis URL``) Redis stores.

    python benchmarks/capture_benchmark.py [--asks 2000] [--approvals 10] [--redis redis://…]

``--clock cpu`` times in thread CPU time (other processes on a shared machine cannot
inflate it; a Redis round trip then counts only its client side).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from stats import percentile  # benchmarks/ is on sys.path when run as a script

from bot.config import DEFAULT_DOCS_BASE_URL, bundled_knowledge_dir
from bot.knowledge.captured import CapturedStore
from bot.knowledge.library import Library
from bot.storage import MemoryStorage, SqliteStorage, Storage

QUERIES = ["docker pull is slow", "how do I get admin credentials", "镜像推送很慢怎么办"]


def measure(store: Storage | None, asks: int, approvals: int, clock) -> dict[str, float]:
    captured = CapturedStore(store) if store is not None else None
    library = Library([bundled_knowledge_dir()], DEFAULT_DOCS_BASE_URL, captured=captured)
    for query in QUERIES:
        library.ask(query)  # warm
    times = []
    for n in range(asks):
        started = clock()
        library.ask(QUERIES[n % len(QUERIES)])
        times.append(clock() - started)
    rebuilds = []
    for n in range(approvals if captured is not None else 0):
        question = f"How do I rotate webhook secret {n}?"
        item = captured.submit(question, "Rotate it.\n", "en", "", "U")
        captured.decide(item.id, "approved", "UA")
        started = clock()
        library.ask("rotate webhook secret")
        rebuilds.append(clock() - started)
    result = {
        "ask_p50_ms": percentile(times, 50) * 1000,
        "ask_p99_ms": percentile(times, 99) * 1000,
    }
    if rebuilds:
        result["rebuild_p50_ms"] = percentile(rebuilds, 50) * 1000
        result["rebuild_max_ms"] = max(rebuilds) * 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=2000)
    parser.add_argument("--approvals", type=int, default=10)
    parser.add_argument("--redis", metavar="URL")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args()
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    with tempfile.TemporaryDirectory() as tmp:
        stores: dict[str, Storage | None] = {
            "no captured store": None,
            "memory": MemoryStorage(),
            "sqlite": SqliteStorage(Path(tmp) / "claims.sqlite3"),
        }
        if args.redis:
            from bot.storage.redis import RedisStorage

            stores["redis"] = RedisStorage(args.redis)
        for name, store in stores.items():
            figures = measure(store, args.asks, args.approvals, clock)
            shown = ", ".join(f"{k} {v:.2f}" for k, v in figures.items())
            print(f"{name:18s} {shown}")


if __name__ == "__main__":
    main()
