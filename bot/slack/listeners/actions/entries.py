"""The FAQ entry a button names (its value carries the entry key and the original query)."""

from __future__ import annotations

from typing import Any

from bot.knowledge.model import Entry
from bot.services import Services
from bot.slack.blocks import read_button_value


def entry_of(services: Services, action: dict[str, Any]) -> tuple[Entry | None, str]:
    parsed = read_button_value(action.get("value"))
    if parsed is None:
        return None, ""
    key, query = parsed
    return services.library.current.get(key), query
