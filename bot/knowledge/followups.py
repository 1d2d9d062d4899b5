"""A reply in a thread, read with what the thread already said.

"and for a Premium registry?", "what about in China?", "那如果是 AKS 呢？"
mean little alone. A follow-up that leans on its thread (it starts like a
continuation, points back with "it" / "that" / "这个", or is too short to
stand alone) is searched together with the earlier question or the alert's
text. A self-contained follow-up that the knowledge base answers on its own
is read alone. Either way the caller learns whether the context changed the
answer, so the reply can say what it understood ("Reading this as: …").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.knowledge.library import SearchResult

CONTEXT_IN_QUERY = 600  # characters of the earlier text that join the follow-up
SHORT_FOLLOWUP = 6  # words (or, in Chinese, 12 characters) and fewer lean on the thread

_CONTINUATION = re.compile(
    r"^\s*(?:and|also|but|or|so|then|what about|how about|what if|same for|same with|"
    r"还有|還有|那|那么|那麼|如果|要是|另外|同样|同樣|换成|換成)",
    re.IGNORECASE,
)
_POINTING = re.compile(
    r"\b(?:it|that|this|those|these|same|there|them)\b|这个|這個|那个|那個|它|这样|這樣",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class FollowupReading:
    query: str  # what was searched
    result: SearchResult
    with_context: bool  # the thread's text was part of the query
    context_changed: bool  # the answer differs from what the follow-up alone would get


def leans_on_thread(text: str) -> bool:
    """True when ``text`` reads as a continuation rather than a question of its own."""
    if _CONTINUATION.search(text) or _POINTING.search(text):
        return True
    cjk = len(_CJK.findall(text))
    size = cjk / 2 + len(re.findall(r"[A-Za-z0-9]+", text))
    return size <= SHORT_FOLLOWUP


def read_followup(
    text: str, context: str, search: Callable[[str], SearchResult]
) -> FollowupReading:
    """Search ``text`` with the thread's ``context`` when it needs it."""
    alone = search(text)
    if not context.strip() or (alone.answered and not leans_on_thread(text)):
        return FollowupReading(text, alone, False, False)
    combined_query = f"{context[:CONTEXT_IN_QUERY]} {text}"
    combined = search(combined_query)
    if not combined.answered and alone.answered:
        return FollowupReading(text, alone, False, False)
    changed = _top(combined) != _top(alone)
    return FollowupReading(combined_query, combined, True, changed)


def _top(result: SearchResult) -> str | None:
    return result.answer.entry.id if result.answer is not None else None
