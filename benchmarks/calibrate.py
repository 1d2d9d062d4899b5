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

Further generated negatives mirror the kinds of off-topic question seen in
review, each built from templates, wordfreq and the knowledge base itself
(``generated_classes``): a question about one non-core glossary concept
("what is a <kubernetes form>"), an error message from another system
(made-up product words around FAQ error words), and long runs of everyday
words. None of them is a test or held-out query. ``definitional_negatives``
asks what a glossary form is ("what is a kubelet", "什么是集群") for forms no
entry's title says: the FAQ mentions them, it never defines them. Requests about a quoted
phrase ('translate "docker pull is slow"') need no examples: the index
reads the words outside the quotes (Index.general_outside_quotes), and
teaching "the whole title matched" as bad evidence would hurt real questions.

A feature added since the last fit can be fitted alone (``--only define``):
every other weight and the bias stay as calibration.json has them, so only the
questions the feature is non-zero for move and every labelled set keeps its
figures otherwise. The define weight was fitted so, on hard_queries, pull_dev,
ranking_dev, bare_pull_dev, pasted_dev and confident_wrong_dev.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import wordfreq

from bot.config import load_settings
from bot.knowledge.calibration import FEATURES, FITTED_PATH, Calibration, features, fit
from bot.knowledge.editions import editions, view_of
from bot.knowledge.evaluation import read_labelled
from bot.knowledge.glossary import Glossary, load_glossary, merge
from bot.knowledge.library import KnowledgeBase, Library
from bot.knowledge.text import CJK_RUN, ENGLISH_STOPWORDS, normalize, stem, words

# Never fitted on: their numbers stay honest.
HELD_OUT = (
    "round2_heldout",
    "pull_heldout",
    "holdout_queries",
    "blind_queries",
    "help_channel_heldout",
    "confident_wrong_heldout",
    "pasted_heldout",
)
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


_FRAMES_EN = (
    "what is {t}",
    "what is a {t} {e}",
    "explain {t} {e} to me",
    "how do i {e} my {e} {t}",
    "{t} for my {e}",
    "best {e} {t} for {e}",
    "how to {e} {t} {e}",
)
_FRAMES_ZH = ("{t}是什么", "{e}{t}怎么{e}", "怎么{e}{t}", "{t}{e}")


def _fill(rng: random.Random, frame: str, topic: list[str], everyday: list[str]) -> str:
    """A frame with {t} → a side-topic form, {e} → an everyday word."""
    return re.sub(r"\{(\w)\}", lambda m: rng.choice(topic if m[1] == "t" else everyday), frame)


def generated_classes(kb: KnowledgeBase, count: int, seed: int = 23) -> list[str]:
    """Template negatives for each off-topic class (see the module doc); ``count`` per class."""
    rng = random.Random(seed)
    analyzer = kb.index.analyzer
    core = {c[1:] for c in analyzer.core}
    explained = kb.index._explained_words
    side_en = sorted(
        " ".join(k)
        for k, concepts in analyzer.latin_forms.items()
        if not concepts & core and all(len(w) > 2 for w in k)
    )
    side_zh = sorted(f for f, concepts in analyzer.cjk_concepts.items() if not concepts & core)
    everyday_en = [
        w
        for w in wordfreq.top_n_list("en", 8000)
        if w.isalpha() and len(w) >= 4 and w not in ENGLISH_STOPWORDS and stem(w) not in explained
    ][400:]
    everyday_zh = [
        w
        for w in wordfreq.top_n_list("zh", 6000)
        if _CJK_WORD.match(w)
        and not {w[i : i + 2] for i in range(len(w) - 1)} & kb.index._explained_pairs
    ][300:]
    error_words = ["failed to", "error:", "denied", "cannot", "unauthorized", "timeout"]
    queries: list[str] = []
    for _ in range(count):
        frame = rng.choice(_FRAMES_EN)
        queries.append(
            re.sub(
                r"\{(\w)\}", lambda m: rng.choice(side_en if m[1] == "t" else everyday_en), frame
            )
        )
        frame = rng.choice(_FRAMES_ZH)
        queries.append(
            re.sub(
                r"\{(\w)\}", lambda m: rng.choice(side_zh if m[1] == "t" else everyday_zh), frame
            )
        )
        made_up = ["".join(rng.choices("bcdfghklmnprstvz", k=rng.randint(5, 9))) for _ in range(2)]
        queries.append(
            f"{made_up[0]} {rng.choice(error_words)} {rng.choice(everyday_en)} "
            f"{rng.choice(side_en)} {made_up[1]} {rng.choice(everyday_en)}"
        )
        queries.append(" ".join(rng.sample(everyday_en, rng.randint(12, 60))))
    return queries


