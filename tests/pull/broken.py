"""One broken world per cause code: what to break, which image the pod asks for, the exact fix.

Each entry starts from :func:`tests.pull.world.healthy` and breaks the one
thing its cause needs (as ``test_pull_causes`` does, one test each); the
fix is the command the report must carry, with the real names in it. Tests
that go through another front door (an alert's button) run every entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.fakes.azure_api import SUBSCRIPTION
from tests.fakes.azure_cluster import (
    ACRPULL,
    KUBELET_OBJECT_ID,
    FakePool,
    FakeRoleAssignment,
    vnet_id,
)
from tests.fakes.registry_images import FakeImage
from tests.pull.world import REGISTRY_ID, World, healthy, images, private_world

FULL = "contosoreg.azurecr.io/shop/api:1.4"


@dataclass(frozen=True)
class Broken:
    code: str
    world: Callable[[], World]
    fix: Callable[[World], str | tuple[str, ...]]  # pieces of the fix, as the report gives them
    image: str = FULL  # what the failing pod pulls
    variant: str = ""  # tells two worlds of one cause apart in test ids

    @property
    def id(self) -> str:
        return f"{self.code}-{self.variant}" if self.variant else self.code

    def fix_pieces(self, world: World) -> tuple[str, ...]:
        pieces = self.fix(world)
        return (pieces,) if isinstance(pieces, str) else pieces


def _no_role() -> World:
    world = healthy()
    other = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-acr2"
    world.role_assignments = [FakeRoleAssignment(KUBELET_OBJECT_ID, ACRPULL, other)]
    return world


def _abac() -> World:
    world = healthy()
    world.registry.role_assignment_mode = "AbacRepositoryPermissions"
    return world


def _firewall() -> World:
    world = healthy()
    world.registry.default_action = "Deny"
    world.registry.allowed_ips = ("203.0.113.0/24",)
    return world


def _public_off() -> World:
    world = healthy()
    world.registry.public_network_access = "Disabled"
    return world


def _pending_endpoint() -> World:
    world = private_world(healthy())
    world.registry.private_endpoints[0].status = "Pending"
    return world


def _zone_not_linked() -> World:
    world = private_world(healthy())
    world.dns_zones[0].links = (vnet_id("vnet-other"),)
    return world


def _record_missing() -> World:
    world = private_world(healthy())
    del world.dns_zones[0].records["contosoreg.eastus.data"]
    return world


def _locked() -> World:
    world = healthy()
    world.registry.images = (*images()[:2], FakeImage("shop/api", "1.4", read_enabled=False))
    return world


QUARANTINED = FakeImage("shop/api", "1.4", quarantine_state="Quarantined")


def _quarantined() -> World:
    world = healthy()
    world.registry.quarantine = True
    world.registry.images = (*images()[:2], QUARANTINED)
    return world


def _single_platform_on_arm64() -> World:
    """Not an index: only the config blob says the image is linux/amd64."""
    world = healthy()
    world.registry.images = (*images()[:2], FakeImage("shop/api", "1.4"))
    world.cluster.pools = (FakePool(), FakePool("armpool", "Linux", "Standard_D4ps_v5"))
    return world


def _arm64_pool() -> World:
    world = healthy()
    world.registry.images = (
        *images()[:2],
        FakeImage("shop/api", "1.4", platforms=("linux/amd64", "windows/amd64")),
    )
    world.cluster.pools = (FakePool(), FakePool("armpool", "Linux", "Standard_D4ps_v5"))
    return world


CAUSES: tuple[Broken, ...] = (
    Broken(
        "PULL_ROLE_MISSING",
        _no_role,
        lambda w: "az aks update -n aks-prod -g rg-aks --attach-acr contosoreg",
    ),
    Broken(
        "ABAC_ROLE_MISSING",
        _abac,
        lambda w: (
            '--role "Container Registry Repository Reader"',
            "StringEqualsIgnoreCase 'shop/api'",
            REGISTRY_ID,
        ),
    ),
    Broken(
        "CLIENT_IP_NOT_ALLOWED",
        _firewall,
        lambda w: "az acr network-rule add -n contosoreg --ip-address 198.51.100.7",
    ),
    Broken(
        "PUBLIC_ACCESS_DISABLED",
        _public_off,
        lambda w: "az network private-endpoint create -g rg-aks",
    ),
    Broken(
        "PRIVATE_ENDPOINT_NOT_APPROVED",
        _pending_endpoint,
        lambda w: "az acr private-endpoint-connection approve -r contosoreg -n pe-acr",
    ),
    Broken(
        "PRIVATE_DNS_ZONE_NOT_LINKED",
        _zone_not_linked,
        lambda w: (
            "az network private-dns link vnet create -g rg-dns -z privatelink.azurecr.io "
            f"-n vnet-aks-link -v {w.cluster.vnet} -e false"
        ),
    ),
    Broken(
        "PRIVATE_DNS_RECORD_MISSING",
        _record_missing,
        lambda w: (
            "az network private-dns record-set a add-record -g rg-dns -z privatelink.azurecr.io "
            "-n contosoreg.eastus.data -a 10.1.0.6"
        ),
    ),
    Broken(
        "IMAGE_NOT_FOUND",
        healthy,
        lambda w: "docker push contosoreg.azurecr.io/shop/api:1.5",
        image="contosoreg.azurecr.io/shop/api:1.5",
    ),
    Broken(
        "IMAGE_READ_DISABLED",
        _locked,
        lambda w: "az acr repository update -n contosoreg --image shop/api:1.4 --read-enabled true",
    ),
    Broken(
        "IMAGE_QUARANTINED",
        _quarantined,
        lambda w: f"mark shop/api@{QUARANTINED.digest} Passed",
    ),
    Broken(
        "PLATFORM_MISMATCH",
        _arm64_pool,
        lambda w: "--platform linux/amd64,linux/arm64,windows/amd64",
    ),
    Broken(
        "PLATFORM_MISMATCH",
        _single_platform_on_arm64,
        lambda w: "--platform linux/amd64,linux/arm64 -t contosoreg.azurecr.io/shop/api:1.4",
        variant="single-platform",
    ),
    Broken(
        "REGISTRY_NOT_FOUND",
        healthy,
        lambda w: (
            "Correct the image reference in the pod spec to contosoreg.azurecr.io/shop/api:1.4"
        ),
        image="contosoregg.azurecr.io/shop/api:1.4",
    ),
)
