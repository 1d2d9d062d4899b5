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

_CLUSTER_FIELD = re.compile(r"^(?:k8s_|kubernetes_|aks_)?cluster(?:_?name|_id)?$", re.IGNORECASE)
# "cluster: aks-prod", cluster="aks-prod" (Prometheus label text), "Cluster name = aks-prod",
# "*cluster:* `aks-prod`" (Alertmanager's Slack template).
_CLUSTER_IN_TEXT = re.compile(
    r"(?<![\w.-])(?:k8s_|kubernetes_|aks_)?cluster(?:[_ ]?name)?[*_]{0,2}\s{0,3}[=:]"
    r"[*_\s]{0,4}[\"'`]?(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,62})",
    re.IGNORECASE,
)
MAX_CLUSTER_NAMES = 5


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


def is_cluster_field(name: str) -> bool:
    """Whether a field of this name holds a cluster's name (``cluster``, ``k8s_cluster``)."""
    return bool(_CLUSTER_FIELD.match(name.strip()))


def cluster_names_in(fragments: list[str]) -> tuple[str, ...]:
    """Values that free text gives as the cluster (``cluster: aks-prod``), first few, in order."""
    found: dict[str, None] = {}
    for fragment in fragments:
        for match in _CLUSTER_IN_TEXT.finditer(fragment[:20_000]):
            found.setdefault(match.group("name").rstrip(".-"))
            if len(found) >= MAX_CLUSTER_NAMES:
                return tuple(found)
    return tuple(found)
