"""An ASGI router: (method, path) → handler, with every body read bounded.

Handlers take a :class:`Request` whose body has already been read, and
return a :class:`Response`. An ``async`` handler runs on the event loop (it
must not block); a plain function runs in the router's thread pool, so a
slow handler holds one thread, never the loop. Bodies are read with a size
cap (413) and a deadline (408) before any handler sees them, so every route
gets the same defence against large or trickling uploads.

A 413 must reach the sender: closing while it is still sending makes the
kernel reset the connection, and Azure Monitor or Alertmanager then log a
broken pipe instead of the reason. So the rest of a body over the cap is
read and thrown away (:func:`_discard`, up to :data:`DISCARD_LIMIT`, within
its own deadline) before the 413 is sent; a sender that asked first
(``Expect: 100-continue``) or announced more than that is answered at once.

Adding an endpoint::

    router.add("GET", "/readyz", readiness)            # def readiness(request) -> Response
    router.add("POST", "/alerts/azure-monitor", alert)  # async def alert(request) -> Response
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Slack's payloads are a few kB; alerts a few tens of kB
BODY_TIMEOUT = 5.0  # seconds for a whole body, however it is trickled
DISCARD_LIMIT = 16 * 1024 * 1024  # read and dropped so that a 413 is not a reset connection
# Up to this size a body a handler only computes on may be answered on the loop (Slack's
# payloads are a few kB); a bigger one's parse would hold every other request: the pool.
ON_LOOP_BODY = 64 * 1024

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Request:
    """One HTTP request, its body already read (at most ``max_body`` bytes)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # names lower-cased; a repeated header keeps its last value
    body: bytes
    client: str = ""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, data: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
        return cls(status, json.dumps(data).encode(), "application/json", tuple(headers))

    @classmethod
    def error(cls, status: int, message: str) -> Response:
        return cls.json(status, {"error": message})


Handler = Callable[[Request], Response | Awaitable[Response]]


@dataclass
class _Route:
    handler: Handler
    blocking: bool
    max_body: int | None = None  # this route's own cap, instead of the router's
    # Which requests a plain function answers on the loop all the same (see Router.add).
    on_loop: Callable[[Request], bool] | None = None


class _BodyTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


@dataclass
class Router:
    """The ASGI application: routes, plus the pool that runs blocking handlers."""

    executor: Executor = field(default_factory=lambda: ThreadPoolExecutor(16, "acrbot-http"))
    max_body: int = MAX_BODY
    body_timeout: float = BODY_TIMEOUT
    on_shutdown: list[Callable[[], None]] = field(default_factory=list)
    _routes: dict[str, dict[str, _Route]] = field(default_factory=dict)

    def add(
        self,
        methods: str | Iterable[str],
        path: str,
        handler: Handler,
        *,
        max_body: int | None = None,
        on_loop: Callable[[Request], bool] | None = None,
    ) -> None:
        """Serve ``path`` for ``methods`` (GET also answers HEAD) with ``handler``.

        ``max_body`` replaces the router's cap for this route (a large
        Alertmanager group is bigger than any Slack payload). ``on_loop(request)``
        true runs a plain function on the event loop instead of the pool: for a
        request the handler answers by computing and touching this host's
        state only, where the hop to a thread and back costs more CPU than the
        handler.
        """
        blocking = not inspect.iscoroutinefunction(handler)
        names = [methods] if isinstance(methods, str) else list(methods)
        table = self._routes.setdefault(path, {})
        route = _Route(handler, blocking, max_body, on_loop)
        for method in names:
            table[method.upper()] = route
            if method.upper() == "GET":
                table.setdefault("HEAD", route)

    @property
    def paths(self) -> list[str]:
        return sorted(self._routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"]
        routes = self._routes.get(path)
        if routes is None:
            await _send(send, Response.error(404, "not found"), method)
            return
        route = routes.get(method)
        if route is None:
            allow = ("Allow", ", ".join(sorted(routes)))
            await _send(send, Response.json(405, {"error": "method not allowed"}, [allow]), method)
            return
        headers = _headers(scope)
        reading = _Reading(receive)
        try:
            body = await self._body(headers, reading, route.max_body or self.max_body)
        except _BodyTooLarge:
            await _discard(headers, reading, self.body_timeout)
            await _send(send, Response.error(413, "body too large"), method, close=True)
            return
        except TimeoutError:
            await _send(send, Response.error(408, "body not received in time"), method, close=True)
            return
        except _ClientGone:
            return
        client = scope.get("client") or ("", 0)
        request = Request(
            method, path, scope.get("query_string", b"").decode("latin-1"), headers, body,
            str(client[0]),
        )  # fmt: skip
        await _send(send, await self._respond(route, request), method)

    async def _respond(self, route: _Route, request: Request) -> Response:
        try:
            if route.blocking and route.on_loop is not None and route.on_loop(request):
                return route.handler(request)  # type: ignore[return-value]
            if route.blocking:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self.executor, route.handler, request)
            return await route.handler(request)  # type: ignore[misc]
        except Exception as exc:  # a bug in a handler: a plain 500, the cause in the log
            log.error("%s %s failed: %s", request.method, request.path, type(exc).__name__,
                      exc_info=exc)  # fmt: skip
            return Response.error(500, "internal error")

    async def _body(self, headers: dict[str, str], receive: Receive, limit: int) -> bytes:
        declared = headers.get("content-length", "")
        if declared and (not declared.isdigit() or int(declared) > limit):
            raise _BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        async with asyncio.timeout(self.body_timeout):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _ClientGone
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise _BodyTooLarge
                chunks.append(chunk)
                if not message.get("more_body"):
                    return b"".join(chunks)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for stop in self.on_shutdown:
                    stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


class _Reading:
    """``receive``, noting how much of the body has arrived and whether all of it has."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.received = 0
        self.complete = False

    async def __call__(self) -> dict[str, Any]:
        message = await self._receive()
        if message["type"] == "http.disconnect":
            self.complete = True
        else:
            self.received += len(message.get("body", b""))
            self.complete = not message.get("more_body")
        return message


async def _discard(headers: dict[str, str], reading: _Reading, timeout: float) -> None:
    """Read the rest of a body too large to keep, so that the 413 is not a reset connection.

    Not read: a sender waiting for ``100 Continue`` (it will not send what it
    is refused), or one that announced more than :data:`DISCARD_LIMIT`.
    """
    declared = headers.get("content-length", "")
    if "100-continue" in headers.get("expect", "").lower():
        return
    if declared.isdigit() and int(declared) > DISCARD_LIMIT:
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while not reading.complete and reading.received <= DISCARD_LIMIT:
                await reading()


def _headers(scope: Scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }


async def _send(send: Send, response: Response, method: str, *, close: bool = False) -> None:
    headers = [
        (b"content-type", response.content_type.encode()),
        (b"content-length", str(len(response.body)).encode()),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers),
    ]
    if close:  # the rest of the body was never read: the connection cannot be reused
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    body = b"" if method == "HEAD" else response.body
    await send({"type": "http.response.body", "body": body})
