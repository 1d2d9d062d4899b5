"""The pull check's reads: every GET and HEAD it makes, and which read needs which.

Each function makes one read (or a short run of them on resources the
previous answer named) and returns the facts it found as plain data; what
they mean is decided in :mod:`bot.diagnostics.pull.verdict`. Resource IDs
that come back from ARM are used as paths only when they look like ARM
paths, so an odd answer cannot point the bot elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.diagnostics.azure_client import AzureClient, RegistryAnswer
from bot.diagnostics.checks.health import may_pull, parse_challenge
from bot.diagnostics.clouds import Cloud
from bot.diagnostics.clusters import CLUSTER_API_VERSION, ClusterTarget
from bot.diagnostics.errors import (
    AzureCallFailed,
    AzureHTTPError,
    AzureMalformedResponse,
    AzureResourceMissing,
    RegistryForbidden,
)
from bot.diagnostics.pull import shapes
from bot.diagnostics.pull.image_ref import DIGEST_RE, ImageRef
from bot.diagnostics.pull.plan import NOT_APPLICABLE, ReadPlan
from bot.diagnostics.pull.roles import BUILT_IN, granted_pull_actions, role_guid
from bot.diagnostics.pull.shapes import obj, objs
from bot.diagnostics.registry_location import PROVIDER, RegistryTarget
from bot.diagnostics.tokens import token_tenant

AUTH_API = "2022-04-01"
NETWORK_API = "2024-05-01"
DNS_API = "2018-09-01"
MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)
INDEX_TYPES = ("image.index", "manifest.list")
_ARM_ID_RE = re.compile(r"/subscriptions/[0-9a-fA-F-]{36}/[A-Za-z0-9_.()/-]{1,900}")
_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_VNET_RE = re.compile(r"(.+/providers/Microsoft\.Network/virtualNetworks/[^/]+)", re.IGNORECASE)
MAX_ITEMS = 20  # endpoints, zones, egress IPs, custom roles: more is not a cluster's config

__all__ = ["PullInputs", "build_plan"]


@dataclass(frozen=True)
class PullInputs:
    target: RegistryTarget
    image: ImageRef
    cluster: ClusterTarget | None
    cloud: Cloud
    login_base: Callable[[str], str]
    tenant_id: str | None
    subscriptions: tuple[str, ...]

    @property
    def registry_found(self) -> bool:
        return bool(self.target.subscription)


def build_plan(client: AzureClient, inputs: PullInputs) -> ReadPlan:
    """Every read for ``inputs``, wired by what each needs."""
    reads = _Reads(client, inputs)
    plan = ReadPlan()
    plan.add("registry", reads.registry)
    plan.add("registry_search", reads.registry_search)
    plan.add("cluster", reads.cluster)
    plan.add("roles", reads.roles, ("cluster",))
    plan.add("egress", reads.egress, ("cluster",))
    plan.add("cluster_vnets", reads.cluster_vnets, ("cluster",))
    plan.add("endpoints", reads.endpoints, ("registry",))
    plan.add("dns", reads.dns, ("endpoints",))
    plan.add("token", reads.token, after=("registry",))
    plan.add("manifest", reads.manifest, ("token",))
    plan.add("tag", reads.tag, ("token",))
    plan.add("manifest_meta", reads.manifest_meta, ("token", "manifest"), after=("tag",))
    plan.add("index", reads.index, ("token", "manifest"))
    plan.add("config", reads.config, ("token", "manifest"))
    plan.add("tags", reads.tags, ("token", "manifest"))
    return plan


def arm_id(value: Any) -> str | None:
    """``value`` when it is shaped like an ARM resource ID under a subscription, else None."""
    text = str(value or "")
    if _ARM_ID_RE.fullmatch(text) and ".." not in text:
        return text
    return None


def vnet_of(subnet_id: str) -> str | None:
    match = _VNET_RE.match(subnet_id or "")
    return match.group(1) if match else None


def properties_of(item: Any) -> dict[str, Any]:
    """An ARM resource's ``properties``, or {} for anything else (a refused read, a bad shape)."""
    return obj(item, "properties")


