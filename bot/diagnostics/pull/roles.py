"""Which role assignments let an identity pull from a registry, in either permission mode.

Legacy mode (``LegacyRegistryPermissions``) honours AcrPull, AcrPush, Reader,
Contributor and Owner (and custom roles with the pull action) at the
registry or any scope above it. Repository-permission mode
(``AbacRepositoryPermissions``) honours only the Container Registry
Repository roles, and each assignment's ABAC condition must cover the
repository; AcrPull there does nothing, which is the trap this module names.
Role definition IDs are compared by their trailing GUID. A custom role's
effective permissions are its actions less its notActions (and its data
actions less its notDataActions), wildcards included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.diagnostics.pull.conditions import action_matches, condition_allows

ABAC_MODE = "AbacRepositoryPermissions"
ACRPULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
ACRPUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
REPOSITORY_READER = "b93aa761-3e63-49ed-ac28-beffa264f7ac"
REPOSITORY_WRITER = "2a1e307c-b015-4ebd-883e-5b7698a07328"
REPOSITORY_CONTRIBUTOR = "2efddaa5-3f1f-4df3-97df-af3f13818f4c"

ROLE_NAMES = {
    ACRPULL: "AcrPull",
    ACRPUSH: "AcrPush",
    READER: "Reader",
    CONTRIBUTOR: "Contributor",
    OWNER: "Owner",
    REPOSITORY_READER: "Container Registry Repository Reader",
    REPOSITORY_WRITER: "Container Registry Repository Writer",
    REPOSITORY_CONTRIBUTOR: "Container Registry Repository Contributor",
}
LEGACY_PULL_ROLES = frozenset({ACRPULL, ACRPUSH, READER, CONTRIBUTOR, OWNER})
ABAC_PULL_ROLES = frozenset({REPOSITORY_READER, REPOSITORY_WRITER, REPOSITORY_CONTRIBUTOR})
BUILT_IN = LEGACY_PULL_ROLES | ABAC_PULL_ROLES
LEGACY_PULL_ACTION = "microsoft.containerregistry/registries/pull/read"
ABAC_PULL_ACTION = "microsoft.containerregistry/registries/repositories/content/read"
REPOSITORY_ATTRIBUTE = "Microsoft.ContainerRegistry/registries/repositories:name"

_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

__all__ = [
    "Assignment",
    "Grant",
    "assignments_above",
    "evaluate",
    "granted_pull_actions",
    "role_guid",
]


@dataclass(frozen=True)
class Assignment:
    role: str  # the role definition's GUID, lower case
    role_definition_id: str
    scope: str
    condition: str | None = None

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, f"custom role {self.role}")


@dataclass(frozen=True)
class Grant:
    """What the assignments add up to for one repository.

    ``allows`` True/False, or None when a condition could not be read (then
    ``unclear`` says which); ``ignored`` lists roles held that this mode ignores.
    """

    allows: bool | None
    by: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    unclear: tuple[str, ...] = ()


def role_guid(role_definition_id: str) -> str:
    tail = role_definition_id.rstrip("/").rsplit("/", 1)[-1]
    return tail.lower() if _GUID_RE.match(tail) else ""


def assignments_above(items: Iterable[Mapping[str, Any]], resource_id: str) -> list[Assignment]:
    """The assignments whose scope is the resource or one above it (group, subscription, MG, /)."""
    found = []
    for item in items:
        props = item.get("properties") if isinstance(item.get("properties"), dict) else {}
        definition = str(props.get("roleDefinitionId") or "")
        if _scope_covers(str(props.get("scope") or ""), resource_id):
            condition = props.get("condition")
            found.append(
                Assignment(
                    role_guid(definition),
                    definition,
                    str(props.get("scope")),
                    str(condition) if condition else None,
                )
            )
    return found


def _scope_covers(scope: str, resource_id: str) -> bool:
    """A scope covers what lies under it; a management group's place is not known, so it counts."""
    scope = scope.lower()
    if not scope.startswith("/"):
        return False
    if scope.startswith("/providers/microsoft.management/managementgroups/"):
        return True
    prefix = scope.rstrip("/") + "/"  # the root scope "/" becomes "/", covering everything
    return (resource_id.lower().rstrip("/") + "/").startswith(prefix)


def granted_pull_actions(permissions: Iterable[Any]) -> frozenset[str]:
    """Which of the two pull actions a role definition's ``permissions`` really grant.

    Each permission block grants its actions less its notActions and its data
    actions less its notDataActions; the legacy pull is an action, the
    repository-permission (ABAC) pull a data action.
    """
    granted: set[str] = set()
    for block in permissions:
        if not isinstance(block, Mapping):
            continue
        for action, allow, deny in (
            (LEGACY_PULL_ACTION, "actions", "notActions"),
            (ABAC_PULL_ACTION, "dataActions", "notDataActions"),
        ):
            if _any_matches(block.get(allow), action) and not _any_matches(block.get(deny), action):
                granted.add(action)
    return frozenset(granted)


def _any_matches(patterns: Any, action: str) -> bool:
    if not isinstance(patterns, list):
        return False
    return any(action_matches(str(pattern), action) for pattern in patterns)


def evaluate(
    assignments: Iterable[Assignment],
    abac: bool,
    repository: str,
    custom_actions: Mapping[str, frozenset[str] | None],
) -> Grant:
    """Does any assignment let the holder pull ``repository``? (see the module docstring)

    ``custom_actions`` maps a custom role's GUID to the pull actions it grants
    (:func:`granted_pull_actions`), or None when its definition could not be read.
    """
    by: list[str] = []
    ignored: list[str] = []
    unclear: list[str] = []
    for item in assignments:
        honoured = _honoured(item, abac, custom_actions)
        if honoured is None:
            unclear.append(f"{item.role_name} at {item.scope} (its definition could not be read)")
            continue
        if not honoured:
            if abac and item.role in LEGACY_PULL_ROLES:
                ignored.append(item.role_name)
            continue
        covers = covers_repository(item.condition, repository) if abac else True
        if covers is None:
            unclear.append(f"{item.role_name} at {item.scope} (condition not understood)")
        elif covers:
            by.append(f"{item.role_name} at {item.scope}")
    if by:
        return Grant(True, tuple(by))
    return Grant(None if unclear else False, (), tuple(dict.fromkeys(ignored)), tuple(unclear))


def _honoured(
    item: Assignment, abac: bool, custom_actions: Mapping[str, frozenset[str] | None]
) -> bool | None:
    if item.role in BUILT_IN:
        return item.role in (ABAC_PULL_ROLES if abac else LEGACY_PULL_ROLES)
    actions = custom_actions.get(item.role)
    if actions is None:
        return None
    return (ABAC_PULL_ACTION if abac else LEGACY_PULL_ACTION) in actions


def covers_repository(condition: str | None, repository: str) -> bool | None:
    """Whether an ABAC condition lets a pull of ``repository`` through; None when it cannot be read.

    The condition is evaluated for the pull's data action on that repository
    name (see :mod:`bot.diagnostics.pull.conditions`), so AND, OR, NOT and
    parentheses count as Azure counts them.
    """
    if not condition:
        return True
    return condition_allows(condition, ABAC_PULL_ACTION, REPOSITORY_ATTRIBUTE, repository)
