"""Redis read and claimed from the event loop (issue 17): awaited, never waited for, never lost.

The ack of a click, an event or ``/acr ask`` awaits what it needs from
Redis on the loop (``claim_async``, ``table_version_async``). When Redis
cannot answer at once the caller takes the blocking way, from a thread,
as before; a claim whose reply is lost is claimed in the process instead,
as a blocking claim's would be, so the first delivery is still answered.
"""

from __future__ import annotations

import asyncio

import pytest
import redis

from bot.slack.dedupe import claim_ahead
from bot.storage import ProcessFallback, StorageUnavailable
from bot.storage.redis import RedisStorage
from tests.fakes.silent_server import SilentServer
from tests.redis_server import RedisServer, free_port

EVENT = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "message"}}


def test_a_claim_on_the_loop_is_the_claim_a_thread_sees(redis_url: str) -> None:
    store = RedisStorage(redis_url)
    assert asyncio.run(store.claim_async("k", 60)) is True
    assert asyncio.run(store.claim_async("k", 60)) is False  # a second loop, the same claim
    assert store.claim("k", 60) is False
    store.put("x", {}, 60)
    store.table_put("knowledge", "a", {"n": 1})
    assert asyncio.run(store.table_version_async("knowledge")) == store.table_version("knowledge")
    assert asyncio.run(store.table_version_async("never-written")) == 0


def test_a_redis_restart_costs_the_loop_no_outage(server: RedisServer) -> None:
    async def scenario() -> list[object]:
        store = RedisStorage(server.url)
        # Five clicks at once: five connections in the loop's pool, all dropped by the restart.
        await asyncio.gather(*(store.claim_async(f"warm{i}", 60) for i in range(5)))
        server.stop()
        server.start()
        outcomes: list[object] = []
        for i in range(5):
            try:
                outcomes.append(await store.claim_async(f"after{i}", 60))
            except StorageUnavailable:
                outcomes.append("unavailable")
        outcomes.append(store.state())
        return outcomes

    assert asyncio.run(scenario()) == [True] * 5 + ["up"]


def test_unreachable_redis_the_first_claim_is_the_process_then_the_thread_decides() -> None:
    store = RedisStorage(f"redis://127.0.0.1:{free_port()}/0", retry_interval=60)
    claims = ProcessFallback(store)
    assert asyncio.run(claim_ahead(claims, EVENT)) == {"slack:event:Ev1": True}
    assert claims.falling_back and store.state() == "down"
    assert asyncio.run(claim_ahead(claims, EVENT)) is None  # known down: from a thread
    assert claims.claim("slack:event:Ev1", 60) is False  # which sees the process's claim
    assert asyncio.run(store.table_version_async("knowledge")) is None


def test_a_hung_redis_holds_the_claim_one_timeout_and_the_event_is_still_answered() -> None:
    with SilentServer() as silent:
        claims = ProcessFallback(RedisStorage(silent.url, retry_interval=60))
        assert asyncio.run(claim_ahead(claims, EVENT)) == {"slack:event:Ev1": True}


class LateFirstClaim:
    """A proxy to Redis that delays the reply to the first claim: the SET NX ran, its reply lags."""

    def __init__(self, target_port: int, delay: float) -> None:
        self.target_port, self.delay, self.delayed = target_port, delay, False

    async def start(self) -> int:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        late = asyncio.Event()

        async def upstream() -> None:
            while data := await reader.read(65536):
                if b"acrbot:claim:" in data and not self.delayed:
                    self.delayed = True
                    late.set()
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        async def downstream() -> None:
            while data := await up_reader.read(65536):
                if late.is_set():
                    late.clear()
                    await asyncio.sleep(self.delay)
                try:
                    writer.write(data)
                    await writer.drain()
                except (ConnectionError, RuntimeError):
                    return
            writer.close()

        await asyncio.gather(upstream(), downstream(), return_exceptions=True)


def test_a_claim_whose_reply_comes_too_late_is_not_lost(redis_server: RedisServer) -> None:
    async def scenario() -> tuple[object, bool]:
        proxy = LateFirstClaim(redis_server.port, delay=0.4)  # past the 0.25 s timeout
        store = RedisStorage(f"redis://127.0.0.1:{await proxy.start()}/0")
        claims = ProcessFallback(store)
        made = await claim_ahead(claims, {**EVENT, "event_id": "EvLate"})
        proxy.server.close()
        return made, RedisStorage(redis_server.url).claim("slack:event:EvLate", 60)

    redis_server.flush()
    made, again = asyncio.run(scenario())
    assert made == {"slack:event:EvLate": True}  # answered, from the process's claim
    assert again is False  # the SET did run in Redis: another replica drops the retry


def test_a_batch_queued_from_the_loop_survives_a_restart_that_forgot_the_scripts(
    redis_url: str,
) -> None:
    store = RedisStorage(redis_url)
    queue = store.queue("alerts")

    async def scenario() -> tuple[int, int]:
        first = await queue.add_many_async([("a", {"n": 1})], 60)
        redis.Redis.from_url(redis_url).script_flush()  # what a restart without persistence leaves
        return first, await queue.add_many_async([("b", {}), ("a", {"n": 9}), ("c", {})], 60)

    assert asyncio.run(scenario()) == (1, 2)
    assert [i for i, _ in queue.take(lease=60, limit=5)] == ["a", "b", "c"]
    assert store.state() == "up" and not store.known_down


def test_while_redis_is_known_down_the_loop_refuses_at_once() -> None:
    store = RedisStorage(f"redis://127.0.0.1:{free_port()}/0", retry_interval=60)
    with pytest.raises(StorageUnavailable):
        asyncio.run(store.get_many_async(["k"]))  # this try finds it down, and says so
    assert store.known_down
    with pytest.raises(StorageUnavailable):
        asyncio.run(store.queue("alerts").pending_async())


def test_a_burst_from_the_loop_waits_its_turn_and_is_no_outage(redis_url: str) -> None:
    store = RedisStorage(redis_url)
    queue = store.queue("alerts")

    async def burst() -> list[object]:  # past the loop client's 100 connections
        calls = (queue.add_many_async([(f"burst{n}", {})], 60) for n in range(150))
        return await asyncio.gather(*calls, return_exceptions=True)

    assert asyncio.run(burst()) == [1] * 150
    assert not store.known_down and queue.pending() == 150


def test_once_found_down_the_calls_waiting_their_turn_refuse_at_once() -> None:
    with SilentServer() as silent:
        store = RedisStorage(silent.url, retry_interval=60)

        async def burst() -> list[object]:
            calls = (store.get_many_async([f"k{n}"]) for n in range(100))
            return await asyncio.gather(*calls, return_exceptions=True)

        results = asyncio.run(burst())
        assert all(isinstance(r, StorageUnavailable) for r in results) and store.known_down
        tried = silent.accepted
        assert tried <= 32  # the first turns found it hung; those waiting did not try it
        with pytest.raises(StorageUnavailable):
            asyncio.run(store.get_many_async(["later"]))
        assert silent.accepted == tried  # known down: refused without a connection
