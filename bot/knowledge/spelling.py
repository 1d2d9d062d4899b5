"""rapidfuzz's two jobs: repairing misspelt words, and how close a query is to English titles."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.knowledge.general_words import is_common_english
from bot.knowledge.text import ENGLISH_STOPWORDS, stem, words

MAX_EDITS = 2
MIN_PART = 3  # the shortest part of a compound split apart ("acr", "tag")


class Window(NamedTuple):
    """The words of one length window, and each word's letters as bits (:func:`letters`)."""

    words: list[str]
    letters: np.ndarray  # uint32, one a word


def by_length(vocabulary: list[str]) -> dict[int, Window]:
    """For each word length, the words of ``vocabulary`` within MAX_EDITS of it, in order.

    An edit changes a word's length by at most one, so a repair never needs the
    rest: rapidfuzz then compares a misspelt word with a fifth of the vocabulary.
    Order is kept, so a tie between equally close words goes as it would over all.
    """
    lengths = {len(w) for w in vocabulary}
    bits = {w: letters(w) for w in vocabulary}
    windows = {}
    for length in range(min(lengths, default=0), max(lengths, default=0) + MAX_EDITS + 1):
        chosen = [w for w in vocabulary if abs(len(w) - length) <= MAX_EDITS]
        windows[length] = Window(chosen, np.array([bits[w] for w in chosen], dtype=np.uint32))
    return windows


def letters(word: str) -> int:
    """The word's characters as bits (bit ``ord(c) % 32``: a to z each have their own)."""
    found = 0
    for char in word:
        found |= 1 << (ord(char) % 32)
    return found


def _near(word: str, window: Window | None, budget: int) -> list[str]:
    """The window's words that may be within ``budget`` edits of ``word``, in order.

    Each bit one word has and the other lacks stands for at least one character
    the other lacks, and every such character costs an edit: an insertion or a
    substitution brings one character in, a deletion or a substitution takes one
    out, a transposition neither. A word more bits apart than ``budget`` is
    never within it, so dropping it changes no repair (the order of the rest is
    kept, and with it how ties go), and rapidfuzz compares a dozen words instead
    of hundreds.
    """
    if window is None:
        return []
    mine = np.uint32(letters(word))
    theirs = window.letters
    apart = np.maximum(_bit_count(theirs & ~mine), _bit_count(mine & ~theirs))
    return [window.words[i] for i in np.flatnonzero(apart <= budget).tolist()]


def _bit_twiddle(bits: np.ndarray) -> np.ndarray:
    """Set bits of each uint32, for numpy before 2.0 (which has no bitwise_count)."""
    bits = bits - ((bits >> 1) & 0x55555555)
    bits = (bits & 0x33333333) + ((bits >> 2) & 0x33333333)
    bits = (bits + (bits >> 4)) & 0x0F0F0F0F
    return ((bits * 0x01010101) & 0xFFFFFFFF) >> 24


_bit_count = getattr(np, "bitwise_count", _bit_twiddle)


def corrections(
    query: str,
    known: set[str],
    vocabulary: list[str],
    windows: dict[int, Window] | None = None,
) -> dict[str, str]:
    """Misspelt words → the closest word of ``vocabulary`` (sorted words of 4+ letters).

    Only words whose stem is not ``known`` are touched, and only within one
    edit (two for long words; a transposition counts as one), so "ages"
    never becomes "images". ``windows`` (:func:`by_length` of the vocabulary)
    narrows each comparison to the words whose length allows a match.
    """
    fixes = {}
    for word in set(words(query)):
        if len(word) < 4 or not word.isalpha() or word in ENGLISH_STOPWORDS:
            continue
        if word in known or stem(word) in known:
            continue
        if is_common_english(word):
            continue  # a real word the FAQ lacks ("lunch" is not a typo of "launch")
        repair = _closest(word, vocabulary, windows) or _split(word, known, vocabulary, windows)
        if repair:
            fixes[word] = repair
    return fixes


def _closest(word: str, vocabulary: list[str], windows: dict[int, Window] | None) -> str | None:
    budget = 1 if len(word) <= 5 else MAX_EDITS
    candidates = vocabulary if windows is None else _near(word, windows.get(len(word)), budget)
    match = process.extractOne(
        word, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=budget
    )
    return match[0] if match else None


def _split(
    word: str, known: set[str], vocabulary: list[str], windows: dict[int, Window] | None
) -> str | None:
    """Two words run together ("healthcheck", "pullsecret") → the two words, apart.

    Each part has at least MIN_PART letters and is a word the knowledge base uses;
    failing that, one part may be one edit from such a word (a typo inside the
    compound). The most even split wins.
    """
    cuts = sorted(range(MIN_PART, len(word) - MIN_PART + 1), key=lambda i: abs(len(word) - 2 * i))
    pairs = [(word[:cut], word[cut:]) for cut in cuts]
    for left, right in pairs:
        if _is_known(left, known) and _is_known(right, known):
            return f"{left} {right}"
    for left, right in pairs:
        if _is_known(left, known) and (fixed := _one_edit(right, vocabulary, windows)):
            return f"{left} {fixed}"
        if _is_known(right, known) and (fixed := _one_edit(left, vocabulary, windows)):
            return f"{fixed} {right}"
    return None


def _is_known(part: str, known: set[str]) -> bool:
    return part not in ENGLISH_STOPWORDS and (part in known or stem(part) in known)


def _one_edit(part: str, vocabulary: list[str], windows: dict[int, Window] | None) -> str | None:
    if len(part) < 4:
        return None
    candidates = vocabulary if windows is None else _near(part, windows.get(len(part)), 1)
    match = process.extractOne(part, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=1)
    return match[0] if match else None


def content_words(text: str) -> str:
    """Stemmed words without stopwords, sorted: the form titles and queries are compared in."""
    return " ".join(sorted({stem(w) for w in words(text) if w not in ENGLISH_STOPWORDS}))


def title_similarity(query: str, titles: list[list[str]], pool: list[int]) -> dict[int, float]:
    """rapidfuzz's token-set similarity of the query to each English title, squared.

    ``titles[n]`` are entry n's English titles as :func:`content_words`. The
    English anchors are how most users phrase the question; a fuzzy match on
    them separates near-twins ("pull" vs "push is slow") that share most of
    their terms.
    """
    asked = content_words(query)
    if not asked:
        return dict.fromkeys(pool, 0.0)
    # One rapidfuzz call for all the pool's titles (it prepares the query once), the
    # same scores as token_set_ratio pair by pair.
    choices = [t for n in pool for t in titles[n]]
    ratios = (
        process.cdist([asked], choices, scorer=fuzz.token_set_ratio, dtype=np.float64)[0].tolist()
        if choices
        else []
    )
    similarity, start = {}, 0
    for n in pool:
        end = start + len(titles[n])
        # The best ratio / 100 is the best of the ratios / 100 (dividing keeps the order).
        similarity[n] = (max(ratios[start:end]) / 100) ** 2 if end > start else 0
        start = end
    return similarity
