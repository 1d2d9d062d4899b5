"""``acrbot diagnose … --check pull`` against the fake Azure: one test per cause code, and the rest.

Each test starts from the healthy world and breaks one thing; the report
must name that cause, with a fix carrying the real names, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

from tests.diagnostics.conftest import assert_no_secret
from tests.fakes.azure_api import SUBSCRIPTION
from tests.fakes.azure_cluster import (
    ACRPULL,
    KUBELET_OBJECT_ID,
    READER,
    REPOSITORY_READER,
    FakeDnsZone,
    FakePool,
    FakePrivateEndpoint,
    FakeRoleAssignment,
    vnet_id,
)
from tests.fakes.registry_images import FakeImage
from tests.pull.world import (
    CLUSTER,
    IMAGE,
    REGISTRY_ID,
    World,
    codes,
    config_file,
    diagnose,
    healthy,
    images,
    private_world,
)

FULL = f"contosoreg.azurecr.io/{IMAGE}"


def run(world: World, tmp_path: Path, *args: str) -> tuple[int, dict]:
    with world.azure() as fake:
        code, report = diagnose(config_file(fake, tmp_path), *args)
        report["_calls"] = fake.calls()
    return code, report


def only_cause(world: World, tmp_path: Path, expected: str, *args: str) -> dict:
    code, report = run(world, tmp_path, *(args or (FULL, "--cluster", CLUSTER)))
    assert codes(report) == [expected], report["causes"] or report["steps"]
    assert code == 1 and report["ok"] is False
    return report["causes"][0]


def test_healthy_cluster_and_image(tmp_path: Path) -> None:
    code, report = run(healthy(), tmp_path, FULL, "--cluster", CLUSTER)
    assert code == 0 and report["ok"] is True, report["steps"]
    assert report["causes"] == [] and report["unverified"] == []
    assert report["image"] == {"repository": "shop/api", "tag": "1.4", "digest": None}
    assert report["cluster"]["name"] == CLUSTER
    assert report["cluster"]["kubelet_object_id"] == KUBELET_OBJECT_ID
    assert {"check", "ok", "summary", "registry", "steps"} <= set(report)
    assert_no_secret(str(report))


def test_the_registry_and_image_may_be_given_apart_and_by_alias(tmp_path: Path) -> None:
    code, report = run(
        healthy(), tmp_path, "contosoreg", "--image", "shop/api:1.4", "--cluster", "prod-eastus"
    )
    assert code == 0 and report["cluster"]["name"] == CLUSTER


def test_roles_inherited_from_the_resource_group_count(tmp_path: Path) -> None:
    world = healthy()
    group = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-acr"
    world.role_assignments = [FakeRoleAssignment(KUBELET_OBJECT_ID, ACRPULL, group)]
    code, report = run(world, tmp_path, FULL, "--cluster", CLUSTER)
    assert code == 0, report["causes"]
    roles = next(s for s in report["steps"] if s["name"] == "roles")
    assert "inherited" in roles["explanation"] and "rg-acr" in roles["explanation"]


def test_reader_at_the_subscription_pulls_in_legacy_mode(tmp_path: Path) -> None:
    world = healthy()
    scope = f"/subscriptions/{SUBSCRIPTION}"
    world.role_assignments = [FakeRoleAssignment(KUBELET_OBJECT_ID, READER, scope)]
    assert run(world, tmp_path, FULL, "--cluster", CLUSTER)[0] == 0


def test_pull_role_missing(tmp_path: Path) -> None:
    world = healthy()
    other = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-acr2"  # a look-alike scope
    world.role_assignments = [FakeRoleAssignment(KUBELET_OBJECT_ID, ACRPULL, other)]
    cause = only_cause(world, tmp_path, "PULL_ROLE_MISSING")
    assert cause["fix"].startswith("az aks update -n aks-prod -g rg-aks --attach-acr contosoreg")
    assert KUBELET_OBJECT_ID in cause["fix"] and "group" in cause["explanation"]


def test_abac_role_missing_says_acrpull_is_ignored(tmp_path: Path) -> None:
    world = healthy()
    world.registry.role_assignment_mode = "AbacRepositoryPermissions"
    cause = only_cause(world, tmp_path, "ABAC_ROLE_MISSING")
    assert "AcrPull, which this mode ignores" in cause["explanation"]
    assert '--role "Container Registry Repository Reader"' in cause["fix"]
    assert "StringEqualsIgnoreCase 'shop/api'" in cause["fix"] and REGISTRY_ID in cause["fix"]


def test_abac_condition_must_cover_the_repository(tmp_path: Path) -> None:
    world = healthy()
    world.registry.role_assignment_mode = "AbacRepositoryPermissions"
    condition = (
        "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}))"
        " OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] "
        "StringStartsWithIgnoreCase '{}'))"
    )
    held = FakeRoleAssignment(
        KUBELET_OBJECT_ID, REPOSITORY_READER, REGISTRY_ID, condition.replace("{}", "billing/")
    )
    world.role_assignments = [held]
    only_cause(world, tmp_path, "ABAC_ROLE_MISSING")
    held.condition = condition.replace("{}", "Shop/")
    assert run(world, tmp_path / "covered", FULL, "--cluster", CLUSTER)[0] == 0


def test_client_ip_not_allowed(tmp_path: Path) -> None:
    world = healthy()
    world.registry.default_action = "Deny"
    world.registry.allowed_ips = ("203.0.113.0/24",)
    cause = only_cause(world, tmp_path, "CLIENT_IP_NOT_ALLOWED")
    assert cause["fix"] == "az acr network-rule add -n contosoreg --ip-address 198.51.100.7"
    world.registry.allowed_ips = ("198.51.100.0/28",)  # a CIDR range holding the egress IP
    assert run(world, tmp_path / "cidr", FULL, "--cluster", CLUSTER)[0] == 0


def test_public_access_disabled(tmp_path: Path) -> None:
    world = healthy()
    world.registry.public_network_access = "Disabled"
    cause = only_cause(world, tmp_path, "PUBLIC_ACCESS_DISABLED")
    assert "az network private-endpoint create -g rg-aks" in cause["fix"]
    assert "--vnet-name vnet-aks --subnet nodes" in cause["fix"]


def test_an_endpoint_in_an_unpeered_vnet_is_no_private_path(tmp_path: Path) -> None:
    world = private_world(healthy())
    world.registry.private_endpoints = (FakePrivateEndpoint(vnet=vnet_id("vnet-hub")),)
    cause = only_cause(world, tmp_path, "PUBLIC_ACCESS_DISABLED")
    assert "vnet-hub" in cause["explanation"]
    world.peerings = {world.cluster.vnet or "": (vnet_id("vnet-hub"),)}
    world.dns_zones[0].links = (world.cluster.vnet or "",)
    world.registry.private_endpoints = (
        FakePrivateEndpoint(vnet=vnet_id("vnet-hub"), dns_zone=world.dns_zones[0].resource_id),
    )
    assert run(world, tmp_path / "peered", FULL, "--cluster", CLUSTER)[0] == 0


def test_private_endpoint_not_approved(tmp_path: Path) -> None:
    world = private_world(healthy())
    endpoint = world.registry.private_endpoints[0]
    endpoint.status = "Pending"
    cause = only_cause(world, tmp_path, "PRIVATE_ENDPOINT_NOT_APPROVED")
    assert cause["fix"] == "az acr private-endpoint-connection approve -r contosoreg -n pe-acr"
    assert "Pending" in cause["explanation"]


def test_private_dns_zone_not_linked(tmp_path: Path) -> None:
    world = private_world(healthy())
    world.dns_zones[0].links = (vnet_id("vnet-other"),)
    cause = only_cause(world, tmp_path, "PRIVATE_DNS_ZONE_NOT_LINKED")
    vnet = world.cluster.vnet
    assert cause["fix"] == (
        "az network private-dns link vnet create -g rg-dns -z privatelink.azurecr.io "
        f"-n vnet-aks-link -v {vnet} -e false"
    )


def test_private_dns_record_missing(tmp_path: Path) -> None:
    world = private_world(healthy())
    del world.dns_zones[0].records["contosoreg.eastus.data"]
    cause = only_cause(world, tmp_path, "PRIVATE_DNS_RECORD_MISSING")
    assert cause["fix"] == (
        "az network private-dns record-set a add-record -g rg-dns -z privatelink.azurecr.io "
        "-n contosoreg.eastus.data -a 10.1.0.6"
    )


def _linked_to_unpeered_endpoint(world: World, status: str = "Approved") -> World:
    """The zone is linked to the cluster's VNet; its records lead to an endpoint elsewhere."""
    zone = FakeDnsZone(
        records={"contosoreg": "10.9.0.5", "contosoreg.eastus.data": "10.9.0.6"},
        links=(world.cluster.vnet or "",),
    )
    endpoint = FakePrivateEndpoint(
        vnet=vnet_id("vnet-other"), ip="10.9.0.5", data_ip="10.9.0.6", status=status
    )
    endpoint.dns_zone = zone.resource_id
    world.registry.private_endpoints = (endpoint,)
    world.dns_zones = [zone]
    return world


