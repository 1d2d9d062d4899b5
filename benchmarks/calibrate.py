"""Fit the confidence model on labelled queries and write bot/knowledge/calibration.json.

    python benchmarks/calibrate.py tests/eval/hard_queries.jsonl [more.jsonl …]

A sample is the top hit's evidence, labelled 1 when that hit is the right
entry and 0 otherwise (wrong entry, or an off-topic query). Re-run it after
changing the index or the glossary, then check `acrbot eval` on a set that
was not used here (tests/eval/round2_heldout.jsonl is held out: never pass it).

Labelled off-topic queries are few, so the fit also gets generated negatives
(--synthetic, default 120): a few everyday words from wordfreq's most common
English or Chinese words that the FAQ never explains, around one word the FAQ
is about ("bicycle garden kubernetes tonight"). They teach the general rule
"mostly everyday language with one ACR word is not an ACR question" without
naming any real query; a fixed seed keeps the fit reproducible.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import wordfreq

from bot.config import load_settings
from bot.knowledge.calibration import FITTED_PATH, features, fit
from bot.knowledge.editions import view_of
from bot.knowledge.evaluation import read_labelled
from bot.knowledge.library import KnowledgeBase, Library
from bot.knowledge.text import ENGLISH_STOPWORDS, stem

HELD_OUT = "round2_heldout"
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


def synthetic_negatives(kb: KnowledgeBase, count: int, seed: int = 11) -> list[str]:
    """Everyday words the FAQ never explains, around one FAQ word (see the module doc)."""
    rng = random.Random(seed)
    explained = kb.index._explained_words
    pairs = kb.index._explained_pairs
    english_topic = sorted(
        {
            w.lower()
            for e in kb.entries
            for w in re.findall(r"[A-Za-z]{4,}", view_of(e, "en").question)
            if w.lower() not in ENGLISH_STOPWORDS and stem(w.lower()) in explained
        }
    )
    chinese_topic = sorted(kb.index.analyzer.cjk_concepts)
    everyday_en = [
        w
        for w in wordfreq.top_n_list("en", 6000)
        if w.isalpha() and len(w) >= 3 and w not in ENGLISH_STOPWORDS and stem(w) not in explained
    ][500:]  # past the function words
    everyday_zh = [
        w
        for w in wordfreq.top_n_list("zh", 6000)
        if _CJK_WORD.match(w) and not {w[i : i + 2] for i in range(len(w) - 1)} & pairs
    ][300:]
    queries = []
    for number in range(count):
        chinese = number % 4 == 3
        words = rng.sample(everyday_zh if chinese else everyday_en, rng.randint(2, 4))
        words.insert(
            rng.randint(0, len(words)), rng.choice(chinese_topic if chinese else english_topic)
        )
        queries.append(("" if chinese else " ").join(words))
    return queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="labelled JSON-lines files")
    parser.add_argument("--synthetic", type=int, default=120, help="generated negatives")
    args = parser.parse_args()
    if any(HELD_OUT in f.name for f in args.files):
        parser.error(f"{HELD_OUT} is the held-out set: fitting on it would void its numbers")
    kb = Library.from_settings(load_settings().knowledge).current
    samples = []
    for query in synthetic_negatives(kb, args.synthetic):
        hits = kb.index.search(query)
        if hits:
            samples.append((features(hits[0].evidence), 0))
    for name in args.files:
        for item in read_labelled(Path(name)):
            hits = kb.index.search(item.query)
            if not hits:
                continue
            right = item.anchor is not None and hits[0].entry.id == item.anchor
            samples.append((features(hits[0].evidence), int(right)))
    calibration = fit(samples)
    FITTED_PATH.write_text(json.dumps(calibration.to_dict(), indent=2) + "\n", encoding="utf-8")
    print(f"fitted on {len(samples)} samples -> {FITTED_PATH}")
    print(json.dumps(calibration.to_dict(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
