"""The ack path side by side: acrbot, a plain Bolt app, and the bare server, in one run.

    python benchmarks/ack_side_by_side.py [--clients 20] [--seconds 8] [--rounds 2]

Four targets on loopback, each loaded in turn by ``wrk`` (Debian package
``wrk``) with the same signed ``/acr ask …`` slash commands, best of
``--rounds`` rounds (interleaved, so a busy moment hurts each target alike):

- ``acrbot``: ``acrbot serve`` (gunicorn, one worker) against the fake Slack;
- ``bolt``: :mod:`benchmarks.baselines.plain_bolt`, one ack-only ``/acr``
  listener under gunicorn's gthread worker (one process, eight threads);
- ``bolt (same answer)``: :mod:`benchmarks.baselines.answering_bolt`, the
  same Bolt app whose listener answers ``/acr ask`` in its ack with acrbot's
  search and Block Kit reply and does nothing else: what acrbot's ack costs
  beyond the answer, and (against ``bolt``) what the answer costs;
- ``bare``: :mod:`benchmarks.baselines.bare_asgi` under uvicorn, the server's
  own limit on this machine.

acrbot is also loaded with the two other kinds of request that take its ack
path: Alertmanager deliveries (``POST /alerts/alertmanager``, 500 distinct
groups, then redeliveries; past the intake queue's bound they are answered
503 with Retry-After, which the ``non-2xx`` column counts) and button clicks
(👍 on an answer). It prints
requests/s, ack p50 and p99 per target, the CPU each request cost the server
(its processes' user + system time over the run, divided by the requests: for
alerts this includes posting them to Slack after the ack), acrbot's throughput as a ratio of
the Bolt app's and its p99 as a ratio of the Bolt app's p99 (targets: ≥ 1.0
and ≤ 1.2, issue 17), and the resident memory of the acrbot replica
(gunicorn master + worker) after every round's requests.

    python benchmarks/ack_side_by_side.py --redis

serves acrbot with its shared store in a real ``redis-server`` (what several
replicas use) instead of SQLite on this host: each ack then awaits what
it needs from Redis on the event loop (``/acr ask`` its one read, a click
its claim, an alert delivery its queue writes; ``bot/web/slack_events.py``,
``answered_on_loop``, and ``bot/web/alerts.py``).

    python benchmarks/ack_side_by_side.py --memory-only [--requests 10000] [--workers 1]

starts only the acrbot replica, sends it ``--requests`` of the same three
kinds of request in turn (an ``/acr ask``, an alert delivery, a click; no
``wrk``, no throughput runs) and prints the replica's resident memory before
and after them, with the worker's and the master's shares (target: ≤ 150 MB
after 10,000 requests, issue 17), and its proportional set size (PSS: a page
the master and its workers share counted once among them, not once in each),
the figure that shows what one more worker (``--workers``) costs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from slack_benchmark import lua_string, parse_wrk  # noqa: E402 (benchmarks/ is on sys.path)

from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes.acrbot_process import (  # noqa: E402
    SIGNING_SECRET,
    free_port,
    start_bot,
    stop,
    write_config,
)
from tests.fakes.azure_api import FakeAzure  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

QUESTIONS = ["how do I get the admin password", "docker pull is slow", "镜像推送很慢怎么办"]
ALERT_TOKEN = "side-by-side-alert-token-0123456789"
WRK_SCRIPT = """
bodies = {BODIES}
headers_list = {HEADERS}
path = "{PATH}"
expect = {EXPECT}
counter = 0
bad = 0
request = function()
  counter = counter + 1
  local i = (counter % #bodies) + 1
  for k, v in pairs(headers_list[i]) do wrk.headers[k] = v end
  return wrk.format("POST", path, nil, bodies[i])
end
response = function(status, headers, body)
  if status >= 300 or (expect ~= "" and not string.find(body, expect, 1, true)) then
    bad = bad + 1
  end
end
threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write("bad_bodies: " .. total .. "\\n")
end
"""


def wrk(url: str, path: str, requests: list[tuple[bytes, dict]], expect: str, args) -> dict:
    bodies = ", ".join(lua_string(body.decode()) for body, _ in requests)
    headers = ", ".join(
        "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in h.items()) + "}" for _, h in requests
    )
    script = WRK_SCRIPT.replace("{BODIES}", "{" + bodies + "}").replace("{PATH}", path)
    script = script.replace("{HEADERS}", "{" + headers + "}").replace(
        "{EXPECT}", lua_string(expect)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    command = ["wrk", "-t", "2", "-c", str(args.clients), "-d", f"{int(args.seconds)}s",
               "--latency", "-s", lua.name, url]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output, args.seconds)


def slash_commands(response_url: str) -> list[tuple[bytes, dict]]:
    signed = []
    for i in range(50):
        body = sr.slash_command(f"ask {QUESTIONS[i % len(QUESTIONS)]}", response_url=response_url)
        headers = {
            **sr.sign(SIGNING_SECRET, body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        signed.append((body, headers))
    return signed


def clicks(response_url: str) -> list[tuple[bytes, dict]]:
    signed = []
    for i in range(50):
        value = json.dumps({"entry": "admin-account", "query": f"q{i}"})
        body = sr.block_actions("feedback_up", value, response_url=response_url, user_id=f"U{i}")
        headers = {
            **sr.sign(SIGNING_SECRET, body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        signed.append((body, headers))
    return signed


def alert_groups(count: int = 500) -> list[tuple[bytes, dict]]:
    fixture = ROOT / "tests" / "triage" / "fixtures" / "alertmanager_imagepull.json"
    group = json.loads(fixture.read_text(encoding="utf-8"))
    signed = []
    for i in range(count):
        copy = json.loads(json.dumps(group))
        copy["groupKey"] = f'{{}}:{{alertname="bench{i}"}}'
        for alert in copy.get("alerts", []):
            alert["fingerprint"] = f"{i:016x}"
            alert.setdefault("labels", {})["pod"] = f"api-{i}"
        body = json.dumps(copy).encode()
        signed.append((body, {"Content-Type": "application/json",
                              "Authorization": f"Bearer {ALERT_TOKEN}"}))  # fmt: skip
    return signed


def children(pid: int) -> list[int]:
    """A process's child processes (gunicorn's workers); none once it has gone."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    tree, waiting = [], [pid]
    while waiting:
        tree.append(waiting.pop())
        waiting += children(tree[-1])
    return tree


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/status").read_text()
        return int(next(ln for ln in status.splitlines() if ln.startswith("VmRSS")).split()[1])
    return 0


