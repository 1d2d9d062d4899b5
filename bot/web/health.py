"""``/healthz``, ``/readyz`` and ``/metrics``: what load balancers and Prometheus ask.

``/healthz`` answers from the event loop, so it answers even while every
request thread is busy (a liveness probe must not fail because acrbot is
working). ``/readyz`` asks the shared store and ``/metrics`` reads the
workers' files, so both run in the pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import metrics
from bot.web.routes import Request, Response, Router

Health = Callable[[], dict[str, Any]]
Ready = Callable[[], tuple[int, dict[str, Any]]]


def add_health_routes(router: Router, health: Health, ready: Ready | None = None) -> None:
    router.add("GET", "/healthz", health_check(health))
    if ready is not None:
        router.add("GET", "/readyz", readiness_check(ready))
    router.add("GET", "/metrics", metrics_text)


def health_check(health: Health) -> Callable[[Request], Any]:
    async def healthz(request: Request) -> Response:
        return Response.json(200, {"status": "ok", **health()})

    return healthz


def readiness_check(ready: Ready) -> Callable[[Request], Response]:
    def readyz(request: Request) -> Response:  # blocking (asks Redis): runs in the pool
        code, body = ready()
        return Response.json(code, body)

    return readyz


def metrics_text(request: Request) -> Response:
    """Prometheus text, summed over gunicorn's workers."""
    data, content_type = metrics.render()
    return Response(200, data, content_type)
