"""FAQ markdown → entries, with markdown-it-py doing the parsing.

The shape we expect is the docs.microsoft.com FAQ: ``##`` sections that open
with a table of contents, ``###`` questions with ``<a name="anchor">`` anchors.
Real files bend that shape, so the rules are about meaning, not levels alone:
a ``####`` heading that asks a question is an entry of its own, one that does
not (prerequisites, "Windows containers") stays in its parent's answer, and a
section with no questions under it (CI/CD: a list of links) is an entry itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.knowledge.files import read_regular_text
from bot.knowledge.front_matter import docs_link, entry_links, split_front_matter
from bot.knowledge.model import CodeBlock, Entry, Link

_MD = MarkdownIt("commonmark")
_ANCHOR = re.compile(r"""<a\s+(?:name|id)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_QUESTION_WORDS = {
    "how", "what", "where", "why", "when", "which", "who", "can", "is", "are", "does", "do",
    "should", "will",
}  # fmt: skip
_LOCALE_SUFFIX = re.compile(r"\.[a-z]{2}(?:-[a-z]{2,4})?$", re.IGNORECASE)


@dataclass
class _Heading:
    level: int
    anchor: str
    title: str
    line: int  # 0-based line of the heading in the body
    body_start: int
    body_end: int = 0


@dataclass(frozen=True)
class _Page:
    """What every entry of one file shares."""

    source: str
    offset: int  # lines of front matter before the body
    url: str  # the docs page, "" for none
    site_page: str  # the docs-site page name when the file declared docs_page
    language: str


@dataclass
class _Draft:
    heading: _Heading
    section: str
    parts: list[str] = field(default_factory=list)


def parse_markdown_file(path: Path, docs_site: str) -> list[Entry]:
    return parse_markdown(read_regular_text(path), path.name, docs_site)


def parse_markdown(text: str, source: str, docs_site: str) -> list[Entry]:
    """Entries of one file. ``docs_site`` is the configured docs base for the file's
    language: used only when the front matter says ``docs_page:`` (see front_matter.py)."""
    front = split_front_matter(text, source)
    meta, body, offset = front.meta, front.body, front.offset
    stem = _LOCALE_SUFFIX.sub("", Path(source).stem)
    declared = docs_link(front, source, stem)
    page_url = declared.page_url
    if declared.site_page:
        page_url = urljoin(
            docs_site if docs_site.endswith("/") else docs_site + "/", declared.site_page
        )
    language = str(meta.get("ms.contentlocale") or meta.get("lang") or locale_of(source)).lower()
    lines = body.splitlines(keepends=True)
    headings = _headings(_MD.parse(body), len(lines))
    drafts = _group(headings, lines)
    if not drafts and body.strip():
        title = str(meta.get("title") or stem)
        whole = _Heading(1, _slug(stem), title, 0, 0, len(lines))
        drafts = [_Draft(whole, title, ["".join(lines)])]
    page = _Page(source, offset, page_url, declared.site_page, language)
    links = entry_links(front, source)  # an entry's own link (captured answers: the thread)
    found = [_entry(d, page) for d in drafts]
    return [replace(e, docs_url=links[e.id]) if e.id in links else e for e in found]


def locale_of(source: str) -> str:
    """The language a file's name gives (``faq.zh-cn.md`` → ``zh-cn``); ``en`` without one."""
    match = _LOCALE_SUFFIX.search(Path(source).stem)
    return match.group(0)[1:] if match else "en"


def _headings(tokens: list[Token], line_count: int) -> list[_Heading]:
    found: list[_Heading] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None:
            continue
        inline = tokens[index + 1]
        title = _plain_text(inline.children or []).strip()
        anchor_match = _ANCHOR.search(inline.content)
        anchor = anchor_match.group(1) if anchor_match else _slug(title)
        found.append(_Heading(int(token.tag[1]), anchor, title, token.map[0], token.map[1]))
    for number, current in enumerate(found):
        current.body_end = found[number + 1].line if number + 1 < len(found) else line_count
    return found


def _plain_text(children: list[Token]) -> str:
    parts = [
        f" {c.content} " if c.type == "code_inline" else c.content
        for c in children
        if c.type in ("text", "code_inline")
    ]
    return re.sub(r"\s+", " ", "".join(parts))


def _is_question(heading: _Heading) -> bool:
    if heading.title.rstrip().endswith(("?", "？")):
        return True
    first = heading.anchor.split("-", 1)[0].lower()
    return first in _QUESTION_WORDS


