"""Shows triaged alerts in Slack: posts, storm updates, Resolved marks and thread replies.

The alert dispatcher (``bot/triage/dispatcher.py``) decides what happens;
this class only talks to Slack's Web API. Any failure (Slack's error, a
429 with its ``Retry-After``, a 5xx, a timeout, a dropped connection) is
raised as :class:`~bot.triage.dispatcher.DeliveryFailed`: the dispatcher
keeps the alert queued and tries again, so nothing answered 200 is dropped
here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.alert_blocks import (
    alert_message,
    digest_message,
    left_out_message,
    resolved_note,
    resolved_reply,
    storm_reply,
)
from bot.triage.model import Triage
from bot.triage.notifier import DeliveryFailed
from bot.triage.policy import Posted

log = logging.getLogger(__name__)


class SlackNotifier:
    def __init__(self, client: WebClient, language: str = "en") -> None:
        self._client = client
        self.language = language

    def post(self, channel: str, triage: Triage, count: int = 1) -> Posted:
        message = alert_message(triage, self.language, count=count)
        reply = _call(lambda: self._client.chat_postMessage(channel=channel, **message.as_kwargs()))
        return Posted(channel, str(reply["ts"]))

    def storm(self, message: Posted, triage: Triage, count: int, thread: bool) -> None:
        update = alert_message(triage, self.language, count=count)
        _call(
            lambda: self._client.chat_update(
                channel=message.channel, ts=message.ts, **update.as_kwargs()
            )
        )
        if thread:
            reply = storm_reply(triage, count, self.language)
            self._reply(message, reply.as_kwargs())

    def resolved(
        self,
        message: Posted | None,
        channel: str,
        triage: Triage,
        still_firing: int = 0,
        reply: bool = True,
    ) -> Posted | None:
        if message is None:
            note = resolved_note(triage, self.language)
            reply = _call(
                lambda: self._client.chat_postMessage(channel=channel, **note.as_kwargs())
            )
            return Posted(channel, str(reply["ts"]))
        if not still_firing:
            update = alert_message(triage, self.language)
            _call(
                lambda: self._client.chat_update(
                    channel=message.channel, ts=message.ts, **update.as_kwargs()
                )
            )
        if reply:
            self._reply(message, resolved_reply(triage, self.language, still_firing).as_kwargs())
        return None

    def late(self, message: Posted | None, channel: str, triage: Triage) -> Posted | None:
        """A Fired that arrived after its Resolved: its note becomes the full (resolved) alert."""
        shown = alert_message(triage, self.language)
        if message is None:
            reply = _call(
                lambda: self._client.chat_postMessage(channel=channel, **shown.as_kwargs())
            )
            return Posted(channel, str(reply["ts"]))
        _call(
            lambda: self._client.chat_update(
                channel=message.channel, ts=message.ts, **shown.as_kwargs()
            )
        )
        return message

    def digest(
        self, channel: str, ts: str | None, entries: list[dict[str, Any]], total: int
    ) -> Posted:
        """Post or update a channel's digest of alerts folded past its posting budget."""
        message = digest_message(entries, total, self.language).as_kwargs()
        if ts is None:
            reply = _call(lambda: self._client.chat_postMessage(channel=channel, **message))
            return Posted(channel, str(reply["ts"]))
        _call(lambda: self._client.chat_update(channel=channel, ts=ts, **message))
        return Posted(channel, ts)

    def left_out(
        self, channel: str, group: str, past_limit: int, truncated: int, limit: int
    ) -> None:
        """Alerts of a delivery that were not read: said in the channel they would have gone to."""
        note = left_out_message(group, past_limit, truncated, limit, self.language).as_kwargs()
        _call(lambda: self._client.chat_postMessage(channel=channel, **note))

    def _reply(self, message: Posted, kwargs: dict[str, Any]) -> None:
        _call(
            lambda: self._client.chat_postMessage(
                channel=message.channel, thread_ts=message.ts, **kwargs
            )
        )

    def reply_in_thread(self, channel: str, thread_ts: str, triage: Triage) -> None:
        """A watched channel's message that concerns a registry: the triage in its thread."""
        try:
            self._client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                **alert_message(triage, self.language).as_kwargs(),
            )
        except SlackApiError as exc:
            log.error("alerts: could not reply in %s: %s", channel, exc.response.get("error"))


def _call(request: Callable[[], Any]) -> Any:
    """One Web API call; any failure becomes :class:`DeliveryFailed` (with Slack's advice)."""
    try:
        return request()
    except SlackApiError as exc:
        response = exc.response
        status = getattr(response, "status_code", 200)
        error = str(response.get("error") or f"http_{status}")
        wait = _retry_after(getattr(response, "headers", {}) or {})
        raise DeliveryFailed(error, wait if status == 429 else None) from None
    except Exception as exc:  # a timeout or a dropped connection: a failure like any other
        raise DeliveryFailed(type(exc).__name__) from None


def _retry_after(headers: dict[str, Any]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list) and value else value
            try:
                return max(1.0, float(str(text)))
            except ValueError:
                return None
    return None
