"""Bolt middleware that hands every listener the process's :class:`~bot.services.Services`.

Listeners are module-level functions; they find their services in Bolt's
context (``context["services"]``) instead of closing over them, so each can
be unit-tested with a plain dict for a context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.services import Services

SERVICES = "services"
Step = Callable[[dict[str, Any], BoltContext, Callable[[], BoltResponse]], BoltResponse]


class Plain(Middleware):
    """A middleware that is a plain function of (body, context, next).

    Bolt inspects a function middleware's signature on every request to
    inject its arguments (about 13 µs each, four times an ack); a
    :class:`~slack_bolt.middleware.Middleware` is called as it is.
    """

    def __init__(self, step: Step) -> None:
        self._step = step

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        return self._step(req.body, req.context, next)

    @property
    def name(self) -> str:
        return f"{self._step.__module__}.{self._step.__qualname__}"


def provide_services(services: Services) -> Middleware:
    def middleware(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
        context[SERVICES] = services
        return next()

    return Plain(middleware)


def services_of(context: BoltContext | dict[str, Any]) -> Services:
    """The services the middleware put in ``context``."""
    return context[SERVICES]
