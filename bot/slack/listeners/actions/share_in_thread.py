"""*Share in thread* under a private help-channel answer: post it in the question's thread."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.blocks import entry_message
from bot.slack.help_blocks import SHARE_IN_THREAD_ACTION, read_value
from bot.slack.i18n import language_of, say
from bot.slack.listeners.actions.entries import entry_of
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private
from bot.storage import Storage, StorageUnavailable

SHARED_TTL = 24 * 3600  # the ephemeral answer it came from is long gone by then


def share_in_thread(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    entry, query = entry_of(services_of(context), action)
    language = language_of(query)
    value = read_value(action.get("value")) or {}
    channel = (body.get("channel") or {}).get("id")
    thread = value.get("t")
    if entry is None or not channel or not isinstance(thread, str):
        private(respond, text=say(language, "unknown_entry"))
        return
    store = services_of(context).store
    claim = f"help:shared:{channel}:{thread}:{entry.key}"
    if not _first_share(store, claim):
        respond(delete_original=True)  # a second click before the first one's removal
        return
    message = entry_message(entry, query, language, shared_by=body["user"]["id"])
    try:
        client.chat_postMessage(channel=channel, thread_ts=thread, **message.as_kwargs())
    except Exception:
        with contextlib.suppress(StorageUnavailable):
            store.release(claim)  # not shared: the click the user is told to retry must post
        raise
    respond(delete_original=True)


def _first_share(store: Storage, claim: str) -> bool:
    """One copy of an answer per thread: a double click posted it twice. With the store
    down the answer is shared (a second copy beats none)."""
    try:
        return store.claim(claim, SHARED_TTL)
    except StorageUnavailable:
        return True


def register(app: App) -> None:
    app.action(SHARE_IN_THREAD_ACTION)(ack=acknowledge, lazy=[share_in_thread])
