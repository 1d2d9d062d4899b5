"""Bolt middleware that hands every listener the process's :class:`~bot.services.Services`.

Listeners are module-level functions; they find their services in Bolt's
context (``context["services"]``) instead of closing over them, so each can
be unit-tested with a plain dict for a context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.services import Services

SERVICES = "services"


def provide_services(services: Services) -> Callable[..., Any]:
    def middleware(context: BoltContext, next: Callable[[], Any]) -> Any:
        context[SERVICES] = services
        return next()

    return middleware


def services_of(context: BoltContext | dict[str, Any]) -> Services:
    """The services the middleware put in ``context``."""
    return context[SERVICES]
