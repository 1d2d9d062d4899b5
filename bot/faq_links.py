"""A knowledge-base entry worth reading, as the domains that point to the FAQ see it.

Diagnostics' reports and triage's alert threads both name FAQ entries, and
neither knows the knowledge base: the composition root
(:func:`bot.services.faq_search_from`) turns a search into a
:data:`FaqSearch` for each, and each keeps only the links it is sure of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FaqLink:
    """One entry: anchor, title in the reader's language, docs link, the search's confidence."""

    id: str
    title: str
    url: str = ""  # empty when the entry's knowledge file declares no docs link
    score: float = 1.0


FaqSearch = Callable[[str, int], Sequence[FaqLink]]
"""Given a short query and how many to return, the FAQ entries that answer it, best first."""
