"""Follow-ups read with the thread: continuations combine, self-contained questions stand alone."""

from __future__ import annotations

import pytest

from bot.knowledge.followups import leans_on_thread, read_followup
from bot.knowledge.library import Library
from bot.knowledge.settings import KnowledgeSettings

ADMIN = "how do I get the admin credentials for my registry?"


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.from_settings(KnowledgeSettings())


@pytest.mark.parametrize(
    "text", ["and for a Premium registry?", "what about in China?", "那如果是 AKS 呢？", "why?"]
)
def test_continuations_lean_on_the_thread(text: str) -> None:
    assert leans_on_thread(text)


def test_a_continuation_is_read_with_the_earlier_question(library: Library) -> None:
    reading = read_followup("and in a Resource Manager template?", ADMIN, library.ask)
    assert reading.with_context and reading.context_changed
    assert reading.result.answer.entry.id == (
        "how-do-i-get-admin-credentials-in-a-resource-manager-template"
    )


def test_a_question_of_its_own_is_read_alone(library: Library) -> None:
    reading = read_followup("how do I enable TLS 1.2 only on the registry?", ADMIN, library.ask)
    assert not reading.with_context and not reading.context_changed


def test_no_context_means_the_text_alone(library: Library) -> None:
    reading = read_followup("what about it?", "", library.ask)
    assert reading.query == "what about it?" and not reading.with_context
