"""Precision and recall of "answered" on a labelled set of help-channel messages.

A line: ``{"text": …, "should_answer": true|false, "anchor": <entry id or null>}``
(other keys, such as ``kind`` and ``language``, are carried for the report).
An answer counts as right only when it is the expected entry; an answer to
a message that should get silence, or with the wrong entry, is a false one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import AcrbotError
from bot.knowledge.channel_questions import ChannelBar, ChannelDecision, decide, read_question
from bot.knowledge.library import Library


@dataclass
class ChannelScores:
    right: int = 0  # answered with the expected entry
    wrong: int = 0  # answered, but silence (or another entry) was expected
    missed: int = 0  # silent where an answer was expected
    silent: int = 0  # silent, as expected
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        answered = self.right + self.wrong
        return self.right / answered if answered else 1.0

    @property
    def recall(self) -> float:
        expected = self.right + self.missed
        return self.right / expected if expected else 1.0


def read_labelled(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise AcrbotError(f"{path}:{number}: not JSON ({exc})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise AcrbotError(f'{path}:{number}: needs a string "text"')
        if not isinstance(row.get("should_answer"), bool):
            raise AcrbotError(f'{path}:{number}: needs "should_answer": true or false')
        rows.append(row)
    return rows


def channel_decision(library: Library, text: str, bar: ChannelBar) -> ChannelDecision:
    """What a help channel would do with ``text`` (cleaned of Slack markup)."""
    reading = read_question(text)
    result = library.ask(text) if reading.is_question or reading.may_be_a_topic else None
    return decide(reading, result, bar)


def evaluate_channel(
    rows: Iterable[dict[str, Any]], judge: Callable[[str], ChannelDecision]
) -> ChannelScores:
    scores = ChannelScores()
    for row in rows:
        decision = judge(row["text"])
        got = decision.result.hits[0].entry.id if decision.answer and decision.result else None
        if decision.answer and row["should_answer"] and got == row.get("anchor"):
            scores.right += 1
            continue
        if decision.answer:
            scores.wrong += 1
        elif row["should_answer"]:
            scores.missed += 1
        else:
            scores.silent += 1
            continue
        scores.mistakes.append({**row, "got": got, "reason": decision.reason})
    return scores
