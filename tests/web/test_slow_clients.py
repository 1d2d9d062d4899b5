"""Slow clients (issue 8 item 1): stalled connections cost a socket, never a request thread.

Real sockets against the real `acrbot serve`: 200 connections that send half
a request line and stop; a signed `/acr ask` and `/healthz` are still
answered, and a stalled or trickling connection is closed by the server.
The four kinds of slow client are opened together (``slow_clients``), so
their five-second deadlines run at once rather than one after another.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.fakes import slack_requests as sr

STALLED = 200
PATIENCE = 30  # seconds a test waits for the server to close a connection (it takes ~5)


@contextlib.contextmanager
def stalled_connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    sockets = []
    try:
        for _ in range(count):
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            conn.sendall(b"GET /healthz HTTP/1.1\r\n")  # and then nothing
            sockets.append(conn)
        yield sockets
    finally:
        for conn in sockets:
            conn.close()


def closed_by_server(conn: socket.socket, keep_sending: bytes = b"") -> bool:
    """Wait (up to PATIENCE s) for the server to close ``conn``, trickling ``keep_sending``."""
    conn.settimeout(0.5)
    give_up = time.monotonic() + PATIENCE
    while time.monotonic() < give_up:
        try:
            if keep_sending:
                conn.sendall(keep_sending)
            if conn.recv(4096) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:  # reset, or a broken pipe while trickling
            return True
    return False


def test_a_signed_ask_and_healthz_are_answered_with_200_connections_stalled(served_process, slack):
    served = served_process
    with stalled_connections(served.port, STALLED):
        body = sr.slash_command("ask docker pull is slow", response_url=slack.response_url())
        reply = served.post(body, timeout=5)
        assert reply.status_code == 200
        assert "blocks" in reply.json()
        assert httpx.get(f"{served.url}/healthz", timeout=5).json()["status"] == "ok"


@dataclass
class SlowClient:
    """One connection, run on a thread: what it first read, and whether the server closed it."""

    conn: socket.socket
    behave: Callable[[SlowClient], None]
    first_reply: bytes = b""
    closed: bool = False
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self.behave, args=(self,), daemon=True)

    def result(self) -> SlowClient:
        self.thread.join(PATIENCE + 5)
        return self


def _stalled_line(client: SlowClient) -> None:
    client.conn.sendall(b"GET /healthz HTTP/1.1\r\n")  # and then nothing
    client.closed = closed_by_server(client.conn)


def _trickled_head(client: SlowClient) -> None:
    client.conn.sendall(b"GET /healthz HTTP/1.1\r\n")
    client.closed = closed_by_server(client.conn, keep_sending=b"X")  # a byte every half second


def _idle_keep_alive(client: SlowClient) -> None:
    client.conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    client.first_reply = client.conn.recv(4096)
    client.closed = closed_by_server(client.conn)


def _stalled_body(client: SlowClient) -> None:
    client.conn.sendall(
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"type": '
    )
    client.conn.settimeout(PATIENCE)
    client.first_reply = client.conn.recv(4096)
    client.closed = closed_by_server(client.conn)


@pytest.fixture(scope="module")
def slow_clients(served_process) -> Iterator[dict[str, SlowClient]]:
    kinds = {
        "stalled line": _stalled_line,
        "trickled head": _trickled_head,
        "idle keep-alive": _idle_keep_alive,
        "stalled body": _stalled_body,
    }
    clients = {
        name: SlowClient(socket.create_connection(("127.0.0.1", served_process.port), 5), behave)
        for name, behave in kinds.items()
    }
    for client in clients.values():
        client.thread.start()
    yield clients
    for client in clients.values():
        client.conn.close()


def test_a_stalled_request_line_is_closed(slow_clients):
    assert slow_clients["stalled line"].result().closed


def test_a_trickled_request_head_is_closed(slow_clients):
    assert slow_clients["trickled head"].result().closed


def test_an_idle_keep_alive_connection_is_closed(slow_clients):
    client = slow_clients["idle keep-alive"].result()
    assert b"200" in client.first_reply.split(b"\r\n")[0]
    assert client.closed


def test_a_stalled_body_gets_408_and_the_connection_is_closed(slow_clients):
    client = slow_clients["stalled body"].result()
    assert client.first_reply.startswith(b"HTTP/1.1 408"), client.first_reply[:80]
    assert client.closed


@pytest.mark.parametrize("path", ["/healthz", "/slack/events"])
def test_every_route_answers_after_the_stalls(served_process, path):
    reply = httpx.request("GET", f"{served_process.url}{path}", timeout=5)
    assert reply.status_code == (200 if path == "/healthz" else 405)
