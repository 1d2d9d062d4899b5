"""The Python sums for small queries and the numpy ones for large agree to the bit.

The index picks one way per query by how many postings its terms hold
(``SPARSE_POSTINGS``); these tests force each way on the same index and
compare every hit, score and evidence value exactly.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from bot.config import DEFAULT_DOCS_BASE_URL
from bot.knowledge import index as index_module
from bot.knowledge.bm25 import Postings, idf
from bot.knowledge.library import KnowledgeBase, Library
from bot.knowledge.markdown_parser import parse_markdown

EVAL = Path(__file__).resolve().parent.parent / "eval"


def labelled_queries() -> list[str]:
    found = []
    for path in sorted(EVAL.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                text = item.get("query", item.get("text"))
                if isinstance(text, str):
                    found.append(text)
    return found


def results(kb: KnowledgeBase, queries: list[str]) -> list[list[tuple]]:
    return [[(h.entry.key, h.score, h.evidence) for h in kb.index.search(q)] for q in queries]


def both_ways(
    kb: KnowledgeBase, queries: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[list, list]:
    monkeypatch.setattr(index_module, "SPARSE_POSTINGS", -1)  # numpy for every query
    arrays = results(kb, queries)
    monkeypatch.setattr(index_module, "SPARSE_POSTINGS", 10**9)  # Python for every query
    sums = results(kb, queries)
    return arrays, sums


def test_every_labelled_query_ranks_the_same_either_way(kb, monkeypatch):
    queries = labelled_queries()
    assert len(queries) > 300
    arrays, sums = both_ways(kb, queries, monkeypatch)
    assert sum(1 for hits in sums if hits) > 300
    assert sums == arrays


def crowded_base(tmp_path: Path) -> KnowledgeBase:
    """Two hundred entries sharing their words: a query finds more than the rerank pool."""
    rng = random.Random(5)
    words = "registry image pull push token admin password quota webhook tag layer cache".split()
    lines = ["# Generated", ""]
    for n in range(200):
        picked = rng.sample(words, 5)
        lines += [f'### <a name="entry-{n}"></a>How do I {" ".join(picked[:3])}?', ""]
        lines += [f"Answer {n}: {' '.join(rng.choices(words, k=15))}.", ""]
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "generated.md").write_text("\n".join(lines), encoding="utf-8")
    assert len(parse_markdown("\n".join(lines), "generated.md", DEFAULT_DOCS_BASE_URL)) == 200
    return Library([folder], DEFAULT_DOCS_BASE_URL).current


def test_a_query_matching_more_than_the_pool_ranks_the_same_either_way(tmp_path, monkeypatch):
    kb = crowded_base(tmp_path)
    queries = ["registry password", "pull image token quota", "webhook tag", "cache layer push"]
    touched = [kb.index.postings_held(kb.index.query_terms(q)) for q in queries]
    assert min(touched) > index_module.RERANK_POOL
    arrays, sums = both_ways(kb, queries, monkeypatch)
    assert all(len(hits) == 5 for hits in sums)
    assert sums == arrays


def test_sparse_scores_equal_the_arrays_exactly():
    rng = random.Random(11)
    vocabulary = [f"t{i}" for i in range(30)]
    documents = [Counter(rng.choices(vocabulary, k=rng.randint(1, 20))) for _ in range(60)]
    postings = Postings(documents)
    idfs = {t: idf(len(documents), len(docs)) for t, (docs, _w) in postings.arrays.items()}
    for _ in range(200):
        query = {t: rng.choice([0.25, 0.5, 1.0, 1.5]) for t in rng.sample(vocabulary, 6)}
        query["absent"] = 1.0
        scores, matched = postings.score(query, idfs)
        sparse_scores, sparse_matched = postings.sparse_score(query, idfs)
        assert set(sparse_scores) == set(scores.nonzero()[0].tolist())
        assert {d: scores[d] for d in sparse_scores} == sparse_scores
        assert {d: matched[d] for d in sparse_matched} == sparse_matched
        assert postings.touched(query) == sum(
            len(postings.arrays[t][0]) for t in query if t in postings.arrays
        )
