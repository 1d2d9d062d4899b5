"""One reminder per open hand-off, after ``slack.escalation.remind_after_minutes``.

Every replica runs the same loop; the shared store's claim on each
hand-off's reminder (:meth:`HandoffBook.due_reminders`) makes exactly one of
them post it.
"""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.config import Settings
from bot.services import Services
from bot.slack.help_blocks import reminder_message
from bot.slack.i18n import language_of
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)
LOOP_SECONDS = 30.0


def helpdesk_usergroups(settings: Settings) -> set[str]:
    """User groups the help desk asks about: who may ask with the emoji, who may resolve."""
    escalation = settings.slack.escalation
    groups = set(settings.slack.ask_reaction_users.usergroups) | set(escalation.channels.values())
    if escalation.usergroup:
        groups.add(escalation.usergroup)
    return groups


def send_due_reminders(services: Services, client: WebClient, now: float | None = None) -> int:
    """Post the reminders this replica won; how many it posted."""
    after = services.settings.slack.escalation.remind_after_minutes * 60
    try:
        due = services.handoffs.due_reminders(after, now)
        metrics.handoffs_open(services.handoffs.open_count())
    except StorageUnavailable:
        return 0
    for handoff in due:
        message = reminder_message(handoff.id, handoff.usergroup, language_of(handoff.question))
        try:
            client.chat_postMessage(
                channel=handoff.channel, thread_ts=handoff.thread, **message.as_kwargs()
            )
        except SlackApiError as exc:
            log.warning("hand-off reminder not posted: %s", exc.response.get("error"))
            continue
        metrics.handoff("reminded")
    return len(due)


class ReminderLoop:
    """A daemon thread that sends due reminders every ``interval`` seconds until stopped."""

    def __init__(self, services: Services, client: WebClient, interval: float = LOOP_SECONDS):
        self.services, self.client, self.interval = services, client, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="handoff-reminders", daemon=True)

    def start(self) -> ReminderLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                send_due_reminders(self.services, self.client)
            except Exception:  # a bad record must not end the loop for good
                log.exception("hand-off reminders failed; trying again later")
