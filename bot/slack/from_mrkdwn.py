"""Slack mrkdwn (what a message's ``text`` holds) → markdown, for a captured answer.

Code is kept exactly: fenced blocks (```` ``` ````, which Slack lets open and
close mid-line) become fenced blocks on their own lines, inline code stays
inline, and nothing inside either is restyled. Outside code, Slack's
``*bold*`` / ``_italic_`` / ``~strike~`` become markdown's, ``<url|label>``
a markdown link, mentions plain names, ``•`` bullets list items, and the
three entities Slack escapes are decoded. The result is still user input:
:func:`bot.knowledge.captured.check_submission` judges it.
"""

from __future__ import annotations

import re

MAX_INPUT = 40_000  # Slack messages are at most 40k characters
_FENCE = re.compile(r"```(.*?)(?:```|\Z)", re.DOTALL)
_INLINE = re.compile(r"`[^`\n]+`")
_LINK = re.compile(r"<((?:https?|mailto):[^|<>]+)(?:\|([^<>]*))?>")
_USER = re.compile(r"<@[UW][A-Z0-9]+(?:\|([^<>]*))?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^<>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[A-Z0-9]+)?(?:\|([^<>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_BULLET = re.compile(r"^(\s*)[•◦▪]\s+", re.MULTILINE)
_QUOTE = re.compile(r"^&gt;\s?", re.MULTILINE)


def to_markdown(text: str) -> str:
    """The message as markdown; see the module docstring for what changes."""
    text = (text or "")[:MAX_INPUT]
    parts: list[str] = []
    last = 0
    for match in _FENCE.finditer(text):
        parts.append(_prose(text[last : match.start()]))
        code = _entities(match.group(1).strip("\n"))
        parts.append(f"\n```\n{code}\n```\n")
        last = match.end()
    parts.append(_prose(text[last:]))
    joined = "".join(parts)
    joined = re.sub(r"\n{3,}", "\n\n", joined)
    return "\n".join(line.rstrip() for line in joined.strip("\n").split("\n")) + "\n"


def _prose(text: str) -> str:
    """Text outside fenced code: inline code kept as it is, the rest converted."""
    out: list[str] = []
    last = 0
    for match in _INLINE.finditer(text):
        out.append(_styled(text[last : match.start()]))
        out.append(_entities(match.group(0)))
        last = match.end()
    out.append(_styled(text[last:]))
    return "".join(out)


def _styled(text: str) -> str:
    text = _QUOTE.sub("> ", text)
    text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _USER.sub(lambda m: m.group(1) or "someone", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1) or 'channel'}", text)
    text = _SPECIAL.sub(lambda m: m.group(2) or m.group(1), text)
    text = _BOLD.sub(r"**\1**", text)
    text = _ITALIC.sub(r"*\1*", text)
    text = _STRIKE.sub(r"~~\1~~", text)
    text = _BULLET.sub(r"\1- ", text)
    return _entities(text)


def _entities(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
