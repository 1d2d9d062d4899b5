"""The pull role as Azure counts it: ABAC conditions, notActions, the root scope, an unread mode.

Each test starts from the healthy world (AcrPull on the registry) and
changes only the kubelet identity's roles, or what acrbot may read of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.azure_cluster import (
    ACRPULL,
    KUBELET_OBJECT_ID,
    REPOSITORY_READER,
    FakeRoleAssignment,
)
from tests.pull.world import (
    CLUSTER,
    IMAGE,
    REGISTRY_ID,
    World,
    codes,
    config_file,
    diagnose,
    healthy,
)

FULL = f"contosoreg.azurecr.io/{IMAGE}"
NAME = "@Request[Microsoft.ContainerRegistry/registries/repositories:name]"
READ = "Microsoft.ContainerRegistry/registries/repositories/content/read"
CUSTOM = "11111111-2222-4333-8444-555555555555"


def run(world: World, tmp_path: Path) -> tuple[int, dict]:
    with world.azure() as fake:
        return diagnose(config_file(fake, tmp_path), FULL, "--cluster", CLUSTER)


def roles_step(report: dict) -> dict:
    return next(s for s in report["steps"] if s["name"] == "roles")


def abac_world(condition: str) -> World:
    world = healthy()
    world.registry.role_assignment_mode = "AbacRepositoryPermissions"
    world.role_assignments = [
        FakeRoleAssignment(KUBELET_OBJECT_ID, REPOSITORY_READER, REGISTRY_ID, condition)
    ]
    return world


@pytest.mark.parametrize(
    ("condition", "allowed"),
    [
        (f"(({NAME} StringStartsWithIgnoreCase 'shop/') AND ({NAME} StringEquals 'shop/web'))", 0),
        (f"(({NAME} StringStartsWithIgnoreCase 'shop/') AND ({NAME} StringEquals 'shop/api'))", 1),
        (f"(({NAME} StringEquals 'shop/web') OR ({NAME} StringEquals 'shop/api'))", 1),
        (f"((!(ActionMatches{{'{READ}'}})) OR ({NAME} StringNotStartsWith 'shop/'))", 0),
        (f"((!(ActionMatches{{'{READ}'}})) OR ({NAME} StringLike 'shop/a?i'))", 1),
        (f"{NAME} ForAnyOfAnyValues:StringEquals {{'billing/x', 'shop/api'}}", 1),
    ],
)
def test_an_abac_condition_is_read_with_and_or_and_not(
    tmp_path: Path, condition: str, allowed: int
) -> None:
    code, report = run(abac_world(condition), tmp_path)
    expected = [] if allowed else ["ABAC_ROLE_MISSING"]
    assert codes(report) == expected and code == 1 - allowed, report["steps"]


@pytest.mark.parametrize(
    "condition",
    [
        # Azure refuses AND and OR mixed at one level: not guessed either way
        f"{NAME} StringStartsWith 'shop/' AND {NAME} StringEquals 'x' OR {NAME} StringEquals 'y'",
        f"(({NAME} StringStartsWith 'shop/') AND ({NAME} StringEquals 'shop/api')",  # unclosed
        f"@Principal[Microsoft.Directory/x] StringEquals 'a' AND {NAME} StringEquals 'shop/api'",
    ],
)
def test_an_abac_condition_not_read_with_certainty_is_unverified(
    tmp_path: Path, condition: str
) -> None:
    code, report = run(abac_world(condition), tmp_path)
    assert code == 1 and report["causes"] == [] and report["ok"] is False
    assert roles_step(report)["status"] == "warning"
    assert any("condition not understood" in item for item in report["unverified"])


@pytest.mark.parametrize(
    ("permissions", "allowed"),
    [
        ({"actions": ["*"], "notActions": ["Microsoft.ContainerRegistry/*"]}, 0),
        ({"actions": ["*"], "notActions": ["Microsoft.ContainerRegistry/registries/push/*"]}, 1),
        ({"actions": ["Microsoft.ContainerRegistry/registries/*/read"]}, 1),
        ({"dataActions": ["Microsoft.ContainerRegistry/registries/pull/read"]}, 0),
    ],
)
def test_a_custom_role_grants_its_actions_less_its_not_actions(
    tmp_path: Path, permissions: dict, allowed: int
) -> None:
    world = healthy()
    world.role_assignments = [FakeRoleAssignment(KUBELET_OBJECT_ID, CUSTOM, REGISTRY_ID)]
    world.role_definitions = {CUSTOM: {"permissions": permissions}}
    code, report = run(world, tmp_path)
    expected = [] if allowed else ["PULL_ROLE_MISSING"]
    assert codes(report) == expected and code == 1 - allowed, report["steps"]


def test_a_custom_role_s_not_data_actions_hold_in_abac_mode(tmp_path: Path) -> None:
    world = abac_world("")
    world.role_assignments = [FakeRoleAssignment(KUBELET_OBJECT_ID, CUSTOM, REGISTRY_ID)]
    world.role_definitions = {
        CUSTOM: {"permissions": {"dataActions": ["*"], "notDataActions": [READ]}}
    }
    code, report = run(world, tmp_path)
    assert code == 1 and codes(report) == ["ABAC_ROLE_MISSING"], report["steps"]


def test_a_role_at_the_root_scope_covers_the_registry(tmp_path: Path) -> None:
    world = healthy()
    world.role_assignments = [FakeRoleAssignment(KUBELET_OBJECT_ID, ACRPULL, "/")]
    code, report = run(world, tmp_path)
    assert code == 0 and report["ok"] is True, report["steps"]
    assert "AcrPull at /" in roles_step(report)["explanation"]


def test_an_unread_registry_with_no_roles_still_names_the_missing_role(tmp_path: Path) -> None:
    world = healthy()
    world.registry.arm_forbidden = True
    world.role_assignments = []
    code, report = run(world, tmp_path)
    assert code == 1 and codes(report) == ["PULL_ROLE_MISSING"], report["steps"]
    assert "Container Registry Repository Reader" in report["causes"][0]["explanation"]
    assert any("the settings of contosoreg" in item for item in report["unverified"])


def test_an_unread_registry_leaves_a_mode_dependent_role_unverified(tmp_path: Path) -> None:
    world = healthy()  # AcrPull: a pull in legacy mode, nothing in ABAC mode
    world.registry.arm_forbidden = True
    code, report = run(world, tmp_path)
    assert code == 1 and report["causes"] == []
    step = roles_step(report)
    assert step["status"] == "warning" and "permission mode" in step["explanation"]
    assert "allowed by AcrPull" in step["explanation"] and "not allowed" in step["explanation"]
    assert any("pull role" in item for item in report["unverified"])


def test_an_unread_registry_with_roles_for_both_modes_passes_the_role(tmp_path: Path) -> None:
    world = healthy()
    world.registry.arm_forbidden = True
    world.role_assignments.append(
        FakeRoleAssignment(KUBELET_OBJECT_ID, REPOSITORY_READER, REGISTRY_ID)
    )
    _, report = run(world, tmp_path)
    step = roles_step(report)
    assert step["status"] == "ok" and "either permission mode" in step["explanation"]
