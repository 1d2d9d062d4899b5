"""Diagnostics running in this process, so that a restart does not leave them "running".

On SIGTERM gunicorn lets a worker drain for ``graceful_timeout`` seconds
(sized to cover the longest check, :func:`bot.web.serve.graceful_timeout`),
then kills it. A check that started just before the signal normally
finishes inside that drain; :meth:`RunningChecks.drain` waits for it, and
any check still running when the drain's own budget is spent has its
message replaced with "interrupted by a restart; run it again" before the
kill, instead of showing its last progress line for ever. Only the
``respond`` of each check is kept (its ``response_url``), nothing of Azure.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.slack.diagnostics_blocks import interrupted_message

log = logging.getLogger(__name__)
NOTICE_SECONDS = 5.0  # the interrupted notices, sent together, are waited for this long


@dataclass(eq=False)
class _Run:
    check: str
    registry: str
    respond: Callable[..., Any]
    done: threading.Event = field(default_factory=threading.Event)


class RunningChecks:
    """The checks this process is running right now, and what to tell Slack if cut short."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: set[_Run] = set()

    @contextmanager
    def running(self, check: str, registry: str, respond: Callable[..., Any]) -> Iterator[None]:
        """Around one confirmed check: it counts as running until the block exits."""
        run = _Run(check, registry, respond)
        with self._lock:
            self._runs.add(run)
        try:
            yield
        finally:
            run.done.set()
            with self._lock:
                self._runs.discard(run)

    def count(self) -> int:
        with self._lock:
            return len(self._runs)

    def drain(self, budget: float) -> int:
        """Wait up to ``budget`` seconds for the running checks; mark the rest interrupted.

        Returns how many were interrupted. Their threads go on (the kill ends them).
        """
        deadline = time.monotonic() + budget
        with self._lock:
            runs = list(self._runs)
        for run in runs:
            run.done.wait(max(0.0, deadline - time.monotonic()))
        left = [run for run in runs if not run.done.is_set()]
        notices = [
            threading.Thread(target=_tell, args=(run,), name="acrbot-interrupted", daemon=True)
            for run in left
        ]
        for notice in notices:
            notice.start()
        notice_deadline = time.monotonic() + NOTICE_SECONDS
        for notice in notices:
            notice.join(max(0.0, notice_deadline - time.monotonic()))
        if left:
            log.warning("shutting down: %d diagnostic(s) interrupted by the restart", len(left))
        return len(left)


def _tell(run: _Run) -> None:
    message = interrupted_message(run.check, run.registry)
    try:
        run.respond(replace_original=True, **message.as_kwargs())
    except Exception as exc:  # the process is going away: a line, not a traceback
        log.warning("could not mark a diagnostic interrupted: %s", type(exc).__name__)


RUNNING = RunningChecks()  # this worker process's checks
