"""The ASGI router on its own: routes, methods, bounded bodies, and handler failures."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from bot.web.routes import Request, Response, Router


def call(router: Router, method: str, path: str, chunks=(b"",), headers=(), complete=True):
    """Drive one request through the ASGI interface; return (status, headers, body).

    ``complete=False``: the client sends ``chunks`` and then stalls.
    """
    incoming = [
        {"type": "http.request", "body": c, "more_body": not complete or i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)  # a client that stopped sending
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": method, "path": path, "query_string": b"a=1",
        "headers": [(k.encode(), v.encode()) for k, v in headers], "client": ("127.0.0.1", 1),
    }  # fmt: skip
    asyncio.run(router(scope, receive, send))
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"]


def echo(request: Request) -> Response:  # a blocking handler: runs in the pool
    return Response.json(
        200, {"thread": threading.current_thread().name, "body": len(request.body)}
    )


async def fails(request: Request) -> Response:
    raise RuntimeError("secret detail")


def router() -> Router:
    r = Router(max_body=10, body_timeout=0.2)
    r.add("GET", "/ping", echo)
    r.add(["POST"], "/echo", echo)
    r.add("POST", "/fails", fails)
    return r


def test_routes_methods_and_head():
    r = router()
    status, _, body = call(r, "GET", "/ping")
    assert status == 200 and json.loads(body)["thread"] != threading.current_thread().name
    assert call(r, "HEAD", "/ping")[::2] == (200, b"")
    assert call(r, "GET", "/nope")[0] == 404
    status, headers, _ = call(r, "GET", "/echo")
    assert (status, headers[b"allow"]) == (405, b"POST")
    assert r.paths == ["/echo", "/fails", "/ping"]


def test_bodies_are_bounded_in_size_and_time():
    r = router()
    assert json.loads(call(r, "POST", "/echo", [b"12345", b"678"])[2])["body"] == 8
    status, headers, _ = call(r, "POST", "/echo", [b"123456", b"789012"])
    assert (status, headers[b"connection"]) == (413, b"close")
    assert call(r, "POST", "/echo", headers=[("content-length", "11")])[0] == 413
    assert call(r, "POST", "/echo", headers=[("content-length", "x")])[0] == 413
    status, headers, _ = call(r, "POST", "/echo", [b"12"], complete=False)
    assert (status, headers[b"connection"]) == (408, b"close")


def test_the_rest_of_a_body_over_the_limit_is_read_before_the_413():
    """Read and dropped (so the sender sees the 413, not a reset), within the deadline."""
    r = router()
    status, headers, _ = call(r, "POST", "/echo", [b"123456", b"789012", b"3456"])
    assert (status, headers[b"connection"]) == (413, b"close")
    status, _, _ = call(r, "POST", "/echo", [b"123456789012"], complete=False)
    assert status == 413  # a sender still trickling at the deadline: 413 all the same


def test_a_failing_handler_is_a_plain_500():
    status, _, body = call(router(), "POST", "/fails")
    assert status == 500
    assert json.loads(body) == {"error": "internal error"}