def test_a_linked_zone_leading_to_an_unpeered_endpoint_fails_even_with_public_access(
    tmp_path: Path,
) -> None:
    world = _linked_to_unpeered_endpoint(healthy())
    cause = only_cause(world, tmp_path, "PRIVATE_DNS_RECORD_MISSING")
    assert "10.9.0.5 of pe-acr in vnet-other" in cause["explanation"]
    assert "--vnet-name vnet-aks --remote-vnet" in cause["fix"]
    assert (
        "private-dns link vnet delete -g rg-dns -z privatelink.azurecr.io -n link-0"
        in (cause["fix"])
    )
    _, report = run(world, tmp_path / "open", FULL, "--cluster", CLUSTER)
    assert "firewall" not in {step["name"] for step in report["steps"]}  # not the nodes' way
    world.registry.default_action = "Deny"  # the firewall lets the egress IP through
    world.registry.allowed_ips = ("198.51.100.0/24",)
    only_cause(world, tmp_path / "firewall", "PRIVATE_DNS_RECORD_MISSING")
    world.registry.allowed_ips = ()  # nor would it matter if it did not: no CLIENT_IP_NOT_ALLOWED
    denied = only_cause(world, tmp_path / "denied", "PRIVATE_DNS_RECORD_MISSING")
    # deleting the link leads to the firewall: the public way says to open it too
    assert "az acr network-rule add -n contosoreg --ip-address 198.51.100.7" in denied["fix"]
    world.peerings = {world.cluster.vnet or "": (vnet_id("vnet-other"),)}
    assert run(world, tmp_path / "peered", FULL, "--cluster", CLUSTER)[0] == 0


