"""Reads that fail for a reason other than a role, and answers of the wrong shape.

Only a refusal (401/403 from ARM or the token endpoint) is fixed by giving
acrbot a role; a missing cluster, the registry's firewall, throttling, an
error or no answer at all each say what happened instead. A JSON answer of
an unexpected shape is that read's unverified finding, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tests.fakes.arm_registries as arm_registries
import tests.fakes.azure_cluster as azure_cluster
from tests.pull.world import CLUSTER, IMAGE, World, config_file, diagnose, healthy

FULL = f"contosoreg.azurecr.io/{IMAGE}"


def steps(world: World, tmp_path: Path) -> tuple[int, dict[str, dict[str, Any]], dict]:
    with world.azure() as fake:
        code, report = diagnose(config_file(fake, tmp_path), FULL, "--cluster", CLUSTER)
    return code, {s["name"]: s for s in report["steps"]}, report


def _set(*path: str, value: Any) -> Callable[[dict], None]:
    def change(body: dict) -> None:
        for key in path[:-1]:
            body = body.setdefault(key, {})
        body[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("builder", "change", "step", "field"),
    [
        (
            "registry",
            _set("properties", "networkRuleSet", value=["x"]),
            "registry",
            "networkRuleSet",
        ),
        ("registry", _set("properties", "policies", value="on"), "registry", "policies"),
        ("cluster", _set("properties", "identityProfile", value=[1]), "cluster", "identityProfile"),
        (
            "cluster",
            _set("properties", "servicePrincipalProfile", value="x"),
            "cluster",
            "servicePrincipalProfile",
        ),
        (
            "cluster",
            _set("properties", "agentPoolProfiles", value=["pool"]),
            "cluster",
            "agentPoolProfiles[0]",
        ),
    ],
    ids=["rules-list", "policies-string", "identity-list", "sp-string", "pool-string"],
)
def test_an_answer_of_the_wrong_shape_is_that_reads_finding(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    builder: str,
    change: Callable[[dict], None],
    step: str,
    field: str,
) -> None:
    module, name = (
        (arm_registries, "_resource") if builder == "registry" else (azure_cluster, "_cluster")
    )
    original = getattr(module, name)

    def broken(resource: Any) -> dict:
        body = original(resource)
        change(body)
        return body

    monkeypatch.setattr(module, name, broken)
    code, found, report = steps(healthy(), tmp_path)
    assert code == 1 and "error" not in report, report
    assert found[step]["code"] == "MALFORMED_RESPONSE"
    assert "Azure's answer" in found[step]["explanation"] and field in found[step]["explanation"]
    assert found["image"]["status"] == "ok"  # the rest of the check still ran
    assert "Traceback" not in capsys.readouterr().err
