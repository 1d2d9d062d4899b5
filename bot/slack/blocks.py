"""Block Kit messages for knowledge answers: plain dicts (block_kit.py), checked by block_limits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block as TypedBlock

from bot.knowledge.editions import view_of
from bot.knowledge.index import Hit
from bot.knowledge.library import SearchResult
from bot.knowledge.model import Entry, View
from bot.slack import block_limits
from bot.slack.block_kit import Block, actions, button, context, divider, header, section
from bot.slack.i18n import help_text, say
from bot.slack.mrkdwn import escape, link, to_mrkdwn

QUERY_IN_BUTTON = 500  # leaves room for the entry key in a 2,000-character value


@dataclass
class Message:
    """A message as Slack takes it: blocks plus the plain-text fallback."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = block_limits.clip(self.text, block_limits.FALLBACK_TEXT)
        block_limits.check(self.blocks)

    @classmethod
    def of(cls, text: str, blocks: list[Block | TypedBlock]) -> Message:
        """From Block Kit dicts, or slack_sdk's typed blocks (made dicts here)."""
        return cls(text, [b if isinstance(b, dict) else b.to_dict() for b in blocks])

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def button_value(entry_key: str, query: str) -> str:
    def value(length: int) -> str:
        return json.dumps({"k": entry_key, "q": query[:length]}, ensure_ascii=False)

    low, high = 0, min(len(query), QUERY_IN_BUTTON)
    whole = value(high)
    if len(whole) <= block_limits.BUTTON_VALUE:
        return whole
    # JSON escapes (quotes, backslashes, control characters) made it too long:
    # keep the longest start of the query that fits a button
    while low < high:
        middle = (low + high + 1) // 2
        if len(value(middle)) <= block_limits.BUTTON_VALUE:
            low = middle
        else:
            high = middle - 1
    return value(low)


def read_button_value(value: str | None) -> tuple[str, str] | None:
    """(entry key, query) from a button we made; None for anything else."""
    try:
        data = json.loads(value or "")
        return str(data["k"]), str(data.get("q", ""))
    except (ValueError, KeyError, TypeError):
        return None


def answer_message(result: SearchResult, language: str, *, shareable: bool = False) -> Message:
    if result.answer is None:
        return no_answer_message(result, language)
    hit = result.answer
    return entry_message(
        hit.entry,
        result.query,
        language,
        hit=hit,
        suggestions=result.suggestions,
        shareable=shareable,
    )


def entry_message(
    entry: Entry,
    query: str,
    language: str,
    *,
    hit: Hit | None = None,
    suggestions: tuple[Hit, ...] = (),
    shareable: bool = False,
    shared_by: str | None = None,
) -> Message:
    value = button_value(entry.key, query)
    view = hit.view if hit is not None and hit.view is not None else view_of(entry, language)
    blocks: list[Block] = [header(block_limits.clip(view.question, block_limits.HEADER_TEXT))]
    tail = _tail(view, hit, suggestions, query, language, shareable, value, shared_by)
    room = block_limits.MAX_BLOCKS - len(blocks) - len(tail)
    blocks += _answer_sections(view, language, room)
    blocks += tail
    return Message.of(_fallback(view), blocks)


def _answer_sections(view: View, language: str, room: int) -> list[Block]:
    texts = block_limits.pack(to_mrkdwn(view.answer_markdown, view.docs_url or None)) or ["…"]
    if len(texts) > room:
        texts = [*texts[: room - 1], say(language, "truncated")]
    return [section(t) for t in texts]


def _tail(
    view: View,
    hit: Hit | None,
    suggestions: tuple[Hit, ...],
    query: str,
    language: str,
    shareable: bool,
    value: str,
    shared_by: str | None,
) -> list[Block]:
    facts = [link(view.docs_url, say(language, "docs"))] if view.docs_url else []
    if hit is not None:
        facts.append(say(language, "confidence", value=f"{hit.score:.2f}"))
    if shared_by:
        facts.append(say(language, "shared_by", user=shared_by))
    blocks: list[Block] = [context(" · ".join(facts))]
    buttons = [
        button(say(language, "helpful"), "feedback_up", value),
        button(say(language, "not_helpful"), "feedback_down", value),
    ]
    if shareable:
        buttons.append(button(say(language, "share"), "share_answer", value, style="primary"))
    blocks.append(actions("answer_actions", buttons))
    if suggestions:
        blocks += suggestion_blocks(suggestions, query, language)
    return blocks


def suggestion_blocks(hits: tuple[Hit, ...], query: str, language: str) -> list[Block]:
    buttons = [
        button(
            block_limits.clip(_title(hit, language), block_limits.BUTTON_TEXT),
            f"show_entry_{number}",
            button_value(hit.entry.key, query),
        )
        for number, hit in enumerate(hits)
    ]
    return [divider(), section(say(language, "did_you_mean")), actions("suggestions", buttons)]


def no_answer_message(result: SearchResult, language: str) -> Message:
    headline = say(language, "no_answer")
    blocks: list[Block] = [section(f"*{headline}*\n{say(language, 'no_answer_hint')}")]
    if result.suggestions:
        blocks += suggestion_blocks(result.suggestions, result.query, language)
    return Message.of(headline, blocks)


def offer_checks(message: Message, registries: list[str], language: str) -> Message:
    """Add one-click health checks for registries the question names (they still need Confirm)."""
    if not registries or len(message.blocks) >= block_limits.MAX_BLOCKS:
        return message
    buttons = [
        button(
            block_limits.clip(say(language, "run_check", registry=name), block_limits.BUTTON_TEXT),
            f"diag_request_{number}",
            json.dumps({"r": name, "c": "check-health"}),
        )
        for number, name in enumerate(registries[:3])
    ]
    return Message(message.text, [*message.blocks, actions("diagnostics_offer", buttons)])


def help_message(language: str, access: str | None = None) -> Message:
    text = help_text(language)
    blocks: list[Block] = [section(text)]
    if access:
        blocks.append(context(escape(access)))
    return Message.of(text.replace("*", ""), blocks)


def notice(text_mrkdwn: str, fallback: str | None = None) -> Message:
    """A one-section message, for confirmations and refusals."""
    text = block_limits.clip(text_mrkdwn, block_limits.SECTION_TEXT)
    return Message.of(fallback or text, [section(text)])


def _title(hit: Hit, language: str) -> str:
    """A "did you mean" label in the asker's language (the hit's view, when search made one)."""
    return (hit.view or view_of(hit.entry, language)).question


def _fallback(view: View) -> str:
    first = next(iter(to_mrkdwn(view.answer_markdown, view.docs_url or None)), "")
    # The fallback is mrkdwn too: a captured question is a person's text, so it is escaped
    # here as in the blocks (a `<https://…|label>` in it must not become a live link).
    return "\n".join(part for part in (escape(view.question), first, view.docs_url) if part)
