"""What the knowledge base knows: entries parsed from FAQ markdown."""

from __future__ import annotations

from dataclasses import dataclass, field


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
class Entry:
    """One answerable question.

    ``id`` is the heading's anchor (what users and evals refer to); ``key``
    adds the source file so that two files may reuse an anchor safely.
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
