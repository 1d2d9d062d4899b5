"""Slow clients (issue 8 item 1): stalled connections cost a socket, never a request thread.

Real sockets against the real `acrbot serve`: 200 connections that send half
a request line and stop; a signed `/acr ask` and `/healthz` are still
answered, and a stalled or trickling connection is closed by the server.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

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


def test_a_signed_ask_and_healthz_are_answered_with_200_connections_stalled(served, slack):
    with stalled_connections(served.port, STALLED):
        body = sr.slash_command("ask docker pull is slow", response_url=slack.response_url())
        reply = served.post(body, timeout=5)
        assert reply.status_code == 200
        assert "blocks" in reply.json()
        assert httpx.get(f"{served.url}/healthz", timeout=5).json()["status"] == "ok"


def test_a_stalled_request_line_is_closed(served):
    with stalled_connections(served.port, 1) as (conn,):
        assert closed_by_server(conn)


def test_a_trickled_request_head_is_closed(served):
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\n")
        assert closed_by_server(conn, keep_sending=b"X")  # one header byte every half second


def test_an_idle_keep_alive_connection_is_closed(served):
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200" in conn.recv(4096).split(b"\r\n")[0]
        assert closed_by_server(conn)


def test_a_stalled_body_gets_408_and_the_connection_is_closed(served):
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"type": '
        )
        conn.settimeout(PATIENCE)
        reply = conn.recv(4096)
        assert reply.startswith(b"HTTP/1.1 408"), reply[:80]
        assert closed_by_server(conn)


@pytest.mark.parametrize("path", ["/healthz", "/slack/events"])
def test_every_route_answers_after_the_stalls(served, path):
    reply = httpx.request("GET", f"{served.url}{path}", timeout=5)
    assert reply.status_code == (200 if path == "/healthz" else 405)
