"""Serving the app over HTTP for production: a small WSGI router under gunicorn.

``POST /slack/events`` takes every Slack request (events, commands,
interactivity); ``GET /healthz`` answers 200 for load balancers. Bolt's own
development server is never used.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot import logs, metrics
from bot.config import Settings, SlackCredentials
from bot.readiness import readiness

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # Slack's payloads are a few kB; anything larger is not from Slack

StartResponse = Callable[..., Any]


def router(
    app: App,
    signing_secret: str,
    health: Callable[[], dict[str, Any]],
    ready: Callable[[], tuple[int, dict[str, Any]]] | None = None,
) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(app, path="/slack/events")
    secret = signing_secret.encode()

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with logs.bound_request_id():
            return route(environ, start_response)

    def route(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            reply = _json(start_response, "200 OK", {"status": "ok", **health()})
            return [] if method == "HEAD" else reply
        if path == "/readyz" and method == "GET" and ready is not None:
            code, body = ready()
            return _json(start_response, f"{code} {'OK' if code == 200 else 'Not Ready'}", body)
        if path == "/metrics" and method == "GET":
            data, content_type = metrics.render()
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(data)))]
            )
            return [data]
        if path != "/slack/events":
            return _json(start_response, "404 Not Found", {"error": "not found"})
        if method != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "use POST"})
        if _length(environ) > MAX_BODY:
            return _json(start_response, "413 Payload Too Large", {"error": "body too large"})
        body = environ["wsgi.input"].read(_length(environ))
        environ["wsgi.input"] = io.BytesIO(body)
        # Bolt raises on bodies Slack never sends; refuse those here as the client's error.
        if not _utf8(body):
            return _json(start_response, "400 Bad Request", {"error": "body is not UTF-8"})
        if not well_formed(body, environ.get("CONTENT_TYPE")) and signed(secret, environ, body):
            return _json(start_response, "400 Bad Request", {"error": "malformed Slack payload"})
        return slack(environ, start_response)

    return wsgi


def signed(secret: bytes, environ: dict[str, Any], body: bytes) -> bool:
    """Slack's v0 signature over a fresh timestamp (Bolt checks it again before dispatch)."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 5 * 60:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def well_formed(body: bytes, content_type: str | None) -> bool:
    """Slack sends a JSON object, or a form whose ``payload`` (if any) is a JSON object."""
    try:
        text = body.decode("utf-8")
        if (content_type or "").startswith("application/json") or text.lstrip().startswith("{"):
            return isinstance(json.loads(text), dict)
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return bool(form)
    except ValueError:
        return False


def _length(environ: dict[str, Any]) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_BODY + 1


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


class _Gunicorn(BaseApplication):
    """Gunicorn embedded: the app is built in each worker (no SQLite or threads across fork)."""

    def __init__(
        self, build: Callable[[], Callable[..., Iterable[bytes]]], options: dict[str, Any]
    ):
        self._build = build
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings:  # older gunicorn releases lack some settings
                self.cfg.set(key, value)

    def load(self) -> Callable[..., Iterable[bytes]]:
        return self._build()


def serve_http(settings: Settings, credentials: SlackCredentials, host: str, port: int) -> None:
    from bot.slack.app import create_app

    def build() -> Callable[..., Iterable[bytes]]:
        app, services = create_app(settings, credentials)
        entries = lambda: {"entries": len(services.library.current.entries)}  # noqa: E731
        ready = lambda: readiness(lambda: services.library, lambda: services.claims)  # noqa: E731
        return router(app, credentials.signing_secret, entries, ready)

    metrics.setup_multiprocess()  # before the fork: workers inherit the folder

    options = {
        "bind": f"{host}:{port}",
        "workers": int(os.environ.get("WEB_CONCURRENCY", "1")),
        "worker_class": "gthread",
        "threads": int(os.environ.get("GUNICORN_THREADS", "16")),
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "control_socket_disable": True,  # no admin socket in $HOME (a state volume in the image)
        "errorlog": "-",
        "loglevel": os.environ.get("LOG_LEVEL", "info").lower(),
        "logger_class": "bot.gunicorn_logs.GunicornLogger",  # ACRBOT_LOG_FORMAT, redaction
        "child_exit": lambda _arbiter, worker: metrics.mark_process_dead(worker.pid),
    }
    log.info("acrbot serving Slack on http://%s:%s/slack/events", host, port)
    _Gunicorn(build, options).run()


def serve_socket(settings: Settings, credentials: SlackCredentials) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import create_app

    app, _services = create_app(settings, credentials, socket_mode=True)
    SocketModeHandler(app, credentials.app_token).start()
