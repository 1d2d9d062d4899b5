"""Which messages a person wrote (and so may be answered)."""

from __future__ import annotations

from typing import Any


def is_from_a_person(event: dict[str, Any]) -> bool:
    """Bots, edits and deletions are never answered: that is how bot loops start."""
    return not (event.get("bot_id") or event.get("subtype") or event.get("app_id"))
