"""Off-topic evidence: how much of a question is everyday language the FAQ does not explain.

A question about the weather shares a word or two with some entry by chance;
what gives it away is that most of its words are common English (or Chinese)
that no title or glossary form of the FAQ explains. The share feeds
:class:`~bot.knowledge.calibration.Calibration` as the ``general`` feature.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.knowledge.editions import editions
from bot.knowledge.fields import indexable
from bot.knowledge.general_words import general_cjk_spans, is_common_chinese, is_common_english
from bot.knowledge.model import Entry
from bot.knowledge.text import (
    CJK_RUN,
    ENGLISH_STOPWORDS,
    Analyzer,
    chinese_pieces,
    normalize,
    stem,
    words,
)

# Share of everyday words outside quotes that makes a request about them. Hand-set
# with the quote handling, not fitted: at half or more, 'translate "…" into
# French' is a request about the phrase; below it, a pasted error in quotes
# with "docker pull" around it stays a question the quoted match answers.
QUOTE_REQUEST = 0.5
# A quoted span: straight or curly double quotes, CJK corner brackets, or single
# quotes that open after a space (so "don't" is no quote). Backticks are code, pasted.
_QUOTED = re.compile(r'"[^"]+"|“[^”]+”|「[^」]+」|『[^』]+』|(?:(?<=\s)|^)\'[^\']+\'')


# A question asking what something *is*: "what is a …", "what does … mean", "explain …",
# "什么是 …", "… 是什么" (and their Traditional forms: the query is not simplified
# for this, so most questions pay one search of a short regex). Anchored at the question's
# start or end, so "是什么原因" (what is the cause) is not one; "what's the command
# that …" is, and names what it is about. Around one thing the FAQ only names ("what
# is a kubernetes pod"), it asks for a definition the FAQ does not give: see
# Evidence.define.
_DEFINITION = re.compile(
    r"^\W*(?:(?:hi|hey|hello|so|ok|um+|quick question|q)\W+)*"
    r"(?:what\s*(?:['’]s|s|is|are)\b|what\s+does\b(?=.*\b(?:mean|do|stand\s+for)\W*$)"
    r"|(?:can\s+(?:you|u|someone)\s+)?(?:explain|define)\b|(?:the\s+)?(?:meaning|definition)\s+of\b)"
    r"|^\W*(?:[请請]问\s*)?(?:什[么麼]是|啥是|何为|何謂|何谓)"
    r"|(?:是什[么麼]意思|是什[么麼]东西|是什[么麼]東西|是[干幹]什[么麼]用的|是[干幹]什[么麼]的"
    r"|是[干幹]嘛的|是做什[么麼]的|是指什[么麼]|什[么麼]意思|啥意思|是什[么麼]|是啥|有什[么麼]用)"
    r"[\s?？。!！吗嗎呢呀啊]*$"
)


def what_it_asks_about(text: str) -> str | None:
    """What a (normalized) question asks the definition of, or None.

    "can you explain what an ingress is" → " what an ingress is" (the frame's own
    words, "explain", "什么意思", are not its subject); None without a frame.
    """
    if _DEFINITION.search(text) is None:
        return None
    return _DEFINITION.sub(" ", text)


class OffTopicEvidence:
    """The FAQ's own vocabulary, and the share of a query in everyday words outside it."""

    def __init__(
        self,
        entries: Sequence[Entry],
        analyzer: Analyzer,
        titles: Sequence[tuple[frozenset[str], ...]],
    ) -> None:
        self.analyzer = analyzer
        self.explained_words, self.explained_pairs = self._explained_vocabulary(entries, titles)

    def _explained_vocabulary(
        self, entries: Sequence[Entry], titles: Sequence[tuple[frozenset[str], ...]]
    ) -> tuple[frozenset[str], frozenset[str]]:
        """The FAQ's own vocabulary: glossary forms and the words of every title.

        A word found only in some answer's body is mentioned, not explained:
        "write" or "network" in a paragraph does not make "write a poem about
        networks" a question the FAQ answers.
        """
        # Glossary forms of concepts some title is about; the glossary also names
        # topics no entry answers (pricing, source control): those stay unexplained.
        present = {t[1:] for sets in titles for s in sets for t in s if t.startswith("#")}
        self.present_concepts = frozenset(present)
        # Single-word forms only: "work" in the phrase "not working" explains nothing alone.
        latin = {
            key[0]
            for key, concepts in self.analyzer.latin_forms.items()
            if len(key) == 1 and concepts & present
        }
        pairs: set[str] = set()
        texts = [f for f, concepts in self.analyzer.cjk_concepts.items() if concepts & present]
        for entry in entries:
            for edition in editions(entry):
                texts += [
                    indexable(edition.question, edition),
                    indexable(edition.section, edition),
                ]
            texts += [entry.title_en, *entry.alternates]
        for text in texts:
            latin.update(stem(w) for w in words(text))
            for run in CJK_RUN.findall(normalize(text)):
                pairs.update(run[i : i + 2] for i in range(len(run) - 1))
        return frozenset(latin), frozenset(pairs)

    def general_share(self, query: str, fixes: dict[str, str]) -> float:
        """Share of the query in common general-language words the FAQ does not explain.

        English: content words (no stopwords) that are neither FAQ vocabulary nor
        a misspelling of it (``fixes``), yet common in general English. Chinese:
        characters of common words whose pairs the FAQ vocabulary lacks (two
        characters ≈ a word).
        """
        text = normalize(self.analyzer.simplify(query))
        general = content = 0.0
        found = words(text)
        # Words inside a glossary phrase of a concept some entry is about ("github
        # actions" is CI/CD) are explained, however everyday each word is alone.
        stems = [stem(w) for w in found]
        phrased = self._explained_phrases(stems)
        for position, word in enumerate(found):
            if word in ENGLISH_STOPWORDS or not word.isalpha() or len(word) < 2:
                continue
            content += 1
            stemmed = stems[position]
            if (
                position in phrased
                or word in fixes
                or not self.explained_words.isdisjoint((word, stemmed, stemmed + "e"))
            ):
                continue
            general += is_common_english(word)
        for run in CJK_RUN.findall(text):
            for piece in chinese_pieces(run):
                content += len(piece) / 2
                general += general_cjk_spans(piece, self.explained_pairs) / 2
        return general / content if content else 0.0

    def _explained_phrases(self, stems: list[str]) -> set[int]:
        """Positions of words in a multi-word glossary phrase of a concept some entry is about."""
        analyzer, positions, index = self.analyzer, set(), 0
        while index < len(stems):
            size = analyzer._phrase_at(stems, index) if stems[index] in analyzer.first_words else 0
            if size > 1:
                concepts = analyzer.latin_forms[tuple(stems[index : index + size])]
                if concepts & self.present_concepts:
                    positions.update(range(index, index + size))
            index += size or 1
        return positions

    def general_outside_quotes(self, query: str, fixes: dict[str, str]) -> tuple[float, float]:
        """The general share of the query, and that of its words outside quotes (0 if none).

        'Translate "docker pull is slow" into French' is a request *about* a
        phrase: the quoted words are mentioned, and the request itself
        (translate, French) is everyday language the FAQ does not explain.
        A pasted error in quotes leaves words like "docker pull" outside, and
        'what does "…" mean' leaves no content word outside at all.
        """
        general = self.general_share(query, fixes)
        outside = _QUOTED.sub(" ", query)
        if outside == query:
            return general, 0.0
        around = self.general_share(outside, fixes)
        return max(general, around), around


def mentioned_share(around: float) -> float:
    """How far a quoted match counts, given the general share of the words around the quotes.

    Mostly everyday words around a quote: the question is about the phrase,
    not asking it; the quoted match counts only as far as the request does.
    """
    return 1.0 - around if around >= QUOTE_REQUEST else 1.0


def is_common_term(term: str) -> bool:
    """A word or character-pair term that is an everyday word of English or Chinese."""
    kind, _, text = term.partition(":")
    if kind == "w":
        return is_common_english(text) or is_common_english(text + "e")
    return kind == "c" and is_common_chinese(text)
