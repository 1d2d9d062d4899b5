"""Block Kit messages for knowledge answers: built with slack_sdk's models, checked by limits.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.knowledge.editions import view_of
from bot.knowledge.index import Hit
from bot.knowledge.library import SearchResult
from bot.knowledge.model import Entry, View
from bot.slack import limits
from bot.slack.i18n import help_text, say
from bot.slack.mrkdwn import escape, link, to_mrkdwn

QUERY_IN_BUTTON = 500  # leaves room for the entry key in a 2,000-character value


@dataclass
class Message:
    """A message as Slack takes it: blocks plus the plain-text fallback."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = limits.clip(self.text, limits.FALLBACK_TEXT)
        limits.check(self.blocks)

    @classmethod
    def of(cls, text: str, blocks: list[Block]) -> Message:
        """From slack_sdk's typed blocks (which check their own limits on ``to_dict``)."""
        return cls(text, [block.to_dict() for block in blocks])

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def button_value(entry_key: str, query: str) -> str:
    def value(length: int) -> str:
        return json.dumps({"k": entry_key, "q": query[:length]}, ensure_ascii=False)

    low, high = 0, min(len(query), QUERY_IN_BUTTON)
    if len(value(high)) <= limits.BUTTON_VALUE:
        return value(high)
    # JSON escapes (quotes, backslashes, control characters) made it too long:
    # keep the longest start of the query that fits a button
    while low < high:
        middle = (low + high + 1) // 2
        if len(value(middle)) <= limits.BUTTON_VALUE:
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
    blocks: list[Block] = [HeaderBlock(text=limits.clip(view.question, limits.HEADER_TEXT))]
    tail = _tail(view, hit, suggestions, query, language, shareable, value, shared_by)
    room = limits.MAX_BLOCKS - len(blocks) - len(tail)
    blocks += _answer_sections(view, language, room)
    blocks += tail
    return Message.of(_fallback(view), blocks)


def _answer_sections(view: View, language: str, room: int) -> list[Block]:
    texts = limits.pack(to_mrkdwn(view.answer_markdown, view.docs_url)) or ["…"]
    if len(texts) > room:
        texts = [*texts[: room - 1], say(language, "truncated")]
    return [SectionBlock(text=MarkdownTextObject(text=t)) for t in texts]


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
    facts = [link(view.docs_url, say(language, "docs"))]
    if hit is not None:
        facts.append(say(language, "confidence", value=f"{hit.score:.2f}"))
    if shared_by:
        facts.append(say(language, "shared_by", user=shared_by))
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=" · ".join(facts))])]
    buttons = [
        ButtonElement(text=say(language, "helpful"), action_id="feedback_up", value=value),
        ButtonElement(text=say(language, "not_helpful"), action_id="feedback_down", value=value),
    ]
    if shareable:
        buttons.append(
            ButtonElement(
                text=say(language, "share"), action_id="share_answer", value=value, style="primary"
            )
        )
    blocks.append(ActionsBlock(block_id="answer_actions", elements=buttons))
    if suggestions:
        blocks += suggestion_blocks(suggestions, query, language)
    return blocks


def suggestion_blocks(hits: tuple[Hit, ...], query: str, language: str) -> list[Block]:
    buttons = [
        ButtonElement(
            text=limits.clip(_title(hit, language), limits.BUTTON_TEXT),
            action_id=f"show_entry_{number}",
            value=button_value(hit.entry.key, query),
        )
        for number, hit in enumerate(hits)
    ]
    return [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=say(language, "did_you_mean"))),
        ActionsBlock(block_id="suggestions", elements=buttons),
    ]


def no_answer_message(result: SearchResult, language: str) -> Message:
    headline = say(language, "no_answer")
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=f"*{headline}*\n{say(language, 'no_answer_hint')}")
        )
    ]
    if result.suggestions:
        blocks += suggestion_blocks(result.suggestions, result.query, language)
    return Message.of(headline, blocks)


def offer_checks(message: Message, registries: list[str], language: str) -> Message:
    """Add one-click health checks for registries the question names (they still need Confirm)."""
    if not registries or len(message.blocks) >= limits.MAX_BLOCKS:
        return message
    buttons = [
        ButtonElement(
            text=limits.clip(say(language, "run_check", registry=name), limits.BUTTON_TEXT),
            action_id=f"diag_request_{number}",
            value=json.dumps({"r": name, "c": "check-health"}),
        )
        for number, name in enumerate(registries[:3])
    ]
    offer = ActionsBlock(block_id="diagnostics_offer", elements=buttons).to_dict()
    return Message(message.text, [*message.blocks, offer])


def help_message(language: str, access: str | None = None) -> Message:
    text = help_text(language)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if access:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=escape(access))]))
    return Message.of(text.replace("*", ""), blocks)


def notice(text_mrkdwn: str, fallback: str | None = None) -> Message:
    """A one-section message, for confirmations and refusals."""
    text = limits.clip(text_mrkdwn, limits.SECTION_TEXT)
    return Message.of(fallback or text, [SectionBlock(text=MarkdownTextObject(text=text))])


def _title(hit: Hit, language: str) -> str:
    """A "did you mean" label in the asker's language (the hit's view, when search made one)."""
    return (hit.view or view_of(hit.entry, language)).question


def _fallback(view: View) -> str:
    first = next(iter(to_mrkdwn(view.answer_markdown, view.docs_url)), "")
    return f"{view.question}\n{first}\n{view.docs_url}"
