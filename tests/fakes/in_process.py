"""The app ``acrbot serve`` serves, built and driven in this process (no gunicorn, no socket).

:func:`build_served_app` is the one place the tests build the served ASGI
app: ``bot.web.app.build_worker``, what ``acrbot serve`` runs in each
worker (the services, the Bolt app on them, the router with health,
readiness, metrics, Slack's endpoint and the alert webhooks). If production
moves that construction, this is the line to change.

:class:`AsgiClient` is a plain, synchronous ``httpx.Client`` whose transport
hands each request to the router on an event loop thread of its own, as
uvicorn would: async handlers run on that loop, blocking ones in the
router's pool (or on the loop, for the acks the router answers there),
and lifespan start-up and shut-down run on open and close.
What only a real server shows (slow clients on sockets, gunicorn's
processes, start-up, signals) is left to ``tests/fakes/acrbot_process.py``.

:func:`start_in_process` is ``acrbot_process.start_bot`` in process: the
same config, environment and fakes, and the server log in a file, written
through acrbot's own log handler setup (masking, escaping).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot import logs
from bot.config import Settings, SlackCredentials, load_settings
from bot.services import Services
from bot.web.app import Worker
from bot.web.routes import Router
from tests.fakes.acrbot_process import (
    AZURE_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    write_config,
)
from tests.fakes.azure_api import FakeAzure
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import post as signed_post

BASE_URL = "http://acrbot.test"


def build_served_app(settings: Settings, credentials: SlackCredentials | None = None) -> Worker:
    """The router ``acrbot serve`` builds in each worker, with the objects behind it."""
    from bot.cli.serve import serve_options
    from bot.web.app import build_worker

    return build_worker(settings, credentials, serve_options(settings.serve))


class _LoopTransport(httpx.BaseTransport):
    """A sync transport that runs ``httpx.ASGITransport`` on a background event loop."""

    def __init__(self, router: Router, loop: asyncio.AbstractEventLoop) -> None:
        self._asgi = httpx.ASGITransport(app=router, client=("127.0.0.1", 50000))
        self._loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeout = (request.extensions.get("timeout") or {}).get("read") or 30.0
        body = request.read()

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            sent = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._asgi.handle_async_request(sent)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        future = asyncio.run_coroutine_threadsafe(call(), self._loop)
        try:
            status, headers, content = future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("no answer in time", request=request) from None
        return httpx.Response(status, headers=headers, content=content, request=request)


class AsgiClient(httpx.Client):
    """``httpx.Client`` over the router, with the app's lifespan around it."""

    def __init__(self, router: Router) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._lifespan: asyncio.Queue[dict[str, Any]] | None = None
        self._router = router
        self._run(self._start_lifespan())
        super().__init__(transport=_LoopTransport(router, self._loop), base_url=BASE_URL)

    def _run(self, coroutine: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start_lifespan(self) -> None:
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._lifespan = inbox
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        self._lifespan_task = asyncio.ensure_future(
            self._router(scope, inbox.get, self._outbox.put)
        )
        await inbox.put({"type": "lifespan.startup"})
        assert (await self._outbox.get())["type"] == "lifespan.startup.complete"

    async def _stop_lifespan(self) -> None:
        assert self._lifespan is not None
        await self._lifespan.put({"type": "lifespan.shutdown"})
        await self._outbox.get()
        await self._lifespan_task

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        super().close()
        if self._thread.is_alive():
            try:
                self._run(self._stop_lifespan(), timeout=15)
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(5)


def _not_the_test_client(record: logging.LogRecord) -> bool:
    """httpx logs each request at INFO: the tests' own requests to the app are not the app's."""
    return not (record.name == "httpx" and BASE_URL in str(record.args))


@contextmanager
def server_log(path: Path, level: str = "INFO", fmt: str | None = None) -> Iterator[Path]:
    """Write every log line of this process to ``path``, as ``acrbot serve`` writes them."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(_not_the_test_client)
    logs.secure(handler, fmt)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(min(previous or logging.WARNING, logging.getLevelName(level.upper())))
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        handler.close()


@dataclass
class InProcessBot:
    """``start_bot``'s served acrbot, in process: same config, environment and fakes."""

    served: Worker
    http: AsgiClient
    slack: FakeSlack
    azure: FakeAzure | None
    state: Path
    log: Path
    settings: Settings
    url: str = BASE_URL

    def post(self, body: bytes, **kwargs: Any) -> httpx.Response:
        """A request to ``/slack/events``, signed as Slack signs it."""
        return signed_post(
            "/slack/events", body, signing_secret=SIGNING_SECRET, client=self.http, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    @property
    def services(self) -> Services:
        return self.served.services


def bot_env(tmp: Path, slack: FakeSlack, config: Path, **extra_env: str) -> dict[str, str]:
    """The environment ``start_bot`` gives ``acrbot serve`` (PORT aside)."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.base_url,
        "ACRBOT_CONFIG": str(config),
        "ACRBOT_STATE_DIR": str(tmp / "state"),
        "ACRBOT_AZURE_TOKEN": AZURE_TOKEN,
        **extra_env,
    }
    env.pop("SLACK_APP_TOKEN", None)
    return env


@contextmanager
def start_in_process(
    tmp: Path,
    slack: FakeSlack,
    azure: FakeAzure,
    *,
    configure: Callable[[Path], None] | None = None,
    **extra_env: str,
) -> Iterator[InProcessBot]:
    """The served app for ``start_bot``'s config; ``configure`` may edit the YAML first."""
    config = tmp / "acrbot.yaml"
    write_config(config, azure)
    if configure is not None:
        configure(config)
    env = bot_env(tmp, slack, config, **extra_env)
    settings = load_settings(env["ACRBOT_CONFIG"], env=env)
    log = tmp / "server.log"
    with server_log(log, settings.serve.log_level, settings.serve.log_format):
        served = build_served_app(settings)
        client = AsgiClient(served.router)
        try:
            yield InProcessBot(served, client, slack, azure, tmp / "state", log, settings)
        finally:
            client.close()
