"""The search index: BM25 over weighted fields, with rapidfuzz repairing typos.

Why not fuzzy matching alone: the answers are Chinese and most questions are
English, so string similarity has nothing to hold on to. Terms from
:mod:`bot.knowledge.text` (words, CJK bigrams, glossary concepts) carry the
meaning across; BM25 weighs them; rapidfuzz maps a misspelt word onto the
closest word the knowledge base knows before any of that happens.

Ranking multiplies three views of a candidate: BM25 over the whole entry (or
its best passage), how much of the entry's *title* the query covers, and how
much of the *query* the entry explains. Confidence (see calibration.py) reads
the same evidence: a question about the weather explains nothing and scores
near zero however the ranking falls.

Postings are numpy arrays so that one query costs a few vector operations,
not a Python loop per posting: that keeps a 10,000-entry base fast.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.knowledge.calibration import Calibration
from bot.knowledge.editions import editions
from bot.knowledge.general_words import (
    common_words,
    general_cjk_spans,
    is_common_chinese,
    is_common_english,
)
from bot.knowledge.language import ZH_TW, to_simplified
from bot.knowledge.language import warm as warm_opencc
from bot.knowledge.model import Entry, View
from bot.knowledge.text import (
    CJK_RUN,
    ENGLISH_STOPWORDS,
    Analyzer,
    chinese_pieces,
    normalize,
    stem,
    words,
)

# How much a term found in each field counts. Titles say what an entry is
# about; bodies and code mention many things in passing.
FIELD_WEIGHTS = {
    "title": 3.0,
    "alternates": 3.0,
    "title_en": 3.0,
    "section": 0.5,
    "body": 1.0,
    "code": 0.6,
    "urls": 0.6,
}
BIGRAM_WEIGHT = 0.5  # a Chinese word yields several overlapping bigrams
K1, B = 1.2, 0.8
TITLE_BASE = 0.3
COVERAGE_BASE = 1.0
FUZZ_WEIGHT = 1.0  # weight of rapidfuzz's similarity between the query and the English title
PASSAGE_WEIGHT = 0.8
CORRECTION_DOUBT = 1.0
CONCEPT_WORD_WEIGHT = 0.5  # a word inside a glossary phrase: its concept carries it
RERANK_POOL = 50
QUOTE_REQUEST = 0.5  # share of everyday words outside quotes that makes a request about them
_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)
_URL = re.compile(r"https?://\S+")
# A quoted span: straight or curly double quotes, CJK corner brackets, or single
# quotes that open after a space (so "don't" is no quote). Backticks are code, pasted.
_QUOTED = re.compile(r'"[^"]+"|“[^”]+”|「[^」]+」|『[^』]+』|(?:(?<=\s)|^)\'[^\']+\'')


@dataclass(frozen=True)
class Evidence:
    """What the confidence of a hit is computed from."""

    coverage: float  # share of the query's information the entry explains
    known_coverage: float  # the same, counting only words the knowledge base knows
    strength: float  # the ranking score
    lead: float  # 1 for a clear winner, lower for a near tie or a lower rank
    title: float  # share of the entry's title the query covers
    matched: float  # information (summed idf) of the query terms the entry contains
    general: float = 0.0  # share of the query in everyday words the FAQ does not explain
    point: float = 0.0  # share of the query's information the entry's titles carry
    domain: float = 0.0  # 1 when the query names a core concept of the FAQ (registry, image …)
    ideas: float = 0.0  # distinct ideas (concepts, words) query and entry share, up to 4, / 4


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float  # calibrated confidence in 0..1
    evidence: Evidence
    view: View | None = None  # the entry in the asker's language (set by KnowledgeBase.ask)


class _Postings:
    """term → (document numbers, BM25 term weights), as numpy arrays."""

    def __init__(self, documents: Sequence[Counter[str]]) -> None:
        self.size = len(documents)
        lengths = np.array([sum(d.values()) for d in documents], dtype=np.float64)
        average = lengths.mean() if self.size else 1.0
        norms = K1 * (1 - B + B * lengths / (average or 1.0))
        lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for number, counts in enumerate(documents):
            for term, tf in counts.items():
                docs, weights = lists[term]
                docs.append(number)
                weights.append(tf * (K1 + 1) / (tf + norms[number]))
        self.arrays = {
            t: (np.array(d, dtype=np.int32), np.array(w, dtype=np.float64))
            for t, (d, w) in lists.items()
        }

    def score(
        self, query: dict[str, float], idf: dict[str, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        """BM25 per document, and the summed idf of the query terms each contains."""
        present = [t for t in query if t in self.arrays and t in idf]
        if not present:
            return np.zeros(self.size), np.zeros(self.size)
        docs = np.concatenate([self.arrays[t][0] for t in present])
        bm25 = np.concatenate([query[t] * idf[t] * self.arrays[t][1] for t in present])
        info = np.concatenate([np.full(len(self.arrays[t][0]), query[t] * idf[t]) for t in present])
        return (
            np.bincount(docs, weights=bm25, minlength=self.size),
            np.bincount(docs, weights=info, minlength=self.size),
        )


class Index:
    def __init__(
        self, entries: Sequence[Entry], analyzer: Analyzer, calibration: Calibration | None = None
    ) -> None:
        self.entries = list(entries)
        self.analyzer = analyzer
        self.calibration = calibration or Calibration.default()
        vocabulary: set[str] = set()
        documents = []
        titles = []
        analyzed: dict[str, list[str]] = {}  # sections and the like repeat: analyze once
        for entry in self.entries:
            weighted: Counter[str] = Counter()
            fields = {}
            for field, text in _fields(entry).items():
                if text not in analyzed:
                    analyzed[text] = analyzer.terms(text)
                    vocabulary.update(words(text))
                fields[field] = analyzed[text]
                for term in fields[field]:
                    weighted[term] += FIELD_WEIGHTS[field]
            documents.append(weighted)
            titles.append(self._title_sets(entry, analyzed))
            if len(analyzed) > 4096:
                analyzed.clear()
        self._entries = _Postings(documents)
        passages, owners = [], []
        for number, entry in enumerate(self.entries):
            for edition in editions(entry):
                for passage in edition.passages:
                    passages.append(Counter(analyzer.terms(_prose(_indexable(passage, edition)))))
                    owners.append(number)
        self._passages = _Postings(passages)
        self._passage_owner = np.array(owners, dtype=np.int64)
        count = max(len(self.entries), 1)
        self._idf = {
            t: math.log(1 + (count - len(d) + 0.5) / (len(d) + 0.5))
            for t, (d, _w) in self._entries.arrays.items()
        }
        self._unknown_idf = math.log(1 + (count + 0.5) / 0.5)
        self._titles = titles
        self._title_terms = [frozenset().union(*sets) for sets in titles]
        self._title_totals = [
            tuple(sum(self._idf.get(t, 0.0) for t in title) for title in sets) for sets in titles
        ]
        self._title_words = [
            [w for w in map(_content_words, _english_titles(e)) if w] for e in self.entries
        ]
        vocabulary.update(w for key in analyzer.latin_forms for w in key)
        self._vocabulary = sorted(w for w in vocabulary if len(w) >= 4 and w.isalpha())
        self._known = vocabulary | {stem(w) for w in vocabulary}
        self._explained_words, self._explained_pairs = self._explained_vocabulary()
        common_words("en"), common_words("zh")  # loaded with the index, not by the first question
        warm_opencc()

    def _explained_vocabulary(self) -> tuple[frozenset[str], frozenset[str]]:
        """The FAQ's own vocabulary: glossary forms and the words of every title.

        A word found only in some answer's body is mentioned, not explained:
        "write" or "network" in a paragraph does not make "write a poem about
        networks" a question the FAQ answers.
        """
        # Glossary forms of concepts some title is about; the glossary also names
        # topics no entry answers (pricing, source control): those stay unexplained.
        present = {t[1:] for sets in self._titles for s in sets for t in s if t.startswith("#")}
        self._present_concepts = frozenset(present)
        # Single-word forms only: "work" in the phrase "not working" explains nothing alone.
        latin = {
            key[0]
            for key, concepts in self.analyzer.latin_forms.items()
            if len(key) == 1 and concepts & present
        }
        pairs: set[str] = set()
        texts = [f for f, concepts in self.analyzer.cjk_concepts.items() if concepts & present]
        for entry in self.entries:
            for edition in editions(entry):
                texts += [
                    _indexable(edition.question, edition),
                    _indexable(edition.section, edition),
                ]
            texts += [entry.title_en, *entry.alternates]
        for text in texts:
            latin.update(stem(w) for w in words(text))
            for run in CJK_RUN.findall(normalize(text)):
                pairs.update(run[i : i + 2] for i in range(len(run) - 1))
        return frozenset(latin), frozenset(pairs)

    def general_share(self, query: str, fixes: dict[str, str] | None = None) -> float:
        """Share of the query in common general-language words the FAQ does not explain.

        English: content words (no stopwords) that are neither FAQ vocabulary nor
        a misspelling of it, yet common in general English. Chinese: characters of
        common words whose pairs the FAQ vocabulary lacks (two characters ≈ a word).
        """
        text = normalize(self.analyzer.simplify(query))
        general = content = 0.0
        fixes = self.corrections(query) if fixes is None else fixes
        found = words(text)
        # Words inside a glossary phrase of a concept some entry is about ("github
        # actions" is CI/CD) are explained, however everyday each word is alone.
        phrased = self._explained_phrases([stem(w) for w in found])
        for position, word in enumerate(found):
            if word in ENGLISH_STOPWORDS or not word.isalpha() or len(word) < 2:
                continue
            content += 1
            if (
                position in phrased
                or word in fixes
                or not self._explained_words.isdisjoint((word, stem(word), stem(word) + "e"))
            ):
                continue
            general += is_common_english(word)
        for run in CJK_RUN.findall(text):
            for piece in chinese_pieces(run):
                content += len(piece) / 2
                general += general_cjk_spans(piece, self._explained_pairs) / 2
        return general / content if content else 0.0

    def _explained_phrases(self, stems: list[str]) -> set[int]:
        """Positions of words in a multi-word glossary phrase of a concept some entry is about."""
        analyzer, positions, index = self.analyzer, set(), 0
        while index < len(stems):
            size = analyzer._phrase_at(stems, index) if stems[index] in analyzer.first_words else 0
            key = tuple(stems[index : index + size])
            if size > 1 and analyzer.latin_forms[key] & self._present_concepts:
                positions.update(range(index, index + size))
            index += size or 1
        return positions

    def general_outside_quotes(
        self, query: str, fixes: dict[str, str] | None = None
    ) -> tuple[float, float]:
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

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        fixes = self.corrections(query)
        terms = self.query_terms(query, fixes)
        if not terms or not self.entries:
            return []
        scores, matched = self._entries.score(terms, self._idf)
        if len(self._passage_owner):
            passage_scores, _ = self._passages.score(terms, self._idf)
            best_passage = np.zeros(len(self.entries))
            np.maximum.at(best_passage, self._passage_owner, passage_scores)
            scores = np.maximum(scores, PASSAGE_WEIGHT * best_passage)
        pool = _top(scores, RERANK_POOL)
        if not pool:
            return []
        scores, matched = scores.tolist(), matched.tolist()
        general, around = self.general_outside_quotes(query, fixes)
        # Mostly everyday words around a quote: the question is about the phrase,
        # not asking it; the quoted match counts only as far as the request does.
        mentioned = 1.0 - around if around >= QUOTE_REQUEST else 1.0
        # Without a glossary that marks core concepts, nothing is known off-domain;
        # a bare keyword ("circleci") is a lookup of that keyword, not a side remark.
        core = self.analyzer.core
        domain = float(not core or not core.isdisjoint(terms) or _idea_count(terms) <= 1)
        total = sum(w * self._idf.get(t, self._unknown_idf) for t, w in terms.items())
        # Known: what the index, the glossary or general language knows. A glossary
        # topic no entry is about ("on call", pricing) or an everyday word ("poem")
        # is known and unexplained; only what nobody knows (noise, a rare typo) is ignored.
        known = sum(
            w * self._idf.get(t, self._unknown_idf)
            for t, w in terms.items()
            if t in self._idf or t.startswith("#") or _is_common_term(t)
        )
        titles = {n: self._title_coverage(n, terms) for n in pool}
        fuzzy = self._title_similarity(query, pool)
        final = {
            n: scores[n]
            * (TITLE_BASE + titles[n])
            * (COVERAGE_BASE + matched[n] / total)
            * (1 + FUZZ_WEIGHT * fuzzy[n])
            for n in pool
        }
        ranked = sorted(pool, key=final.__getitem__, reverse=True)[:limit]
        best = final[ranked[0]]
        runner_up = final[ranked[1]] if len(ranked) > 1 else 0.0
        hits: list[Hit] = []
        ceiling = 1.0
        for number in ranked:
            evidence = Evidence(
                coverage=matched[number] / total,
                known_coverage=matched[number] / known if known else 0.0,
                strength=final[number],
                lead=_lead(final[number], best, runner_up),
                title=titles[number],
                matched=matched[number],
                general=general,
                point=self._point(number, terms, total),
                domain=domain,
                # Without a glossary there are no concepts to count: neutral.
                ideas=self._ideas(number, terms) if self.analyzer.latin_forms else 1.0,
            )
            # Below the top, a hit is only as likely as its distance from the winner allows.
            share = (final[number] / best) ** 2 if best else 0.0
            ceiling = min(ceiling, self.calibration.confidence(evidence) * share * mentioned)
            hits.append(Hit(self.entries[number], round(ceiling, 4), evidence))
        return hits

    def _title_sets(
        self, entry: Entry, analyzed: dict[str, list[str]]
    ) -> tuple[frozenset[str], ...]:
        """Each edition's title, the anchor's words and each approved phrasing, as term sets."""
        texts = [_indexable(e.question, e) for e in editions(entry)]
        texts += [entry.title_en, *entry.alternates]
        sets = []
        for text in texts:
            if text not in analyzed:
                analyzed[text] = self.analyzer.terms(text)
            sets.append(frozenset(analyzed[text]))
        return tuple(sets)

    def query_terms(self, query: str, fixes: dict[str, str] | None = None) -> dict[str, float]:
        """The query's terms with weights, after repairing misspelt words.

        Traditional Chinese is converted to Simplified first (glossary zh-tw
        words, then OpenCC's Taiwan-phrase conversion), so it meets the FAQ.
        """
        query = self.analyzer.simplify(query)
        text = normalize(query)
        terms: dict[str, float] = defaultdict(float)
        fixes = self.corrections(query) if fixes is None else fixes
        for wrong, right in fixes.items():
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text)
            # A repaired word might have been a real word the FAQ lacks ("match"
            # is not a typo of "batch"): keep part of it as unexplained.
            terms[f"?:{wrong}"] += CORRECTION_DOUBT
        for term, in_concept in self.analyzer.analyze(text):
            weight = BIGRAM_WEIGHT if term.startswith("c:") else 1.0
            terms[term] += weight * (CONCEPT_WORD_WEIGHT if in_concept else 1.0)
        return dict(terms)

    def corrections(self, query: str) -> dict[str, str]:
        """Misspelt words → the closest word the knowledge base uses.

        Only words whose stem the knowledge base has never seen are touched,
        and only within one edit (two for long words; a transposition counts
        as one), so "ages" never becomes "images".
        """
        fixes = {}
        for word in set(words(query)):
            if len(word) < 4 or not word.isalpha() or word in ENGLISH_STOPWORDS:
                continue
            if word in self._known or stem(word) in self._known:
                continue
            if is_common_english(word):
                continue  # a real word the FAQ lacks ("lunch" is not a typo of "launch")
            budget = 1 if len(word) <= 5 else 2
            match = process.extractOne(
                word, self._vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=budget
            )
            if match:
                fixes[word] = match[0]
        return fixes

    def _title_similarity(self, query: str, pool: list[int]) -> dict[int, float]:
        """rapidfuzz's token-set similarity of the query to each English title, squared.

        The English anchors are how most users phrase the question; a fuzzy
        match on them separates near-twins ("pull" vs "push is slow") that
        share most of their terms.
        """
        asked = _content_words(query)
        if not asked:
            return dict.fromkeys(pool, 0.0)
        return {
            n: max((fuzz.token_set_ratio(asked, t) / 100 for t in self._title_words[n]), default=0)
            ** 2
            for n in pool
        }

    def _ideas(self, number: int, query: dict[str, float]) -> float:
        """How many distinct things the query and the entry share, as a share of 4.

        One shared concept ("what is a kubernetes pod": kubernetes, twice over)
        is a mention; an answerable question shares several ("enabled the admin
        user, where is its password": enable, admin, credentials). A word inside
        a glossary phrase (weighed lightly by query_terms) counts with its
        concept, and a Chinese character pair as half a word.
        """
        ideas = 0.0
        for term, weight in query.items():
            postings = self._entries.arrays.get(term)
            value = _idea_value(term, weight)
            if postings is not None and value:
                docs = postings[0]
                at = int(np.searchsorted(docs, number))
                if at < len(docs) and docs[at] == number:
                    ideas += value
        return min(ideas, 4.0) / 4.0

    def _point(self, number: int, query: dict[str, float], total: float) -> float:
        """How much of the question is what the entry is *about* (its titles), not a mention.

        "How to undo my last git commit" shares "git" with the entry on the
        .git folder in builds, but git is not the point of either question.
        """
        if not total:
            return 0.0
        titles = self._title_terms[number]
        carried = sum(w * self._idf.get(t, 0.0) for t, w in query.items() if t in titles)
        return carried / total

    def _title_coverage(self, number: int, query: dict[str, float]) -> float:
        """How much of the entry's title (in its better language) the query covers.

        BM25 rewards what matches but never misses what does not: without this,
        "admin password" ranks the template entry (whose code says "password"
        twice) above the plain admin-credentials one.
        """
        asked = query.keys()
        best = 0.0
        for title, total in zip(self._titles[number], self._title_totals[number], strict=True):
            if total:
                idf = self._idf
                best = max(best, sum(idf.get(t, 0.0) for t in title & asked) / total)
        return best


def _idea_value(term: str, weight: float) -> float:
    """A concept is one idea; so is a word outside any concept; a Chinese pair is half of one."""
    if term.startswith("#"):
        return 1.0
    if term.startswith("c:"):
        return 0.5 if weight >= BIGRAM_WEIGHT else 0.0
    if term.startswith("w:"):
        return 1.0 if weight >= 1.0 else 0.0
    return 0.0  # "?:" marks a repaired typo, counted through its repair


def _idea_count(query: dict[str, float]) -> float:
    return sum(_idea_value(t, w) for t, w in query.items())


def _is_common_term(term: str) -> bool:
    """A word or character-pair term that is an everyday word of English or Chinese."""
    kind, _, text = term.partition(":")
    if kind == "w":
        return is_common_english(text) or is_common_english(text + "e")
    return kind == "c" and is_common_chinese(text)


def _content_words(text: str) -> str:
    """Stemmed words without stopwords, sorted: the form titles and queries are compared in."""
    return " ".join(sorted({stem(w) for w in words(text) if w not in ENGLISH_STOPWORDS}))


def _top(scores: np.ndarray, count: int) -> list[int]:
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > count:
        keep = np.argpartition(scores[candidates], -count)[-count:]
        candidates = candidates[keep]
    return [int(n) for n in candidates]


def _lead(score: float, best: float, runner_up: float) -> float:
    """1 for a clear winner, less for a near tie, and less again below the top."""
    if score < best:
        return 0.6 * score / best
    return min(1.0, 0.6 + 2.0 * (best - runner_up) / best)


def _prose(markdown: str) -> str:
    """Markdown without its code blocks and raw URLs (code and links are fields of their own)."""
    return _URL.sub(" ", _CODE_FENCE.sub(" ", markdown))


def _english_titles(entry: Entry) -> list[str]:
    """What English askers' wording is compared with: the anchor, English titles, phrasings."""
    found = [entry.title_en]
    found += [e.question for e in editions(entry) if e.language == "en"]
    found += [p for p in entry.alternates if p.isascii()]
    return found


def _indexable(text: str, edition: object) -> str:
    """A Traditional Chinese edition is indexed as Simplified, as its askers' queries are."""
    return to_simplified(text) if getattr(edition, "language", "") == ZH_TW else text


def _fields(entry: Entry) -> dict[str, str]:
    """Every edition's text, field by field: search finds an entry in any of its languages.

    Code blocks are the same in every edition, so they count once.
    """
    all_editions = editions(entry)
    first = all_editions[0]
    return {
        "title": " \n".join(_indexable(e.question, e) for e in all_editions),
        "alternates": " \n".join(entry.alternates),
        "title_en": entry.title_en,
        "section": " \n".join(dict.fromkeys(_indexable(e.section, e) for e in all_editions)),
        "body": " \n".join(
            _indexable(_prose(e.answer_markdown) + " " + " ".join(k.text for k in e.links), e)
            for e in all_editions
        ),
        "code": "\n".join(block.code for block in first.code_blocks),
        "urls": " ".join(link.url or "" for link in first.links),
    }