def test_a_linked_zone_leading_to_a_pending_endpoint_needs_approval(tmp_path: Path) -> None:
    world = _linked_to_unpeered_endpoint(healthy(), status="Pending")
    world.peerings = {world.cluster.vnet or "": (vnet_id("vnet-other"),)}
    cause = only_cause(world, tmp_path, "PRIVATE_ENDPOINT_NOT_APPROVED")
    assert cause["fix"] == "az acr private-endpoint-connection approve -r contosoreg -n pe-acr"


def test_a_refused_zone_read_is_unverified_not_a_missing_record(tmp_path: Path) -> None:
    for route in ("dns_links", "dns_records"):
        world = private_world(healthy())
        world.forbidden_routes = frozenset({route})
        code, report = run(world, tmp_path / route, FULL, "--cluster", CLUSTER)
        assert code == 1 and codes(report) == [], report["causes"]
        assert report["unverified"] == [
            "the private DNS zone privatelink.azurecr.io (its links and records)"
        ]
        step = next(s for s in report["steps"] if s["name"] == "dns")
        assert step["code"] == "READ_FORBIDDEN"
        assert "Reader on the private DNS zone's resource group rg-dns" in step["advice"]


def test_a_zone_linked_to_a_peered_hub_serves_the_spoke(tmp_path: Path) -> None:
    world = private_world(healthy())
    hub = vnet_id("vnet-hub")
    world.dns_zones[0].links = (hub,)
    world.registry.private_endpoints = (
        FakePrivateEndpoint(vnet=hub, dns_zone=world.dns_zones[0].resource_id),
    )
    world.peerings = {world.cluster.vnet or "": (hub,)}
    code, report = run(world, tmp_path, FULL, "--cluster", CLUSTER)
    assert code == 0, report["causes"] or report["steps"]
    step = next(s for s in report["steps"] if s["name"] == "dns")
    assert "through a peering" in step["explanation"]


