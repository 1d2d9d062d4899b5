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
from tests.fakes.azure_cluster import FakeCluster, FakePool
from tests.fakes.registry_images import FakeImage
from tests.pull.world import CLUSTER, IMAGE, World, config_file, diagnose, healthy

FULL = f"contosoreg.azurecr.io/{IMAGE}"


def steps(world: World, tmp_path: Path) -> tuple[int, dict[str, dict[str, Any]], dict]:
    with world.azure() as fake:
        code, report = diagnose(config_file(fake, tmp_path), FULL, "--cluster", CLUSTER)
    return code, {s["name"]: s for s in report["steps"]}, report


def test_a_missing_cluster_says_so_not_which_role(tmp_path: Path) -> None:
    world = healthy()
    world.cluster = FakeCluster("aks-other")  # aks-prod is configured but not in Azure
    _, found, report = steps(world, tmp_path)
    step = found["cluster"]
    assert step["code"] == "CLUSTER_NOT_FOUND" and "HTTP 404" in step["explanation"]
    assert "resource group" in step["advice"] and "Give" not in step["advice"]
    assert found["image"]["status"] == "ok" and report["unverified"]


def test_the_registry_firewall_on_acrbot_is_not_a_missing_role(tmp_path: Path) -> None:
    world = healthy()
    world.registry.forbidden = True  # GET /v2/ answers 403
    _, found, _ = steps(world, tmp_path)
    step = found["image"]
    assert step["code"] == "CONNECTIVITY_FORBIDDEN_ERROR", step
    assert "firewall" in step["explanation"] and "acrbot's network" in step["explanation"]
    assert "Give" not in step["advice"] and "networking settings" in step["advice"]


def test_a_throttled_token_says_wait_for_retry_after(tmp_path: Path) -> None:
    world = healthy()
    world.registry.token_throttled = True  # 429, Retry-After: 1
    _, found, _ = steps(world, tmp_path)
    step = found["image"]
    assert "throttling" in step["explanation"] and "HTTP 429" in step["explanation"]
    assert step["advice"].startswith("Wait 1 s") and "Give" not in step["advice"]
    assert (
        step["code"] == "CONNECTIVITY_TOOMANYREQUESTS_ERROR"
    )  # azure.md: the registry's, not ARM's


def test_a_login_server_that_does_not_resolve_is_a_dns_error_not_arms(tmp_path: Path) -> None:
    world = healthy()
    with world.azure() as fake:
        config = config_file(fake, tmp_path, login_server_url="http://{name}.acrbot.invalid")
        _, report = diagnose(config, FULL, "--cluster", CLUSTER)
    step = {s["name"]: s for s in report["steps"]}["image"]
    assert step["code"] == "CONNECTIVITY_DNS_ERROR", step
    assert "azure.cloud" not in step["advice"]


@pytest.mark.parametrize(
    ("knob", "code"),
    [({"server_error": {"registry": 500}}, "ARM_ERROR"), ({"slow": {"registry"}}, None)],
    ids=["arm-500", "timeout"],
)
def test_no_answer_from_arm_says_try_again(tmp_path: Path, knob: dict, code: str | None) -> None:
    world = healthy()
    for name, value in knob.items():
        setattr(world.registry, name, value)
    _, found, _ = steps(world, tmp_path)
    step = found["registry"]
    assert step["status"] == "warning" and (code is None or step["code"] == code), step
    assert "try again" in step["advice"] and "Give" not in step["advice"]


def test_a_refused_arm_read_still_names_the_role(tmp_path: Path) -> None:
    world = healthy()
    world.registry.arm_forbidden = True
    _, found, _ = steps(world, tmp_path)
    step = found["registry"]
    assert step["code"] == "READ_FORBIDDEN" and "Give acrbot's identity Reader" in step["advice"]


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
        (
            "registry",
            _set(
                "properties",
                "networkRuleSet",
                value={"defaultAction": "Deny", "ipRules": ["1.2.3.4", 5]},
            ),
            "registry",
            "ipRules[0]",
        ),
        ("registry", lambda body: body.pop("properties"), "registry", "no properties"),
    ],
    ids=[
        "rules-list",
        "policies-string",
        "identity-list",
        "sp-string",
        "pool-string",
        "ip-rules-strings",
        "no-properties",
    ],
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


def test_a_linux_image_on_a_windows_pool_selects_the_os_not_the_arch(tmp_path: Path) -> None:
    world = healthy()
    windows = FakePool("winpool", os_type="Windows", vm_size="Standard_D4s_v5")
    world.cluster.pools = (FakePool("system"), windows)  # AKS's system pool is Linux
    _, found, _ = steps(world, tmp_path)
    fix = found["platform"]["advice"]
    assert found["platform"]["code"] == "PLATFORM_MISMATCH"
    assert "nodeSelector kubernetes.io/os: linux" in fix and "kubernetes.io/arch" not in fix


def test_the_selector_keeps_the_pod_on_a_pool_that_can_run_the_image(tmp_path: Path) -> None:
    """Built for linux/arm64 and windows/amd64, on Linux amd64 and Windows pools: Windows."""
    world = healthy()
    world.registry.images = (
        FakeImage("shop/api", "1.4", platforms=("linux/arm64", "windows/amd64")),
    )
    world.cluster.pools = (FakePool("linuxpool"), FakePool("winpool", os_type="Windows"))
    _, found, _ = steps(world, tmp_path)
    fix = found["platform"]["advice"]
    assert "nodeSelector kubernetes.io/os: windows" in fix and "arm64" not in fix.split("(")[-1]


def test_no_selector_is_offered_when_no_pool_can_run_the_image(tmp_path: Path) -> None:
    world = healthy()
    world.cluster.pools = (FakePool("armpool", vm_size="Standard_D4ps_v5"),)
    world.registry.images = (FakeImage("shop/api", "1.4", platforms=("linux/amd64",)),)
    _, found, _ = steps(world, tmp_path)
    assert found["platform"]["code"] == "PLATFORM_MISMATCH"
    assert "nodeSelector" not in found["platform"]["advice"]


@pytest.mark.parametrize(
    ("retry_after", "said"),
    [
        (30.0, "Wait 30 s (Azure's Retry-After)"),
        (99_999_999_999.0, "wait over an hour: run the check again later"),
        (None, "Wait a minute"),
    ],
)
def test_a_throttled_read_says_how_long_within_reason(retry_after, said) -> None:
    from bot.diagnostics.errors import AzureHTTPError
    from bot.diagnostics.pull.findings import read_failure

    error = AzureHTTPError("throttled", status=429, retry_after=retry_after)
    assert said in read_failure(error, "Reader")[2]


@pytest.mark.parametrize("header", ["²", "1٢", "-5", "soon"])
def test_a_retry_after_that_is_not_seconds_or_a_date_is_ignored(header: str) -> None:
    import httpx

    from bot.diagnostics.azure_client import _retry_after

    raw = [(b"Retry-After", header.encode())]  # as a server sends it: UTF-8 bytes
    assert _retry_after(httpx.Response(429, headers=raw)) is None
