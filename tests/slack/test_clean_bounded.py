"""clean() clips before its patterns run: the work is bounded whatever Slack delivers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.slack import questions
from bot.slack.questions import MAX_QUESTION, MAX_RAW, clean

PATTERNS = ("_MENTION", "_LINK", "_CHANNEL", "_SPECIAL")
ADVERSARIAL = ["<http:", "<@U1|", "<#C1|", "<!", "<mailto:a", "<https://x|"]


class Recording:
    """A compiled pattern that remembers how long each text it was given was."""

    def __init__(self, pattern: re.Pattern[str], seen: list[int]) -> None:
        self.pattern, self.seen = pattern, seen

    def sub(self, repl: Any, text: str) -> str:
        self.seen.append(len(text))
        return self.pattern.sub(repl, text)


@pytest.mark.parametrize("piece", ADVERSARIAL)
def test_patterns_never_see_more_than_the_clipped_text(monkeypatch, piece: str) -> None:
    seen: list[int] = []
    for name in PATTERNS:
        monkeypatch.setattr(questions, name, Recording(getattr(questions, name), seen))
    question = clean(piece * (1024 * 1024 // len(piece)))  # a megabyte of unclosed markup
    assert len(seen) == len(PATTERNS)
    assert max(seen) <= MAX_RAW
    assert len(question) <= MAX_QUESTION


def test_clipping_first_keeps_the_question_and_its_links() -> None:
    text = "<@UBOT> see <https://example.com/x|the docs> " + "spam " * 100_000
    assert clean(text).startswith("see the docs spam")


@pytest.mark.parametrize("name", PATTERNS)
def test_markup_patterns_stop_at_the_next_bracket(name: str) -> None:
    """No pattern can run past a "<" (Slack escapes it in typed text), so attempts never overlap."""
    pattern: re.Pattern[str] = getattr(questions, name)
    assert "[^<>]" in pattern.pattern or "[^|<>]" in pattern.pattern
    assert not re.search(r"\[\^[^\]]*\](?![*+]\+|\+\+)[*+]", pattern.pattern)  # all possessive
