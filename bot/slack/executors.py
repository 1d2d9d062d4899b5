"""Where Bolt's lazy listeners run: answers and diagnostics on separate, sized pools.

Bolt runs every lazy listener on one pool of five threads, so five DMs whose
``chat.postMessage`` hangs, or five slow checks, made everyone else wait.
Here answers (questions, buttons) and diagnostics (requests that may call
Azure, confirmed checks) each get their own pool; the diagnostics pool is
sized from ``diagnostics.max_concurrent`` so every check the limiter admits
has a thread, with headroom to refuse the next ones at once. Every Slack call
a listener makes is bounded (``bot/slack/client.py``, :class:`BoundedRespond`),
and a reply that cannot be delivered ends in :func:`bot.slack.delivery.undelivered`.

A listener opts into the diagnostics pool with ``@diagnostic``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import App
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.lazy_listener.runner import LazyListenerRunner
from slack_bolt.request import BoltRequest
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk import WebClient

from bot.logs import ContextExecutor
from bot.slack.delivery import BoundedRespond, Undelivered, undelivered

log = logging.getLogger(__name__)

ANSWER_THREADS = 32  # answers are ~1 ms of search and one Slack call bounded to seconds
DIAGNOSTIC_HEADROOM = 4  # beyond max_concurrent: requests, and refusing the next click at once
F = TypeVar("F", bound=Callable[..., Any])


def diagnostic(listener: F) -> F:
    """Mark a lazy listener as diagnostics work (Azure calls, checks): it runs on that pool."""
    listener.acrbot_pool = "diagnostics"  # type: ignore[attr-defined]
    return listener


@dataclass
class LazyPools:
    answers: ContextExecutor
    diagnostics: ContextExecutor

    @classmethod
    def sized(cls, max_concurrent: int, answer_threads: int = ANSWER_THREADS) -> LazyPools:
        """Pools for ``max_concurrent`` checks: the diagnostics pool can always run them all."""
        if max_concurrent < 1 or answer_threads < 1:
            raise ValueError("pools need at least one thread")
        return cls(
            # ContextExecutor: a job keeps the request id of the request that queued it.
            answers=ContextExecutor(answer_threads, "acrbot-answer"),
            diagnostics=ContextExecutor(max_concurrent + DIAGNOSTIC_HEADROOM, "acrbot-diagnostic"),
        )

    def install(
        self, app: App, client: WebClient, on_undelivered: Undelivered = undelivered
    ) -> None:
        """Route ``app``'s lazy listeners to these pools (as Bolt's Lambda adapter swaps it)."""
        runner = PooledLazyListenerRunner(app.logger, self, client, on_undelivered)
        app.listener_runner.lazy_listener_runner = runner

    def shutdown(self) -> None:
        self.answers.shutdown(wait=False, cancel_futures=True)
        self.diagnostics.shutdown(wait=False, cancel_futures=True)

    def wait_for_answers(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the answers already handed over; whether all ended.

        A shutdown waits here before it writes the question log: an answer
        still queued records its question after that write, and was lost.
        """
        return self.answers.wait_idle(timeout)


def pools_of(app: App) -> LazyPools | None:
    """The pools :meth:`LazyPools.install` put behind ``app``'s lazy listeners, if any."""
    runner = app.listener_runner.lazy_listener_runner
    return runner.pools if isinstance(runner, PooledLazyListenerRunner) else None


class PooledLazyListenerRunner(LazyListenerRunner):
    """Runs each lazy listener on its pool, with bounded ``respond`` and a delivery fallback."""

    def __init__(
        self,
        logger: logging.Logger,
        pools: LazyPools,
        client: WebClient,
        on_undelivered: Undelivered,
    ) -> None:
        self.logger = logger
        self.pools = pools
        self.client = client
        self.on_undelivered = on_undelivered

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        pool = self.pools.diagnostics if _pool_of(function) == "diagnostics" else self.pools.answers
        pool.submit(self._run, function, request)

    def _run(self, function: Callable[..., None], request: BoltRequest) -> None:
        context = request.context
        respond = BoundedRespond(context.response_url)
        context["respond"] = respond
        try:
            function(
                **build_required_kwargs(
                    logger=self.logger,
                    required_arg_names=get_arg_names_of_callable(function),
                    request=request,
                    response=None,
                    this_func=function,
                )
            )
        except Exception as exc:
            self.on_undelivered(self.client, context, function.__name__, exc, respond)
            return
        if respond.failure is not None:
            self.on_undelivered(self.client, context, function.__name__, respond.failure, None)


def _pool_of(function: Callable[..., Any]) -> str:
    return getattr(function, "acrbot_pool", "answers")
