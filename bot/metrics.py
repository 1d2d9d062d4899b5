"""Prometheus metrics, safe under gunicorn's worker processes.

Every worker counts in its own process; ``GET /metrics`` may land on any of
them, so under ``acrbot serve`` the counts go through prometheus-client's
multiprocess mode: each process writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` and the endpoint sums them. ``serve`` creates a
temporary folder when the variable is unset (:func:`setup_multiprocess`).

prometheus-client decides between in-memory and file-backed values when it
is imported, so the metrics here are built lazily, on first use, after
``serve`` had the chance to set the folder. Label values are closed lists
(sources, check names, Slack methods, outcomes): never user text.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SEARCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

_lock = threading.Lock()
_metrics: SimpleNamespace | None = None


def setup_multiprocess(env: dict[str, str] | None = None) -> Path:
    """Use (and empty) ``$PROMETHEUS_MULTIPROC_DIR``, or create a temporary folder for it.

    Call in the gunicorn master before workers fork; they inherit the variable.
    Files of an earlier run are removed, as prometheus-client requires.
    """
    env = os.environ if env is None else env
    configured = env.get(ENV, "").strip()
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink(missing_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="acrbot-metrics-"))
        env[ENV] = str(folder)
        atexit.register(shutil.rmtree, folder, True)  # ours: gone when the master exits
    _use_current_mode()
    return folder


def mark_process_dead(pid: int) -> None:
    """A worker exited: drop its live gauges (gunicorn's ``child_exit`` hook)."""
    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def render() -> tuple[bytes, str]:
    """The exposition text for ``GET /metrics`` and its content type."""
    from prometheus_client import CollectorRegistry, generate_latest

    get()  # every metric exists (with zero samples) even before its first use
    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE
    return generate_latest(_registry()), CONTENT_TYPE


def get() -> SimpleNamespace:
    """The metrics, created on first use."""
    global _metrics
    if _metrics is None:
        with _lock:
            if _metrics is None:
                _metrics = _build()
    return _metrics


# --- one-line helpers for the places that count --------------------------------


def question(source: str, answered: bool) -> None:
    """A question was handled; ``source`` is mention, dm or command."""
    get().questions.labels(source, "answered" if answered else "unanswered").inc()


def search_seconds(seconds: float) -> None:
    get().search.observe(seconds)


def slack_call(method: str, outcome: str) -> None:
    """One Slack Web API call ended: ``outcome`` is ok, an error code class, or failed."""
    get().slack_calls.labels(method, outcome).inc()


def slack_retry(method: str, reason: str) -> None:
    """The client retried a Slack call (``reason``: ratelimited, server_error, connection)."""
    get().slack_retries.labels(method, reason).inc()


def diagnostic(check: str, outcome: str) -> None:
    get().diagnostics.labels(check, outcome).inc()


def refusal(reason: str) -> None:
    get().refusals.labels(reason).inc()


def unauthorized(endpoint: str) -> None:
    """A request refused for its credentials (``endpoint``: slack, azure-monitor, alertmanager)."""
    get().unauthorized.labels(endpoint).inc()


def alert_triaged(source: str, state: str) -> None:
    """An alert was triaged for Slack (a webhook delivery, a watched channel, ``/acr triage``).

    ``source``: azure-monitor, alertmanager or text; ``state``: fired or resolved.
    """
    get().alerts.labels(str(source), str(state)).inc()


def alert_undelivered(source: str, outcome: str) -> None:
    """An alert attempt failed to reach Slack: ``outcome`` retried or gave_up."""
    get().alerts_undelivered.labels(source, outcome).inc()


def alerts_left_out(source: str, count: int) -> None:
    """Alerts of a delivery acrbot did not read (a group past its limit, or truncated)."""
    get().alerts_left_out.labels(source).inc(count)


def alerts_folded(count: int = 1) -> None:
    """Alerts folded into a channel's digest because its posting budget was spent."""
    get().alerts_folded.inc(count)


def watched_skipped(reason: str) -> None:
    """A watched channel's message not replied to: echo, per_source or channel_budget."""
    get().watched_skipped.labels(reason).inc()


def knowledge_reload(ok: bool) -> None:
    get().reloads.labels("ok" if ok else "failed").inc()


def undelivered_reply(kind: str) -> None:
    """An answer or result could not be posted to Slack after its retries."""
    get().undelivered.labels(kind).inc()


def help_channel(outcome: str) -> None:
    """A top-level message in a help channel: answered, or why not (not-a-question, …)."""
    get().help_channel.labels(outcome).inc()


def ask_reaction(outcome: str) -> None:
    """The ask emoji on a message: answered, unknown, already-answered, not-allowed, repeated …"""
    get().ask_reactions.labels(outcome).inc()


def unanswered_question(surface: str, reason: str) -> None:
    """A question acrbot saw and left to people (help channel, reaction, follow-up)."""
    get().unanswered.labels(surface, reason).inc()


def handoff(event: str, open_now: int | None = None) -> None:
    """A hand-off was opened, reminded or resolved; ``open_now`` sets the open gauge."""
    get().handoffs.labels(event).inc()
    if open_now is not None:
        handoffs_open(open_now)


def handoffs_open(count: int) -> None:
    """How many hand-offs are open (every replica's reminder loop refreshes it)."""
    get().handoffs_open.set(count)


def redis_up(up: bool) -> None:
    get().redis_up.set(1 if up else 0)


def storage_fallback() -> None:
    """A de-duplication claim was made in-process because the shared store was down."""
    get().fallback.inc()


# --- construction ---------------------------------------------------------------

_own_registry: Any = None


def _registry() -> Any:
    global _own_registry
    if _own_registry is None:
        from prometheus_client import CollectorRegistry

        _own_registry = CollectorRegistry()
    return _own_registry


def _use_current_mode() -> None:
    """Re-read the multiprocess setting in case prometheus-client was imported before it was set."""
    global _metrics, _own_registry
    from prometheus_client import values

    values.ValueClass = values.get_value_class()
    with _lock:
        _metrics = None
        _own_registry = None  # the metrics are built again, in a registry of their own


def _build() -> SimpleNamespace:
    from prometheus_client import Counter, Gauge, Histogram

    registry = _registry()
    return SimpleNamespace(
        questions=Counter(
            "acrbot_questions",
            "Questions handled, by where they came from and whether they were answered.",
            ["source", "outcome"],
            registry=registry,
        ),
        search=Histogram(
            "acrbot_search_seconds",
            "Time to search the knowledge base for one question.",
            buckets=SEARCH_BUCKETS,
            registry=registry,
        ),
        slack_calls=Counter(
            "acrbot_slack_api_calls",
            "Slack Web API calls, by method and outcome.",
            ["method", "outcome"],
            registry=registry,
        ),
        slack_retries=Counter(
            "acrbot_slack_api_retries",
            "Slack Web API attempts that failed (429, 5xx, connection), retried or not.",
            ["method", "reason"],
            registry=registry,
        ),
        diagnostics=Counter(
            "acrbot_diagnostics",
            "Diagnostics run or refused, by check and outcome.",
            ["check", "outcome"],
            registry=registry,
        ),
        refusals=Counter(
            "acrbot_refusals",
            "Requests refused, by reason (rate-limited, access-denied, unavailable, ...).",
            ["reason"],
            registry=registry,
        ),
        unauthorized=Counter(
            "acrbot_unauthorized_requests",
            "Requests refused for a missing or wrong credential (Slack signature, alert "
            "token), by endpoint.",
            ["endpoint"],
            registry=registry,
        ),
        alerts=Counter(
            "acrbot_alerts_triaged",
            "Alerts triaged, by source and resulting state.",
            ["source", "state"],
            registry=registry,
        ),
        alerts_undelivered=Counter(
            "acrbot_alerts_undelivered",
            "Alert attempts that did not reach Slack, by source and outcome (retried, gave_up).",
            ["source", "outcome"],
            registry=registry,
        ),
        alerts_left_out=Counter(
            "acrbot_alerts_left_out",
            "Alerts of a delivery not read: past the group limit or truncated by the sender.",
            ["source"],
            registry=registry,
        ),
        alerts_folded=Counter(
            "acrbot_alerts_folded",
            "Alerts folded into a channel digest because the channel's posting budget was spent.",
            registry=registry,
        ),
        watched_skipped=Counter(
            "acrbot_watched_messages_skipped",
            "Watched-channel messages not replied to, by reason (echo, per_source, "
            "channel_budget).",
            ["reason"],
            registry=registry,
        ),
        reloads=Counter(
            "acrbot_knowledge_reloads",
            "Knowledge base reloads, by outcome (ok or failed).",
            ["outcome"],
            registry=registry,
        ),
        undelivered=Counter(
            "acrbot_undelivered_replies",
            "Replies that could not be posted to Slack after retries, by kind.",
            ["kind"],
            registry=registry,
        ),
        fallback=Counter(
            "acrbot_dedupe_fallback_claims",
            "De-duplication claims made in-process because the shared store was down.",
            registry=registry,
        ),
        help_channel=Counter(
            "acrbot_help_channel_messages",
            "Top-level messages read in help channels, by outcome (answered or why not).",
            ["outcome"],
            registry=registry,
        ),
        ask_reactions=Counter(
            "acrbot_ask_reactions",
            "Messages asked about with the ask emoji, by outcome.",
            ["outcome"],
            registry=registry,
        ),
        unanswered=Counter(
            "acrbot_unanswered_questions",
            "Questions acrbot saw and did not answer, by surface and reason.",
            ["surface", "reason"],
            registry=registry,
        ),
        handoffs=Counter(
            "acrbot_handoffs",
            "Hand-offs to people, by event (opened, reminded, resolved).",
            ["event"],
            registry=registry,
        ),
        handoffs_open=Gauge(
            "acrbot_handoffs_open",
            "Hand-offs still open (as last counted by any worker).",
            registry=registry,
            multiprocess_mode="livemostrecent",
        ),
        redis_up=Gauge(
            "acrbot_redis_up",
            "1 while acrbot can write to Redis, 0 while it is unreachable or refuses writes "
            "(absent without REDIS_URL).",
            registry=registry,
            multiprocess_mode="livemostrecent",
        ),
    )


def slack_failure_recorder() -> Any:
    """A slack_sdk retry handler that retries nothing but counts each failed attempt.

    Put it first in a WebClient's ``retry_handlers``: Bolt copies the handlers
    onto every per-request client, so every failed Slack call (429, 5xx, a
    dropped connection) is counted by method and reason before the real
    handlers decide whether to retry it.
    """
    from slack_sdk.http_retry.handler import RetryHandler

    class SlackFailureRecorder(RetryHandler):
        def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None):
            method = str(getattr(request, "url", "")).rstrip("/").rsplit("/", 1)[-1] or "unknown"
            if response is not None and response.status_code == 429:
                reason = "ratelimited"
            elif response is not None and response.status_code >= 500:
                reason = "server_error"
            elif error is not None:
                reason = "connection"
            else:
                return False
            slack_retry(method if method.replace(".", "").isalnum() else "unknown", reason)
            return False

    return SlackFailureRecorder()


