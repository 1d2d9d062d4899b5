"""Shows triaged alerts in Slack: posts, storm updates, Resolved marks and thread replies.

The alert dispatcher (``bot/triage/dispatcher.py``) decides what happens;
this class only talks to Slack's Web API. A Slack error is logged and the
alert is not retried from here (the webhook has already answered).
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.alert_blocks import alert_message, resolved_note, resolved_reply, storm_reply
from bot.triage.model import Triage
from bot.triage.policy import Posted

log = logging.getLogger(__name__)


class SlackNotifier:
    def __init__(self, client: WebClient, language: str = "en") -> None:
        self._client = client
        self.language = language

    def post(self, channel: str, triage: Triage) -> Posted | None:
        try:
            reply = self._client.chat_postMessage(
                channel=channel, **alert_message(triage, self.language).as_kwargs()
            )
        except SlackApiError as exc:
            log.error("alerts: could not post to %s: %s", channel, exc.response.get("error"))
            return None
        return Posted(channel, str(reply["ts"]))

    def storm(self, message: Posted, triage: Triage, count: int, thread: bool) -> None:
        try:
            self._client.chat_update(
                channel=message.channel,
                ts=message.ts,
                **alert_message(triage, self.language, count=count).as_kwargs(),
            )
            if thread:
                self._client.chat_postMessage(
                    channel=message.channel,
                    thread_ts=message.ts,
                    **storm_reply(triage, count, self.language).as_kwargs(),
                )
        except SlackApiError as exc:
            log.error("alerts: could not update a storm: %s", exc.response.get("error"))

    def resolved(
        self, message: Posted | None, channel: str, triage: Triage, still_firing: int = 0
    ) -> None:
        try:
            if message is None:
                self._client.chat_postMessage(
                    channel=channel, **resolved_note(triage, self.language).as_kwargs()
                )
                return
            if still_firing:
                self._client.chat_postMessage(
                    channel=message.channel,
                    thread_ts=message.ts,
                    **resolved_reply(triage, self.language, still_firing).as_kwargs(),
                )
                return
            self._client.chat_update(
                channel=message.channel,
                ts=message.ts,
                **alert_message(triage, self.language).as_kwargs(),
            )
            self._client.chat_postMessage(
                channel=message.channel,
                thread_ts=message.ts,
                **resolved_reply(triage, self.language).as_kwargs(),
            )
        except SlackApiError as exc:
            log.error("alerts: could not mark an alert resolved: %s", exc.response.get("error"))

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
