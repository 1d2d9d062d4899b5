"""Search results as text for a terminal: what `acrbot ask` prints."""

from __future__ import annotations

import re

from bot.knowledge.library import SearchResult
from bot.knowledge.markdown_parser import resolve_link
from bot.knowledge.model import Entry

_FENCE = re.compile(r"^[ \t]*```([^\n]*)\n(.*?)^[ \t]*```[ \t]*$", re.DOTALL | re.MULTILINE)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_NOTE = re.compile(r"^> \[!(\w+)\]\s*$", re.MULTILINE)


def render(result: SearchResult) -> str:
    if result.answer is None:
        return _no_answer(result)
    hit = result.answer
    entry = hit.entry
    lines = [f"Q: {entry.question}", f"   [{entry.section}] {entry.id}", ""]
    lines += [_prose(entry), ""]
    lines.append(f"Docs: {entry.docs_url}")
    lines.append(f"Confidence: {hit.score:.2f}")
    if result.suggestions:
        lines.append("")
        lines.append("Did you mean:")
        lines += [
            f"  - {h.entry.question} ({h.entry.id}, {h.score:.2f})" for h in result.suggestions
        ]
    return "\n".join(lines)


def _prose(entry: Entry) -> str:
    """The answer as plain text: code indented in place, links made explicit."""
    text = _FENCE.sub(_code, entry.answer_markdown)
    text = _NOTE.sub(lambda m: f"{m.group(1).capitalize()}:", text)
    text = _LINK.sub(lambda m: _link(entry, m.group(1), m.group(2)), text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _code(match: re.Match[str]) -> str:
    rows = match.group(2).rstrip().splitlines()
    indent = min((len(r) - len(r.lstrip()) for r in rows if r.strip()), default=0)
    language = match.group(1).strip()
    header = f"    [{language}]\n" if language else ""
    return header + "\n".join(f"    {r[indent:].rstrip()}" for r in rows)


def _link(entry: Entry, text: str, href: str) -> str:
    """``text <url>``, with relative links resolved like the parser resolves them."""
    url = resolve_link(text, href, entry.docs_url).url
    return f"{text} <{url}>" if url else text


def _no_answer(result: SearchResult) -> str:
    lines = [f"No answer: I don't know a good answer to {result.query.strip()!r}."]
    if result.suggestions:
        lines.append("Closest entries:")
        lines += [
            f"  - {h.entry.question} ({h.entry.id}, {h.score:.2f})" for h in result.suggestions
        ]
    else:
        lines.append("Try rephrasing with the error message or the feature's name.")
    return "\n".join(lines)
