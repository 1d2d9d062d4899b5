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

This module builds the index and combines the scores; the parts live apart:
:mod:`~bot.knowledge.bm25` (postings and BM25), :mod:`~bot.knowledge.fields`
(what of an entry is indexed), :mod:`~bot.knowledge.spelling` (typo repair and
title similarity) and :mod:`~bot.knowledge.offtopic` (the everyday-language
evidence against an answer).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.knowledge.bm25 import Postings, idf
from bot.knowledge.calibration import Calibration
from bot.knowledge.editions import editions
from bot.knowledge.fields import (
    FIELD_WEIGHTS,
    english_titles,
    fields,
    indexable,
    prose,
    signposts,
)
from bot.knowledge.general_words import common_words
from bot.knowledge.language import warm as warm_opencc
from bot.knowledge.model import Entry, View
from bot.knowledge.offtopic import (
    OffTopicEvidence,
    is_common_term,
    mentioned_share,
    what_it_asks_about,
)
from bot.knowledge.spelling import by_length, content_words, corrections, title_similarity
from bot.knowledge.text import Analyzer, normalize, stem, without_names, words

# The tuning constants below are hand-set, each with the feature it weighs
# (git log -S names the commit); no script sweeps them and none records a
# search over values. benchmarks/calibrate.py fits only the confidence model
# (calibration.json) on the evidence they produce, so changing one means
# refitting that. Introduced in: 52855b9 BIGRAM_WEIGHT, PASSAGE_WEIGHT,
# RERANK_POOL (and bm25.K1/B, fields.FIELD_WEIGHTS); a689eae TITLE_BASE,
# COVERAGE_BASE; 2b07fab FUZZ_WEIGHT ("consistent gain on all labelled sets");
# 7eb3cb6 CORRECTION_DOUBT, CONCEPT_WORD_WEIGHT; cf27ab0 offtopic.QUOTE_REQUEST.
BIGRAM_WEIGHT = 0.5  # a Chinese word yields several overlapping bigrams: each counts half
# The ranking multiplies (TITLE_BASE + title coverage) by (COVERAGE_BASE + query
# coverage): the bases say how much BM25 alone counts when the title or the
# query is not covered. A low TITLE_BASE lets title coverage dominate (it
# separates "admin password" from a template whose code says "password").
TITLE_BASE = 0.3
COVERAGE_BASE = 1.0
FUZZ_WEIGHT = 1.0  # weight of rapidfuzz's similarity between the query and the English title
# A passage's BM25 counts at 0.8 of the whole entry's: a focused passage can
# win over a long entry, yet an entry matching throughout keeps the edge.
PASSAGE_WEIGHT = 0.8
# Weight of a repaired word's original ("?:match"), unknown to the index: the
# repair might be wrong, so the query keeps a full word of unexplained information.
CORRECTION_DOUBT = 1.0
CONCEPT_WORD_WEIGHT = 0.5  # a word inside a glossary phrase: its concept carries it
# Entries BM25 hands to the reranker: the cost of title coverage and rapidfuzz
# per query against the chance the right entry ranks lower on BM25 alone.
RERANK_POOL = 50
# A query whose terms hold at most this many postings is summed in Python, the rest
# with numpy: numpy's fixed cost per call outweighs a Python loop up to about 50-75
# postings, for the BM25 pool and the title coverage alike, on the bundled FAQ and on
# generated bases (benchmarks/search_benchmark.py --crossover, this project's 2-core VM).
# Entry and passage postings together decide BM25 and the ideas (postings_held); title
# postings decide title coverage. On the bundled FAQ the side-by-side's three short
# questions hold 30-110 entry and passage postings; over the labelled queries the median
# is about 150 and three in ten (long pasted errors) hold more than 200.
SPARSE_POSTINGS = 64
# An entry that signposts another for what the query names ranks at most this share
# of that entry's score: below it, yet still among the hits (see _signposted_terms).
DEFER_SHARE = 0.5
# A signposted word that more than one in SIGNPOST_COMMON of an entry's signposts send
# is common to them: it sends nowhere.
SIGNPOST_COMMON = 3


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
    define: float = 0.0  # 1 when the query asks what one non-core thing is ("what is a pod")


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float  # calibrated confidence in 0..1
    evidence: Evidence
    view: View | None = None  # the entry in the asker's language (set by KnowledgeBase.ask)


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
        title_weights = []
        analyzed: dict[str, list[str]] = {}  # sections and the like repeat: analyze once
        for entry in self.entries:
            weighted: Counter[str] = Counter()
            analyzed_fields = {}
            for field, text in fields(entry).items():
                if text not in analyzed:
                    analyzed[text] = analyzer.terms(text)
                    vocabulary.update(words(text))
                analyzed_fields[field] = analyzed[text]
                for term in analyzed_fields[field]:
                    weighted[term] += FIELD_WEIGHTS[field]
            documents.append(weighted)
            weights = self._title_weights(entry)
            titles.append(tuple(frozenset(title) for title in weights))
            title_weights.append(weights)
            if len(analyzed) > 4096:
                analyzed.clear()
        self._entries = Postings(documents)
        passages, owners = [], []
        for number, entry in enumerate(self.entries):
            for edition in editions(entry):
                for passage in edition.passages:
                    passages.append(Counter(analyzer.terms(prose(indexable(passage, edition)))))
                    owners.append(number)
        self._passages = Postings(passages)
        self._passage_owner = np.array(owners, dtype=np.int64)
        self._passage_owners = owners
        # _unknown_idf: the idf of a term no entry contains
        self._idf, self._unknown_idf = _file_idf(
            self._entries.arrays, [e.source for e in self.entries]
        )
        self._titles = titles
        self._title_terms = [frozenset().union(*sets) for sets in titles]
        self._any_title = frozenset().union(*self._title_terms)  # every title's terms
        # A title's information is weighed as a query's (query_terms): a word inside a
        # glossary phrase counts lightly, its concept carrying it, so "AKS" (#kubernetes)
        # covers "Kubernetes" in a title as fully as the word itself would.
        title_weights = [
            tuple({t: self._idf.get(t, 0.0) * w for t, w in title.items()} for title in sets)
            for sets in title_weights
        ]
        # Every title of every entry, numbered in order (entry 0's titles first): its
        # entry and its total information.
        self._title_owner = np.array(
            [number for number, sets in enumerate(title_weights) for _ in sets], dtype=np.int32
        )
        self._title_totals = np.array(
            [sum(t.values()) for sets in title_weights for t in sets], dtype=np.float64
        )
        self._title_owner_list = self._title_owner.tolist()  # read one by one: Python's
        self._title_total_list = self._title_totals.tolist()
        # term → (entries, titles, information) of the titles holding it, as numpy arrays:
        # a query's title coverage adds up only its own terms' postings instead of
        # intersecting every title in the pool with the query.
        title_postings: dict[str, tuple[list[int], list[int], list[float]]] = defaultdict(
            lambda: ([], [], [])
        )
        title_number = 0
        for number, sets in enumerate(title_weights):
            for title in sets:
                for term, value in title.items():
                    owners, numbers, values = title_postings[term]
                    owners.append(number)
                    numbers.append(title_number)
                    values.append(value)
                title_number += 1
        self._title_postings = {
            term: (
                np.array(owners, dtype=np.int32),
                np.array(numbers, dtype=np.int32),
                np.array(values, dtype=np.float64),
            )
            for term, (owners, numbers, values) in title_postings.items()
        }
        self._deferrals = self._signposted_terms(documents)
        # Each distinct wording once (the anchor's words often are the English title's):
        # title similarity takes the best of them, so a repeat only costs a comparison.
        self._title_words = [
            list(dict.fromkeys(w for w in map(content_words, english_titles(e)) if w))
            for e in self.entries
        ]
        vocabulary.update(w for key in analyzer.latin_forms for w in key)
        self._vocabulary = sorted(w for w in vocabulary if len(w) >= 4 and w.isalpha())
        self._vocabulary_windows = by_length(self._vocabulary)
        self._known = vocabulary | {stem(w) for w in vocabulary}
        self._offtopic = OffTopicEvidence(self.entries, analyzer, titles)
        self._explained_words = self._offtopic.explained_words
        self._explained_pairs = self._offtopic.explained_pairs
        common_words("en"), common_words("zh")  # loaded with the index, not by the first question
        warm_opencc()

    def general_share(self, query: str, fixes: dict[str, str] | None = None) -> float:
        """Share of the query in everyday words the FAQ does not explain (see offtopic.py)."""
        fixes = self.corrections(query) if fixes is None else fixes
        return self._offtopic.general_share(query, fixes)

    def general_outside_quotes(
        self, query: str, fixes: dict[str, str] | None = None
    ) -> tuple[float, float]:
        """The general share of the query, and that of its words outside quotes (0 if none)."""
        fixes = self.corrections(query) if fixes is None else fixes
        return self._offtopic.general_outside_quotes(query, fixes)

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        fixes = self.corrections(query)
        terms = self.query_terms(query, fixes)
        if not terms or not self.entries:
            return []
        sparse = self.postings_held(terms, stop_above=SPARSE_POSTINGS) <= SPARSE_POSTINGS
        pool, scores, matched = (self._sparse_pool if sparse else self._pool)(terms)
        if not pool:
            return []
        general, around = self.general_outside_quotes(query, fixes)
        mentioned = mentioned_share(around)
        # Without a glossary that marks core concepts, nothing is known off-domain;
        # a bare keyword ("circleci") is a lookup of that keyword, not a side remark.
        core = self.analyzer.core
        named_core = not core or not core.isdisjoint(terms)
        domain = float(named_core or _idea_count(terms) <= 1)
        define = 0.0 if named_core else self._definition(query, fixes)
        total = sum(w * self._idf.get(t, self._unknown_idf) for t, w in terms.items())
        # Known: what the index, the glossary or general language knows. A glossary
        # topic no entry is about ("on call", pricing) or an everyday word ("poem")
        # is known and unexplained; only what nobody knows (noise, a rare typo) is ignored.
        known = sum(
            w * self._idf.get(t, self._unknown_idf)
            for t, w in terms.items()
            if t in self._idf or t.startswith("#") or is_common_term(t)
        )
        titles = self._title_coverage(pool, terms)
        partial = {
            n: scores[n] * (TITLE_BASE + titles[n]) * (COVERAGE_BASE + matched[n] / total)
            for n in pool
        }
        contenders = _contenders(pool, partial, limit)
        deferring = self._deferring(contenders, pool, terms, query, fixes)
        targets = {b for found in deferring.values() for b in found}
        contenders += sorted(targets - set(contenders))
        fuzzy = title_similarity(query, self._title_words, contenders)
        final = {n: partial[n] * (1 + FUZZ_WEIGHT * fuzzy[n]) for n in contenders}
        for number, targets in deferring.items():
            final[number] = min(final[number], DEFER_SHARE * max(final[b] for b in targets))
        ranked = sorted(contenders, key=final.__getitem__, reverse=True)[:limit]
        best = final[ranked[0]]
        runner_up = final[ranked[1]] if len(ranked) > 1 else 0.0
        # Without a glossary there are no concepts to count: neutral.
        ideas = (
            self._ideas(ranked, terms, sparse)
            if self.analyzer.latin_forms
            else dict.fromkeys(ranked, 1.0)
        )
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
                ideas=ideas[number],
                define=define,
            )
            # Below the top, a hit is only as likely as its distance from the winner allows.
            share = (final[number] / best) ** 2 if best else 0.0
            ceiling = min(ceiling, self.calibration.confidence(evidence) * share * mentioned)
            hits.append(Hit(self.entries[number], round(ceiling, 4), evidence))
        return hits

    def _signposted_terms(self, documents: list[Counter[str]]) -> dict[int, dict[int, frozenset]]:
        """entry → {entry it signposts: the terms the signposts send there}.

        A list item linking to another entry ("- `403 Forbidden`: the registry's
        network rules ([403](#403-forbidden…))") says that what it names is answered
        there. The terms it sends are the item's words that the linked entry says
        and the signposting entry does not: its own subject's words ("pull", "pod")
        stay its own, and so do words most of its signposts send. A glossary
        concept is sent by the wording the signpost gives it ("f:not found"), not as
        the concept: a signpost names an error by its text, and a concept is wider
        ("stuck" is a timeout to the glossary, and pods are stuck in any state).
        """
        numbers: dict[str, int] = {}
        for number, entry in enumerate(self.entries):
            numbers.setdefault(entry.id, number)
        found: dict[int, dict[int, frozenset]] = {}
        for number, entry in enumerate(self.entries):
            own = documents[number]
            sent: dict[int, set[str]] = defaultdict(set)
            for text, anchors in signposts(entry):
                words = set(self.analyzer.terms(text))
                forms = self.analyzer.glossary_forms(text)
                for anchor in anchors:
                    target = numbers.get(anchor)
                    if target is None or target == number:
                        continue
                    said = documents[target]
                    sent[target] |= {
                        t for t in words if t in said and t not in own and not t.startswith("#")
                    }
                    sent[target] |= {f for f, c in forms if c in said and c not in own}
            # A word most of the signposted entries say ("node", "image") is what they
            # share, the signposting entry's subject too, not what tells one from another.
            common = Counter(t for ts in sent.values() for t in ts)
            limit = max(1, len(sent) // SIGNPOST_COMMON)
            kept = {
                target: frozenset(t for t in ts if common[t] <= limit)
                for target, ts in sent.items()
            }
            kept = {target: ts for target, ts in kept.items() if ts}
            if kept:
                found[number] = kept
        return found

    def _deferring(
        self,
        contenders: list[int],
        pool: list[int],
        terms: dict[str, float],
        query: str,
        fixes: dict[str, str],
    ) -> dict[int, list[int]]:
        """Contenders whose signposts send some query term to an entry in the pool, with
        those entries: the question names what the signpost says is answered there."""
        if not self._deferrals:
            return {}
        in_pool = set(pool)
        found = {}
        said: set[str] | None = None  # the query's terms and glossary wordings, when needed
        for number in contenders:
            sent = self._deferrals.get(number)
            if not sent:
                continue
            if said is None:
                text = self._repaired(self.analyzer.simplify(query), fixes)
                said = set(terms) | {f for f, _ in self.analyzer.glossary_forms(text)}
            targets = [b for b, ts in sent.items() if b in in_pool and not ts.isdisjoint(said)]
            if targets:
                found[number] = targets
        return found

    def _definition(self, query: str, fixes: dict[str, str]) -> float:
        """1 when the query asks what one thing is ("what is a kubernetes pod", "kubelet 是什么").

        The FAQ says how ACR works with Kubernetes, Helm or a shell, not what they
        are: a definitional frame (offtopic.what_it_asks_about) around a single idea
        the FAQ has asks for what no entry gives. Called only for a query naming no core concept;
        the subject is analyzed again only when the frame is there.
        """
        subject = what_it_asks_about(normalize(query))
        if subject is None:
            return 0.0
        # Ideas the FAQ has: a word no entry says ("statefulset") cannot be what an
        # entry explains, so "what does a kubernetes statefulset do" asks about one.
        terms = self.query_terms(subject, fixes)
        known = {t: w for t, w in terms.items() if t in self._idf or t.startswith("#")}
        if _idea_count(known) > 1:
            return 0.0
        # A wording some title says ("kubernetes", "content trust", "ImagePullBackOff")
        # is what that entry is about, and may well be explained there; one only the
        # answers or the glossary use ("pod", "kubelet", "k8s"), or nobody ("statefulset"),
        # is a mention. A glossary phrase ("admin account") is said when its concept is.
        phrases = [
            (form[2:].split(), concept)
            for form, concept in self.analyzer.glossary_forms(self._repaired(subject, fixes))
            if " " in form
        ]
        in_phrase = {f"w:{w}" for stems, _ in phrases for w in stems}
        said = [t for t in terms if t.startswith(("w:", "c:")) and t not in in_phrase]
        said += [concept for _, concept in phrases]
        return float(not self._any_title.issuperset(said))

    def postings_held(self, terms: dict[str, float], stop_above: int | None = None) -> int:
        """The entry and passage postings of the query's terms: what summing BM25 costs.

        With ``stop_above`` the count stops once past it.
        """
        held = self._entries.touched(terms, stop_above)
        if stop_above is None or held <= stop_above:
            held += self._passages.touched(terms, None if stop_above is None else stop_above - held)
        return held

    def _pool(
        self, terms: dict[str, float]
    ) -> tuple[list[int], dict[int, float], dict[int, float]]:
        """The entries to rerank, with their BM25 (or best passage's) and matched information."""
        scores, matched = self._entries.score(terms, self._idf)
        if len(self._passage_owner):
            passage_scores, _ = self._passages.score(terms, self._idf)
            best_passage = np.zeros(len(self.entries))
            np.maximum.at(best_passage, self._passage_owner, passage_scores)
            scores = np.maximum(scores, PASSAGE_WEIGHT * best_passage)
        pool = _top(scores, RERANK_POOL)
        # Python floats of the pool only (a whole 10,000-entry array's tolist() was a
        # tenth of a search).
        return (
            pool,
            dict(zip(pool, scores[pool].tolist(), strict=True)),
            dict(zip(pool, matched[pool].tolist(), strict=True)),
        )

    def _sparse_pool(
        self, terms: dict[str, float]
    ) -> tuple[list[int], dict[int, float], dict[int, float]]:
        """:meth:`_pool` summed in Python, for a query with few postings: the same values."""
        scores, matched = self._entries.sparse_score(terms, self._idf)
        if self._passage_owners:
            passage_scores, _ = self._passages.sparse_score(terms, self._idf, matched=False)
            best: dict[int, float] = {}
            for passage, score in passage_scores.items():
                owner = self._passage_owners[passage]
                best[owner] = max(best.get(owner, 0.0), score)
            for owner, score in best.items():
                scores[owner] = max(scores.get(owner, 0.0), PASSAGE_WEIGHT * score)
        candidates = sorted(n for n, score in scores.items() if score > 0)
        if len(candidates) > RERANK_POOL:  # the top's order among ties is numpy's
            array = np.zeros(len(self.entries))
            array[candidates] = [scores[n] for n in candidates]
            candidates = _top(array, RERANK_POOL)
        return (
            candidates,
            {n: scores[n] for n in candidates},
            {n: matched.get(n, 0.0) for n in candidates},
        )

    def _title_weights(self, entry: Entry) -> tuple[dict[str, float], ...]:
        """Each edition's title, the anchor's words and each approved phrasing: their terms,
        each at the weight query_terms would give it (the highest, when it repeats)."""
        texts = [indexable(e.question, e) for e in editions(entry)]
        found = []
        for text in [*texts, entry.title_en, *entry.alternates]:
            weights: dict[str, float] = {}
            for term, in_concept in self.analyzer.analyze(text):
                weight = _term_weight(term, in_concept)
                weights[term] = max(weights.get(term, 0.0), weight)
            found.append(weights)
        return tuple(found)

    def query_terms(self, query: str, fixes: dict[str, str] | None = None) -> dict[str, float]:
        """The query's terms with weights, after repairing misspelt words.

        Traditional Chinese is converted to Simplified first (glossary zh-tw
        words, then OpenCC's Taiwan-phrase conversion), so it meets the FAQ.
        """
        query = self.analyzer.simplify(query)
        terms: dict[str, float] = defaultdict(float)
        fixes = self.corrections(query) if fixes is None else fixes
        for wrong in fixes:
            # A repaired word might have been a real word the FAQ lacks ("match"
            # is not a typo of "batch"): keep part of it as unexplained.
            terms[f"?:{wrong}"] += CORRECTION_DOUBT
        for term, in_concept in self.analyzer.analyze(self._repaired(query, fixes)):
            terms[term] += _term_weight(term, in_concept)
        return dict(terms)

    def _repaired(self, query: str, fixes: dict[str, str]) -> str:
        """A Simplified query as it is analyzed: without names, its typos repaired."""
        text = normalize(without_names(query))
        for wrong, right in fixes.items():
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text)
        return text

    def corrections(self, query: str) -> dict[str, str]:
        """Misspelt words → the closest word the knowledge base uses (see spelling.py)."""
        return corrections(query, self._known, self._vocabulary, self._vocabulary_windows)

    def _ideas(
        self, numbers: list[int], query: dict[str, float], sparse: bool = False
    ) -> dict[int, float]:
        """How many distinct things the query and each entry share, as a share of 4.

        One shared concept ("what is a kubernetes pod": kubernetes, twice over)
        is a mention; an answerable question shares several ("enabled the admin
        user, where is its password": enable, admin, credentials). A word inside
        a glossary phrase (weighed lightly by query_terms) counts with its
        concept, and a Chinese character pair as half a word. All the terms'
        postings in a few numpy calls (numpy's per-call cost, not the lookups,
        was what a search spent here).
        """
        arrays = self._entries.arrays
        found = []
        for term, weight in query.items():
            value = _idea_value(term, weight)
            if value and term in arrays:
                found.append((arrays[term][0], value))
        if not found:
            ideas: list[float] = [0.0] * len(numbers)
        elif sparse:
            place = {n: at for at, n in enumerate(numbers)}
            ideas = [0.0] * len(numbers)
            for docs, value in found:
                for doc in docs.tolist():
                    at = place.get(doc)
                    if at is not None:
                        ideas[at] += value
        else:
            # Each posting of those terms adds its term's value at its entry's place
            # among ``numbers`` (-1: not wanted); values are halves, so sums are exact.
            docs = np.concatenate([docs for docs, _ in found])
            values = np.repeat([value for _, value in found], [len(d) for d, _ in found])
            place = np.full(self._entries.size, -1, dtype=np.int64)
            place[numbers] = np.arange(len(numbers))
            at = place[docs]
            kept = at >= 0
            counts = np.bincount(at[kept], weights=values[kept], minlength=len(numbers))
            ideas = counts.tolist()
        return {n: min(float(i), 4.0) / 4.0 for n, i in zip(numbers, ideas, strict=True)}

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

    def _sparse_title_coverage(
        self, pool: list[int], postings: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    ) -> dict[int, float]:
        """:meth:`_title_coverage` summed in Python, in the same order: the same values."""
        in_pool = set(pool)
        covered: dict[int, float] = {}
        # One concatenation per column, not a tolist() per term: a pasted error has 30 terms.
        columns = zip(*postings, strict=True)
        owners, numbers, values = (np.concatenate(column).tolist() for column in columns)
        for owner, number, value in zip(owners, numbers, values, strict=True):
            if owner in in_pool:
                covered[number] = covered.get(number, 0.0) + value
        best = dict.fromkeys(pool, 0.0)
        for number, value in covered.items():
            total = self._title_total_list[number]
            if value and total:
                owner = self._title_owner_list[number]
                best[owner] = max(best[owner], value / total)
        return best

    def _title_coverage(self, pool: list[int], query: dict[str, float]) -> dict[int, float]:
        """How much of each entry's title (in its better language) the query covers.

        BM25 rewards what matches but never misses what does not: without this,
        "admin password" ranks the template entry (whose code says "password"
        twice) above the plain admin-credentials one.
        """
        postings = [self._title_postings[t] for t in query if t in self._title_postings]
        if not postings:
            return dict.fromkeys(pool, 0.0)
        if sum(len(owners) for owners, _, _ in postings) <= SPARSE_POSTINGS:
            return self._sparse_title_coverage(pool, postings)
        in_pool = np.zeros(len(self.entries), dtype=bool)
        in_pool[pool] = True
        owners = np.concatenate([owners for owners, _, _ in postings])
        keep = in_pool[owners]
        numbers = np.concatenate([numbers for _, numbers, _ in postings])[keep]
        values = np.concatenate([values for _, _, values in postings])[keep]
        # Each title's covered information, summed in the query's term order (bincount
        # adds in input order), over its total; an entry keeps its best title.
        covered = np.bincount(numbers, weights=values, minlength=len(self._title_totals))
        titles = np.flatnonzero(covered)
        totals = self._title_totals[titles]
        counted = totals != 0
        best = np.zeros(len(self.entries))
        np.maximum.at(
            best, self._title_owner[titles[counted]], covered[titles[counted]] / totals[counted]
        )
        return dict(zip(pool, best[pool].tolist(), strict=True))


