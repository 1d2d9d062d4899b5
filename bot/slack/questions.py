"""From a Slack message to a question, and from the knowledge base to a reply message.

These only build messages; the listeners send them.
"""

from __future__ import annotations

import re

from bot import metrics
from bot.diagnostics.registry_name import registries_in
from bot.knowledge.asked import QuestionLog
from bot.knowledge.library import Library, SearchResult
from bot.slack.blocks import Message, answer_message, help_message, notice, offer_checks
from bot.slack.i18n import language_of, say

# Slack escapes "<" and ">" in what people type, so markup never nests: each pattern stops
# at the next "<" and its quantifiers are possessive (no backtracking), so one pass is linear.
_MENTION = re.compile(r"<@[UW][A-Z0-9]++(?:\|[^<>]*+)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|<>]++)(?:\|([^<>]*+))?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]++(?:\|([^<>]*+))?>")
_SPECIAL = re.compile(r"<![^<>]*+>")
MAX_QUESTION = 2000
MAX_RAW = 4 * MAX_QUESTION  # markup and spaces shrink; 4x leaves room for a full question


def clean(text: str) -> str:
    """Slack's markup back to what the person typed: no mentions, links as their text.

    The raw text is clipped before any pattern runs, so a 1 MB message costs
    what an 8 kB one does.
    """
    text = (text or "")[:MAX_RAW]
    text = _MENTION.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1) or ''}", text)
    text = _SPECIAL.sub(" ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())[:MAX_QUESTION]


def reply_message(
    library: Library,
    text: str,
    *,
    shareable: bool = False,
    source: str | None = None,
    asked: QuestionLog | None = None,
    user: str = "",
) -> Message:
    """The message answering ``text``: the answer, "I don't know", or help if nothing was asked.

    ``source`` (mention, dm, command) counts the question in the metrics and,
    with ``asked``, keeps it in the shared record of questions (App Home's figures).
    """
    question = clean(text)
    if not any(c.isalnum() for c in question):
        return help_message(language_of(question))
    result = library.ask(question)
    return result_message(result, shareable=shareable, source=source, asked=asked, user=user)


def result_message(
    result: SearchResult,
    *,
    shareable: bool = False,
    source: str | None = None,
    asked: QuestionLog | None = None,
    user: str = "",
) -> Message:
    """A search already made, as a reply message (with checks offered for registries it names)."""
    if source is not None:
        metrics.question(source, result.answered)
        if asked is not None:
            entry = result.answer.entry.id if result.answer else ""
            asked.record(source, result.answered, entry, user, result.query)
    language = result.language  # detected from the characters when the search was made
    message = answer_message(result, language, shareable=shareable)
    return offer_checks(message, registries_in(result.query), language)


def empty_question(language: str) -> Message:
    return notice(say(language, "empty_question"))
