"""The gunicorn worker: uvicorn's event loop, plus a deadline for each request head.

An event loop holds a stalled connection for the price of a file descriptor,
so 200 clients that send half a request line and stop cannot take the
threads that answer Slack (gunicorn's gthread worker gave each of them a
thread, and froze at 16). Uvicorn closes idle keep-alive connections but
waits forever for the first request line; :class:`HeadDeadlineProtocol`
closes any connection whose next request line and headers have not all
arrived ``head_timeout`` seconds after it opened or after its last
response. Bodies get their own deadline in ``bot/web/routes.py``.

Requests are parsed by httptools (C, what ``uvicorn[standard]`` uses) when
it is installed, else by h11 (pure Python: about 0.1 ms more per request,
a tenth of an ``/acr ask`` ack); the deadline is the same on either.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Parser
except ImportError:  # httptools not installed: uvicorn's own fallback
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Parser  # type: ignore[assignment]

HEAD_TIMEOUT = 5.0


class HeadDeadlineProtocol(_Parser):
    """uvicorn's HTTP protocol with a deadline on each request's line and headers."""

    head_timeout: float = HEAD_TIMEOUT
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        super().connection_lost(exc)

    def _arm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_deadline_passed)

    def _head_deadline_passed(self) -> None:
        self._head_deadline = None
        handling = self.cycle is not None and not self.cycle.response_complete
        if not handling and not self.transport.is_closing():
            self.transport.close()  # no request being answered: idle, or a head still trickling


class AcrbotWorker(UvicornWorker):
    """Gunicorn's process management, uvicorn's loop, our head deadline.

    The deadline comes from the gunicorn application object
    (``bot.web.serve.GunicornApp.head_timeout``); gunicorn's ``keepalive``
    stays uvicorn's idle timeout between requests.
    """

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "asyncio", "http": HeadDeadlineProtocol}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        timeout = float(getattr(self.app, "head_timeout", HEAD_TIMEOUT))
        self.config.http = type(
            "HeadDeadlineProtocol", (HeadDeadlineProtocol,), {"head_timeout": timeout}
        )
