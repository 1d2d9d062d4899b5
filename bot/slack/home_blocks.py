"""App Home as Block Kit: what acrbot does, your questions, and (for admins) what to write next.

A Home view holds at most 100 blocks; every list here is capped and says
how many it left out, so a busy workspace trims rather than fails.

The per-day chart is a text bar (█ answered, ░ not) in a code span: Block
Kit has no charts, and a rendered image would need an upload scope, a
files round trip per publish and alt text that says less than the bar
itself; text renders the same on every client, in a screen reader too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.knowledge.asked import Asked, Summary
from bot.knowledge.report import AdminReport
from bot.knowledge.review import Pending
from bot.slack import block_limits
from bot.slack.block_kit import Block, actions, button, context, divider, header, section
from bot.slack.capture_text import words
from bot.slack.mrkdwn import escape

HOME_BLOCKS = 100
MAX_LISTED = 8
BAR_WIDTH = 20
SOURCE_NAMES = {
    "mention": "mention",
    "dm": "DM",
    "help_channel": "help channel",
    "reaction": "reaction",
    "command": "/acr",
    "followup": "follow-up",
}


@dataclass
class HomeData:
    user: str
    language: str
    questions: list[tuple[Asked, str]]  # (question, title of the answering entry or "")
    confirms: list[dict[str, Any]]
    capture_reaction: str | None = None
    report: AdminReport | None = None  # admins only
    titles: dict[str, str] = field(default_factory=dict)  # entry anchor -> title
    handoffs: list[tuple[str, str, str]] = field(default_factory=list)  # mine: question, ch, ts
    open_handoffs: list[tuple[str, str, str]] = field(default_factory=list)  # admins: every one
    pending: list[Pending] | None = None  # approvers who are not admins: what waits for them


def home_view(data: HomeData) -> dict[str, Any]:
    language = data.language
    blocks: list[Block] = [header(words(language, "home_title"))]
    can = words(language, "home_can")
    if data.capture_reaction:
        can += "\n" + words(language, "reaction_hint", reaction=data.capture_reaction)
    blocks.append(section(can))
    blocks += _questions(data)
    if data.confirms:
        lines = [
            f"• `{escape(str(c.get('check', '')))}` {escape(str(c.get('registry', '')))}"
            for c in data.confirms[:MAX_LISTED]
        ]
        blocks.append(section(words(language, "your_confirms") + "\n" + "\n".join(lines)))
    if data.handoffs:
        blocks.append(section(_handoffs(words(language, "your_handoffs"), data.handoffs)))
    if data.pending is not None and data.report is None:
        blocks += _pending(data.pending, language, data.titles)
    if data.report is not None:
        blocks += _admin(data.report, language, data.titles)
        title = words(language, "open_handoffs", count=len(data.open_handoffs))
        blocks.append(section(_handoffs(title, data.open_handoffs)))
    blocks = _fit(blocks, language)
    block_limits.check(blocks, max_blocks=HOME_BLOCKS)
    return {"type": "home", "blocks": blocks}


def _handoffs(title: str, handoffs: list[tuple[str, str, str]]) -> str:
    lines = [
        f"• {escape(block_limits.clip(question, 150))} (<#{channel}>)"
        for question, channel, _ in handoffs[:MAX_LISTED]
    ]
    if len(handoffs) > MAX_LISTED:
        lines.append(f"… +{len(handoffs) - MAX_LISTED}")
    return block_limits.clip("\n".join([title, *lines]), block_limits.SECTION_TEXT)


def _questions(data: HomeData) -> list[Block]:
    language = data.language
    if not data.questions:
        return [section(words(language, "your_questions") + "\n" + words(language, "no_questions"))]
    lines = []
    for asked, title in data.questions[:MAX_LISTED]:
        outcome = (
            words(language, "answered_by", entry=escape(title))
            if asked.answered
            else words(language, "not_answered")
        )
        lines.append(f"• {escape(block_limits.clip(asked.text, 150))} — _{outcome}_")
    text = words(language, "your_questions") + "\n" + "\n".join(lines)
    return [section(block_limits.clip(text, block_limits.SECTION_TEXT))]


def _admin(report: AdminReport, language: str, titles: dict[str, str]) -> list[Block]:
    blocks: list[Block] = [divider(), header(words(language, "admin_title"))]
    for _, figures in sorted(report.windows.items()):
        blocks.append(section(_figures(figures, language)))
        blocks.append(context(_sources(figures) or "—"))
    shortest = report.windows[min(report.windows)]
    blocks.append(section(words(language, "per_day") + "\n" + _bars(shortest)))
    longest = report.windows[max(report.windows)]
    blocks += _unanswered(longest, language)
    blocks += _pending(report.pending, language, titles)
    if report.worst:
        lines = [
            f"• {escape(titles.get(s.entry.rpartition('#')[2], s.entry))} — 👎 {s.down} · 👍 {s.up}"
            for s in report.worst[:MAX_LISTED]
        ]
        text = words(language, "worst") + "\n" + "\n".join(lines)
        blocks.append(section(block_limits.clip(text, block_limits.SECTION_TEXT)))
    if report.never_used:
        names = [escape(titles.get(e.id, e.id)) for e in report.never_used[:MAX_LISTED]]
        more = len(report.never_used) - len(names)
        text = words(language, "unused", days=longest.days) + "\n• " + "\n• ".join(names)
        if more > 0:
            text += "\n" + words(language, "more", count=more)
        blocks.append(section(block_limits.clip(text, block_limits.SECTION_TEXT)))
    checks = report.checks_run.get(longest.days, 0)
    alerts = report.alerts_triaged.get(longest.days, 0)
    blocks.append(context(words(language, "ops", days=longest.days, checks=checks, alerts=alerts)))
    return blocks


def _figures(figures: Summary, language: str) -> str:
    share = f"{figures.share:.0%}"
    return words(
        language,
        "asked",
        days=figures.days,
        asked=figures.asked,
        answered=figures.answered,
        share=share,
    )


def _sources(figures: Summary) -> str:
    parts = [
        f"{SOURCE_NAMES.get(source, source)}: {answered}/{asked}"
        for source, (asked, answered) in figures.by_source.items()
        if asked
    ]
    return " · ".join(parts)


def _bars(figures: Summary) -> str:
    """One line per day: answered in █, not answered in ░, scaled to the busiest day."""
    busiest = max((a + n for _, a, n in figures.per_day), default=0) or 1
    lines = []
    for day, answered, missed in figures.per_day:
        full = round(BAR_WIDTH * answered / busiest)
        empty = round(BAR_WIDTH * missed / busiest)
        bar = ("█" * full + "░" * empty) or "·"
        lines.append(f"`{day[5:]} {bar:<{BAR_WIDTH}}` {answered}/{answered + missed}")
    return "\n".join(lines)


def _unanswered(figures: Summary, language: str) -> list[Block]:
    title = words(language, "unanswered")
    if not figures.unanswered:
        return [section(title + "\n" + words(language, "none_unanswered"))]
    blocks: list[Block] = [section(title)]
    for group in figures.unanswered[:MAX_LISTED]:
        example = escape(block_limits.clip(group.example, 200))
        text = words(language, "times", count=group.count, users=len(group.users), example=example)
        block = section(block_limits.clip(text, block_limits.SECTION_TEXT))
        block["accessory"] = button(
            words(language, "write"), "capture_write", block_limits.clip(group.example, 300)
        )
        blocks.append(block)
    left = len(figures.unanswered) - MAX_LISTED
    if left > 0:
        blocks.append(context(words(language, "more", count=left)))
    return blocks


def _pending(items: Sequence[Pending], language: str, titles: dict[str, str]) -> list[Block]:
    title = words(language, "pending")
    if not items:
        return [section(title + "\n" + words(language, "nothing_pending"))]
    blocks: list[Block] = [section(title)]
    for n, item in enumerate(items[:MAX_LISTED]):
        question = escape(block_limits.clip(item.question, 200))
        if item.kind == "answer":
            detail = f"<@{item.submitted_by}> · {item.language} · `{item.id}`"
        else:
            entry = escape(titles.get(item.detail, item.detail))
            detail = words(language, "phrasing", entry=entry, count=item.count) + f" · `{item.id}`"
        blocks.append(
            section(block_limits.clip(f"*{question}*\n{detail}", block_limits.SECTION_TEXT))
        )
        blocks.append(
            actions(
                f"home_pending_{n}",
                [
                    button(words(language, "approve"), "capture_approve", item.id, "primary"),
                    button(words(language, "reject"), "capture_reject", item.id, "danger"),
                ],
            )
        )
    left = len(items) - MAX_LISTED
    if left > 0:
        blocks.append(context(words(language, "more", count=left)))
    return blocks


def _fit(blocks: list[Block], language: str) -> list[Block]:
    if len(blocks) <= HOME_BLOCKS:
        return blocks
    kept = blocks[: HOME_BLOCKS - 1]
    return [*kept, context(words(language, "more", count=len(blocks) - len(kept)))]
