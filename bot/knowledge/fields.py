"""What of an entry is indexed: its fields, their weights, and the text forms compared."""

from __future__ import annotations

import re

from bot.knowledge.editions import editions
from bot.knowledge.language import ZH_TW, to_simplified
from bot.knowledge.model import Entry

# How much a term found in each field counts. Titles say what an entry is
# about; bodies and code mention many things in passing. Hand-set with the
# index (52855b9), not fitted: a title term is worth three body terms.
FIELD_WEIGHTS = {
    "title": 3.0,
    "alternates": 3.0,
    "title_en": 3.0,
    "section": 0.5,
    "body": 1.0,
    "code": 0.6,
    "urls": 0.6,
}
_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)
_URL = re.compile(r"https?://\S+")
# A link's target: "[text](target)". The text is prose; the target (a URL, a page,
# or another entry's anchor) is not, and an anchor would index that entry's title here.
_LINK_TARGET = re.compile(r'\]\([^()\s]*(?:\s+"[^"]*")?\)')


def prose(markdown: str) -> str:
    """Markdown without its code blocks, link targets and raw URLs (code and links are
    fields of their own)."""
    return _URL.sub(" ", _LINK_TARGET.sub("] ", _CODE_FENCE.sub(" ", markdown)))


def english_titles(entry: Entry) -> list[str]:
    """What English askers' wording is compared with: the anchor, English titles, phrasings."""
    found = [entry.title_en]
    found += [e.question for e in editions(entry) if e.language == "en"]
    found += [p for p in entry.alternates if p.isascii()]
    return found


def indexable(text: str, edition: object) -> str:
    """A Traditional Chinese edition is indexed as Simplified, as its askers' queries are."""
    return to_simplified(text) if getattr(edition, "language", "") == ZH_TW else text


def fields(entry: Entry) -> dict[str, str]:
    """Every edition's text, field by field: search finds an entry in any of its languages.

    Code blocks are the same in every edition, so they count once.
    """
    all_editions = editions(entry)
    first = all_editions[0]
    return {
        "title": " \n".join(indexable(e.question, e) for e in all_editions),
        "alternates": " \n".join(entry.alternates),
        "title_en": entry.title_en,
        "section": " \n".join(dict.fromkeys(indexable(e.section, e) for e in all_editions)),
        "body": " \n".join(
            indexable(prose(e.answer_markdown) + " " + " ".join(k.text for k in e.links), e)
            for e in all_editions
        ),
        "code": "\n".join(block.code for block in first.code_blocks),
        "urls": " ".join(link.url or "" for link in first.links),
    }
