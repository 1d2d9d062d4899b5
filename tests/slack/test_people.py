"""Which messages acrbot may answer: people's, never bots', edits or channel notices."""

from __future__ import annotations

import pytest

from bot.slack.listeners.events.people import is_from_a_person


@pytest.mark.parametrize("subtype", [None, "file_share", "thread_broadcast", "me_message"])
def test_what_a_person_writes_is_answered(subtype: str | None) -> None:
    assert is_from_a_person({"type": "message", "user": "U1", "text": "hi", "subtype": subtype})


@pytest.mark.parametrize(
    "event",
    [
        {"user": "U1", "bot_id": "B1"},
        {"user": "U1", "app_id": "A1"},
        {"user": "U1", "subtype": "bot_message"},
        {"user": "U1", "subtype": "message_changed"},
        {"user": "U1", "subtype": "message_deleted"},
        {"user": "U1", "subtype": "channel_join"},
        {"text": "no author"},
    ],
)
def test_bots_edits_and_notices_are_not(event: dict) -> None:
    assert not is_from_a_person({"type": "message", **event})
