"""Search results as text for a terminal: what `acrbot ask` prints.

Terminal rendering belongs to the command line, not to the knowledge base,
as Block Kit rendering belongs to the Slack package.
"""

from __future__ import annotations

import re

from bot.cli.terminal import one_line
from bot.knowledge.editions import view_of
from bot.knowledge.index import Hit
from bot.knowledge.language import ZH, ZH_TW, to_traditional
from bot.knowledge.library import SearchResult
from bot.knowledge.markdown_parser import resolve_link
from bot.knowledge.model import View

# Linear by construction, since an answer file may hold anything: fences are
# found by a loop over lines, not a lazy DOTALL pattern that rescans the rest of
# the text from every opener; a link's text and target exclude their own
# delimiters and newlines, so a match attempt from one "[" stops at the next
# bracket and no character is rescanned from many starting points. Possessive
# quantifiers forbid backtracking as well.
MAX_RENDERED = 50_000  # characters of answer markdown rendered; an FAQ answer is far shorter
_FENCE_LINE = re.compile(r"[ \t]*+```")
_LINK = re.compile(r"\[([^\[\]\n]*+)\]\(([^()\n]*+)\)")
_NOTE = re.compile(r"^> \[!(\w++)\][ \t]*+$", re.MULTILINE)
ECHOED = 120  # characters of an unanswered question said back: enough to recognise it
# "I don't know" is the answer, so it is said in the asker's language (zh-tw: converted).
NO_ANSWER = {
    "en": {
        "no_answer": "No answer: I don't know a good answer to “{question}”.",
        "closest": "Closest entries:",
        "hint": "Try rephrasing with the error message or the feature's name.",
    },
    ZH: {
        "no_answer": "没有答案：关于“{question}”，我暂时找不到合适的答案。",
        "closest": "最接近的条目：",
        "hint": "可以贴上报错信息或功能名称再问一次。",
    },
}


def render(result: SearchResult) -> str:
    if result.answer is None:
        return _no_answer(result)
    hit = result.answer
    view = _view(hit, result.language)
    lines = [f"Q: {view.question}", f"   [{view.section}] {hit.entry.id}", ""]
    lines += [_prose(view), ""]
    if view.docs_url:
        lines.append(f"Docs: {view.docs_url}")
    lines.append(f"Confidence: {hit.score:.2f}")
    if result.suggestions:
        lines.append("")
        lines.append("Did you mean:")
        lines += [_suggestion(h, result.language) for h in result.suggestions]
    return "\n".join(lines)


def _view(hit: Hit, language: str) -> View:
    return hit.view or view_of(hit.entry, language)


def _suggestion(hit: Hit, language: str) -> str:
    return f"  - {_view(hit, language).question} ({hit.entry.id}, {hit.score:.2f})"


def _prose(entry: View) -> str:
    """The answer as plain text: code indented in place, links made explicit."""
    text = _code_blocks(entry.answer_markdown[:MAX_RENDERED])
    text = _NOTE.sub(lambda m: f"{m.group(1).capitalize()}:", text)
    text = _LINK.sub(lambda m: _link(entry, m.group(1), m.group(2)), text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _code_blocks(markdown: str) -> str:
    """Fenced code indented in place: one pass over the lines (an unclosed fence stays as is)."""
    out: list[str] = []
    opened: tuple[int, str] | None = None  # (index in out of the opening line, info string)
    for line in markdown.split("\n"):
        fence = _FENCE_LINE.match(line)
        if opened is None:
            if fence:
                opened = (len(out), line[fence.end() :])
            out.append(line)
        elif fence and not line[fence.end() :].strip():
            start, info = opened
            out[start:] = [_code(info, out[start + 1 :])]
            opened = None
        else:
            out.append(line)
    return "\n".join(out)


def _code(info: str, body: list[str]) -> str:
    rows = "\n".join(body).rstrip().splitlines()
    indent = min((len(r) - len(r.lstrip()) for r in rows if r.strip()), default=0)
    language = info.strip()
    header = f"    [{language}]\n" if language else ""
    return header + "\n".join(f"    {r[indent:].rstrip()}" for r in rows)


def _link(entry: View, text: str, href: str) -> str:
    """``text <url>``, with relative links resolved like the parser resolves them."""
    url = resolve_link(text, href, entry.docs_url).url
    return f"{text} <{url}>" if url else text


def _no_answer(result: SearchResult) -> str:
    language = result.language
    question = one_line(result.query, ECHOED)  # a pasted 50,000-character log is noise here
    lines = [_say(language, "no_answer").format(question=question)]
    if result.suggestions:
        lines.append(_say(language, "closest"))
        lines += [_suggestion(h, language) for h in result.suggestions]
    else:
        lines.append(_say(language, "hint"))
    return "\n".join(lines)


def _say(language: str, key: str) -> str:
    if language == ZH_TW:
        return to_traditional(NO_ANSWER[ZH][key])
    return NO_ANSWER.get(language, NO_ANSWER["en"])[key]