_DEFINE_EN = (
    "what is a {t}",
    "what's {t}",
    "whats a {t}?",
    "what does {t} mean",
    "explain {t}",
    "can you explain what {t} is",
)
_DEFINE_ZH = ("{t}是什么", "什么是{t}", "{t}是什么意思", "{t} 是干什么的")


def definitional_negatives(
    kb: KnowledgeBase, glossary: Glossary, count: int, seed: int = 29
) -> list[str]:
    """'What is <form>?' for glossary forms no entry's title says (see the module doc).

    A form a title says ("kubernetes", "content trust", "imagepullbackoff") is
    what some entry is about, and asking what it is may well be answered there;
    a form only the answers or the glossary use ("pod", "kubelet", "helm") is
    mentioned, and the FAQ never says what it is. Core concepts are left out:
    "what is a registry" is the FAQ's own domain. ``count`` in each language.
    """
    rng = random.Random(seed)
    titles = normalize(
        " ".join(
            text
            for e in kb.entries
            for text in (*(edition.question for edition in editions(e)), e.title_en, *e.alternates)
        )
    )
    title_stems = {stem(w) for w in words(titles)}
    english, chinese = set(), set()
    for concept in glossary.concepts:
        if concept.core:
            continue
        for form in concept.forms:
            if CJK_RUN.search(form):
                if form not in titles:
                    chinese.add(form)
            elif words(form) and not any(stem(w) in title_stems for w in words(form)):
                english.add(form)
    queries = []
    for frames, forms in ((_DEFINE_EN, sorted(english)), (_DEFINE_ZH, sorted(chinese))):
        for _ in range(count if forms else 0):
            queries.append(rng.choice(frames).format(t=rng.choice(forms)))
    return queries


def _glossary(paths: tuple[Path, ...]) -> Glossary:
    found = [p / "glossary.yaml" if p.is_dir() else p for p in paths]
    return merge([load_glossary(p) for p in found if p.name == "glossary.yaml" and p.is_file()])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="labelled JSON-lines files")
    parser.add_argument("--synthetic", type=int, default=120, help="generated negatives")
    parser.add_argument(
        "--per-class", type=int, default=24, help="generated negatives per off-topic class"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=FEATURES,
        help="fit only this feature's weight (repeatable); the others and the bias stay "
        "as calibration.json has them, so only questions it is non-zero for move",
    )
    args = parser.parse_args()
    held_out = [f.name for f in args.files if any(name in f.name for name in HELD_OUT)]
    if held_out:
        parser.error(f"{held_out[0]} is a held-out set: fitting on it would void its numbers")
    settings = load_settings().knowledge
    kb = Library.from_settings(settings).current
    samples = []
    generated = (
        synthetic_negatives(kb, args.synthetic)
        + generated_classes(kb, args.per_class)
        + definitional_negatives(kb, _glossary(settings.paths), args.per_class)
    )
    for query in generated:
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
    if args.only:
        calibration = fit(samples, start=Calibration.default(), free=frozenset(args.only))
    else:
        calibration = fit(samples)
    FITTED_PATH.write_text(json.dumps(calibration.to_dict(), indent=2) + "\n", encoding="utf-8")
    print(f"fitted on {len(samples)} samples -> {FITTED_PATH}")
    print(json.dumps(calibration.to_dict(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
