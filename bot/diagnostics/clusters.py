"""Find out which AKS cluster a person means: configured name or alias, resource ID, or search.

The pull check reads a cluster's configuration (kubelet identity, node
pools, egress), so it must be the right cluster: a configured cluster is
known by its name or any alias without a call; an AKS resource ID is taken at
its word only inside the configured reach; a bare name is looked up in each
of ``azure.subscriptions``. None, or more than one, is a clear refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from bot.diagnostics.azure_client import AzureClient
from bot.diagnostics.clouds import Cloud
from bot.diagnostics.errors import (
    AmbiguousCluster,
    ClusterNotFound,
    InvalidClusterName,
)
from bot.diagnostics.registry_location import search_subscriptions
from bot.diagnostics.registry_name import RESOURCE_GROUP_RE, SUBSCRIPTION_RE, preview
from bot.diagnostics.settings import CLUSTER_NAME_RE, AzureSettings, ClusterConfig

CLUSTER_PROVIDER = "providers/Microsoft.ContainerService/managedClusters"
CLUSTER_API_VERSION = "2025-10-01"
_MAX_INPUT = 600
_RESOURCE_ID_RE = re.compile(
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)"
    r"/providers/microsoft\.containerservice/managedclusters/(?P<name>[^/]+)/?",
    re.IGNORECASE,
)
_GROUP_RE = re.compile(r"/resourceGroups/([^/]+)/", re.IGNORECASE)

HOW_TO_NAME = (
    "Name the cluster as azure.clusters declares it (or one of its aliases), give its AKS "
    "name (1-63 letters, digits, '-' and '_'), or paste its resource ID."
)

ClientFactory = Callable[[Cloud], AzureClient]

__all__ = [
    "ClusterTarget",
    "is_cluster_id",
    "known_cluster",
    "locate_cluster",
    "parse_cluster_id",
]


@dataclass(frozen=True)
class ClusterTarget:
    name: str
    subscription: str
    resource_group: str
    source: str  # "config", "resource-id" or "arm"

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/"
            f"{quote(self.resource_group, safe='()._-')}/{CLUSTER_PROVIDER}/{self.name}"
        )

    def describe(self) -> str:
        return f"cluster {self.name} (resource group {self.resource_group})"


def is_cluster_id(text: str) -> bool:
    """Whether ``text`` is shaped like an AKS resource ID (validity aside)."""
    return bool(_RESOURCE_ID_RE.fullmatch(text.strip()))


def parse_cluster_id(text: str) -> ClusterTarget:
    """An AKS resource ID as a target, or :class:`InvalidClusterName` saying what is wrong."""
    match = _RESOURCE_ID_RE.fullmatch(text.strip())
    if not match:
        raise InvalidClusterName(
            f"'{preview(text)}' is not an AKS resource ID (/subscriptions/SUBSCRIPTION-ID/"
            "resourceGroups/GROUP/providers/Microsoft.ContainerService/managedClusters/NAME)."
        )
    sub, group, name = match.group("sub"), match.group("rg"), match.group("name")
    if not SUBSCRIPTION_RE.fullmatch(sub):
        raise InvalidClusterName("The cluster's resource ID has no valid subscription ID.")
    if not RESOURCE_GROUP_RE.fullmatch(group) or group.endswith("."):
        raise InvalidClusterName("The cluster's resource ID has no valid resource group name.")
    if not CLUSTER_NAME_RE.fullmatch(name):
        raise InvalidClusterName(f"'{preview(name)}' is not an AKS cluster name. {HOW_TO_NAME}")
    return ClusterTarget(name, sub.lower(), group, "resource-id")


def locate_cluster(text: str, azure: AzureSettings, open_client: ClientFactory) -> ClusterTarget:
    """Which cluster ``text`` means; raises InvalidClusterName / ClusterNotFound / Ambiguous."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidClusterName(f"No cluster was given. {HOW_TO_NAME}")
    if len(text) > _MAX_INPUT:
        raise InvalidClusterName(f"That is far too long to name a cluster. {HOW_TO_NAME}")
    wanted = text.strip()
    configured = azure.cluster_named(wanted)
    if configured is not None:
        return _configured(configured)
    if wanted.startswith("/"):
        return _within_reach(parse_cluster_id(wanted), azure)
    if not CLUSTER_NAME_RE.fullmatch(wanted):
        raise InvalidClusterName(f"'{preview(wanted)}' is not a cluster name. {HOW_TO_NAME}")
    return _search(wanted, azure, open_client)