def _group(headings: list[_Heading], lines: list[str]) -> list[_Draft]:
    """Assign every heading's text to an entry following the rules above."""
    drafts: list[_Draft] = []
    section: _Heading | None = None
    section_has_questions = False
    current: _Draft | None = None

    def close_section() -> None:
        if section and not section_has_questions:
            text = "".join(lines[section.body_start : section.body_end])
            if text.strip():
                drafts.append(_Draft(section, section.title, [text]))

    for heading in headings:
        text = "".join(lines[heading.body_start : heading.body_end])
        if heading.level <= 2:
            close_section()
            section, section_has_questions, current = (heading, False, None)
            if heading.level == 1:
                section = None
            continue
        if heading.level == 3 or _is_question(heading) or current is None:
            current = _Draft(heading, section.title if section else "", [text])
            drafts.append(current)
            section_has_questions = True
        else:
            current.parts.append(f"{'#' * heading.level} {heading.title}\n{text}")
    close_section()
    return drafts


def _entry(draft: _Draft, page: _Page) -> Entry:
    heading = draft.heading
    source = page.source
    markdown = "".join(draft.parts).strip("\n") + "\n"
    tokens = _MD.parse(markdown)
    if _is_table_of_contents(tokens):
        markdown, tokens = "", []
    anchor = heading.anchor
    return Entry(
        id=anchor,
        key=f"{Path(source).stem}#{anchor}",
        question=heading.title,
        section=draft.section,
        answer_markdown=markdown,
        code_blocks=tuple(_code_blocks(tokens)),
        links=tuple(_links(tokens, page.url)),
        source=source,
        line=page.offset + heading.line + 1,
        docs_url=f"{page.url}#{anchor}" if page.url else "",
        language=page.language,
        title_en=anchor.replace("-", " ") if anchor.isascii() else "",
        passages=tuple(_passages(tokens, markdown)),
        docs_page=page.site_page,
    )


def _passages(tokens: list[Token], markdown: str) -> list[str]:
    """Split an answer where the text turns to a new point after its code.

    Answers sometimes carry a second topic with no heading of its own (the
    seed's note on deleting the home replication sits under "new user
    permissions"); searching passages as well as whole entries finds it.
    """
    lines = markdown.splitlines(keepends=True)
    starts: list[int] = []
    after_code = True
    for token in tokens:
        if token.type in ("fence", "code_block"):
            after_code = True  # at any depth: a list item may end in a command
        elif token.level == 0 and token.map is not None and token.nesting != -1:
            if after_code or token.type == "heading_open":
                starts.append(token.map[0])
            after_code = False
    if len(starts) < 2:
        return []
    bounds = [*starts[1:], len(lines)]
    return ["".join(lines[a:b]) for a, b in zip(starts, bounds, strict=True)]


def _is_table_of_contents(tokens: list[Token]) -> bool:
    """A list whose every item is one in-page link: navigation, not an answer."""
    inlines = [t for t in tokens if t.type == "inline"]
    return bool(inlines) and all(
        (t.children or []) and (t.children[0].attrGet("href") or "").startswith("#")
        for t in inlines
    )


def _code_blocks(tokens: list[Token]) -> list[CodeBlock]:
    blocks = []
    for token in tokens:
        if token.type in ("fence", "code_block") and token.content.strip():
            language = (token.info or "").split(maxsplit=1)[0] if token.info.strip() else ""
            blocks.append(CodeBlock(language, _dedent(token.content)))
    return blocks


def _dedent(code: str) -> str:
    rows = code.rstrip().splitlines()
    indent = min((len(r) - len(r.lstrip()) for r in rows if r.strip()), default=0)
    return "\n".join(r[indent:].rstrip() for r in rows)


def _links(tokens: list[Token], base: str) -> list[Link]:
    links: list[Link] = []
    for token in tokens:
        children = token.children or []
        for index, child in enumerate(children):
            if child.type != "link_open":
                continue
            href = str(child.attrGet("href") or "")
            text = _plain_text(_until_close(children[index + 1 :])).strip()
            links.append(resolve_link(text or href, href, base))
    return links


def _until_close(children: list[Token]) -> list[Token]:
    inner = []
    for child in children:
        if child.type == "link_close":
            break
        inner.append(child)
    return inner


def resolve_link(text: str, href: str, base: str) -> Link:
    """Relative ``page.md`` links become docs URLs; ``#anchor`` links point at entries.

    A file without a docs page (``base`` empty) has nowhere to resolve a relative
    link against: it stays text, never a made-up URL.
    """
    if href.startswith("#"):
        return Link(text, None, entry_ref=href[1:])
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):
        return Link(text, href)
    if not base:
        return Link(text, None)
    path, _, fragment = href.partition("#")
    if path.endswith(".md"):
        path = path[:-3]
    url = urljoin(base, path) + (f"#{fragment}" if fragment else "")
    return Link(text, url)


def _slug(title: str) -> str:
    slug = re.sub(r"[^\w\s-]", "", title.lower(), flags=re.UNICODE)
    return re.sub(r"[\s_]+", "-", slug).strip("-") or "entry"
