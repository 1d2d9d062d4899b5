"""Knowing when not to answer (issue 11): evidence that generalises, not a list of queries.

The evidence tells apart a word the FAQ explains, a misspelling of one, an
everyday word the FAQ never explains, and an ACR word that is present but
not the point of the question.
"""

from __future__ import annotations

import pytest

from bot.knowledge.general_words import common_words, is_common_english


def test_common_words_come_from_wordfreq_in_both_languages():
    assert {"poem", "laptop", "weather", "lunch"} <= common_words("en")
    assert "kubernetes" not in common_words("en")  # too rare in general English
    assert {"天气", "写"} <= common_words("zh")
    assert is_common_english("vpn")


@pytest.mark.parametrize(
    ("query", "low", "high"),
    [
        ("how do I get admin credentials", 0.0, 0.0),  # FAQ words only
        ("docker push is slow", 0.0, 0.0),
        ("镜像拉取太慢", 0.0, 0.0),
        ("how do I get admin credntials", 0.0, 0.0),  # a misspelling of an FAQ word
        ("write a poem about kubernetes", 0.6, 1.0),  # everyday words around one ACR word
        ("best vpn for my laptop", 0.9, 1.0),
        ("帮我写一首关于镜像的诗", 0.3, 1.0),
        ("docker push from my laptop is slow", 0.1, 0.4),  # one everyday word in an ACR question
    ],
)
def test_general_share_measures_everyday_language_the_faq_does_not_explain(kb, query, low, high):
    assert low <= kb.index.general_share(query) <= high


def test_a_misspelling_is_repaired_but_a_real_word_is_not(kb):
    assert kb.index.corrections("regsitry admin pasword") == {
        "regsitry": "registry",
        "pasword": "password",
    }
    # "lunch" is one edit from "launch", but it is a common word: not a typo
    assert "lunch" not in kb.index.corrections("where do we go for lunch")


def test_an_acr_word_that_is_not_the_point(kb):
    """One shared word with a title is a mention; the entry's titles carry little of the question."""
    mention = kb.ask("how to undo my last git commit")
    about = kb.ask("how do I include the .git folder in az acr build")
    assert about.answer is not None
    assert about.hits[0].entry.id == mention.hits[0].entry.id
    assert mention.hits[0].evidence.point < about.hits[0].evidence.point
    assert mention.hits[0].evidence.general > about.hits[0].evidence.general
    assert mention.hits[0].score < about.hits[0].score
    assert not mention.answered


@pytest.mark.parametrize(
    "query",
    [
        "write a poem about kubernetes",
        "best vpn for my laptop",
        "what is the weather like today",
        "帮我写一首关于镜像的诗",
        "who is on call this weekend",
        "how much does the premium tier cost per month",  # a glossary topic no entry answers
    ],
)
def test_everyday_requests_naming_an_acr_word_are_not_answered(kb, query):
    assert not kb.ask(query).answered


@pytest.mark.parametrize(
    "query",
    [
        "docker push from my laptop is slow",
        "how do I get admin credentials",
        "如何取得容器登錄的管理員認證",
        "firewall rules not taking effect",
    ],
)
def test_acr_questions_with_everyday_words_are_still_answered(kb, query):
    assert kb.ask(query).answered
