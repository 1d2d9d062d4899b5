"""A body over the limit gets its 413, not a broken pipe (issue 18 B17).

Azure Monitor and Alertmanager log the status they get back; a connection
reset while they are still sending is logged as a network error and hides
the reason. Real sockets against the real ``acrbot serve``: the sender
writes the whole 1.5 MB body, as such senders do, and must then read the 413.
"""

from __future__ import annotations

import socket

import pytest

BIG = 1_536 * 1024  # 1.5 MB: over the 1 MB limit, under the bound acrbot reads and discards


def send_all_then_read(port: int, path: str, body: bytes) -> bytes:
    """POST ``body`` in full (raising if the server breaks the connection), then read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as conn:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: acrbot\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        conn.sendall(head.encode())
        view = memoryview(body)
        for start in range(0, len(body), 16 * 1024):  # as a sender's socket writes it
            conn.sendall(view[start : start + 16 * 1024])
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


@pytest.mark.parametrize("path", ["/alerts/azure-monitor", "/slack/events"])
def test_a_body_over_the_limit_is_read_and_answered_413(served_process, path):
    body = b'{"alerts": [' + b" " * (BIG - 14) + b"]}"
    for _ in range(3):  # "sometimes": every time, then
        answer = send_all_then_read(served_process.port, path, body)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"connection: close" in answer.lower()


def test_a_sender_that_asks_first_gets_413_without_sending(served_process):
    """``Expect: 100-continue`` (curl over 1 MB): answered before the body is sent."""
    with socket.create_connection(("127.0.0.1", served_process.port), timeout=15) as conn:
        conn.sendall(
            f"POST /slack/events HTTP/1.1\r\nHost: acrbot\r\nContent-Length: {BIG}\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        answer = conn.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_body_far_over_the_bound_is_still_refused(served_process):
    """Past what acrbot reads and discards, the connection is closed: no unbounded reading."""
    with socket.create_connection(("127.0.0.1", served_process.port), timeout=15) as conn:
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: acrbot\r\nContent-Length: 1000000000\r\n\r\n"
        )
        answer = conn.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
