"""Threads acrbot answered in: one answer per thread, and who may follow up, for how long.

Every replica must agree, so all of it lives in the shared store:

- ``help:answered:<channel>:<thread>`` is claimed by the one reply a thread
  gets from a help channel or a reaction (two replicas, or Slack's retry,
  never both answer);
- ``help:thread:<channel>:<thread>`` remembers the question (and the alert
  text of an alert's thread) for follow-ups; its TTL is the idle time, renewed
  by each follow-up, and a counter caps how many follow-ups are answered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.storage import Storage

ANSWERED_TTL = 30 * 24 * 3600  # a thread is answered once, for as long as anyone will look at it
CONTEXT_MAX = 1000  # characters of earlier text kept per thread
ANY_PERSON = "*"  # an alert's thread: any person's reply is a follow-up


@dataclass(frozen=True)
class ThreadMemory:
    """What acrbot knows of a thread it answered in."""

    channel: str
    thread: str
    asker: str  # the user whose replies are follow-ups, or ANY_PERSON
    context: str  # the earlier question, or the alert's text
    source: str  # mention | help_channel | reaction | alert | followup


class ThreadBook:
    def __init__(self, store: Storage, *, max_followups: int, idle_seconds: float) -> None:
        self.store = store
        self.max_followups = max_followups
        self.idle_seconds = idle_seconds

    def claim_answer(self, channel: str, thread: str) -> bool:
        """True once per thread: the caller is the one that answers it."""
        return self.store.claim(f"help:answered:{channel}:{thread}", ANSWERED_TTL)

    def claim_reply(self, channel: str, message_ts: str) -> bool:
        """True once per message in a thread: the caller answers that follow-up.

        Slack may deliver one message twice under two event IDs (its ``message``
        and ``app_mention`` events, a retry after a reconnect); each would use one
        of the thread's follow-ups and post the same answer again.
        """
        return self.store.claim(f"help:replied:{channel}:{message_ts}", ANSWERED_TTL)

    def remember(self, memory: ThreadMemory) -> None:
        """Listen to this thread for follow-ups (a new answer starts the count again)."""
        record = {
            "channel": memory.channel,
            "thread": memory.thread,
            "asker": memory.asker,
            "context": memory.context[:CONTEXT_MAX],
            "source": memory.source,
            "at": time.time(),
        }
        self.store.put(self._key(memory.channel, memory.thread), record, self.idle_seconds)

    def recall(self, channel: str, thread: str) -> ThreadMemory | None:
        record = self.store.get(self._key(channel, thread))
        if not record:
            return None
        try:
            return ThreadMemory(
                str(record["channel"]),
                str(record["thread"]),
                str(record["asker"]),
                str(record["context"]),
                str(record.get("source", "")),
            )
        except KeyError:
            return None

    def followup(self, channel: str, thread: str, user: str) -> ThreadMemory | None:
        """The thread's memory when ``user``'s reply is a follow-up to answer, else ``None``.

        Counted: after ``max_followups`` the thread is let go; each answered
        follow-up renews the idle time.
        """
        memory = self.recall(channel, thread)
        if memory is None or memory.asker not in (user, ANY_PERSON):
            return None
        counted = self.store.incr(f"help:followups:{channel}:{thread}", ANSWERED_TTL)
        if counted > self.max_followups:
            self.forget(channel, thread)
            return None
        self.remember(memory)
        return memory

    def forget(self, channel: str, thread: str) -> None:
        self.store.put(self._key(channel, thread), {}, 1)

    def allow_answer(self, channel: str, limit: int, window: float) -> bool:
        """The channel's rate limit on unasked answers (help channels)."""
        return self.store.hit(f"help:rate:{channel}", limit, window).allowed

    @staticmethod
    def _key(channel: str, thread: str) -> str:
        return f"help:thread:{channel}:{thread}"
