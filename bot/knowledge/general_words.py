"""Common general-language words (wordfreq), to tell "poem" and "laptop" from FAQ words.

A question that mentions one ACR word among several everyday words the FAQ
never explains ("write a poem about kubernetes", "best VPN for my laptop")
is usually not an ACR question. Glossary and title words are the FAQ's own
vocabulary; a word outside it that is common in general English or Chinese
(Zipf frequency ≥ 3, about once per million words, in wordfreq's lists) is
general language. wordfreq is a maintained, multi-source frequency list,
which keeps this from being a list fitted to our own test queries.

The sets are built once per process from wordfreq's bundled data (offline),
read straight from its list files (:func:`_common_in_wordlist`).
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

GENERAL_ZIPF = 3.0  # once per million words; Zipf = log10(frequency per billion words)
MAX_CJK_WORD = 4


@lru_cache(maxsize=4)
def common_words(language: str) -> frozenset[str]:
    """Words of ``language`` (``en`` or ``zh``) at least as frequent as GENERAL_ZIPF."""
    threshold = 10 ** (GENERAL_ZIPF - 9)
    try:
        return _common_in_wordlist(language, threshold)
    except Exception as exc:  # a wordfreq laid out otherwise: ask wordfreq itself (same words)
        log.info(
            "knowledge: wordfreq's %s list could not be read directly (%s); loading wordfreq, "
            "which costs the worker about 20 MB more",
            language, type(exc).__name__,
        )  # fmt: skip
        return _common_from_wordfreq(language, threshold)


def _common_in_wordlist(language: str, threshold: float) -> frozenset[str]:
    """The words, read from wordfreq's own list file one frequency bucket at a time.

    What ``wordfreq.get_frequency_dict`` says, without building it: its lists are
    ~300k words a language, and holding them all at once (even briefly) left a
    worker some 10 MB larger for good; nor is wordfreq imported (with langcodes'
    tables, ftfy and regex, 6 MB) just to find the file. The file is the one
    wordfreq reads for ``wordlist="best"`` (``large_<lang>``, else ``small_``): a
    header, then bucket ``i`` holding the words of frequency ``10 ** (-i / 100)``;
    as in wordfreq's dictionary, a word's last bucket decides.
    """
    import msgpack

    path = _wordlist(language)
    with gzip.open(path, "rb") as infile:
        unpacker = msgpack.Unpacker(infile, raw=False)
        buckets = unpacker.read_array_header() - 1
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB":
            raise ValueError(f"{path}: not a cBpack word list")
        if header.get("version") != 1:
            raise ValueError(f"{path}: cBpack version {header.get('version')!r}")
        kept: set[str] = set()
        for index in range(buckets):
            bucket = unpacker.unpack()
            if 10 ** (-index / 100) >= threshold:  # wordfreq.cB_to_freq(-index)
                kept.update(bucket)
            else:
                kept.difference_update(bucket)
    return frozenset(kept)


def _wordlist(language: str) -> Path:
    """wordfreq's best list file for ``language``, found without importing wordfreq."""
    spec = importlib.util.find_spec("wordfreq")
    folders = (spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for size in ("large", "small"):
            path = Path(folder) / "data" / f"{size}_{language}.msgpack.gz"
            if path.is_file():
                return path
    raise LookupError(f"no wordfreq word list for {language!r}")


def _common_from_wordfreq(language: str, threshold: float) -> frozenset[str]:
    import wordfreq

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