def test_private_world_is_healthy(tmp_path: Path) -> None:
    code, report = run(private_world(healthy()), tmp_path, FULL, "--cluster", CLUSTER)
    assert code == 0, report["causes"] or report["steps"]


def test_image_not_found_names_the_closest_tags(tmp_path: Path) -> None:
    cause = only_cause(
        healthy(),
        tmp_path,
        "IMAGE_NOT_FOUND",
        "contosoreg.azurecr.io/shop/api:1.5",
        "--cluster",
        CLUSTER,
    )
    assert "closest first: 1.4" in cause["fix"] and "newest: 1.4" in cause["fix"]
    assert "docker push contosoreg.azurecr.io/shop/api:1.5" in cause["fix"]


def test_no_tag_means_latest(tmp_path: Path) -> None:
    _, report = run(healthy(), tmp_path, "contosoreg.azurecr.io/shop/api", "--cluster", CLUSTER)
    assert report["image"]["tag"] == "latest" and codes(report) == ["IMAGE_NOT_FOUND"]


def test_image_read_disabled(tmp_path: Path) -> None:
    world = healthy()
    world.registry.images = (*images()[:2], FakeImage("shop/api", "1.4", read_enabled=False))
    cause = only_cause(world, tmp_path, "IMAGE_READ_DISABLED")
    assert (
        cause["fix"]
        == "az acr repository update -n contosoreg --image shop/api:1.4 --read-enabled true"
    )


def test_image_quarantined_by_tag_and_by_digest(tmp_path: Path) -> None:
    world = healthy()
    world.registry.quarantine = True
    quarantined = FakeImage("shop/api", "1.4", quarantine_state="Quarantined")
    world.registry.images = (*images()[:2], quarantined)
    cause = only_cause(world, tmp_path, "IMAGE_QUARANTINED")
    assert quarantined.digest in cause["explanation"] and "Passed" in cause["fix"]
    by_digest = f"contosoreg.azurecr.io/shop/api@{quarantined.digest}"
    only_cause(world, tmp_path / "digest", "IMAGE_QUARANTINED", by_digest, "--cluster", CLUSTER)


def test_platform_mismatch_for_an_arm64_pool(tmp_path: Path) -> None:
    world = healthy()
    world.registry.images = (
        *images()[:2],
        FakeImage("shop/api", "1.4", platforms=("linux/amd64", "windows/amd64")),
    )
    world.cluster.pools = (FakePool(), FakePool("armpool", "Linux", "Standard_D4ps_v5"))
    cause = only_cause(world, tmp_path, "PLATFORM_MISMATCH")
    assert "armpool (linux/arm64, Standard_D4ps_v5)" in cause["explanation"]
    assert "--platform linux/amd64,linux/arm64,windows/amd64" in cause["fix"]


def test_registry_not_found_suggests_the_closest_name(tmp_path: Path) -> None:
    cause = only_cause(
        healthy(),
        tmp_path,
        "REGISTRY_NOT_FOUND",
        "contosoregg.azurecr.io/shop/api:1.4",
        "--cluster",
        CLUSTER,
    )
    assert "contosoreg.azurecr.io/shop/api:1.4" in cause["fix"]


