"""@acrbot in a channel: the answer goes in the message's thread (posted after the ack).

Inside a thread (under another bot's alert, a colleague's question) the
mention is read with the thread: what acrbot remembers of it, or else the
parent message itself (``conversations.replies``), registry names, images and
error text included. The thread is then remembered for the asker's follow-ups.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.helpdesk.threads import ThreadMemory
from bot.knowledge.followups import read_followup
from bot.services import Services
from bot.slack.help_replies import fetch_message, message_context, post_in_thread
from bot.slack.listeners.events.followup import understood_as
from bot.slack.listeners.events.people import is_from_a_person, is_top_level
from bot.slack.middleware import services_of
from bot.slack.questions import clean, reply_message
from bot.slack.replies import acknowledge
from bot.storage import StorageUnavailable


def answer_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if not is_from_a_person(event):
        return
    services = services_of(context)
    channel, ts, user = event["channel"], event["ts"], event["user"]
    thread = event.get("thread_ts") or ts
    question = clean(event.get("text", ""))
    if not any(c.isalnum() for c in question):  # just "@acrbot": the help message
        reply = reply_message(services.library, question, source="mention")
        client.chat_postMessage(channel=channel, thread_ts=thread, **reply.as_kwargs())
        return
    if not _first_answer(services, channel, ts, event, top_level=is_top_level(event)):
        return  # already answered: this message under another event ID, or its :question:
    earlier = "" if is_top_level(event) else thread_context(services, client, channel, thread)
    reading = read_followup(question, earlier, services.library.ask)
    understood = understood_as(earlier, question) if reading.context_changed else None
    memory = ThreadMemory(channel, thread, user, earlier or question, "mention")
    post_in_thread(
        client, services, reading.result, memory, question_ts=ts, asker=user, understood=understood
    )


def _first_answer(
    services: Services, channel: str, ts: str, event: dict[str, Any], *, top_level: bool
) -> bool:
    """Whether this mention is the first ask of its message: one answer per message.

    A top-level message shares the thread's claim (a help channel or a :question: on
    it answers it too); a mention inside a thread is a question of its own, and so is
    each edit (Slack sends the mention again: the asker fixed a typo). With the store
    down, a mention (an explicit ask) is answered rather than dropped.
    """
    edit = event.get("edited")
    edited = edit.get("ts") if isinstance(edit, dict) else None
    try:
        if edited:
            return services.threads.claim_reply(channel, f"{ts}:{edited}")
        if top_level:
            return services.threads.claim_answer(channel, ts)
        return services.threads.claim_reply(channel, ts)
    except StorageUnavailable:
        return True


def thread_context(services: Services, client: WebClient, channel: str, thread: str) -> str:
    """What the thread already says: acrbot's memory of it, else its parent message."""
    try:
        memory = services.threads.recall(channel, thread)
    except StorageUnavailable:
        memory = None
    if memory is not None:
        return memory.context
    parent = fetch_message(client, channel, thread)
    return message_context(parent) if parent else ""


def register(app: App) -> None:
    app.event("app_mention")(ack=acknowledge, lazy=[answer_mention])
