"""Approved captured answers as FAQ markdown, in the knowledge folder's own format.

One page per language (``captured.<locale>.md``), one ``###`` entry per
answer under its stable ``<a name="captured-…">`` anchor, the thread link
kept in the front matter's ``entry_links``. The library reads captured
entries through exactly this text and :func:`parse_markdown`, so what
``acrbot knowledge export`` writes is what the bot answers from, and a team
can commit the files to its knowledge folder unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import yaml

from bot.knowledge.editions import pair
from bot.knowledge.language import normalise
from bot.knowledge.markdown_parser import parse_markdown
from bot.knowledge.model import Entry

if TYPE_CHECKING:
    from bot.knowledge.captured import Captured

PAGE = "captured"
SECTION = "Answers captured from Slack"
_LOCALES = {"en": "en-us", "zh": "zh-cn", "zh-tw": "zh-tw"}
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")


def file_name(language: str) -> str:
    locale = _LOCALES.get(normalise(language), normalise(language))
    return f"{PAGE}.{locale.split('-')[0] if locale == 'en-us' else locale}.md"


def pages(items: Iterable[Captured]) -> dict[str, str]:
    """File name → markdown, for the given (approved) entries grouped by language."""
    by_file: dict[str, list[Captured]] = {}
    for item in items:
        by_file.setdefault(file_name(item.language), []).append(item)
    return {name: page(name, listed) for name, listed in sorted(by_file.items())}


def page(name: str, items: list[Captured]) -> str:
    language = normalise(items[0].language) if items else "en"
    meta = {
        "title": SECTION,
        "ms.contentlocale": _LOCALES.get(language, language),
        "entry_links": {i.anchor: i.permalink for i in items if i.permalink},
    }
    parts = [
        "---\n",
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000),
        "---\n",
        f'## <a name="{PAGE}"></a>{SECTION}\n\n',
    ]
    for item in items:
        parts.append(f'### <a name="{item.anchor}"></a>{escape_heading(item.question)}\n\n')
        parts.append(item.answer_markdown.strip("\n") + "\n\n")
    return "".join(parts)


def escape_heading(text: str) -> str:
    """Plain text that markdown reads back as the same plain text in a heading."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def entries(items: Iterable[Captured], docs_base_url: str = "https://slack.com/") -> list[Entry]:
    """The approved entries as the library indexes them: parsed back from their pages."""
    found: list[Entry] = []
    for name, text in pages(items).items():
        found.extend(parse_markdown(text, name, docs_base_url))
    return pair(found, {})  # no docs base: an entry's link is its thread


def round_trips(item: Captured) -> bool:
    """True when the entry's page parses back into exactly this question and answer."""
    parsed = entries([item])
    return (
        len(parsed) == 1
        and parsed[0].id == item.anchor
        and parsed[0].question == item.question
        and parsed[0].answer_markdown == item.answer_markdown
    )
