"""Markdown → Slack mrkdwn.

Slack's mrkdwn has no headings, tables or nested lists and wants ``&<>``
escaped everywhere, code included. We walk markdown-it-py's tokens (the same
parser the knowledge base uses) rather than rewriting text with regexes, so
a ``*`` inside a code block stays a ``*``.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import urljoin

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark")
_NOTE = re.compile(r"^\[!(\w+)\]\s*")
_STYLE_MARKS = {"strong": "*", "em": "_", "s": "~"}


def escape(text: str) -> str:
    """Slack's three entities, in this order (not html.escape: quotes stay)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def neutralise(text: str) -> str:
    """Untrusted text (alerts, other bots' messages) made safe to post as mrkdwn.

    HTML entities are decoded first, repeatedly (``&amp;lt;!here&amp;gt;`` too),
    then Slack's three are escaped: no ``<!channel>``, ``<@U…>``, ``<#C…>`` or
    ``<url|label>`` from the input stays live, however it was encoded.
    """
    for _ in range(8):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return escape(text)


def link(url: str, label: str | None = None) -> str:
    label = escape(label.replace("|", "¦")) if label else None
    url = url.replace(" ", "%20").replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{url}|{label}>" if label else f"<{url}>"


def to_mrkdwn(markdown: str, base_url: str | None = None) -> list[str]:
    """Convert ``markdown`` into mrkdwn *blocks of text*: paragraphs, lists, code.

    Returning blocks (not one string) lets the caller split a long answer
    between sections without cutting a code block in half.
    """
    return list(_converted(markdown, base_url))


@lru_cache(maxsize=4096)
def _converted(markdown: str, base_url: str | None) -> tuple[str, ...]:
    """Entries are immutable and asked about again and again: convert each once."""
    return tuple(_Converter(base_url).render(_MD.parse(markdown)))


class _Converter:
    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url

    def render(self, tokens: list[Token]) -> list[str]:
        blocks: list[str] = []
        lists: list[list[int | None]] = []  # a stack of [next number or None]
        quote = 0
        heading = False
        pending: list[str] = []
        for token in tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                start = token.attrGet("start")
                lists.append(
                    [int(start) if start else 1] if kind == "ordered_list_open" else [None]
                )
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
                if not lists and pending:
                    block = "\n".join(pending)
                    if quote:  # a list inside a quote: "> " must open each line, not follow "• "
                        block = "\n".join(f"> {line}" for line in block.splitlines())
                    blocks.append(block)
                    pending = []
            elif kind == "blockquote_open":
                quote += 1
            elif kind == "blockquote_close":
                quote -= 1
            elif kind == "list_item_open":
                pending.append(self._bullet(lists))
            elif kind == "inline":
                text = self._inline(token.children or [], bold=heading)
                if heading and text:
                    text = f"*{text}*"  # mrkdwn has no headings: bold stands in
                if quote and not lists:
                    text = _NOTE.sub(lambda m: f"*{m.group(1).capitalize()}:* ", text)
                    text = "\n".join(f"> {line}" for line in text.splitlines())
                self._emit(text, lists, pending, blocks)
            elif kind in ("heading_open", "heading_close"):
                heading = kind == "heading_open"
            elif kind in ("fence", "code_block"):
                code = "```\n" + escape(token.content.rstrip("\n")) + "\n```"
                code = _dedent_code(code)
                self._emit(code, lists, pending, blocks)
            elif kind == "hr":
                blocks.append("───")
        if pending:
            blocks.append("\n".join(pending))
        return [b for b in blocks if b.strip()]

    def _emit(
        self,
        text: str,
        lists: list[list[int | None]],
        pending: list[str],
        blocks: list[str],
    ) -> None:
        if not lists:
            blocks.append(text)
            return
        indent = "    " * (len(lists) - 1)
        if pending and pending[-1].endswith(("• ", ". ", "◦ ")):
            pending[-1] += text.replace("\n", "\n" + indent + "   ")
        else:
            pending.append("\n".join(indent + "   " + line for line in text.splitlines()))

    def _bullet(self, lists: list[list[int | None]]) -> str:
        indent = "    " * (len(lists) - 1)
        current = lists[-1]
        if current[0] is None:
            return indent + ("• " if len(lists) == 1 else "◦ ")
        number = current[0]
        current[0] = number + 1
        return f"{indent}{number}. "

    def _inline(self, children: list[Token], bold: bool = False) -> str:
        """``bold``: the whole text will be bold, so ``**x**`` inside must not add marks."""
        out: list[str] = []
        links: list[str | None] = []
        for child in children:
            kind = child.type
            if kind == "text":
                out.append(escape(child.content))
            elif kind == "code_inline":
                out.append(f"`{escape(child.content)}`" if child.content.strip() else "")
            elif kind in ("softbreak", "hardbreak"):
                out.append("\n" if kind == "hardbreak" else " ")
            elif kind.endswith("_open") and kind[:-5] in _STYLE_MARKS:
                out.append("" if bold and kind == "strong_open" else _STYLE_MARKS[kind[:-5]])
            elif kind.endswith("_close") and kind[:-6] in _STYLE_MARKS:
                out.append("" if bold and kind == "strong_close" else _STYLE_MARKS[kind[:-6]])
            elif kind == "link_open":
                links.append(self._url(str(child.attrGet("href") or "")))
                out.append("\x00")  # where the label starts
            elif kind == "link_close":
                url = links.pop() if links else None
                start = len(out) - 1 - out[::-1].index("\x00")
                label = "".join(out[start + 1 :])
                del out[start:]
                out.append(_linked(url, label))
            elif kind == "image":
                out.append(escape(child.content or "image"))
        return "".join(out).strip()

    def _url(self, href: str) -> str | None:
        if href.startswith("#") or not href:
            return None
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):
            return href
        if self.base_url is None:
            return None
        path, _, fragment = href.partition("#")
        path = path[:-3] if path.endswith(".md") else path
        return urljoin(self.base_url, path) + (f"#{fragment}" if fragment else "")


def _linked(url: str | None, label_mrkdwn: str) -> str:
    if url is None:
        return label_mrkdwn
    plain = label_mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if plain == url:
        return link(url)
    return link(url, plain.strip("`*_") or url)


def _dedent_code(code: str) -> str:
    lines = code.split("\n")
    body = lines[1:-1]
    indent = min((len(r) - len(r.lstrip()) for r in body if r.strip()), default=0)
    return "\n".join([lines[0], *(r[indent:].rstrip() for r in body), lines[-1]])
