"""Common general-language words (wordfreq), to tell "poem" and "laptop" from FAQ words.

A question that mentions one ACR word among several everyday words the FAQ
never explains ("write a poem about kubernetes", "best VPN for my laptop")
is usually not an ACR question. Glossary and title words are the FAQ's own
vocabulary; a word outside it that is common in general English or Chinese
(Zipf frequency ≥ 3, about once per million words, in wordfreq's lists) is
general language. wordfreq is a maintained, multi-source frequency list,
which keeps this from being a list fitted to our own test queries.

The sets are built once per process from wordfreq's bundled data (offline).
"""

from __future__ import annotations

from functools import lru_cache

import wordfreq

GENERAL_ZIPF = 3.0  # once per million words; Zipf = log10(frequency per billion words)
MAX_CJK_WORD = 4


@lru_cache(maxsize=4)
def common_words(language: str) -> frozenset[str]:
    """Words of ``language`` (``en`` or ``zh``) at least as frequent as GENERAL_ZIPF."""
    threshold = 10 ** (GENERAL_ZIPF - 9)
    try:
        return frozenset(
            w for w, f in wordfreq.get_frequency_dict(language).items() if f >= threshold
        )
    finally:
        # wordfreq caches each whole list (~300k words, ~40 MB a language); only this
        # set is kept, so let the lists go (a replica's memory target is 200 MB).
        for cached in (wordfreq.get_frequency_dict, wordfreq.get_frequency_list):
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()


def is_common_english(word: str) -> bool:
    return word in common_words("en")


def is_common_chinese(word: str) -> bool:
    return word in common_words("zh")


def general_cjk_spans(piece: str, explained: frozenset[str]) -> int:
    """How many characters of a Chinese run lie in common words the FAQ does not explain.

    Longest common word first at each position; a word counts as explained
    when every one of its character pairs occurs in the FAQ's own vocabulary
    (``explained`` holds those pairs).
    """
    common = common_words("zh")
    general = 0
    index = 0
    while index < len(piece):
        size = 0
        for length in range(min(MAX_CJK_WORD, len(piece) - index), 1, -1):
            if piece[index : index + length] in common:
                size = length
                break
        if size:
            word = piece[index : index + size]
            pairs = {word[i : i + 2] for i in range(size - 1)}
            if not pairs <= explained:
                general += size
            index += size
        else:
            index += 1
    return general