def rss_mb_of(pid: int) -> float:
    """Resident memory of one process (not its children), MB."""
    return round(_rss_kb(pid) / 1024, 1)


def pss_mb(pid: int) -> float:
    """Proportional memory of a process and its children: each shared page split among its
    sharers, so the sum is what the replica costs the machine (RSS counts a page the master
    and its workers share once in each)."""
    total = 0
    for current in process_tree(pid):
        with contextlib.suppress(OSError, StopIteration):
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(next(ln for ln in rollup.splitlines() if ln.startswith("Pss:")).split()[1])
    return round(total / 1024, 1)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn master + workers)."""
    return round(sum(_rss_kb(p) for p in process_tree(pid)) / 1024, 1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn master + workers)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for current in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured(pid: int, url: str, path: str, requests: list, expect: str, args) -> dict:
    """``wrk``'s figures, with the server's CPU per request over the same run."""
    before = cpu_seconds(pid)
    result = wrk(url, path, requests, expect, args)
    result["cpu_us"] = (cpu_seconds(pid) - before) / max(result["requests"], 1) * 1e6
    return result


def wait_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited")
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(url, content=b"", timeout=1)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


BOLT_APPS = {
    "bolt": "benchmarks.baselines.plain_bolt:wsgi",
    "answering": "benchmarks.baselines.answering_bolt:wsgi",
}


@contextlib.contextmanager
def baseline(kind: str, slack: FakeSlack) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PYTHONPATH": str(ROOT),
           "SLACK_API_URL": slack.base_url}  # fmt: skip
    if kind in BOLT_APPS:
        command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", "8",
                   "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                   BOLT_APPS[kind]]  # fmt: skip
    else:
        command = [sys.executable, "-m", "uvicorn", "--port", str(port), "--log-level", "warning",
                   "--no-access-log", "benchmarks.baselines.bare_asgi:app"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url, process)
        yield url, process.pid
    finally:
        stop(process)


@contextlib.contextmanager
def acrbot(
    tmp: Path,
    slack: FakeSlack,
    azure: FakeAzure,
    redis: bool = False,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, int]]:
    with contextlib.ExitStack() as stack:
        env = {"ACRBOT_ALERT_TOKEN": ALERT_TOKEN, **(env or {})}
        if redis:
            server = RedisServer(tmp / "redis")
            server.start()
            stack.callback(server.stop)
            env["REDIS_URL"] = server.url
        yield stack.enter_context(_acrbot(tmp, slack, azure, env))


@contextlib.contextmanager
def _acrbot(
    tmp: Path, slack: FakeSlack, azure: FakeAzure, env: dict[str, str]
) -> Iterator[tuple[str, int]]:
    config = tmp / "side-by-side.yaml"
    write_config(config, azure)
    raw = yaml.safe_load(config.read_text())
    raw["slack"] = {}
    raw["alerts"] = {"default_channel": "CALERTS"}
    config.write_text(yaml.safe_dump(raw))
    process, url, _log = start_bot(tmp, slack, azure, ACRBOT_CONFIG=str(config), **env)
    try:
        yield url, process.pid
    finally:
        stop(process)


def send_mixed(url: str, loads: list[tuple], total: int, clients: int) -> dict[int, int]:
    """``total`` requests, the loads' kinds in turn, from ``clients`` threads; status counts."""
    counter = iter(range(total))
    lock = threading.Lock()
    statuses: dict[int, int] = {}

    def client() -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while True:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                _name, path, requests, _expect = loads[number % len(loads)]
                body, headers = requests[(number // len(loads)) % len(requests)]
                try:
                    status = http.post(path, content=body, headers=headers).status_code
                except httpx.HTTPError:
                    status = 0
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def memory_only(args: argparse.Namespace) -> int:
    """The acrbot replica's RSS before and after ``--requests`` mixed requests."""
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack, FakeAzure() as azure:
        response_url = f"{slack.base_url}/response"
        loads = [("acrbot /acr ask", "/slack/events", slash_commands(response_url), ""),
                 ("acrbot alert", "/alerts/alertmanager", alert_groups(), ""),
                 ("acrbot click", "/slack/events", clicks(response_url), "")]  # fmt: skip
        workers = {"WEB_CONCURRENCY": str(args.workers)}
        with acrbot(Path(tmp), slack, azure, env=workers) as (url, pid):
            before, pss_before = rss_parts(pid), pss_mb(pid)
            started = time.monotonic()
            statuses = send_mixed(url, loads, args.requests, args.clients)
            elapsed = time.monotonic() - started
            time.sleep(2)  # answers posted after the ack (response_url) finish
            after, pss_after = rss_parts(pid), pss_mb(pid)
    counts = dict(sorted(statuses.items()))
    print(f"{args.requests} mixed requests in {elapsed:.1f} s, statuses {counts}")
    for label, parts in (("at start", before), ("after", after)):
        shares = ", ".join(f"{name} {mb} MB" for name, mb in parts.items())
        print(f"acrbot replica RSS {label}: {sum(parts.values()):.1f} MB ({shares})")
    start, end = sum(before.values()), sum(after.values())
    print(f"acrbot replica RSS: {start:.1f} MB at start, {end:.1f} MB after "
          f"{args.requests} requests (target <= 150 MB)")  # fmt: skip
    print(f"acrbot replica PSS (shared pages split among the processes): {pss_before:.1f} MB "
          f"at start, {pss_after:.1f} MB after")  # fmt: skip
    return 0


def rss_parts(pid: int) -> dict[str, float]:
    """The master's and each child's resident memory, MB."""
    parts = {"master": rss_mb_of(pid)}
    for child in children(pid):
        parts[f"worker {child}"] = rss_mb(child)
    return parts


def best(runs: list[dict]) -> dict:
    return max(runs, key=lambda r: r["rps"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only acrbot: send --requests mixed requests and print its RSS before and after",
    )
    parser.add_argument("--requests", type=int, default=10_000, help="with --memory-only")
    parser.add_argument(
        "--workers", type=int, default=1, help="with --memory-only: gunicorn workers"
    )
    parser.add_argument(
        "--redis", action="store_true", help="acrbot's shared store in a real redis-server"
    )
    args = parser.parse_args()
    if args.memory_only:
        return memory_only(args)
    missing = [tool for tool in ("wrk", "redis-server" if args.redis else "") if tool]
    missing = [tool for tool in missing if shutil.which(tool) is None]
    if missing:
        tools = " ".join(missing)
        sys.exit(f"needs {tools} on PATH (Debian: apt-get install {tools})")
    results: dict[str, list[dict]] = {}
    memory: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack, FakeAzure() as azure:
        response_url = f"{slack.base_url}/response"
        asks = slash_commands(response_url)
        loads = [("acrbot /acr ask", "/slack/events", asks, '"blocks"'),
                 ("acrbot alert", "/alerts/alertmanager", alert_groups(), ""),
                 ("acrbot click", "/slack/events", clicks(response_url), "")]  # fmt: skip
        with acrbot(Path(tmp), slack, azure, args.redis) as (url, pid), \
                baseline("bolt", slack) as (bolt_url, bolt_pid), \
                baseline("answering", slack) as (answering_url, answering_pid), \
                baseline("bare", slack) as (bare_url, bare_pid):  # fmt: skip
            memory.append(rss_mb(pid))
            for _ in range(args.rounds):
                for name, path, requests, expect in loads:
                    results.setdefault(name, []).append(
                        measured(pid, url, path, requests, expect, args)
                    )
                results.setdefault("bolt (ack only)", []).append(
                    measured(bolt_pid, bolt_url, "/slack/events", asks, "", args)
                )
                results.setdefault("bolt (same answer)", []).append(
                    measured(answering_pid, answering_url, "/slack/events", asks, '"blocks"', args)
                )
                results.setdefault("bare ASGI", []).append(
                    measured(bare_pid, bare_url, "/slack/events", asks, "", args)
                )
                memory.append(rss_mb(pid))
    columns = ("req/s", "p50 ms", "p99 ms", "non-2xx")
    print(f"{'target':<18} " + " ".join(f"{c:>8}" for c in columns) + f" {'CPU µs/req':>11}")
    for name, runs in results.items():
        r = best(runs)
        print(f"{name:<18} {r['rps']:>8.0f} {r['ack_p50_ms']:>8.1f} {r['ack_p99_ms']:>8.1f} "
              f"{r['errors']:>8} {r['cpu_us']:>11.0f}")  # fmt: skip
    ours, bolt = best(results["acrbot /acr ask"]), best(results["bolt (ack only)"])
    sent = sum(r["requests"] for name, runs in results.items() if name.startswith("acrbot")
               for r in runs)  # fmt: skip
    print(f"acrbot / bolt: throughput {ours['rps'] / bolt['rps']:.2f}x (target >= 1.0), "
          f"p99 {ours['ack_p99_ms'] / bolt['ack_p99_ms']:.2f}x (target <= 1.2)")  # fmt: skip
    same = best(results["bolt (same answer)"])
    print(f"acrbot / bolt with the same answer: throughput {ours['rps'] / same['rps']:.2f}x, "
          f"p99 {ours['ack_p99_ms'] / same['ack_p99_ms']:.2f}x")  # fmt: skip
    print(f"acrbot replica RSS: {memory[0]} MB at start, {memory[-1]} MB after {sent} requests "
          f"(target <= 150 MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
