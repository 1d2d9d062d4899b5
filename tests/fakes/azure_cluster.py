"""The fake Azure's cluster side: AKS clusters, role assignments, public IPs, private networking.

What the pull check reads from ARM besides the registry: managed clusters
(kubelet identity, node pools, egress), role assignments filtered by
principal (at the registry, its resource group, its subscription; with or
without an ABAC condition), custom role definitions, public IP addresses,
private endpoints and their DNS zone groups, private DNS zones (A records,
virtual network links), VNets in a node resource group and VNet peerings.
The routes are a mixin of the fake's one request handler (``azure_api.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.azure_api import FakeAzure

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
KUBELET_OBJECT_ID = "aaaaaaaa-1111-4111-8111-00000000000a"
KUBELET_CLIENT_ID = "bbbbbbbb-2222-4222-8222-00000000000b"
ACRPULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
ACRPUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
REPOSITORY_READER = "b93aa761-3e63-49ed-ac28-beffa264f7ac"
NETWORK = "providers/Microsoft.Network"
CLUSTERS = "providers/Microsoft.ContainerService/managedClusters"

_RG = r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("cluster_list", rf"/subscriptions/(?P<sub>[^/]+)/{CLUSTERS}/?"),
        ("cluster", rf"{_RG}/{CLUSTERS}/(?P<name>[^/]+)/?"),
        (
            "role_assignments",
            r"(?P<scope>/.+)/providers/Microsoft\.Authorization/roleAssignments/?",
        ),
        (
            "role_definition",
            r"(?P<scope>/.*)/providers/Microsoft\.Authorization/roleDefinitions/(?P<name>[^/]+)/?",
        ),
        ("public_ip", rf"{_RG}/{NETWORK}/publicIPAddresses/(?P<name>[^/]+)/?"),
        (
            "dns_zone_groups",
            rf"{_RG}/{NETWORK}/privateEndpoints/(?P<name>[^/]+)/privateDnsZoneGroups/?",
        ),
        ("private_endpoint", rf"{_RG}/{NETWORK}/privateEndpoints/(?P<name>[^/]+)/?"),
        ("dns_records", rf"{_RG}/{NETWORK}/privateDnsZones/(?P<name>[^/]+)/A/?"),
        ("dns_links", rf"{_RG}/{NETWORK}/privateDnsZones/(?P<name>[^/]+)/virtualNetworkLinks/?"),
        ("dns_zone_list", rf"/subscriptions/(?P<sub>[^/]+)/{NETWORK}/privateDnsZones/?"),
        ("peerings", rf"{_RG}/{NETWORK}/virtualNetworks/(?P<name>[^/]+)/virtualNetworkPeerings/?"),
        ("vnet_list", rf"{_RG}/{NETWORK}/virtualNetworks/?"),
    )
)
CLUSTER_ROUTES = tuple(name for name, _ in _ROUTES)


def vnet_id(name: str, resource_group: str = "rg-net", subscription: str = SUBSCRIPTION) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}/{NETWORK}/virtualNetworks/{name}"


@dataclass
class FakePool:
    name: str = "nodepool1"
    os_type: str = "Linux"
    vm_size: str = "Standard_D4s_v5"


@dataclass
class FakeCluster:
    """One AKS cluster; ``vnet`` None means a managed VNet in the node resource group."""

    name: str
    subscription: str = SUBSCRIPTION
    resource_group: str = "rg-aks"
    location: str = "eastus"
    kubelet_object_id: str | None = KUBELET_OBJECT_ID  # None: a service-principal cluster
    pools: tuple[FakePool, ...] = (FakePool(),)
    vnet: str | None = field(default_factory=lambda: vnet_id("vnet-aks", "rg-aks"))
    outbound_type: str = "loadBalancer"
    egress_ips: tuple[str, ...] = ("198.51.100.7",)
    arm_forbidden: bool = False  # 403 AuthorizationFailed on the cluster GET

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/{CLUSTERS}/{self.name}"
        )

    @property
    def node_resource_group(self) -> str:
        return f"MC_{self.resource_group}_{self.name}_{self.location}"

    @property
    def managed_vnet(self) -> str:
        return vnet_id("aks-vnet-12345678", self.node_resource_group, self.subscription)

    def egress_ip_id(self, index: int) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.node_resource_group}"
            f"/{NETWORK}/publicIPAddresses/egress-{index}"
        )


@dataclass
class FakeRoleAssignment:
    principal_id: str
    role: str  # the role definition's GUID
    scope: str  # a resource ID, resource group or subscription
    condition: str | None = None


@dataclass
class FakePrivateEndpoint:
    """A private endpoint of a registry, in ``vnet``, with its DNS zone group (zone ID or None)."""

    name: str = "pe-acr"
    status: str = "Approved"
    vnet: str = field(default_factory=lambda: vnet_id("vnet-hub"))
    ip: str = "10.1.0.5"
    data_ip: str = "10.1.0.6"
    resource_group: str = "rg-net"
    subscription: str = SUBSCRIPTION
    dns_zone: str | None = None

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/{NETWORK}/privateEndpoints/{self.name}"
        )


@dataclass
class FakeDnsZone:
    """A ``privatelink`` zone: A records (relative name -> IP) and the VNets linked to it."""

    records: dict[str, str] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    name: str = "privatelink.azurecr.io"
    resource_group: str = "rg-dns"
    subscription: str = SUBSCRIPTION

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/{NETWORK}/privateDnsZones/{self.name}"
        )


def cluster_route(path: str) -> tuple[str, dict[str, str]] | None:
    """(route, groups) of a cluster-side ARM GET, or None."""
    for name, pattern in _ROUTES:
        if match := pattern.fullmatch(path):
            return name, match.groupdict()
    return None


class ClusterRoutes:
    """Handler mixin: the ARM GETs above, answered from the FakeAzure's lists."""

    fake: FakeAzure

    def _answer_cluster_route(self, route: str, groups: dict[str, str], query: dict) -> None:
        if not self._arm_ok(query):  # type: ignore[attr-defined]
            return
        if route in self.fake.forbidden_routes:
            self._arm_error(403, "AuthorizationFailed", "The client has no read access.")  # type: ignore[attr-defined]
            return
        try:
            body = getattr(self, f"_fake_{route}")(groups, query)
        except _Forbidden:
            self._arm_error(403, "AuthorizationFailed", "The client has no read access.")  # type: ignore[attr-defined]
            return
        if body is None:
            self._arm_error(404, "ResourceNotFound", "The Resource was not found.")  # type: ignore[attr-defined]
        else:
            self._json(200, body)  # type: ignore[attr-defined]

    def _fake_cluster_list(self, groups: dict[str, str], _query: dict) -> dict[str, Any]:
        sub = groups["sub"].lower()
        return {"value": [_cluster(c) for c in self.fake.clusters if c.subscription == sub]}

    def _fake_cluster(self, groups: dict[str, str], _query: dict) -> dict[str, Any] | None:
        found = self._find(self.fake.clusters, groups["sub"], groups["rg"], groups["name"])
        if found is not None and found.arm_forbidden:
            return self._forbidden()
        return _cluster(found) if found else None

    def _fake_role_assignments(self, groups: dict[str, str], query: dict) -> dict[str, Any]:
        scope = groups["scope"].lower()
        wanted = re.search(r"principalId eq '([^']+)'", (query.get("$filter") or [""])[0])
        items = [
            _assignment(a)
            for a in self.fake.role_assignments
            if (not wanted or a.principal_id == wanted.group(1))
            and (scope.startswith(a.scope.lower()) or a.scope.lower().startswith(scope))
        ]
        return {"value": items}

    def _fake_role_definition(self, groups: dict[str, str], _query: dict) -> dict[str, Any] | None:
        found = self.fake.role_definitions.get(groups["name"].lower())
        if found is None:
            return None
        return {
            "id": f"{groups['scope']}/providers/Microsoft.Authorization/roleDefinitions/"
            f"{groups['name']}",
            "properties": {
                "roleName": found.get("roleName", "Custom"),
                "type": "CustomRole",
                "permissions": [found.get("permissions", {})],
            },
        }

    def _fake_public_ip(self, groups: dict[str, str], _query: dict) -> dict[str, Any] | None:
        for cluster in self.fake.clusters:
            for index, address in enumerate(cluster.egress_ips):
                if cluster.egress_ip_id(index).lower() == self._path_id(
                    groups, "publicIPAddresses"
                ):
                    return {"id": cluster.egress_ip_id(index), "properties": {"ipAddress": address}}
        return None

    def _fake_private_endpoint(self, groups: dict[str, str], _query: dict) -> dict[str, Any] | None:
        endpoint, registry = self._endpoint(groups)
        if endpoint is None:
            return None
        data_fqdn = f"{registry.name.lower()}.{registry.location}.data.azurecr.io"
        return {
            "id": endpoint.resource_id,
            "name": endpoint.name,
            "properties": {
                "subnet": {"id": f"{endpoint.vnet}/subnets/private-endpoints"},
                "customDnsConfigs": [
                    {"fqdn": registry.login_server, "ipAddresses": [endpoint.ip]},
                    {"fqdn": data_fqdn, "ipAddresses": [endpoint.data_ip]},
                ],
                "networkInterfaces": [{"id": f"{endpoint.resource_id}.nic"}],
            },
        }

    def _fake_dns_zone_groups(self, groups: dict[str, str], _query: dict) -> dict[str, Any] | None:
        endpoint, _registry = self._endpoint(groups)
        if endpoint is None:
            return None
        if not endpoint.dns_zone:
            return {"value": []}
        config = {"name": "config", "properties": {"privateDnsZoneId": endpoint.dns_zone}}
        return {"value": [{"name": "default", "properties": {"privateDnsZoneConfigs": [config]}}]}

    def _fake_dns_records(self, groups: dict[str, str], _query: dict) -> dict[str, Any] | None:
        zone = self._zone(groups)
        if zone is None:
            return None
        items = [
            {
                "name": name,
                "properties": {"fqdn": f"{name}.{zone.name}.", "aRecords": [{"ipv4Address": ip}]},
            }
            for name, ip in zone.records.items()
        ]
        return {"value": items}

    def _fake_dns_links(self, groups: dict[str, str], _query: dict) -> dict[str, Any] | None:
        zone = self._zone(groups)
        if zone is None:
            return None
        items = [
            {
                "name": f"link-{index}",
                "properties": {
                    "virtualNetwork": {"id": vnet},
                    "virtualNetworkLinkState": "Completed",
                },
            }
            for index, vnet in enumerate(zone.links)
        ]
        return {"value": items}

    def _fake_dns_zone_list(self, groups: dict[str, str], _query: dict) -> dict[str, Any]:
        sub = groups["sub"].lower()
        return {
            "value": [
                {"id": z.resource_id, "name": z.name}
                for z in self.fake.dns_zones
                if z.subscription == sub
            ]
        }

    def _fake_peerings(self, groups: dict[str, str], _query: dict) -> dict[str, Any]:
        vnet = self._path_id(groups, "virtualNetworks")
        remotes = next((v for k, v in self.fake.peerings.items() if k.lower() == vnet), ())
        items = [
            {
                "name": f"peer-{i}",
                "properties": {"remoteVirtualNetwork": {"id": r}, "peeringState": "Connected"},
            }
            for i, r in enumerate(remotes)
        ]
        return {"value": items}

    def _fake_vnet_list(self, groups: dict[str, str], _query: dict) -> dict[str, Any]:
        group = groups["rg"].lower()
        items = [
            {"id": c.managed_vnet, "name": c.managed_vnet.rsplit("/", 1)[-1]}
            for c in self.fake.clusters
            if c.vnet is None and c.node_resource_group.lower() == group
        ]
        return {"value": items}

    # --- lookups ---------------------------------------------------------------

    def _forbidden(self) -> None:
        raise _Forbidden()

    def _path_id(self, groups: dict[str, str], kind: str) -> str:
        return (
            f"/subscriptions/{groups['sub']}/resourcegroups/{groups['rg']}/{NETWORK}/{kind}/{groups['name']}"
        ).lower()

    def _find(self, items: list, sub: str, group: str, name: str) -> Any:
        return next(
            (
                i
                for i in items
                if (i.subscription, i.resource_group.lower(), i.name.lower())
                == (sub.lower(), group.lower(), name.lower())
            ),
            None,
        )

    def _endpoint(self, groups: dict[str, str]) -> tuple[FakePrivateEndpoint | None, Any]:
        wanted = self._path_id(groups, "privateEndpoints")
        for registry in self.fake.registries:
            for endpoint in registry.private_endpoints:
                if endpoint.resource_id.lower() == wanted:
                    return endpoint, registry
        return None, None

    def _zone(self, groups: dict[str, str]) -> FakeDnsZone | None:
        wanted = self._path_id(groups, "privateDnsZones")
        return next((z for z in self.fake.dns_zones if z.resource_id.lower() == wanted), None)


