"""Small helpers shared by the readers: safe field access on untrusted JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bot.errors import AcrbotError

MAX_TEXT = 4000  # characters kept from any one field
_ARM_SCOPE = re.compile(
    r"/subscriptions/(?P<sub>[0-9a-fA-F-]{36})(?:/resourcegroups/(?P<rg>[^/]{1,90}))?",
    re.IGNORECASE,
)


class UnknownShape(AcrbotError):
    """The payload is not the shape this reader reads; the message is one line saying why."""


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """A string field, stripped and clipped; ``None`` for anything else or blank."""
    if isinstance(value, str) and value.strip():
        return value.strip()[:limit]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def strings(value: Any, depth: int = 0, budget: list[int] | None = None) -> Iterator[str]:
    """Every string leaf of a JSON value (bounded in depth and count), for free-text scanning."""
    budget = [500] if budget is None else budget
    if depth > 20 or budget[0] <= 0:
        return
    if isinstance(value, str):
        budget[0] -= 1
        if value.strip():
            yield value[:MAX_TEXT]
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from strings(inner, depth + 1, budget)
            if isinstance(key, str) and isinstance(inner, str | int | float) and key.strip():
                budget[0] -= 1
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner, depth + 1, budget)


def scope_of(resource_id: str | None) -> tuple[str | None, str | None]:
    """(subscription, resource group) of an ARM ID, lower-cased; (None, None) if not one."""
    if not resource_id:
        return None, None
    match = _ARM_SCOPE.search(resource_id)
    if not match:
        return None, None
    group = match.group("rg")
    return match.group("sub").lower(), group.lower() if group else None


def resource_type(resource_id: str) -> str | None:
    """``microsoft.compute/virtualmachines`` for an ARM resource ID, lower-cased."""
    parts = resource_id.strip("/").lower().split("/")
    if "providers" not in parts:
        return None
    rest = parts[parts.index("providers") + 1 :]
    if len(rest) < 3:
        return None
    return f"{rest[0]}/{rest[1]}"
