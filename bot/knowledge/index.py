"""The search index: BM25 over weighted fields, with rapidfuzz repairing typos.

Why not fuzzy matching alone: the answers are Chinese and most questions are
English, so string similarity has nothing to hold on to. Terms from
:mod:`bot.knowledge.text` (words, CJK bigrams, glossary concepts) carry the
meaning across; BM25 weighs them; rapidfuzz maps a misspelt word onto the
closest word the knowledge base knows before any of that happens.

Confidence answers "how much of what the user said does the top entry
explain, and how clearly does it win": a query about the weather explains
nothing and scores near zero however the ranking falls.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.knowledge.calibration import Calibration
from bot.knowledge.model import Entry
from bot.knowledge.text import ENGLISH_STOPWORDS, Analyzer, normalize, stem, words

# How much a term found in each field counts. Titles say what an entry is
# about; bodies and code mention many things in passing.
FIELD_WEIGHTS = {"title": 3.0, "title_en": 3.0, "section": 0.5, "body": 1.0, "code": 0.6, "urls": 0.6}
BIGRAM_WEIGHT = 0.5
K1, B = 1.2, 0.8
TITLE_BASE = 0.3
PASSAGE_WEIGHT = 1.3
COVERAGE_BASE = 1.0
RERANK_POOL = 50
_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Evidence:
    """What the confidence of a hit is computed from."""

    coverage: float  # share of the query's information the entry explains
    known_coverage: float  # the same, counting only words the knowledge base knows
    strength: float  # the ranking score
    lead: float  # 1 for a clear winner, lower for a near tie or a lower rank
    title: float  # share of the entry's title the query covers
    matched: float  # information (summed idf) of the query terms the entry contains
    unknown: float  # share of the query's information in words the knowledge base lacks


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float  # calibrated confidence in 0..1
    raw: float
    evidence: Evidence


@dataclass
class _Query:
    terms: dict[str, float]
    corrections: dict[str, str]


class Index:
    def __init__(
        self, entries: Sequence[Entry], analyzer: Analyzer, calibration: Calibration | None = None
    ) -> None:
        self.calibration = calibration or Calibration.default()
        self.entries = list(entries)
        self.analyzer = analyzer
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        lengths = []
        vocabulary: set[str] = set()
        for number, entry in enumerate(self.entries):
            weighted: Counter[str] = Counter()
            for field, text in _fields(entry).items():
                vocabulary.update(words(text))
                for term in analyzer.terms(text):
                    weighted[term] += FIELD_WEIGHTS[field]
            for term, tf in weighted.items():
                self._postings[term].append((number, tf))
            lengths.append(sum(weighted.values()))
        self._lengths = lengths
        self._passages: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._passage_owner: list[int] = []
        self._passage_lengths: list[float] = []
        for number, entry in enumerate(self.entries):
            for passage in entry.passages:
                counted = Counter(analyzer.terms(_CODE_FENCE.sub(" ", passage)))
                for term, tf in counted.items():
                    self._passages[term].append((len(self._passage_owner), float(tf)))
                self._passage_owner.append(number)
                self._passage_lengths.append(float(sum(counted.values())))
        self._avg_passage = (
            sum(self._passage_lengths) / len(self._passage_lengths) if self._passage_lengths else 1.0
        )
        self._titles = [
            (set(analyzer.terms(e.question)), set(analyzer.terms(e.title_en))) for e in self.entries
        ]
        self._avg_length = (sum(lengths) / len(lengths)) if lengths else 1.0
        count = max(len(self.entries), 1)
        self._idf = {
            t: math.log(1 + (count - len(p) + 0.5) / (len(p) + 0.5))
            for t, p in self._postings.items()
        }
        self._unknown_idf = math.log(1 + (count + 0.5) / 0.5)
        vocabulary.update(w for key in analyzer.latin_forms for w in key)
        self._vocabulary = sorted(w for w in vocabulary if len(w) >= 4 and w.isalpha())
        self._known = vocabulary | {stem(w) for w in vocabulary}

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        parsed = self._parse(query)
        if not parsed.terms or not self.entries:
            return []
        scores, matched = self._bm25(parsed.terms)
        for number, score in self._passage_scores(parsed.terms).items():
            scores[number] = max(scores[number], PASSAGE_WEIGHT * score)
        if not scores:
            return []
        pool = heapq.nlargest(RERANK_POOL, scores, key=scores.__getitem__)
        titles = {n: self._title_coverage(n, parsed.terms) for n in pool}
        total = sum(w * self._idf.get(t, self._unknown_idf) for t, w in parsed.terms.items())
        final = {
            n: scores[n] * (TITLE_BASE + titles[n]) * (COVERAGE_BASE + matched[n] / total)
            for n in pool
        }
        ranked = sorted(pool, key=final.__getitem__, reverse=True)[: max(limit, 2)]
        known = sum(w * self._idf[t] for t, w in parsed.terms.items() if t in self._idf)
        best = final[ranked[0]]
        runner_up = final[ranked[1]] if len(ranked) > 1 else 0.0
        hits: list[Hit] = []
        ceiling = 1.0
        for number in ranked[:limit]:
            evidence = Evidence(
                coverage=matched[number] / total if total else 0.0,
                known_coverage=matched[number] / known if known else 0.0,
                strength=final[number],
                lead=_lead(final[number], best, runner_up),
                title=titles[number],
                matched=matched[number],
                unknown=1 - known / total if total else 1.0,
            )
            # Below the top, a hit is only as likely as its distance from the winner allows.
            share = (final[number] / best) ** 2 if best else 0.0
            ceiling = min(ceiling, self.calibration.confidence(evidence) * share)
            hits.append(Hit(self.entries[number], round(ceiling, 4), final[number], evidence))
        return hits

    def _bm25(self, query: dict[str, float]) -> tuple[dict[int, float], dict[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            idf = self._idf.get(term)
            if idf is None:
                continue
            for number, tf in self._postings[term]:
                norm = K1 * (1 - B + B * self._lengths[number] / self._avg_length)
                scores[number] += weight * idf * tf * (K1 + 1) / (tf + norm)
                matched[number] += weight * idf
        return scores, matched

    def _passage_scores(self, query: dict[str, float]) -> dict[int, float]:
        """Best single-passage BM25 per entry, for points an answer makes in passing."""
        per_passage: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            idf = self._idf.get(term)
            if idf is None:
                continue
            for number, tf in self._passages.get(term, ()):
                length = self._passage_lengths[number] / self._avg_passage
                per_passage[number] += weight * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length))
        best: dict[int, float] = defaultdict(float)
        for number, score in per_passage.items():
            owner = self._passage_owner[number]
            best[owner] = max(best[owner], score)
        return best

    def _title_coverage(self, number: int, query: dict[str, float]) -> float:
        """How much of the entry's title (in its better language) the query covers.

        BM25 rewards what matches but never misses what does not: without this,
        "admin password" ranks the template entry (whose code says "password"
        twice) above the plain admin-credentials one.
        """
        best = 0.0
        for title in self._titles[number]:
            total = sum(self._idf.get(t, 0.0) for t in title)
            if total:
                best = max(best, sum(self._idf.get(t, 0.0) for t in title if t in query) / total)
        return best

    def _parse(self, query: str) -> _Query:
        corrections = self._corrections(query)
        text = normalize(query)
        for wrong, right in corrections.items():
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text)
        terms: dict[str, float] = defaultdict(float)
        for term in self.analyzer.terms(text):
            terms[term] += BIGRAM_WEIGHT if term.startswith("c:") else 1.0
        return _Query(dict(terms), corrections)

    def _corrections(self, query: str) -> dict[str, str]:
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
            budget = 1 if len(word) <= 5 else 2
            match = process.extractOne(
                word, self._vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=budget
            )
            if match:
                fixes[word] = match[0]
        return fixes


def _lead(score: float, best: float, runner_up: float) -> float:
    """1 for a clear winner, less for a near tie, and less again below the top."""
    if score < best:
        return 0.6 * score / best
    return min(1.0, 0.6 + 2.0 * (best - runner_up) / best)


def _fields(entry: Entry) -> dict[str, str]:
    body = _CODE_FENCE.sub(" ", entry.answer_markdown)
    return {
        "title": entry.question,
        "title_en": entry.title_en,
        "section": entry.section,
        "body": _URL.sub(" ", body) + " " + " ".join(l.text for l in entry.links),
        "code": "\n".join(block.code for block in entry.code_blocks),
        "urls": " ".join(l.url or "" for l in entry.links),
    }
