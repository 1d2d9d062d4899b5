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


def base_of(tmp_path: Path, entries: list[tuple[str, str]]) -> KnowledgeBase:
    lines = ["# Generated", ""]
    for n, (title, answer) in enumerate(entries):
        lines += [f'### <a name="entry-{n}"></a>{title}', "", answer, ""]
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "generated.md").write_text("\n".join(lines), encoding="utf-8")
    parsed = parse_markdown("\n".join(lines), "generated.md", DEFAULT_DOCS_BASE_URL)
    assert len(parsed) == len(entries)
    return Library([folder], DEFAULT_DOCS_BASE_URL).current


def matching(kb: KnowledgeBase, query: str) -> int:
    """How many entries hold a term of the query (what the rerank pool is cut from)."""
    terms = kb.index.query_terms(query)
    arrays = kb.index._entries.arrays
    return len({d for t in terms if t in arrays for d in arrays[t][0].tolist()})


def test_a_query_matching_more_than_the_pool_ranks_the_same_either_way(tmp_path, monkeypatch):
    rng = random.Random(5)
    words = "registry image pull push token admin password quota webhook tag layer cache".split()
    kb = base_of(
        tmp_path,
        [
            (f"How do I {' '.join(rng.sample(words, 3))}?", " ".join(rng.choices(words, k=15)))
            for _ in range(200)
        ],
    )
    queries = ["registry password", "pull image token quota", "webhook tag", "cache layer push"]
    assert min(matching(kb, q) for q in queries) > index_module.RERANK_POOL
    arrays, sums = both_ways(kb, queries, monkeypatch)
    assert all(len(hits) == 5 for hits in sums)
    assert sums == arrays


def test_ties_beyond_the_pool_are_cut_as_numpy_cuts_them(tmp_path, monkeypatch):
    """120 identical entries: which 50 enter the pool is argpartition's choice, both ways."""
    kb = base_of(tmp_path, [("How do I rotate the admin password?", "Regenerate it.")] * 120)
    query = "rotate admin password"
    assert matching(kb, query) == 120
    arrays, sums = both_ways(kb, [query], monkeypatch)
    assert len(sums[0]) == 5
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
        held = sum(len(postings.arrays[t][0]) for t in query if t in postings.arrays)
        assert postings.touched(query) == held
        for limit in (0, held // 2, held, held + 1):
            counted = postings.touched(query, stop_above=limit)
            assert (counted > limit) == (held > limit)
            assert counted == held or counted > limit
