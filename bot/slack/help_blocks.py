"""Block Kit for answering where people ask: "Still need help?", "Share in thread",
"Reading this as: …", and the hand-off messages with their "Resolved" button.

The button labels are contracts (issue 15) and the same in every language.
"""

from __future__ import annotations

import json
from typing import Any

from bot.slack import block_limits
from bot.slack.block_kit import actions, button, context
from bot.slack.blocks import Message, notice
from bot.slack.i18n import say
from bot.slack.mrkdwn import escape

STILL_NEED_HELP = "Still need help?"
RESOLVED = "Resolved"
SHARE_IN_THREAD = "Share in thread"
HANDOFF_REQUEST = "handoff_request"
HANDOFF_RESOLVE = "handoff_resolve"
SHARE_IN_THREAD_ACTION = "share_in_thread"
READING_AS_MAX = 300


def _append(message: Message, block: dict[str, Any]) -> Message:
    if len(message.blocks) >= block_limits.MAX_BLOCKS:
        return message
    return Message(message.text, [*message.blocks, block])


def _insert_before_actions(message: Message, block: dict[str, Any]) -> Message:
    """Put a context line just under the answer's text, above its buttons."""
    if len(message.blocks) >= block_limits.MAX_BLOCKS:
        return message
    blocks = list(message.blocks)
    at = next((i for i, b in enumerate(blocks) if b.get("type") == "context"), len(blocks))
    return Message(message.text, [*blocks[:at], block, *blocks[at:]])


def reading_as(message: Message, understood: str, language: str) -> Message:
    """Say what the question was read as, when the thread's context changed the answer."""
    line = say(
        language, "reading_as", text=f"_{escape(block_limits.clip(understood, READING_AS_MAX))}_"
    )
    return _insert_before_actions(message, context(line))


def with_handoff_offer(message: Message, question_ts: str, asker: str) -> Message:
    """Add "Still need help?" (its value says which question and who asked)."""
    value = json.dumps({"q": question_ts, "a": asker})
    offer = button(STILL_NEED_HELP, HANDOFF_REQUEST, value)
    return _append(message, actions("handoff_offer", [offer]))


def with_share_in_thread(message: Message, entry_key: str, query: str, thread: str) -> Message:
    """A private answer's "Share in thread" button (250 characters of the query: even fully
    JSON-escaped, the value stays under Slack's 2,000)."""
    value = json.dumps({"k": entry_key, "q": query[:250], "t": thread}, ensure_ascii=False)
    share = button(SHARE_IN_THREAD, SHARE_IN_THREAD_ACTION, value, style="primary")
    return _append(message, actions("share_thread", [share]))


def read_value(value: str | None) -> dict[str, Any] | None:
    """A button value we made, as a dict; ``None`` for anything else (values can be forged)."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def mention_group(usergroup: str | None) -> str:
    return f"<!subteam^{usergroup}>" if usergroup else ""


def handoff_message(handoff_id: str, usergroup: str | None, user: str, language: str) -> Message:
    text = say(language, "handoff_posted", group=mention_group(usergroup), user=user).strip()
    return _with_resolve(notice(text), handoff_id)


def reminder_message(handoff_id: str, usergroup: str | None, language: str) -> Message:
    text = say(language, "handoff_reminder", group=mention_group(usergroup))
    return _with_resolve(notice(text.replace("  ", " ")), handoff_id)


def resolved_message(user: str, language: str) -> Message:
    return notice(say(language, "handoff_resolved", user=user))


def _with_resolve(message: Message, handoff_id: str) -> Message:
    resolve = button(RESOLVED, HANDOFF_RESOLVE, handoff_id, style="primary")
    return _append(message, actions("handoff", [resolve]))