class _Reads:
    def __init__(self, client: AzureClient, inputs: PullInputs) -> None:
        self.client = client
        self.inputs = inputs

    # --- registry (ARM) ------------------------------------------------------

    def registry(self, _in: Mapping[str, Any]) -> Any:
        if not self.inputs.registry_found:
            return NOT_APPLICABLE
        resource = self.client.arm_get(self.inputs.target.resource_path)
        what = f"the registry {self.inputs.target.name}"
        return shapes.require(resource, shapes.REGISTRY, what, shapes.REGISTRY_NEEDS)

    def registry_search(self, _in: Mapping[str, Any]) -> Any:
        """Registry names in the configured subscriptions, to suggest when the image's is absent."""
        if self.inputs.registry_found:
            return NOT_APPLICABLE
        names: list[str] = []
        for subscription in self.inputs.subscriptions:
            for item in self.client.arm_list(f"/subscriptions/{subscription}/{PROVIDER}"):
                names.append(str(item.get("name") or "").lower())
        return sorted(set(names) - {""})

    def endpoints(self, found: Mapping[str, Any]) -> Any:
        connections = objs(properties_of(found["registry"]).get("privateEndpointConnections"))
        endpoints = []
        for connection in connections[:MAX_ITEMS]:
            props = properties_of(connection)
            pe_id = arm_id(obj(props, "privateEndpoint").get("id"))
            state = obj(props, "privateLinkServiceConnectionState").get("status")
            endpoint: dict[str, Any] = {
                "id": pe_id,
                "status": str(state or "Unknown"),
                "connection": arm_id(connection.get("id")),
            }
            if pe_id:
                endpoint.update(self._endpoint(pe_id))
            endpoints.append(endpoint)
        return endpoints

    def _endpoint(self, pe_id: str) -> dict[str, Any]:
        try:
            resource = shapes.require(
                self.client.arm_get(pe_id, NETWORK_API),
                shapes.PRIVATE_ENDPOINT,
                f"the private endpoint {pe_id.rsplit('/', 1)[-1]}",
            )
            groups = list(self.client.arm_list(f"{pe_id}/privateDnsZoneGroups", NETWORK_API))
        except AzureCallFailed as exc:
            return {"error": exc}
        props = properties_of(resource)
        fqdns: dict[str, list[str]] = {}
        for config in objs(props.get("customDnsConfigs")):
            addresses = config.get("ipAddresses")
            if config.get("fqdn") and isinstance(addresses, list | None):
                fqdns[str(config["fqdn"]).lower()] = [str(ip) for ip in addresses or []]
        zones = [
            zone
            for group in groups
            for config in objs(properties_of(group).get("privateDnsZoneConfigs"))
            if (zone := arm_id(properties_of(config).get("privateDnsZoneId")))
        ]
        subnet = str(obj(props, "subnet").get("id") or "")
        return {
            "name": resource.get("name"),
            "vnet": vnet_of(subnet),
            "fqdns": fqdns,
            "zones": zones,
        }

    def dns(self, found: Mapping[str, Any]) -> Any:
        endpoints = [e for e in found["endpoints"] if e.get("fqdns")]
        if not endpoints:
            return NOT_APPLICABLE
        zone_ids = list(dict.fromkeys(z for e in endpoints for z in e.get("zones", [])))
        searched = False
        if not zone_ids:  # no zone group: look for the cloud's privatelink zone by name
            searched = True
            zone_ids = self._zones_named(f"privatelink{self.inputs.cloud.login_suffix}")
        zones = []
        for zone_id in zone_ids[:MAX_ITEMS]:
            zone: dict[str, Any] = {"id": zone_id, "name": zone_id.rsplit("/", 1)[-1].lower()}
            try:
                records = self.client.arm_list(f"{zone_id}/A", DNS_API)
                zone["records"] = {
                    str(r.get("name") or "").lower(): [
                        str(a.get("ipv4Address")) for a in objs(properties_of(r).get("aRecords"))
                    ]
                    for r in records
                    if isinstance(r, dict)
                }
                links = self.client.arm_list(f"{zone_id}/virtualNetworkLinks", DNS_API)
                zone["links"], zone["link_names"] = [], {}
                for link in (item for item in links if isinstance(item, dict)):
                    vnet = arm_id(obj(properties_of(link), "virtualNetwork").get("id"))
                    if vnet:
                        zone["links"].append(vnet)
                        zone["link_names"][vnet.lower()] = str(link.get("name") or "LINK")
            except AzureCallFailed as exc:
                zone["error"] = exc
            zones.append(zone)
        return {"zones": zones, "searched": searched}

    def _zones_named(self, name: str) -> list[str]:
        subscriptions = {self.inputs.target.subscription}
        if self.inputs.cluster:
            subscriptions.add(self.inputs.cluster.subscription)
        found = []
        for subscription in sorted(subscriptions):
            path = f"/subscriptions/{subscription}/providers/Microsoft.Network/privateDnsZones"
            for item in self.client.arm_list(path, DNS_API):
                if str(item.get("name") or "").lower() == name and (zone := arm_id(item.get("id"))):
                    found.append(zone)
        return found

    # --- cluster (ARM) -------------------------------------------------------

    def cluster(self, _in: Mapping[str, Any]) -> Any:
        cluster = self.inputs.cluster
        if cluster is None:
            return NOT_APPLICABLE
        what = f"the cluster {cluster.name}"
        try:
            resource = self.client.arm_get(cluster.resource_id, CLUSTER_API_VERSION)
        except AzureHTTPError as exc:
            if exc.status == 404:
                raise AzureResourceMissing(exc, what, "CLUSTER_NOT_FOUND") from None
            raise
        return shapes.require(resource, shapes.CLUSTER, what, shapes.CLUSTER_NEEDS)

    def roles(self, found: Mapping[str, Any]) -> Any:
        kubelet = obj(properties_of(found["cluster"]), "identityProfile", "kubeletidentity")
        principal = str(kubelet.get("objectId") or "")
        if not _GUID_RE.fullmatch(principal) or not self.inputs.registry_found:
            return NOT_APPLICABLE  # a service-principal cluster: the verdict says so
        path = (
            f"{self.inputs.target.resource_path}/providers/Microsoft.Authorization/roleAssignments"
        )
        query = {"$filter": f"principalId eq '{principal}'"}
        items = list(self.client.arm_list(path, AUTH_API, query))
        custom: dict[str, frozenset[str] | None] = {}
        for item in items:
            definition = arm_id(properties_of(item).get("roleDefinitionId"))
            guid = role_guid(str(properties_of(item).get("roleDefinitionId") or ""))
            if guid in BUILT_IN or guid in custom or len(custom) >= MAX_ITEMS:
                continue
            custom[guid] = self._role_actions(definition)
        return {"items": items, "custom": custom}

    def _role_actions(self, definition: str | None) -> frozenset[str] | None:
        if definition is None:
            return None
        try:
            resource = self.client.arm_get(definition, AUTH_API)
        except AzureCallFailed:
            return None
        permissions = properties_of(resource).get("permissions")
        return granted_pull_actions(permissions if isinstance(permissions, list) else [])

    def egress(self, found: Mapping[str, Any]) -> Any:
        network = obj(properties_of(found["cluster"]), "networkProfile")
        outbound = str(network.get("outboundType") or "loadBalancer")
        if outbound != "loadBalancer":
            return {"outbound": outbound, "ips": []}
        refs = objs(obj(network, "loadBalancerProfile").get("effectiveOutboundIPs"))
        ips = []
        for ref in refs[:MAX_ITEMS]:
            if ip_id := arm_id(ref.get("id")):
                address = properties_of(self.client.arm_get(ip_id, NETWORK_API)).get("ipAddress")
                if address:
                    ips.append(str(address))
        return {"outbound": outbound, "ips": ips}

    def cluster_vnets(self, found: Mapping[str, Any]) -> Any:
        props = properties_of(found["cluster"])
        pools = objs(props.get("agentPoolProfiles"))
        vnets = {v for p in pools if (v := vnet_of(str(p.get("vnetSubnetID") or "")))}
        if not vnets and self.inputs.cluster and props.get("nodeResourceGroup"):
            group = str(props["nodeResourceGroup"])
            path = (
                f"/subscriptions/{self.inputs.cluster.subscription}/resourceGroups/{group}"
                "/providers/Microsoft.Network/virtualNetworks"
            )
            vnets = {
                v
                for item in self.client.arm_list(path, NETWORK_API)
                if (v := arm_id(item.get("id")))
            }
        peered: set[str] = set()
        for vnet in sorted(vnets)[:MAX_ITEMS]:
            for peering in self.client.arm_list(f"{vnet}/virtualNetworkPeerings", NETWORK_API):
                props = properties_of(peering)
                remote = arm_id(obj(props, "remoteVirtualNetwork").get("id"))
                if remote and str(props.get("peeringState") or "") == "Connected":
                    peered.add(remote)
        return {"vnets": sorted(vnets), "peered": sorted(peered)}

    # --- the image (registry data plane) ---------------------------------------

    def token(self, found: Mapping[str, Any]) -> Any:
        """acrbot's own access token for the repository: the two token POSTs of check-health."""
        if not self.inputs.registry_found:
            return NOT_APPLICABLE
        registry = found.get("registry") or {}  # the default login server when ARM said nothing
        server = str(
            properties_of(registry).get("loginServer") or self.inputs.target.default_login_server
        )
        base = self.inputs.login_base(server)
        answer = self.client.challenge(base)
        scheme, params = parse_challenge(answer.www_authenticate or "")
        if answer.status == 403:
            raise RegistryForbidden(
                "The registry's /v2/ answered HTTP 403 to acrbot, before any credential."
            )
        if answer.status != 401 or scheme != "bearer" or not params.get("service"):
            raise AzureMalformedResponse(
                f"The registry's /v2/ answered HTTP {answer.status} without a bearer challenge."
            )
        aad = self.client.aad_token()
        tenant = self.inputs.tenant_id or token_tenant(aad)
        refresh = self.client.exchange(base, params["service"], tenant, aad)
        scope = f"repository:{self.inputs.image.repository}:pull,metadata_read"
        access = self.client.access_token(base, params["service"], scope, refresh)
        return {
            "base": base,
            "token": access,
            "granted": may_pull(access, self.inputs.image.repository),
        }

    def _read(self, token: Mapping[str, Any], path: str, **kwargs: Any) -> RegistryAnswer:
        return self.client.registry_read(token["base"], path, token["token"], **kwargs)

    def manifest(self, found: Mapping[str, Any]) -> Any:
        token = found["token"]
        if not token["granted"]:
            return NOT_APPLICABLE
        image = self.inputs.image
        path = f"/v2/{image.repository}/manifests/{image.reference}"
        return self._read(token, path, accept=MANIFEST_TYPES, head=True)

    def tag(self, found: Mapping[str, Any]) -> Any:
        image = self.inputs.image
        if not found["token"]["granted"] or image.digest or not image.tag:
            return NOT_APPLICABLE
        return self._read(found["token"], f"/acr/v1/{image.repository}/_tags/{image.tag}")

    def manifest_meta(self, found: Mapping[str, Any]) -> Any:
        digest = self._digest(found)
        if digest is None:
            return NOT_APPLICABLE
        return self._read(
            found["token"], f"/acr/v1/{self.inputs.image.repository}/_manifests/{digest}"
        )

    def index(self, found: Mapping[str, Any]) -> Any:
        answer: RegistryAnswer = found["manifest"]
        kind = answer.headers.get("content-type", "")
        if answer.status != 200 or not any(t in kind for t in INDEX_TYPES):
            return NOT_APPLICABLE
        image = self.inputs.image
        digest = _digest_header(answer) or image.reference
        path = f"/v2/{image.repository}/manifests/{digest}"
        return self._read(found["token"], path, accept=MANIFEST_TYPES)

    def config(self, found: Mapping[str, Any]) -> Any:
        """A single-platform image's config blob (its ``os`` and ``architecture``), for a cluster.

        Only an index lists platforms; a plain manifest names its config
        blob, which says what the image was built for.
        """
        answer: RegistryAnswer = found["manifest"]
        kind = answer.headers.get("content-type", "")
        if self.inputs.cluster is None or answer.status != 200:
            return NOT_APPLICABLE
        if any(t in kind for t in INDEX_TYPES):
            return NOT_APPLICABLE
        image = self.inputs.image
        digest = _digest_header(answer) or image.reference
        path = f"/v2/{image.repository}/manifests/{digest}"
        manifest = self._read(found["token"], path, accept=MANIFEST_TYPES)
        blob = obj(manifest.body, "config").get("digest")
        if manifest.status != 200 or not isinstance(blob, str) or not DIGEST_RE.fullmatch(blob):
            raise AzureMalformedResponse(
                f"The manifest of {image.display()} names no config blob (HTTP {manifest.status})."
            )
        token = found["token"]
        return self.client.registry_blob(
            token["base"], f"/v2/{image.repository}/blobs/{blob}", token["token"]
        )

    def tags(self, found: Mapping[str, Any]) -> Any:
        answer: RegistryAnswer = found["manifest"]
        if answer.status == 200:
            return NOT_APPLICABLE
        path = f"/acr/v1/{self.inputs.image.repository}/_tags?n=100&orderby=timedesc"
        return self._read(found["token"], path)

    def _digest(self, found: Mapping[str, Any]) -> str | None:
        if found.get("manifest") is None:
            return None
        image = self.inputs.image
        answer: RegistryAnswer = found["manifest"]
        if image.digest:
            return image.digest
        if answer.status == 200 and _digest_header(answer):
            return _digest_header(answer)
        tag = found.get("tag")
        if isinstance(tag, RegistryAnswer) and tag.status == 200:
            digest = str(obj(tag.body, "tag").get("digest") or "")
            return digest if DIGEST_RE.fullmatch(digest) else None
        return None


def _digest_header(answer: RegistryAnswer) -> str | None:
    digest = answer.headers.get("docker-content-digest", "")
    return digest if DIGEST_RE.fullmatch(digest) else None