_metered_class: Any = None


def metered(client: Any) -> Any:
    """A slack_sdk ``WebClient`` that counts each call by method and outcome: ``client`` itself.

    Outcomes: ``ok``; ``error`` (Slack answered ``ok: false``); ``failed`` (no
    usable answer after the retries: 5xx, 429, timeout, connection). Bolt builds
    a plain client per request, and a middleware makes it a metered one: the
    subclass only wraps ``api_call`` and adds no state, so the client's class
    is swapped in place (a copy was a second client per request, ~10 µs of
    every ack). A client of another class (a subclass of WebClient's with state
    of its own) is copied, with its settings and retry handlers.
    """
    global _metered_class
    if _metered_class is None:
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError

        class MeteredWebClient(WebClient):
            def api_call(self, api_method: str, **kwargs: Any) -> Any:
                try:
                    response = super().api_call(api_method, **kwargs)
                except SlackApiError:
                    slack_call(api_method, "error")
                    raise
                except Exception:
                    slack_call(api_method, "failed")
                    raise
                slack_call(api_method, "ok")
                return response

        _metered_class = MeteredWebClient
    if isinstance(client, _metered_class):
        return client
    if type(client) is _metered_class.__base__:  # a plain WebClient: the same layout
        client.__class__ = _metered_class
        return client
    return _metered_class(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        team_id=(client.default_params or {}).get("team_id"),
        logger=client.logger,
        retry_handlers=list(client.retry_handlers or []),
    )
