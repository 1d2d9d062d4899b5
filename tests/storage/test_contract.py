"""One contract, three backends: memory, SQLite and a real Redis behave alike."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.storage import MemoryStorage, SqliteStorage, Storage
from bot.storage.redis import RedisStorage

BACKENDS = ["memory", "sqlite", "redis"]


@pytest.fixture(params=BACKENDS)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Storage]]:
    """A factory of stores that share state the way two processes of that backend would."""
    made: list[Storage] = []
    if request.param == "memory":
        shared = MemoryStorage()
        factory: Callable[[], Storage] = lambda: shared  # noqa: E731 - one process, one store
    elif request.param == "sqlite":
        factory = lambda: SqliteStorage(tmp_path / "state" / "claims.sqlite3")  # noqa: E731
    else:
        url = request.getfixturevalue("redis_url")
        factory = lambda: RedisStorage(url)  # noqa: E731

    def build() -> Storage:
        made.append(factory())
        return made[-1]

    yield build
    for store in made:
        store.close()


def test_a_claim_is_won_once(make_store) -> None:
    first, second = make_store(), make_store()
    assert first.claim("event:1", 60)
    assert not first.claim("event:1", 60)
    assert not second.claim("event:1", 60)
    assert second.claim("event:2", 60)


def test_a_claim_expires_after_its_ttl(make_store) -> None:
    store = make_store()
    assert store.claim("short", 0.05)
    threading.Event().wait(0.2)
    assert store.claim("short", 60)


def test_a_released_claim_can_be_taken_again(make_store) -> None:
    first, second = make_store(), make_store()
    assert first.claim("slot:0", 60)
    first.release("slot:0")
    assert second.claim("slot:0", 60)
    first.release("never-claimed")  # ignored


def test_concurrent_claimers_have_exactly_one_winner(make_store) -> None:
    stores = [make_store() for _ in range(4)]
    wins: list[bool] = []
    lock = threading.Lock()

    def race(store: Storage) -> None:
        for _ in range(5):
            won = store.claim("contested", 60)
            with lock:
                wins.append(won)

    threads = [threading.Thread(target=race, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1 and len(wins) == 20


def test_hits_are_counted_over_the_window(make_store) -> None:
    first, second = make_store(), make_store()
    assert first.hit("user:U1", 2, 60, now=1000.0).allowed
    assert second.hit("user:U1", 2, 60, now=1010.0).count == 2
    refused = first.hit("user:U1", 2, 60, now=1020.0)
    assert not refused.allowed and refused.count == 2
    assert refused.retry_after == pytest.approx(40.0)
    assert refused.retry_after_seconds == 40
    assert second.hit("user:U2", 2, 60, now=1020.0).allowed  # per key


def test_a_refused_hit_is_not_counted_and_the_window_slides(make_store) -> None:
    store = make_store()
    store.hit("k", 1, 10, now=100.0)
    for t in (101.0, 105.0, 109.0):
        assert not store.hit("k", 1, 10, now=t).allowed
    assert store.hit("k", 1, 10, now=110.0).allowed  # exactly one window after the first
    assert not store.hit("k", 1, 10, now=115.0).allowed


def test_concurrent_hits_never_exceed_the_limit(make_store) -> None:
    stores = [make_store() for _ in range(4)]
    allowed: list[bool] = []
    lock = threading.Lock()

    def burst(store: Storage) -> None:
        for _ in range(10):
            ok = store.hit("burst", 7, 60).allowed
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=burst, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 7


def test_counters_count_up_and_are_shared(make_store) -> None:
    first, second = make_store(), make_store()
    assert first.count("fired") == 0
    assert first.incr("fired", 60) == 1 and second.incr("fired", 60) == 2
    assert first.count("fired") == 2 and second.count("fired") == 2
    assert second.incr("other", 60) == 1 and first.count("fired") == 2


def test_a_counter_steps_by_several_and_expires_from_that_first_step(make_store) -> None:
    first, second = make_store(), make_store()
    assert first.incr("batch", 0.6, by=3) == 3 and second.incr("batch", 60, by=2) == 5
    assert first.incr("batch", 60) == 6
    threading.Event().wait(0.9)  # the first step's TTL, not a later one's
    assert second.count("batch") == 0 and second.incr("batch", 60, by=4) == 4


def test_a_counter_expires_after_its_ttl_and_starts_again(make_store) -> None:
    store = make_store()
    assert store.incr("short", 0.1) == 1 and store.incr("short", 0.1) == 2
    threading.Event().wait(0.3)
    assert store.count("short") == 0
    assert store.incr("short", 60) == 1


def test_concurrent_increments_are_all_counted(make_store) -> None:
    stores = [make_store() for _ in range(4)]
    seen: list[int] = []
    lock = threading.Lock()

    def bump(store: Storage) -> None:
        for _ in range(10):
            value = store.incr("busy", 60)
            with lock:
                seen.append(value)

    threads = [threading.Thread(target=bump, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(1, 41)) and stores[0].count("busy") == 40


def test_records_are_put_read_back_and_replaced(make_store) -> None:
    writer, reader = make_store(), make_store()
    assert reader.get("message:a") is None
    writer.put("message:a", {"channel": "C1", "ts": "1.1", "text": "模型 ✓"}, 60)
    assert reader.get("message:a") == {"channel": "C1", "ts": "1.1", "text": "模型 ✓"}
    reader.put("message:a", {"channel": "C2"}, 60)
    assert writer.get("message:a") == {"channel": "C2"}


def test_a_record_expires_after_its_ttl(make_store) -> None:
    store = make_store()
    store.put("short", {"a": 1}, 0.1)
    threading.Event().wait(0.3)
    assert store.get("short") is None


def test_a_read_record_is_a_copy(make_store) -> None:
    store = make_store()
    record = {"nested": {"n": 1}}
    store.put("r", record, 60)
    record["nested"]["n"] = 2
    store.get("r")["nested"]["n"] = 3  # type: ignore[index]
    assert store.get("r") == {"nested": {"n": 1}}


def test_many_records_are_read_at_once_in_the_order_asked(make_store) -> None:
    writer, reader = make_store(), make_store()
    writer.put("r:1", {"n": 1}, 60)
    writer.put("r:2", {"n": "二"}, 60)
    writer.put("r:gone", {"n": 0}, 0.1)
    threading.Event().wait(0.3)
    keys = ["r:2", "r:missing", "r:1", "r:gone", "r:2"]
    assert reader.get_many(keys) == [{"n": "二"}, None, {"n": 1}, None, {"n": "二"}]
    assert reader.get_many(keys) == [reader.get(k) for k in keys]
    assert reader.get_many([]) == []
    many = [f"bulk:{n}" for n in range(1200)]  # past SQLite's bound parameters per statement
    for key in many[::7]:
        writer.put(key, {"k": key}, 60)
    assert reader.get_many(many) == [{"k": k} if n % 7 == 0 else None for n, k in enumerate(many)]


def test_claims_counters_and_records_keep_to_their_own_keys(make_store) -> None:
    store = make_store()
    store.put("k", {"a": 1}, 60)
    assert store.count("k") == 0 and store.claim("k", 60)
    assert store.incr("n", 60) == 1 and store.get("n") is None


def test_streams_append_and_read_back_in_order(make_store, tmp_path: Path) -> None:
    writer, reader = make_store(), make_store()
    path = tmp_path / "state" / "audit.jsonl"
    for i in range(5):
        writer.stream("audit", path).append({"n": i, "text": "模型 ✓"})
    stream = reader.stream("audit", path)
    assert [r["n"] for r in stream.recent(3)] == [2, 3, 4]
    assert [r["n"] for r in stream] == [0, 1, 2, 3, 4]
    assert stream.recent(0) == []
    assert list(reader.stream("feedback", tmp_path / "state" / "feedback.jsonl")) == []


def test_a_stream_keeps_any_text(make_store, tmp_path: Path) -> None:
    store = make_store()
    stream = store.stream("feedback", tmp_path / "f.jsonl")
    stream.append({"query": "lone \ud800 surrogate\nand a newline\x1b[31m"})
    (record,) = stream.recent(1)
    assert record["query"] == "lone \ud800 surrogate\nand a newline\x1b[31m"


def test_sqlite_commits_to_its_write_ahead_log_without_a_sync_per_commit(tmp_path: Path) -> None:
    """WAL with synchronous=NORMAL: an app crash loses nothing; a power cut at most the last
    moment's commits; a commit does not wait for a disk flush (but the checkpoint's)."""
    store = SqliteStorage(tmp_path / "state.sqlite3")
    pragma = store._db.execute  # the connection's settings, as SQLite reports them
    assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert pragma("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.close()


def test_state_is_up(make_store) -> None:
    assert make_store().state() == "up"


# --- tables: keyed records without a TTL, with a version every write bumps ---------------


def test_a_table_write_is_read_by_another_process_with_its_version(make_store) -> None:
    first, second = make_store(), make_store()
    assert second.table("knowledge") == {} and second.table_version("knowledge") == 0
    assert first.table_put("knowledge", "a", {"status": "pending", "n": 1}) == 1
    assert first.table_put("knowledge", "b", {"status": "pending"}) == 2
    assert second.table_put("knowledge", "a", {"status": "approved"}) == 3
    assert first.table("knowledge") == {"a": {"status": "approved"}, "b": {"status": "pending"}}
    assert first.table_version("knowledge") == second.table_version("knowledge") == 3
    assert first.table("other") == {} and first.table_version("other") == 0


def test_a_batch_of_table_writes_is_one_version_and_seen_whole(make_store) -> None:
    first, second = make_store(), make_store()
    first.table_put("questions", "1", {"text": "old"})
    batch = {str(n): {"text": f"q{n}", "n": n} for n in range(1, 51)}
    assert first.table_put_many("questions", batch) == 2
    assert second.table("questions") == batch  # the old record under "1" replaced
    assert second.table_put_many("questions", {}) == 2  # nothing to write: no new version
    assert second.table_version("questions") == 2


def test_table_versions_are_not_lost_under_concurrent_writes(make_store) -> None:
    stores = [make_store() for _ in range(4)]
    versions: list[int] = []
    lock = threading.Lock()

    def write(store: Storage, n: int) -> None:
        for i in range(25):
            version = store.table_put("busy", f"{n}-{i}", {"i": i})
            with lock:
                versions.append(version)

    threads = [threading.Thread(target=write, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(versions) == list(range(1, 101))  # every write had its own version
    assert len(stores[0].table("busy")) == 100


def test_replace_if_writes_only_over_what_was_read(make_store) -> None:
    first, second = make_store(), make_store()
    assert first.replace_if("storm:s", None, {"fired": 1}, 60)
    assert not second.replace_if("storm:s", None, {"fired": 1}, 60)  # no longer absent
    seen = second.get("storm:s")
    assert second.replace_if("storm:s", seen, {"fired": 2}, 60)
    assert not first.replace_if("storm:s", seen, {"fired": 2}, 60)  # changed since read
    assert first.get("storm:s") == {"fired": 2}


def test_replace_if_sees_an_expired_record_as_absent(make_store) -> None:
    store = make_store()
    store.put("short", {"a": 1}, 0.1)
    threading.Event().wait(0.3)
    assert store.replace_if("short", None, {"a": 2}, 60) and store.get("short") == {"a": 2}


def test_concurrent_read_modify_writes_lose_no_update(make_store) -> None:
    stores = [make_store() for _ in range(4)]

    def bump(store: Storage) -> None:
        for _ in range(10):
            while True:
                seen = store.get("count")
                n = (seen or {}).get("n", 0)
                if store.replace_if("count", seen, {"n": n + 1}, 60):
                    break

    threads = [threading.Thread(target=bump, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert stores[0].get("count") == {"n": 40}


def test_a_queue_hands_each_item_to_one_taker_until_its_lease_runs_out(make_store) -> None:
    first, second = make_store().queue("alerts"), make_store().queue("alerts")
    assert first.add("a", {"n": 1}, 60) and first.add("b", {"n": 2}, 60)
    assert not second.add("a", {"n": 9}, 60)  # already queued: unchanged
    assert first.take(lease=0.2, limit=1) == [("a", {"n": 1})]
    assert second.take(lease=0.2, limit=5) == [("b", {"n": 2})]
    assert second.take(lease=0.2, limit=5) == []  # both leased
    threading.Event().wait(0.4)
    assert sorted(i for i, _ in second.take(lease=60, limit=5)) == ["a", "b"]
    assert first.pending() == 2


def test_a_batch_of_items_is_added_as_each_would_be(make_store) -> None:
    first, second = make_store().queue("alerts"), make_store().queue("alerts")
    assert first.add("a", {"n": 1}, 60)
    batch = [("b", {"n": 2}), ("a", {"n": 9}), ("c", {"n": "三"}), ("b", {"n": 8})]
    assert second.add_many(batch, 60) == 2  # "a" was queued, the second "b" is the first's
    assert second.add_many([], 60) == 0
    assert first.take(lease=60, limit=10) == [("a", {"n": 1}), ("b", {"n": 2}), ("c", {"n": "三"})]
    assert first.pending() == 3


def test_the_awaited_batch_calls_do_what_the_blocking_ones_do(make_store) -> None:
    writer, store = make_store(), make_store()
    writer.put("r:1", {"n": 1}, 60)
    queue = store.queue("awaited")

    async def calls() -> tuple[object, ...]:
        read = await store.get_many_async(["r:missing", "r:1"])
        added = await queue.add_many_async([("a", {"n": 1}), ("b", {}), ("a", {"n": 2})], 60)
        again = await queue.add_many_async([("b", {"n": 9})], 60)
        return read, added, again, await queue.pending_async(), await store.get_many_async([])

    assert asyncio.run(calls()) == ([None, {"n": 1}], 2, 0, 2, [])
    assert queue.take(lease=60, limit=5) == [("a", {"n": 1}), ("b", {})]
    assert not store.known_down


def test_a_batch_item_expires_with_its_ttl(make_store) -> None:
    queue = make_store().queue("short")
    assert queue.add_many([("x", {}), ("y", {})], 0.1) == 2
    threading.Event().wait(0.3)
    assert queue.add_many([("x", {"again": True})], 60) == 1  # expired: the id is free
    assert queue.take(lease=60, limit=5) == [("x", {"again": True})] and queue.pending() == 1


def test_a_retried_item_comes_back_later_with_its_new_record(make_store) -> None:
    queue = make_store().queue("alerts")
    queue.add("a", {"attempts": 0}, 60)
    assert [i for i, _ in queue.take(lease=60, limit=5)] == ["a"]
    queue.retry("a", 0.2, {"attempts": 1})
    assert queue.take(lease=60, limit=5) == []
    threading.Event().wait(0.4)
    assert queue.take(lease=60, limit=5) == [("a", {"attempts": 1})]
    queue.done("a")
    queue.done("never-added")
    assert queue.pending() == 0 and queue.take(lease=60, limit=5) == []
    assert queue.add("a", {"attempts": 0}, 60)  # done: a new item may take the id


def test_a_delayed_item_is_not_due_before_its_time(make_store) -> None:
    queue = make_store().queue("later")
    queue.add("x", {}, 60, delay=0.2)
    assert queue.take(lease=60, limit=5) == []
    threading.Event().wait(0.4)
    assert [i for i, _ in queue.take(lease=60, limit=5)] == ["x"]


def test_an_expired_item_is_dropped(make_store) -> None:
    queue = make_store().queue("short")
    queue.add("x", {}, 0.1)
    threading.Event().wait(0.3)
    assert queue.take(lease=60, limit=5) == [] and queue.pending() == 0


def test_concurrent_takers_never_share_an_item(make_store) -> None:
    stores = [make_store() for _ in range(4)]
    for n in range(40):
        stores[0].queue("busy").add(f"i{n}", {"n": n}, 60)
    taken: list[str] = []
    lock = threading.Lock()

    def drain(store: Storage) -> None:
        while batch := store.queue("busy").take(lease=60, limit=3):
            with lock:
                taken.extend(i for i, _ in batch)

    threads = [threading.Thread(target=drain, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(f"i{n}" for n in range(40))