class _Forbidden(Exception):
    """Raised by a lookup to answer 403 AuthorizationFailed."""


def _cluster(cluster: FakeCluster) -> dict[str, Any]:
    subnet = f"{cluster.vnet}/subnets/nodes" if cluster.vnet else None
    pools = []
    for pool in cluster.pools:
        item: dict[str, Any] = {"name": pool.name, "osType": pool.os_type, "vmSize": pool.vm_size}
        if subnet:
            item["vnetSubnetID"] = subnet
        pools.append(item)
    properties: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "nodeResourceGroup": cluster.node_resource_group,
        "agentPoolProfiles": pools,
        "networkProfile": {
            "networkPlugin": "azure" if subnet else "kubenet",
            "outboundType": cluster.outbound_type,
            "loadBalancerProfile": {
                "effectiveOutboundIPs": [
                    {"id": cluster.egress_ip_id(i)} for i in range(len(cluster.egress_ips))
                ]
            },
        },
    }
    if cluster.kubelet_object_id:
        properties["servicePrincipalProfile"] = {"clientId": "msi"}
        properties["identityProfile"] = {
            "kubeletidentity": {
                "objectId": cluster.kubelet_object_id,
                "clientId": KUBELET_CLIENT_ID,
                "resourceId": f"/subscriptions/{cluster.subscription}/resourceGroups/"
                f"{cluster.node_resource_group}/providers/Microsoft.ManagedIdentity/"
                f"userAssignedIdentities/{cluster.name}-agentpool",
            }
        }
    else:
        properties["servicePrincipalProfile"] = {"clientId": "cccccccc-3333-4333-8333-00000000000c"}
    return {
        "id": cluster.resource_id,
        "name": cluster.name,
        "type": "Microsoft.ContainerService/ManagedClusters",
        "location": cluster.location,
        "properties": properties,
    }


def _assignment(assignment: FakeRoleAssignment) -> dict[str, Any]:
    sub = re.match(r"/subscriptions/([^/]+)", assignment.scope)
    prefix = f"/subscriptions/{sub.group(1)}" if sub else ""
    properties: dict[str, Any] = {
        "roleDefinitionId": f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{assignment.role}",
        "principalId": assignment.principal_id,
        "principalType": "ServicePrincipal",
        "scope": assignment.scope,
    }
    if assignment.condition:
        properties["condition"] = assignment.condition
        properties["conditionVersion"] = "2.0"
    return {
        "id": f"{assignment.scope}/providers/Microsoft.Authorization/roleAssignments/x",
        "properties": properties,
    }
