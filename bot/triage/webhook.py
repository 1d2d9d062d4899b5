"""The alert webhooks' decisions, independent of the HTTP server that carries them.

``POST /alerts/azure-monitor`` and ``POST /alerts/alertmanager`` answer from
here: 404 while ``ACRBOT_ALERT_TOKEN`` is unset (the endpoints are off), 401
without the right token (``?token=`` for Azure Monitor action groups, which
can only set a URL; ``Authorization: Bearer`` for Alertmanager), 413 over
1 MB, 400 for malformed JSON, 422 with a one-line reason for a shape acrbot
does not read or an alert with nowhere to go. Accepted alerts are handed to
``dispatch`` (the shared work queue; Slack is posted to after the answer) and
the answer is 200, within a second: Azure Monitor gives up after about 10 s
and retries. While the shared store cannot record them the answer is 503
with ``Retry-After``: a 200 promises the alert will be shown.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from bot.storage.base import StorageUnavailable
from bot.triage.model import Alert
from bot.triage.readers import UnknownShape, read_alertmanager, read_azure_monitor
from bot.triage.routing import Route, choose_channel

MAX_BODY = 1024 * 1024
SOURCES: dict[str, Callable[[Any], list[Alert]]] = {
    "azure-monitor": read_azure_monitor,
    "alertmanager": read_alertmanager,
}
log = logging.getLogger(__name__)


class QueueFull(Exception):
    """The dispatcher cannot take more alerts now; the sender should retry later."""


@dataclass(frozen=True)
class WebhookReply:
    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = field(default=())


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def presented_token(query: str, headers: Mapping[str, str]) -> str | None:
    """The token the sender presented: ``?token=`` or ``Authorization: Bearer``."""
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    values = parse_qs(query or "", keep_blank_values=True).get("token")
    return values[-1] if values else None


class AlertIntake:
    """Authenticates, parses, routes and queues one webhook delivery."""

    def __init__(
        self,
        token: str | None,
        dispatch: Callable[[list[tuple[Alert, str]]], None],
        *,
        routes: Sequence[Route] = (),
        default_channel: str | None = None,
        max_body: int = MAX_BODY,
    ) -> None:
        self._token = _digest(token) if token else None
        self._dispatch = dispatch
        self._routes = routes
        self._default = default_channel
        self._max_body = max_body

    @property
    def enabled(self) -> bool:
        return self._token is not None

    def handle(
        self, source: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> WebhookReply:
        if self._token is None or source not in SOURCES:
            return WebhookReply(404, {"error": "not found"})
        presented = presented_token(query, headers)
        # Compare digests: constant time, whatever the lengths.
        if presented is None or not hmac.compare_digest(_digest(presented), self._token):
            return WebhookReply(
                401,
                {"error": "missing or wrong token (use ?token=… or Authorization: Bearer …)"},
                (("WWW-Authenticate", 'Bearer realm="acrbot alerts"'),),
            )
        if len(body) > self._max_body:
            return WebhookReply(413, {"error": "body larger than 1 MB"})
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return WebhookReply(400, {"error": "the body is not valid JSON"})
        try:
            alerts = SOURCES[source](payload)
        except UnknownShape as exc:
            return WebhookReply(422, {"error": str(exc)})
        routed: list[tuple[Alert, str]] = []
        for alert in alerts:
            channel = choose_channel(alert, self._routes, self._default)
            if channel is None:
                log.warning(
                    "alert webhook refused: no route matches %s alert %r and "
                    "alerts.default_channel is not set",
                    source,
                    (alert.rule or "")[:80],
                )
                return WebhookReply(
                    422,
                    {"error": "no alerts.routes entry matches and alerts.default_channel is unset"},
                )
            routed.append((alert, channel))
        try:
            self._dispatch(routed)
        except QueueFull:
            return WebhookReply(503, {"error": "busy: retry later"}, (("Retry-After", "30"),))
        except StorageUnavailable:
            log.warning("alert webhook answered 503: the shared store cannot record the delivery")
            return WebhookReply(
                503,
                {"error": "cannot record the alert right now: retry later"},
                (("Retry-After", "10"),),
            )
        return WebhookReply(200, {"accepted": len(routed)})
