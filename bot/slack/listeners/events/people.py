"""Which messages a person wrote (and so may be answered)."""

from __future__ import annotations

from typing import Any

# Subtypes a person writes: a message with a file, a thread reply also sent to the channel, /me.
PERSON_SUBTYPES = frozenset({"file_share", "thread_broadcast", "me_message"})


def is_from_a_person(event: dict[str, Any]) -> bool:
    """Bots, edits, deletions and channel notices are never answered: bot loops start there."""
    if event.get("bot_id") or event.get("app_id") or not event.get("user"):
        return False
    subtype = event.get("subtype")
    return subtype is None or subtype in PERSON_SUBTYPES


def is_top_level(event: dict[str, Any]) -> bool:
    """Not a thread reply: replies carry the parent's ``thread_ts``."""
    thread = event.get("thread_ts")
    return not thread or thread == event.get("ts")


def mentions_me(event: dict[str, Any], context: Any) -> bool:
    """The text @mentions acrbot: the ``app_mention`` listener answers it, not this one."""
    own_user = context.get("bot_user_id")
    return bool(own_user) and f"<@{own_user}>" in str(event.get("text") or "")
