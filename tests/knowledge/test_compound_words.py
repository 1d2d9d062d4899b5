"""Two words run together ("healthcheck") are split into words the knowledge base uses."""

from __future__ import annotations

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
