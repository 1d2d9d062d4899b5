"""What of an entry is indexed: its fields, their weights, and the text forms compared."""

from __future__ import annotations

import re

from bot.knowledge.editions import editions
from bot.knowledge.language import ZH_TW, to_simplified
from bot.knowledge.model import Edition, Entry

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
# A list item that links to another entry ("- `403 Forbidden`: the network rules
# ([403](#403-forbidden))") says what *that* entry answers: a signpost. Its words are
# the other entry's subject, so the entry holding the list does not index them; an
# error named in a signpost is explained where the link goes. (A list of nothing but
# such links, a table of contents, is no entry at all: markdown_parser drops it.)
_POINTER_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t].*\]\(#[^()\s]+\).*$", re.MULTILINE)
_ENTRY_LINK = re.compile(r"\]\(#([^()\s]+)\)")


def prose(markdown: str) -> str:
    """Markdown without its code blocks, signposts to other entries, link targets and raw
    URLs (code and links are fields of their own)."""
    text = _POINTER_ITEM.sub(" ", _CODE_FENCE.sub(" ", markdown))
    return _URL.sub(" ", _LINK_TARGET.sub("] ", text))


def signposts(entry: Entry) -> list[tuple[str, tuple[str, ...]]]:
    """Each signpost of every edition: its prose, and the anchors it links to."""
    found = []
    for edition in editions(entry):
        markdown = _CODE_FENCE.sub(" ", edition.answer_markdown)
        for item in _POINTER_ITEM.finditer(markdown):
            text = indexable(_LINK_TARGET.sub("] ", item.group(0)), edition)
            found.append((text, tuple(_ENTRY_LINK.findall(item.group(0)))))
    return found


def signposted(markdown: str) -> set[str]:
    """The anchors that only signposts of ``markdown`` link to (see _POINTER_ITEM)."""
    markdown = _CODE_FENCE.sub(" ", markdown)
    pointers = {m.group(0) for m in _POINTER_ITEM.finditer(markdown)}
    inside = {a for item in pointers for a in _ENTRY_LINK.findall(item)}
    outside = set(_ENTRY_LINK.findall(_POINTER_ITEM.sub(" ", markdown)))
    return inside - outside


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
            indexable(prose(e.answer_markdown) + " " + _link_texts(e), e) for e in all_editions
        ),
        "code": "\n".join(block.code for block in first.code_blocks),
        "urls": " ".join(link.url or "" for link in first.links),
    }


def _link_texts(edition: Edition) -> str:
    """The texts of an edition's links, but for those of its signposts."""
    pointed = signposted(edition.answer_markdown)
    return " ".join(k.text for k in edition.links if k.entry_ref not in pointed or not k.entry_ref)