def _file_idf(
    postings: dict[str, tuple[np.ndarray, np.ndarray]], sources: list[str]
) -> tuple[dict[str, float], float]:
    """idf of each term, and of a term no entry contains, as the entries' files see it.

    Each file is a collection of its own and the idf is the files' idf, weighed by
    their share of the entries. A file about one subject says its subject's words
    ("pull", "kubelet") in every entry: across all files those words would look
    common and lose their weight in the other files' entries too (the FAQ's "how do I
    grant pull access" among eight pull-error entries). Within a file they are
    common, so they still tell its entries apart by their other words. With one
    file this is BM25's idf.
    """
    files = sorted(set(sources))
    of_file = np.array([files.index(s) for s in sources], dtype=np.int64)
    sizes = np.bincount(of_file, minlength=len(files))
    shares = sizes / max(int(sizes.sum()), 1)

    def mixed(counts: np.ndarray) -> float:
        parts = zip(shares, sizes, counts, strict=True)
        return float(sum(w * idf(int(n), int(c)) for w, n, c in parts))

    found = {
        term: mixed(np.bincount(of_file[docs], minlength=len(files)))
        for term, (docs, _weights) in postings.items()
    }
    return found, mixed(np.zeros(len(files), dtype=np.int64)) if files else idf(1, 0)


def _term_weight(term: str, in_concept: bool) -> float:
    """A Chinese character pair counts half a word; a word inside a glossary phrase half."""
    weight = BIGRAM_WEIGHT if term.startswith("c:") else 1.0
    return weight * (CONCEPT_WORD_WEIGHT if in_concept else 1.0)


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


def _contenders(pool: list[int], partial: dict[int, float], limit: int) -> list[int]:
    """The pool's entries that title similarity could still lift into the top ``limit``.

    Similarity multiplies an entry's ``partial`` score by 1 to 1 + FUZZ_WEIGHT (it
    lies in 0..1), and rounding keeps that order: an entry whose best case is below
    the ``limit``-th largest partial score is beaten by at least ``limit`` entries
    whatever its similarity, so comparing it with the titles changes nothing. The
    others keep their pool order (the ranking's sort is stable).
    """
    if not 0 < limit < len(pool):
        return pool
    floor = sorted(partial.values(), reverse=True)[limit - 1]
    return [n for n in pool if partial[n] * (1 + FUZZ_WEIGHT) >= floor]


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
