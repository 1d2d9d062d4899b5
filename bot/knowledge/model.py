"""What the knowledge base knows: entries parsed from FAQ markdown, in one or more editions."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.knowledge.script import converted_markdown


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None  # absolute URL, or None for a reference to another entry
    entry_ref: str | None = None  # anchor of the referenced entry, for "#anchor" links


@dataclass(frozen=True)
class Edition:
    """One language's text of an entry: what a reader of that language is shown.

    ``language`` is normalised (``en``, ``zh``, ``zh-tw``, ``ja`` …), see
    :func:`bot.knowledge.language.normalise`.
    """

    language: str
    key: str
    question: str
    section: str
    answer_markdown: str
    code_blocks: tuple[CodeBlock, ...]
    links: tuple[Link, ...]
    source: str
    line: int
    docs_url: str  # "" when the file declares no docs page
    passages: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    """An entry as one asker sees it: in their language, or the nearest edition there is.

    ``converted`` is True when the text was converted by OpenCC (Simplified ↔
    Traditional) rather than written in that language.
    """

    language: str
    question: str
    section: str
    source_markdown: str  # the edition's answer, before any conversion
    docs_url: str  # "" when the entry's file declares no docs page
    converted: bool = False
    rendered: str | None = None  # the converted answer, when a snapshot made it ahead

    @property
    def answer_markdown(self) -> str:
        """The answer in the view's script, converted on first use (search makes five views
        per question; only the ones shown are ever converted)."""
        if not self.converted:
            return self.source_markdown
        if self.rendered is not None:
            return self.rendered
        return converted_markdown(self.source_markdown, self.language)


@dataclass(frozen=True)
class Entry:
    """One answerable question.

    ``id`` is the heading's anchor (what users and evals refer to); ``key``
    adds the source file so that two files may reuse an anchor safely.

    Files named ``<page>.<lang>.md`` are editions of one page: entries with the
    same anchor in them are one entry with several ``editions`` (see
    :mod:`bot.knowledge.editions`). The entry's own text fields are its primary
    edition (Simplified Chinese when there is one, as in the seed, else the
    first edition by file name); ``alternates`` are reviewed phrasings from
    ``phrasings.yaml`` that search treats as more questions of this entry.
    """

    id: str
    key: str
    question: str
    section: str
    answer_markdown: str
    code_blocks: tuple[CodeBlock, ...]
    links: tuple[Link, ...]
    source: str
    line: int
    docs_url: str
    language: str = "zh-cn"
    title_en: str = ""
    passages: tuple[str, ...] = field(default=())
    editions: tuple[Edition, ...] = ()  # the other editions (the entry's fields are the first)
    docs_urls: tuple[tuple[str, str], ...] = ()  # (language, docs URL) for every known language
    alternates: tuple[str, ...] = ()
    docs_page: str = ""  # the docs-site page its file declared (``docs_page:``), if any