def known_cluster(text: str, azure: AzureSettings) -> ClusterTarget | None:
    """The cluster ``text`` names without asking Azure, or ``None``.

    A configured name or alias, or an AKS resource ID within reach (declared,
    or in ``azure.subscriptions``). Alerts use this: what they call a cluster
    is only trusted when configuration already vouches for it, so an alert
    never makes acrbot search, and an unknown name is simply not named.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
        return None
    configured = azure.cluster_named(text)
    if configured is not None:
        return _configured(configured)
    if not is_cluster_id(text):
        return None
    try:
        target = _within_reach(parse_cluster_id(text), azure)
    except (InvalidClusterName, ClusterNotFound):
        return None
    declared = next((c for c in azure.clusters if _same(c, target)), None)
    return _configured(declared) if declared is not None else target


def _configured(cluster: ClusterConfig) -> ClusterTarget:
    return ClusterTarget(cluster.name, cluster.subscription, cluster.resource_group, "config")


def _same(configured: ClusterConfig, target: ClusterTarget) -> bool:
    return (
        configured.subscription.lower(),
        configured.resource_group.lower(),
        configured.name.lower(),
    ) == (target.subscription, target.resource_group.lower(), target.name.lower())


def _within_reach(target: ClusterTarget, azure: AzureSettings) -> ClusterTarget:
    """A resource ID is read only in a configured subscription or as a configured cluster."""
    declared = any(_same(c, target) for c in azure.clusters)
    if declared or target.subscription in azure.subscriptions:
        return target
    raise ClusterNotFound(
        f"That cluster's resource ID is in subscription {target.subscription}, which is not one "
        "of azure.subscriptions, and azure.clusters does not declare it; nothing was sent to "
        "Azure. An operator can add the subscription or declare the cluster in azure.clusters."
    )


def _search(name: str, azure: AzureSettings, open_client: ClientFactory) -> ClusterTarget:
    if not azure.subscriptions:
        raise ClusterNotFound(
            f"{name} is not declared in azure.clusters and no azure.subscriptions are "
            "configured to search, so acrbot cannot tell where the cluster lives."
        )
    matches, failures = search_subscriptions(
        azure, open_client, lambda client, sub: _matches_in(client, sub, name)
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        places = "; ".join(f"{m.subscription}/{m.resource_group}" for m in matches)
        raise AmbiguousCluster(
            f"More than one AKS cluster is called {name} ({places}). Paste its resource ID, "
            "or declare it in azure.clusters."
        )
    if failures:
        raise ClusterNotFound(
            f"No AKS cluster called {name} was found, and some subscriptions could not be "
            "searched (Reader on the subscription lets acrbot list clusters): "
            + " | ".join(failures)
        )
    raise ClusterNotFound(
        f"No AKS cluster called {name} in the {len(azure.subscriptions)} configured "
        "subscription(s). Check the spelling, or declare it in azure.clusters."
    )


def _matches_in(client: AzureClient, subscription: str, name: str) -> list[ClusterTarget]:
    found = []
    path = f"/subscriptions/{subscription}/{CLUSTER_PROVIDER}"
    for item in client.arm_list(path, api_version=CLUSTER_API_VERSION):
        if str(item.get("name", "")).lower() != name.lower():
            continue
        group = _GROUP_RE.search(str(item.get("id", "")))
        if group:
            found.append(ClusterTarget(str(item["name"]), subscription, group.group(1), "arm"))
    return found
