"""Two words run together ("healthcheck") are split into words the knowledge base uses."""

from __future__ import annotations

import numpy as np

from bot.knowledge import spelling
from bot.knowledge.spelling import by_length, corrections

VOCABULARY = sorted(["health", "check", "pull", "secret", "image", "docker", "network", "rule"])
KNOWN = set(VOCABULARY) | {"acr", "tag"}


def repair(query: str) -> dict[str, str]:
    return corrections(query, KNOWN, VOCABULARY, by_length(VOCABULARY))


def test_a_compound_of_two_known_words_is_split():
    assert repair("healthcheck please") == {"healthcheck": "health check"}
    assert repair("pullsecret") == {"pullsecret": "pull secret"}
    assert repair("acrtag") == {"acrtag": "acr tag"}


def test_exact_parts_win_over_a_repaired_part():
    # "imag" + "epull" (one edit from "pull") is as even as "image" + "pull": exact wins
    assert repair("imagepull") == {"imagepull": "image pull"}


def test_a_typo_inside_a_compound_is_repaired():
    assert repair("helthcheck") == {"helthcheck": "health check"}


def test_words_that_are_not_two_known_words_stay():
    assert repair("kubelet") == {}
    assert repair("everything") == {}  # common English: never a typo
    assert repair("qwrtpull") == {}  # one part no known word


def test_the_bundled_base_finds_the_entry_a_compound_names(kb):
    hits = kb.ask("healthcheck for my container registry").hits
    assert hits[0].entry.id == "check-health-with-az-acr-check-health"


def test_length_windows_and_letter_bits_change_no_repair(kb):
    """by_length's windows only skip words that cannot be close enough: every typo of
    the bundled vocabulary (a letter dropped, doubled, swapped or changed) is repaired
    as a scan of the whole vocabulary repairs it."""
    index = kb.index
    vocabulary, known = index._vocabulary, index._known
    windows = by_length(vocabulary)
    typos = set()
    for word in vocabulary[::7]:
        for i in range(len(word)):
            typos.add(word[:i] + word[i + 1 :])
            typos.add(word[:i] + word[i] + word[i:])
            typos.add(word[:i] + "q" + word[i + 1 :])
            typos.add(word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :])
        typos.add(word + "xz")
        typos.add(word[:3] + "th" + word[3:])
    query = " ".join(sorted(typos))
    fixed = corrections(query, known, vocabulary, windows)
    assert len(fixed) > 500
    assert fixed == corrections(query, known, vocabulary)


def test_letter_bits_are_counted_with_numpy_2_and_before():
    bits = np.random.default_rng(7).integers(0, 2**32, 5000, dtype=np.uint64).astype(np.uint32)
    counted = [bin(int(b)).count("1") for b in bits]
    assert spelling._bit_count(bits).tolist() == counted
    assert spelling._bit_twiddle(bits).tolist() == counted
