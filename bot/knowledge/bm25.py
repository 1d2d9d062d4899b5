"""BM25: per-term weights held as numpy postings, and the idf that scales them.

Postings are numpy arrays so that one query over a 10,000-entry base costs a
few vector operations, not a Python loop per posting. A query that touches
only a few postings (a short question on the bundled FAQ: tens of them) is
summed in Python instead (:meth:`Postings.sparse_score`): a numpy call costs a
microsecond or more whatever its size, and the array way makes a dozen of
them. Both add the same products in the same order, so they agree to the bit.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

# BM25's term-frequency saturation (K1) and length normalisation (B). Hand-set
# when the index was written (52855b9) and never swept: benchmarks/calibrate.py
# fits only the confidence model on top of the ranking. K1 = 1.2 is the usual
# default; B = 0.8 (above the usual 0.75) penalises long entries a little more,
# so an entry that merely mentions a term among many does not outrank a short
# one about it.
K1, B = 1.2, 0.8


def idf(count: int, containing: int) -> float:
    """BM25's idf of a term found in ``containing`` of ``count`` documents (never negative)."""
    return math.log(1 + (count - containing + 0.5) / (containing + 0.5))


class Postings:
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

    def touched(self, query: dict[str, float], stop_above: int | None = None) -> int:
        """How many postings the query's terms hold: what scoring it costs.

        With ``stop_above`` the count stops once past it (a pasted error's
        30 terms need not all be counted to know it is over).
        """
        held = 0
        for term in query:
            postings = self.arrays.get(term)
            if postings is not None:
                held += len(postings[0])
                if stop_above is not None and held > stop_above:
                    break
        return held

    def sparse_score(
        self, query: dict[str, float], idf: dict[str, float], *, matched: bool = True
    ) -> tuple[dict[int, float], dict[int, float]]:
        """:meth:`score` for the documents holding a query term only, as dicts.

        Each document's sums take its terms in the query's order, as
        ``np.bincount`` does, so every value equals :meth:`score`'s exactly.
        ``matched=False`` leaves the second dict empty (passages need no
        matched information: a third of the work).
        """
        scores: dict[int, float] = {}
        informed: dict[int, float] = {}
        for term, weight in query.items():
            if term not in self.arrays or term not in idf:
                continue
            info = weight * idf[term]
            docs, weights = (array.tolist() for array in self.arrays[term])
            for doc, value in zip(docs, weights, strict=True):
                scores[doc] = scores.get(doc, 0.0) + info * value
            if matched:
                for doc in docs:
                    informed[doc] = informed.get(doc, 0.0) + info
        return scores, informed

    def score(
        self, query: dict[str, float], idf: dict[str, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        """BM25 per document, and the summed idf of the query terms each contains."""
        present = [t for t in query if t in self.arrays and t in idf]
        if not present:
            return np.zeros(self.size), np.zeros(self.size)
        postings = [self.arrays[t] for t in present]
        docs = np.concatenate([numbers for numbers, _ in postings])
        # Each posting's query weight × idf, repeated over the term's postings: a few numpy
        # calls per query, not three per term (the same products, in the same order).
        info = np.repeat([query[t] * idf[t] for t in present], [len(n) for n, _ in postings])
        bm25 = info * np.concatenate([weights for _, weights in postings])
        return (
            np.bincount(docs, weights=bm25, minlength=self.size),
            np.bincount(docs, weights=info, minlength=self.size),
        )
