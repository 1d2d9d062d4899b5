"""A knowledge file's front matter, and the one thing acrbot takes from it: where its docs are.

Each file says for itself whether it has a docs page, so a team's own
runbook is never given a learn.microsoft.com link to a page that does not
exist. One of three keys, or none:

- ``docs_url: https://wiki.example.com/acr/runbook``: the page; entries link
  to ``…/runbook#<anchor>``;
- ``docs_base_url: https://wiki.example.com/acr/``: the page is that base
  plus the file's page name (``runbook.en.md`` → ``…/acr/runbook``);
- ``docs_page: container-registry-faq``: a page of the configured docs site,
  ``knowledge.docs_base_urls[<language>]`` (learn.microsoft.com's
  container-registry docs by default), so every language links to its own
  edition of the page. The bundled ACR FAQ declares this.

No key, no link. ``entry_links: {<anchor>: <url>}`` gives single entries a
link of their own, over the page's (captured answers link to their Slack
thread). A value of the wrong kind is refused with the file and the line,
as broken YAML is.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from bot.errors import KnowledgeError
from bot.yaml_loader import error_reason, load_yaml

DOCS_KEYS = ("docs_url", "docs_base_url", "docs_page")
ENTRY_LINKS = "entry_links"
_ABSOLUTE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_PAGE = re.compile(r"^[\w.-]+(?:/[\w.-]+)*$")


@dataclass(frozen=True)
class FrontMatter:
    meta: dict[str, Any]
    body: str
    offset: int  # lines the front matter took (so a body line + offset is a file line)
    lines: tuple[str, ...] = ()  # the front matter's own lines, for messages

    def line_of(self, key: str) -> int:
        """The file line (1-based) that sets ``key``; the opening ``---`` when none does."""
        pattern = re.compile(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*:")
        for number, line in enumerate(self.lines, start=2):
            if pattern.match(line):
                return number
        return 1


@dataclass(frozen=True)
class DocsLink:
    """What a file declared: a page URL, a base to put the page name on, or a docs-site page."""

    page_url: str = ""  # absolute; "" when the file has no page of its own (yet)
    site_page: str = ""  # a page of the configured docs site, resolved per language

    def __bool__(self) -> bool:
        return bool(self.page_url or self.site_page)


def split_front_matter(text: str, name: str) -> FrontMatter:
    """The front matter (a YAML mapping between ``---`` lines) and the body after it."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, text, 0)
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            try:
                meta = load_yaml("".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" line {mark.line + 2}:" if mark else ""
                raise KnowledgeError(
                    f"{name}:{where} front matter is not valid YAML ({error_reason(exc)})"
                ) from None
            if not isinstance(meta, dict):
                raise KnowledgeError(f"{name}: line 2: front matter must be a YAML mapping")
            return FrontMatter(meta, "".join(lines[end + 1 :]), end + 1, tuple(lines[1:end]))
    raise KnowledgeError(f"{name}: line 1: front matter opened with '---' is never closed")


def docs_link(front: FrontMatter, name: str, page: str) -> DocsLink:
    """The docs link ``name`` declares (see the module doc); ``page`` is its page name."""
    meta = front.meta
    _refuse_misspelt_keys(front, name)
    declared = sorted((k for k in DOCS_KEYS if meta.get(k) not in (None, "")), key=front.line_of)
    if len(declared) > 1:
        raise KnowledgeError(
            f"{name}: line {front.line_of(declared[1])}: {declared[0]} and {declared[1]} "
            "both say where the docs are; keep one"
        )
    if not declared:
        return DocsLink()
    key = declared[0]
    value = meta[key]
    if key == "docs_page":
        if not isinstance(value, str) or not _PAGE.fullmatch(value.strip()):
            raise _bad(front, name, key, "must be a page name such as container-registry-faq")
        return DocsLink(site_page=value.strip())
    if not isinstance(value, str) or not _ABSOLUTE.match(value.strip()):
        raise _bad(front, name, key, "must be an http(s) URL")
    url = value.strip()
    if key == "docs_base_url":
        url = (url if url.endswith("/") else url + "/") + page
    return DocsLink(page_url=url.split("#", 1)[0])


def entry_links(front: FrontMatter, name: str) -> dict[str, str]:
    """``entry_links``: anchor → that entry's own docs link (http(s) URLs only)."""
    raw = front.meta.get(ENTRY_LINKS)
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and _ABSOLUTE.match(v.strip())
        for k, v in raw.items()
    ):
        raise KnowledgeError(
            f"{name}: line {front.line_of(ENTRY_LINKS)}: {ENTRY_LINKS} must map anchors to "
            "http(s) URLs"
        )
    return {k: v.strip() for k, v in raw.items()}


def _refuse_misspelt_keys(front: FrontMatter, name: str) -> None:
    """``doc_url:`` or ``docsurl:`` would silently mean "no link": say which key was meant."""
    for key in front.meta:
        if not isinstance(key, str) or key in DOCS_KEYS or not key.lower().startswith("doc"):
            continue
        near = difflib.get_close_matches(key.lower().replace("-", "_"), DOCS_KEYS, 1, 0.75)
        if near:
            raise KnowledgeError(
                f"{name}: line {front.line_of(key)}: unknown key {key!r}; did you mean {near[0]}?"
            )


def _bad(front: FrontMatter, name: str, key: str, what: str) -> KnowledgeError:
    shown = repr(front.meta[key])
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return KnowledgeError(f"{name}: line {front.line_of(key)}: {key} {what}, not {shown}")
