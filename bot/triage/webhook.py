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
with ``Retry-After``: a 200 promises the alert will be shown (as long as
the store keeps what it committed: on one host's SQLite, a power cut may
take the last moment's commits, see ``bot/storage/sqlite.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from bot import json_input, metrics
from bot.storage.base import StorageUnavailable
from bot.triage.model import Alert
from bot.triage.readers import UnknownShape, read_alertmanager, read_azure_monitor
from bot.triage.readers.alertmanager import MAX_ALERTS, group_name, left_out
from bot.triage.routing import Route, choose_channel

MAX_BODY = 1024 * 1024
# An Alertmanager group of 3,000 alerts is about 1.3 MB: its endpoint takes up to 4 MB.
MAX_BODIES = {"azure-monitor": MAX_BODY, "alertmanager": 4 * MAX_BODY}
SOURCES: dict[str, Callable[[Any], list[Alert]]] = {
    "azure-monitor": read_azure_monitor,
    "alertmanager": read_alertmanager,
}


@dataclass(frozen=True)
class LeftOut:
    """Alerts of one delivery acrbot did not read, to be said in Slack and counted."""

    channel: str
    source: str
    group: str
    past_limit: int  # beyond the members acrbot reads from one delivery
    truncated: int  # dropped by the sender before sending (Alertmanager's truncatedAlerts)
    limit: int = MAX_ALERTS

    @property
    def total(self) -> int:
        return self.past_limit + self.truncated


log = logging.getLogger(__name__)


class QueueFull(Exception):
    """The dispatcher cannot take more alerts now; the sender should retry later."""


@dataclass(frozen=True)
class WebhookReply:
    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class Checked:
    """A delivery that passed every check: its alerts, each with its channel, to be queued."""

    routed: list[tuple[Alert, str]]
    missing: LeftOut | None = None

    def reply(self) -> WebhookReply:
        """The 200, once the alerts are in the shared queue."""
        body: dict[str, Any] = {"accepted": len(self.routed)}
        if self.missing is not None:
            body["left_out"] = self.missing.total
        return WebhookReply(200, body)


def _not_recorded(exc: Exception) -> WebhookReply:
    """The 503 while the alerts cannot be queued: the sender retries, nothing is lost."""
    if isinstance(exc, QueueFull):
        return WebhookReply(503, {"error": "busy: retry later"}, (("Retry-After", "30"),))
    log.warning("alert webhook answered 503: the shared store cannot record the delivery")
    return WebhookReply(
        503, {"error": "cannot record the alert right now: retry later"}, (("Retry-After", "10"),)
    )


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def presented_tokens(query: str, headers: Mapping[str, str]) -> list[str]:
    """The tokens the sender presented: ``Authorization: Bearer`` and ``?token=``.

    Either may be ours. Azure Monitor's secure webhook always sends an Entra ID
    Bearer token of its own, and a gateway in front may add one, so a Bearer
    header must not hide the ``?token=`` the webhook's URL carries.
    """
    found = []
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        found.append(credentials.strip())
    values = parse_qs(query or "", keep_blank_values=True).get("token")
    if values:
        found.append(values[-1])
    return found


class AlertIntake:
    """Authenticates, parses, routes and queues one webhook delivery."""

    def __init__(
        self,
        token: str | None,
        dispatch: Callable[[list[tuple[Alert, str]]], None],
        *,
        routes: Sequence[Route] = (),
        default_channel: str | None = None,
        max_body: int | None = None,
        note_left_out: Callable[[LeftOut], None] | None = None,
        dispatch_async: Callable[[list[tuple[Alert, str]]], Awaitable[None]] | None = None,
    ) -> None:
        self._token = _digest(token) if token else None
        self._dispatch = dispatch
        self._dispatch_async = dispatch_async
        self._routes = routes
        self._default = default_channel
        self._max_body = max_body
        self._note_left_out = note_left_out

    @property
    def enabled(self) -> bool:
        return self._token is not None

    def handle(
        self, source: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> WebhookReply:
        checked = self.check(source, query, headers, body)
        if isinstance(checked, WebhookReply):
            return checked
        try:
            self._dispatch(checked.routed)
            self._say_left_out(checked)
        except (QueueFull, StorageUnavailable) as exc:
            return _not_recorded(exc)
        return checked.reply()

    async def handle_async(
        self, source: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> WebhookReply:
        """:meth:`handle` for the event loop: the store's writes are awaited, never waited for.

        Needs ``dispatch_async``. The note of alerts left out (rare: a group
        past :data:`MAX_ALERTS`) is written from a thread.
        """
        if self._dispatch_async is None:
            raise TypeError("handle_async needs AlertIntake(dispatch_async=...)")
        checked = self.check(source, query, headers, body)
        if isinstance(checked, WebhookReply):
            return checked
        try:
            await self._dispatch_async(checked.routed)
            if checked.missing is not None:
                await asyncio.to_thread(self._say_left_out, checked)
        except (QueueFull, StorageUnavailable) as exc:
            return _not_recorded(exc)
        return checked.reply()

    def check(
        self, source: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Checked | WebhookReply:
        """The delivery's alerts and their channels, or the refusal; nothing is written yet."""
        if self._token is None or source not in SOURCES:
            return WebhookReply(404, {"error": "not found"})
        # Compare digests: constant time, whatever the lengths; every token is compared.
        matches = [
            hmac.compare_digest(_digest(t), self._token) for t in presented_tokens(query, headers)
        ]
        if not any(matches):
            return WebhookReply(
                401,
                {"error": "missing or wrong token (use ?token=… or Authorization: Bearer …)"},
                (("WWW-Authenticate", 'Bearer realm="acrbot alerts"'),),
            )
        limit = self.max_body(source)
        if len(body) > limit:
            log.warning("alert webhook refused: %s body of %d bytes (limit %d)",
                        source, len(body), limit)  # fmt: skip
            return WebhookReply(413, {"error": f"body larger than {limit // MAX_BODY} MB"})
        try:
            payload = json_input.loads(body.decode("utf-8"))
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
        return Checked(routed, self._left_out(source, payload, routed))

    def _say_left_out(self, checked: Checked) -> None:
        if checked.missing is not None and self._note_left_out is not None:
            self._note_left_out(checked.missing)

    def max_body(self, source: str) -> int:
        """The largest body ``source``'s endpoint takes (the router is told the same)."""
        return self._max_body or MAX_BODIES.get(source, MAX_BODY)

    def _left_out(
        self, source: str, payload: Any, routed: list[tuple[Alert, str]]
    ) -> LeftOut | None:
        if source != "alertmanager":
            return None
        past, truncated = left_out(payload)
        if not past and not truncated:
            return None
        group = group_name(payload)
        channel = routed[0][1] if routed else self._default
        log.warning(
            "alertmanager group %r: %d alert(s) left out (%d past the %d read per delivery, "
            "%d truncated by Alertmanager)",
            group[:80], past + truncated, past, MAX_ALERTS, truncated,
        )  # fmt: skip
        metrics.alerts_left_out(source, past + truncated)
        if channel is None:
            return None
        return LeftOut(channel, source, group, past, truncated)
