"""A healthy AKS + ACR world for the pull check, and ways to break it one cause at a time.

``healthy()`` is a registry (contosoreg, legacy permissions, three tags of
shop/api, 1.4 built for amd64 and arm64), a cluster (aks-prod, kubelet
identity holding AcrPull on the registry, one Linux amd64 pool, one egress
IP) and nothing else; each test changes only what its cause needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.cli import main
from tests.diagnostics.conftest import TOKEN, base_config
from tests.fakes.azure_api import SUBSCRIPTION, FakeAzure, FakeRegistry
from tests.fakes.azure_cluster import (
    ACRPULL,
    KUBELET_OBJECT_ID,
    FakeCluster,
    FakeDnsZone,
    FakePrivateEndpoint,
    FakeRoleAssignment,
)
from tests.fakes.registry_images import FakeImage

REGISTRY = "contosoreg"
CLUSTER = "aks-prod"
IMAGE = "shop/api:1.4"
REGISTRY_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-acr/providers/"
    f"Microsoft.ContainerRegistry/registries/{REGISTRY}"
)
CLUSTER_CONFIG = {
    "name": CLUSTER,
    "subscription": SUBSCRIPTION,
    "resource_group": "rg-aks",
    "aliases": ["prod-eastus"],
}


def images() -> tuple[FakeImage, ...]:
    return (
        FakeImage("shop/api", "1.2"),
        FakeImage("shop/api", "1.3"),
        FakeImage("shop/api", "1.4", platforms=("linux/amd64", "linux/arm64")),
    )


@dataclass
class World:
    registry: FakeRegistry
    cluster: FakeCluster
    role_assignments: list[FakeRoleAssignment]
    dns_zones: list[FakeDnsZone] = field(default_factory=list)
    peerings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    forbidden_routes: frozenset[str] = frozenset()
    role_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    delay_seconds: float = 0.0

    def azure(self) -> FakeAzure:
        return FakeAzure(
            [self.registry],
            token=TOKEN,
            clusters=[self.cluster],
            role_assignments=self.role_assignments,
            role_definitions=self.role_definitions,
            dns_zones=self.dns_zones,
            peerings=self.peerings,
            forbidden_routes=self.forbidden_routes,
            delay_seconds=self.delay_seconds,
        )


def healthy() -> World:
    registry = FakeRegistry(REGISTRY, resource_group="rg-acr", location="eastus", images=images())
    return World(
        registry=registry,
        cluster=FakeCluster(CLUSTER),
        role_assignments=[FakeRoleAssignment(KUBELET_OBJECT_ID, ACRPULL, REGISTRY_ID)],
    )


def private_world(world: World) -> World:
    """Public access off; an approved endpoint in the cluster's own VNet; a linked zone."""
    vnet = world.cluster.vnet or ""
    zone = FakeDnsZone(
        records={REGISTRY: "10.1.0.5", f"{REGISTRY}.eastus.data": "10.1.0.6"}, links=(vnet,)
    )
    world.registry.public_network_access = "Disabled"
    world.registry.private_endpoints = (FakePrivateEndpoint(vnet=vnet, dns_zone=zone.resource_id),)
    world.dns_zones = [zone]
    return world


def config_file(fake: FakeAzure, tmp_path: Path, **azure: Any) -> Path:
    raw = base_config(fake, deadline_seconds=10)
    raw["azure"]["clusters"] = [CLUSTER_CONFIG]
    raw["azure"].update(azure)
    raw["state_dir"] = str(tmp_path / "state")
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "acrbot.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def diagnose(config: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """``acrbot diagnose … --check pull --yes --json`` in process; (exit code, report)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            ["--config", str(config), "diagnose", *args, "--check", "pull", "--yes", "--json"]
        )
    return code, json.loads(out.getvalue())


def codes(report: dict[str, Any]) -> list[str]:
    return [cause["code"] for cause in report["causes"]]
