"""BM25 scores checked against a plain reference written straight from the formula.

For a query term t in document d (as rank_bm25 and Lucene score it):

    idf(t)     = ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5))
    score(t,d) = idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl))

summed over the query's terms, each scaled by its query weight.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from bot.config import DEFAULT_DOCS_BASE_URL
from bot.knowledge.bm25 import K1, B, Postings, idf
from bot.knowledge.library import Library

CORPORA = {
    "words": [
        ["registry", "admin", "password", "admin"],
        ["docker", "pull", "slow", "registry"],
        ["docker", "push", "slow", "image", "image", "image", "layer"],
        ["quota"],
    ],
    # The index weighs terms by field (a title term counts 3): term frequencies are floats.
    "weighted": [
        {"admin": 3.0, "credentials": 3.0, "enable": 1.0, "portal": 0.6},
        {"admin": 1.0, "template": 3.0, "password": 2.0, "code": 0.6},
        {"template": 0.5, "registry": 1.0},
    ],
    "one term everywhere": [
        ["acr"],
        ["acr", "acr", "acr", "tag"],
        ["acr", "tag", "tag", "delete", "manifest", "untagged"],
    ],
}
QUERIES = [
    {"admin": 1.0, "password": 1.0},
    {"docker": 1.0, "slow": 0.5, "missing": 1.0},
    {"template": 2.0, "registry": 1.0, "acr": 1.0},
    {"acr": 1.0, "tag": 0.25, "image": 1.0, "quota": 1.0},
]


def reference_bm25(documents, query, k1, b):
    """Scores and matched information per document, the slow and obvious way."""
    count = len(documents)
    lengths = [sum(doc.values()) for doc in documents]
    avgdl = sum(lengths) / count
    scores, matched = [], []
    for doc, length in zip(documents, lengths, strict=True):
        score = info = 0.0
        for term, weight in query.items():
            containing = sum(1 for other in documents if term in other)
            if term not in doc:
                continue
            term_idf = math.log(1 + (count - containing + 0.5) / (containing + 0.5))
            tf = doc[term]
            score += weight * term_idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))
            info += weight * term_idf
        scores.append(score)
        matched.append(info)
    return scores, matched


@pytest.mark.parametrize("name", CORPORA)
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "+".join(q))
def test_bm25_matches_the_reference_formula(name, query):
    documents = [Counter(doc) for doc in CORPORA[name]]
    postings = Postings(documents)
    idfs = {t: idf(len(documents), len(docs)) for t, (docs, _w) in postings.arrays.items()}
    scores, matched = postings.score(query, idfs)
    expected_scores, expected_matched = reference_bm25(documents, query, K1, B)
    assert scores.tolist() == pytest.approx(expected_scores, abs=1e-9, rel=0)
    assert matched.tolist() == pytest.approx(expected_matched, abs=1e-9, rel=0)


def test_reference_scores_are_not_trivial():
    """The comparison means something: some documents score, and they differ."""
    documents = [Counter(doc) for doc in CORPORA["words"]]
    scores, _ = reference_bm25(documents, QUERIES[1], K1, B)
    assert scores[3] == 0.0 and scores[1] > scores[2] > 0.0


def test_idf_is_the_smoothed_formula_and_never_negative():
    assert idf(4, 1) == pytest.approx(math.log(1 + 3.5 / 1.5), abs=1e-12)
    assert idf(3, 3) == pytest.approx(math.log(1 + 0.5 / 3.5), abs=1e-12)
    assert idf(3, 3) > 0.0
    assert idf(10, 0) == pytest.approx(math.log(1 + 10.5 / 0.5), abs=1e-12)


def test_the_index_scores_entries_with_these_postings(kb):
    """Index keeps its BM25 in bm25.Postings with bm25.idf: the function tested above,
    per knowledge file, weighed by the file's share of the entries."""
    index = kb.index
    assert isinstance(index._entries, Postings)
    sources = [e.source for e in index.entries]
    sizes = Counter(sources)
    assert len(sizes) == 2  # the FAQ and the pull troubleshooting file
    some = list(index._entries.arrays.items())[:50]
    for term, (docs, _weights) in some:
        holding = Counter(sources[d] for d in docs.tolist())
        expected = sum(n / len(sources) * idf(n, holding[f]) for f, n in sizes.items())
        assert index._idf[term] == pytest.approx(expected, abs=1e-12)
    assert index._unknown_idf == pytest.approx(
        sum(n / len(sources) * idf(n, 0) for n in sizes.values()), abs=1e-12
    )


def test_with_one_file_the_idf_is_bm25s(knowledge_dir):
    for extra in knowledge_dir.glob("acr-pull-troubleshooting.*"):
        extra.unlink()
    index = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL).current.index
    count = len(index.entries)
    for term, (docs, _weights) in list(index._entries.arrays.items())[:50]:
        assert index._idf[term] == pytest.approx(idf(count, len(docs)), abs=1e-12)
    assert index._unknown_idf == pytest.approx(idf(count, 0), abs=1e-12)


def test_a_files_subject_word_keeps_its_weight_in_the_other_files(kb):
    """ "pull" is in every pull-error entry: counted over all entries at once, it would
    weigh less in the FAQ, where it still tells a few entries from the rest."""
    index = kb.index
    docs = index._entries.arrays["w:pull"][0]
    everywhere = idf(len(index.entries), len(docs))
    assert index._idf["w:pull"] > everywhere
