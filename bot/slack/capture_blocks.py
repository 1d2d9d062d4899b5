"""Block Kit for capturing an answer: the modal, the approver's DM, the reaction's offer.

Plain dicts (block_kit.py), checked by block_limits.py; the modal's own limits
(title 24, 100 blocks, ``private_metadata`` 3000, input ``initial_value``
3000) are checked here, where the modal is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.knowledge.captured import MAX_ANSWER, MAX_PERMALINK, MAX_QUESTION, Captured
from bot.slack import block_limits
from bot.slack.block_kit import Block, actions, button, context, header, plain_text, section
from bot.slack.blocks import Message
from bot.slack.capture_text import words
from bot.slack.mrkdwn import escape, link, to_mrkdwn

CALLBACK = "save_answer"  # the shortcut's and the modal's callback ID (a contract)
MODAL_TITLE = 24
MODAL_BLOCKS = 100
PRIVATE_METADATA = 3000
INPUT_VALUE = 3000
LANGUAGES = (("en", "English"), ("zh", "简体中文"), ("zh-tw", "繁體中文"))
FIELDS = ("question", "answer", "language", "permalink")


@dataclass(frozen=True)
class Draft:
    """What the modal shows; ``edit`` is the pending entry's ID when an approver edits."""

    question: str
    answer: str
    language: str
    permalink: str
    edit: str = ""


def modal(draft: Draft, language: str) -> dict[str, Any]:
    """The capture modal (``views.open``), every field editable."""
    title = words(language, "edit_title" if draft.edit else "modal_title")
    chosen = next((o for o in LANGUAGES if o[0] == draft.language), LANGUAGES[0])
    blocks: list[Block] = [
        _input("question", words(language, "question"), draft.question, MAX_QUESTION),
        _input("answer", words(language, "answer"), draft.answer, MAX_ANSWER, multiline=True),
        {
            "type": "input",
            "block_id": "language",
            "label": plain_text(words(language, "language")),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": [_option(code, name) for code, name in LANGUAGES],
                "initial_option": _option(*chosen),
            },
        },
        _input("permalink", words(language, "permalink"), draft.permalink, MAX_PERMALINK),
        context(escape(words(language, "modal_hint"))),
    ]
    blocks[3]["optional"] = True
    metadata = json.dumps({"edit": draft.edit, "lang": language})
    view = {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": plain_text(block_limits.clip(title, MODAL_TITLE)),
        "submit": plain_text(words(language, "save")),
        "close": plain_text(words(language, "cancel")),
        "private_metadata": metadata,
        "blocks": blocks,
    }
    _check_modal(view)
    return view


def _input(
    block_id: str, label: str, value: str, max_length: int, *, multiline: bool = False
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if value:
        element["initial_value"] = block_limits.clip(value, min(max_length, INPUT_VALUE))
    return {"type": "input", "block_id": block_id, "label": plain_text(label), "element": element}


def _option(code: str, name: str) -> dict[str, Any]:
    return {"text": plain_text(name), "value": code}


def _check_modal(view: dict[str, Any]) -> None:
    problems = []
    if len(view["title"]["text"]) > MODAL_TITLE:
        problems.append("modal title over 24 characters")
    if len(view["blocks"]) > MODAL_BLOCKS:
        problems.append("modal over 100 blocks")
    if len(view.get("private_metadata", "")) > PRIVATE_METADATA:
        problems.append("private_metadata over 3000 characters")
    if problems:
        raise block_limits.BlockLimitError("; ".join(problems))
    block_limits.check(view["blocks"], max_blocks=MODAL_BLOCKS)


def submitted_values(view: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The modal's fields (question, answer, language, permalink) and its metadata."""
    state = (view.get("state") or {}).get("values") or {}
    found: dict[str, str] = {}
    for field in FIELDS:
        value = (state.get(field) or {}).get("value") or {}
        if field == "language":
            found[field] = str(((value.get("selected_option") or {}).get("value")) or "en")
        else:
            found[field] = str(value.get("value") or "")
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    return found, metadata if isinstance(metadata, dict) else {}


def review_message(item: Captured, language: str) -> Message:
    """The approver's DM: the question, the answer as it will be shown, Approve / Edit / Reject."""
    answer = to_mrkdwn(item.answer_markdown)
    body = block_limits.clip("\n".join(answer), block_limits.SECTION_TEXT - 200)
    where = f" · {link(item.permalink, words(language, 'thread'))}" if item.permalink else ""
    reject = button(words(language, "reject"), "capture_reject", item.id, "danger")
    reject["confirm"] = {
        "title": plain_text(words(language, "reject")),
        "text": {"type": "mrkdwn", "text": escape(words(language, "reject_confirm"))},
        "confirm": plain_text(words(language, "reject")),
        "deny": plain_text(words(language, "cancel")),
    }
    blocks = [
        header(block_limits.clip(words(language, "review_title"), block_limits.HEADER_TEXT)),
        section(block_limits.clip(f"*{escape(item.question)}*", block_limits.SECTION_TEXT)),
        section(body or " "),
        context(
            words(language, "review_by", user=item.submitted_by, lang=item.language, id=item.id)
            + where
        ),
        actions(
            f"capture_review_{item.id}",
            [
                button(words(language, "approve"), "capture_approve", item.id, "primary"),
                button(words(language, "edit"), "capture_edit", item.id),
                reject,
            ],
        ),
    ]
    return Message.of(f"{words(language, 'review_title')}: {escape(item.question)}", blocks)


def decided_message(item: Captured, text: str) -> Message:
    """The DM once decided: what it was and who decided, no buttons left to click."""
    blocks = [
        section(block_limits.clip(f"*{escape(item.question)}*", block_limits.SECTION_TEXT)),
        context(block_limits.clip(text, 2000)),
    ]
    return Message.of(text, blocks)


def offer_message(channel: str, ts: str, language: str) -> Message:
    """The reaction's DM: one button that opens the modal (a reaction carries no trigger_id)."""
    value = json.dumps({"c": channel, "t": ts})
    blocks = [
        section(escape(words(language, "offer"))),
        actions("capture_offer", [button(words(language, "open"), "capture_open", value)]),
    ]
    return Message.of(words(language, "offer"), blocks)


def notice_text(text: str) -> Message:
    return Message.of(text, [section(block_limits.clip(text, block_limits.SECTION_TEXT))])
