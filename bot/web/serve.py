"""Run an ASGI app under gunicorn (process manager) with :class:`AcrbotWorker` workers.

The options arrive as parameters (:class:`ServeOptions`), not from the
environment, so whatever builds the settings decides where they come from.
The app is built in each worker after the fork (no SQLite handles or
threads shared across processes).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.web.routes import BODY_TIMEOUT, MAX_BODY
from bot.web.worker import HEAD_TIMEOUT

log = logging.getLogger(__name__)

# After SIGTERM a worker stops taking requests and then waits for the diagnostics it is
# running (up to the longest check's deadline + 1 s for its last update), sends any
# "interrupted" notices (5 s), waits for the answers still queued (within what is left
# of the checks' window: they ran beside the checks), drains the alert queue (5 s),
# writes the questions it has queued (at most 2 s, usually milliseconds); 2 s spare
# before the kill.
SHUTDOWN_AFTER_LONGEST_CHECK = 15.0


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: where, how many processes and threads, and the slow-client deadlines."""

    host: str = "0.0.0.0"
    port: int = 3000
    workers: int = 1  # gunicorn worker processes ($WEB_CONCURRENCY)
    threads: int = 16  # per worker: requests handled at once ($GUNICORN_THREADS)
    log_level: str = "info"
    head_timeout: float = HEAD_TIMEOUT  # request line + headers, per request
    body_timeout: float = BODY_TIMEOUT  # the whole body
    keepalive: int = 5  # idle seconds between requests on one connection
    max_body: int = MAX_BODY
    longest_check: float = 20.0  # diagnostics.deadline_seconds: the drain on SIGTERM covers it

    @property
    def graceful_timeout(self) -> int:
        """Seconds gunicorn lets a worker drain after SIGTERM before killing it."""
        return graceful_timeout(self.longest_check)


def graceful_timeout(longest_check: float) -> int:
    """The drain that lets a diagnostic started just before SIGTERM finish (and say so).

    Kubernetes' ``terminationGracePeriodSeconds`` must cover the preStop sleep
    plus this (``tests/deploy`` checks the manifests).
    """
    return math.ceil(longest_check + SHUTDOWN_AFTER_LONGEST_CHECK)


class GunicornApp(BaseApplication):
    """Gunicorn embedded: ``acrbot serve`` is the master; ``build`` runs in each worker."""

    def __init__(self, build: Callable[[], Any], options: ServeOptions) -> None:
        self._build = build
        self.head_timeout = options.head_timeout  # read by AcrbotWorker
        self._options = {
            "bind": f"{options.host}:{options.port}",
            "workers": options.workers,
            "worker_class": "bot.web.worker.AcrbotWorker",
            "timeout": 30,  # a worker that stops answering the master is restarted
            "graceful_timeout": options.graceful_timeout,
            "keepalive": options.keepalive,
            "accesslog": None,
            "control_socket_disable": True,  # no admin socket in $HOME (a state volume)
            "errorlog": "-",
            "loglevel": options.log_level.lower(),
            # gunicorn's own lines in acrbot's format (ACRBOT_LOG_FORMAT), redacted and escaped
            "logger_class": "bot.gunicorn_logs.GunicornLogger",
            "child_exit": _worker_exited,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings:  # older gunicorn releases lack some settings
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self._build()


def _worker_exited(_arbiter: Any, worker: Any) -> None:
    """A worker is gone: its live gauges leave /metrics (prometheus multiprocess mode)."""
    from bot import metrics

    metrics.mark_process_dead(worker.pid)


def run(build: Callable[[], Any], options: ServeOptions) -> None:
    """Serve the ASGI app that ``build()`` returns until gunicorn is told to stop."""
    GunicornApp(build, options).run()
