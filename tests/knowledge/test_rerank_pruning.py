"""Title similarity is skipped only for entries that cannot reach the top hits."""

from __future__ import annotations

import random

from bot.knowledge.index import FUZZ_WEIGHT, _contenders


def test_every_possible_top_hit_is_a_contender():
    rng = random.Random(17)
    for _ in range(2000):
        pool = rng.sample(range(100), rng.randint(1, 40))
        partial = {n: rng.choice([0.0, rng.random(), rng.random() * 10, 1.0]) for n in pool}
        limit = rng.randint(1, 6)
        fuzzy = {n: rng.choice([0, 0.0, 1.0, rng.random()]) for n in pool}
        final = {n: partial[n] * (1 + FUZZ_WEIGHT * fuzzy[n]) for n in pool}
        ranked = sorted(pool, key=final.__getitem__, reverse=True)[:limit]
        kept = _contenders(pool, partial, limit)
        assert kept == [n for n in pool if n in set(kept)]  # pool order
        assert sorted(kept, key=final.__getitem__, reverse=True)[:limit] == ranked
