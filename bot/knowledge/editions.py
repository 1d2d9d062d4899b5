"""One entry, several languages: pairing editions by anchor, and choosing the one to show.

A team adds an edition of a page by adding a file next to it named
``<page>.<lang>.md`` (``container-registry-faq.en.md`` beside
``container-registry-faq.zh-cn.md``). Entries of the same page with the same
anchor are paired into one entry; an anchor found in only one edition stays
an entry of its own, shown in that edition whatever the asker's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

from bot.knowledge.language import EN, ZH, ZH_TW, normalise, to_simplified, to_traditional
from bot.knowledge.model import Edition, Entry, View

_LOCALE_SUFFIX = re.compile(r"\.[a-z]{2}(?:-[a-z]{2,4})?$", re.IGNORECASE)
_PRIMARY_FIRST = (ZH, ZH_TW, EN)  # the seed is Simplified Chinese: its edition leads


def page_of(source: str) -> str:
    """``container-registry-faq.zh-cn.md`` → ``container-registry-faq``."""
    return _LOCALE_SUFFIX.sub("", Path(source).stem)


def edition_of(entry: Entry) -> Edition:
    """The single edition a freshly parsed entry is."""
    return Edition(
        language=normalise(entry.language),
        key=entry.key,
        question=entry.question,
        section=entry.section,
        answer_markdown=entry.answer_markdown,
        code_blocks=entry.code_blocks,
        links=entry.links,
        source=entry.source,
        line=entry.line,
        docs_url=entry.docs_url,
        passages=entry.passages,
    )


def pair(entries: Iterable[Entry], docs_base_urls: Mapping[str, str] | None = None) -> list[Entry]:
    """Parsed entries (one edition each) → entries with every edition of their anchor.

    Order is kept (the first edition's position). Two entries of the same
    page, anchor *and* language (a repeated heading) are not merged: each
    stays an entry, as before editions existed.
    """
    groups: dict[tuple[str, str], list[Entry]] = {}
    order: list[tuple[str, str] | Entry] = []
    for entry in entries:
        group_key = (page_of(entry.source), entry.id)
        members = groups.get(group_key)
        language = normalise(entry.language)
        if members is None:
            groups[group_key] = [entry]
            order.append(group_key)
        elif any(normalise(m.language) == language for m in members):
            order.append(entry)  # a duplicate in the same language: its own entry
        else:
            members.append(entry)
    paired: list[Entry] = []
    for item in order:
        members = [item] if isinstance(item, Entry) else groups[item]
        paired.append(_merge(members, docs_base_urls or {}))
    return paired


def _merge(members: list[Entry], docs_base_urls: Mapping[str, str]) -> Entry:
    def rank(entry: Entry) -> tuple[int, str]:
        language = normalise(entry.language)
        first = _PRIMARY_FIRST.index(language) if language in _PRIMARY_FIRST else 99
        return first, entry.source

    ordered = sorted(members, key=rank)
    primary = ordered[0]
    editions = tuple(edition_of(m) for m in ordered)
    # Only a file that declared a docs-site page (docs_page:) links to it in every language.
    site_page = next((m.docs_page for m in ordered if m.docs_page), "")
    urls: dict[str, str] = {
        normalise(lang): urljoin(_slash(base), site_page) + f"#{primary.id}"
        for lang, base in (docs_base_urls.items() if site_page else ())
    }
    urls.update({e.language: e.docs_url for e in editions if e.docs_url})
    return replace(primary, editions=editions[1:], docs_urls=tuple(sorted(urls.items())))


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def editions(entry: Entry) -> tuple[Edition, ...]:
    """All the entry's editions, its own fields (the primary edition) first.

    ``Entry.editions`` holds the *other* editions, so an entry's own fields
    are never out of step with its primary edition.
    """
    return (edition_of(entry), *entry.editions)


def languages(entry: Entry) -> list[str]:
    return [e.language for e in editions(entry)]


def view_of(entry: Entry, language: str) -> View:
    """The entry in ``language``, else converted between Chinese scripts, else English, else any.

    Traditional askers get the Simplified edition converted with OpenCC when
    there is no Traditional one (and the reverse); the docs link is the one
    configured for the asker's language when there is one.
    """
    language = normalise(language)
    by_language = {e.language: e for e in editions(entry)}
    docs = dict(entry.docs_urls)
    if language in by_language:
        return _view(by_language[language], language, docs.get(language))
    if language == ZH_TW and ZH in by_language:
        return _view(by_language[ZH], ZH_TW, docs.get(ZH_TW), convert=to_traditional)
    if language == ZH and ZH_TW in by_language:
        return _view(by_language[ZH_TW], ZH, docs.get(ZH), convert=to_simplified)
    for fallback in (EN, ZH, ZH_TW):
        if fallback in by_language:
            return _view(by_language[fallback], fallback, docs.get(fallback))
    first = editions(entry)[0]
    return _view(first, first.language, None)


def _view(
    edition: Edition,
    language: str,
    docs_url: str | None,
    convert: Callable[[str], str] | None = None,
) -> View:
    """The edition as shown; with ``convert``, titles now and the answer when first read."""
    same = convert is None
    return View(
        language=language,
        question=edition.question if same else convert(edition.question),
        section=edition.section if same else convert(edition.section),
        source_markdown=edition.answer_markdown,  # converted on use: View.answer_markdown
        docs_url=docs_url or edition.docs_url,
        converted=not same,
    )