def test_a_403_on_the_cluster_leaves_the_rest_of_the_verdict(tmp_path: Path) -> None:
    world = healthy()
    world.cluster.arm_forbidden = True
    world.registry.images = images()[:2]  # and the tag is missing
    code, report = run(world, tmp_path, FULL, "--cluster", CLUSTER)
    assert code == 1 and codes(report) == ["IMAGE_NOT_FOUND"]
    step = next(s for s in report["steps"] if s["name"] == "cluster")
    assert step["code"] == "READ_FORBIDDEN" and "Reader on the cluster aks-prod" in step["advice"]
    assert any("the cluster aks-prod" in item for item in report["unverified"])
    image = next(s for s in report["steps"] if s["name"] == "image")
    assert image["status"] == "failed"


def test_a_403_on_healthy_otherwise_is_not_ok(tmp_path: Path) -> None:
    world = healthy()
    world.forbidden_routes = frozenset({"role_assignments"})
    code, report = run(world, tmp_path, FULL, "--cluster", CLUSTER)
    assert code == 1 and report["causes"] == [] and report["ok"] is False
    assert "could not be verified" in report["summary"]


def test_without_a_cluster_only_the_registry_side_is_read(tmp_path: Path) -> None:
    code, report = run(healthy(), tmp_path, FULL)
    assert code == 0 and report["cluster"] is None
    routes = {c.route for c in report["_calls"]}
    assert "cluster" not in routes and "role_assignments" not in routes
    note = next(s for s in report["steps"] if s["name"] == "cluster")
    assert "role assignments" in note["explanation"] and "--cluster" in note["advice"]


def test_bad_input_is_a_plain_message(tmp_path: Path, capsys) -> None:
    with healthy().azure() as fake:
        config = config_file(fake, tmp_path)
        for args in (
            ("contosoreg",),  # no image
            (FULL, "--cluster", "no such cluster"),
            ("contosoreg.azurecr.io/Shop/API:1.4",),
            ("contosoreg", "--image", "shop/api:1.4", "--repository", "x"),
        ):
            code, report = diagnose(config, *args)
            assert code == 2 and report["ok"] is False and report["error"], args
            assert "Traceback" not in report["error"]


def test_a_single_platform_image_on_an_arm64_pool_is_a_platform_mismatch(tmp_path: Path) -> None:
    """Not an index: the config blob (GET, read-only) says linux/amd64; the arm64 pool can't run it."""
    world = healthy()
    world.registry.images = (*images()[:2], FakeImage("shop/api", "1.4"))  # linux/amd64 only
    world.cluster.pools = (FakePool(), FakePool("armpool", "Linux", "Standard_E8pds_v5"))
    cause = only_cause(world, tmp_path, "PLATFORM_MISMATCH")
    assert "built for linux/amd64 only" in cause["explanation"]
    assert "armpool (linux/arm64, Standard_E8pds_v5)" in cause["explanation"]
    assert (
        "--platform linux/amd64,linux/arm64 -t contosoreg.azurecr.io/shop/api:1.4" in cause["fix"]
    )
    world.cluster.pools = (FakePool(),)  # amd64 pools only: the same image is fine
    code, report = run(world, tmp_path / "amd64", FULL, "--cluster", CLUSTER)
    assert code == 0, report["causes"] or report["steps"]
    platform = next(s for s in report["steps"] if s["name"] == "platform")
    assert "linux/amd64" in platform["explanation"]
    assert {c.method for c in report["_calls"] if c.route == "blob"} == {"GET"}


def test_an_unreadable_config_leaves_the_platform_unverified(tmp_path: Path) -> None:
    world = healthy()
    world.registry.images = (*images()[:2], FakeImage("shop/api", "1.4"))
    world.forbidden_routes = frozenset({"blob"})
    code, report = run(world, tmp_path, FULL, "--cluster", CLUSTER)
    assert code == 1 and report["causes"] == []
    assert any("platforms of shop/api:1.4" in item for item in report["unverified"])
