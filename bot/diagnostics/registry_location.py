"""Find out where a registry lives: subscription, resource group and cloud.

A registry declared in ``azure.registries`` is known without a call; a
resource ID says it all; otherwise the name is looked up with ARM's registry
list in each configured subscription (following ``nextLink``). Exactly one
match is needed: none, or more than one, is a clear refusal rather than a
guess, because a diagnostic against the wrong registry is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

from bot.diagnostics.azure_client import AzureClient
from bot.diagnostics.clouds import Cloud, cloud_for_suffix
from bot.diagnostics.errors import (
    AmbiguousRegistry,
    AzureCallFailed,
    OutsideConfiguredScope,
    RegistryNotFound,
    RegistrySearchIncomplete,
)
from bot.diagnostics.registry_name import RegistryInput
from bot.diagnostics.report import RegistrySummary
from bot.diagnostics.settings import AzureSettings

PROVIDER = "providers/Microsoft.ContainerRegistry/registries"
_GROUP_RE = re.compile(r"/resourceGroups/([^/]+)/", re.IGNORECASE)

ClientFactory = Callable[[Cloud], AzureClient]
T = TypeVar("T")
"""Opens a read-only client for the given cloud (the caller owns the deadline)."""


__all__ = ["AmbiguousRegistry", "RegistryNotFound", "RegistryTarget", "locate"]


@dataclass(frozen=True)
class RegistryTarget:
    name: str
    subscription: str
    resource_group: str
    cloud: Cloud
    source: str  # "config", "resource-id" or "arm"

    @property
    def resource_path(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/"
            f"{quote(self.resource_group, safe='()._-')}/{PROVIDER}/{self.name}"
        )

    @property
    def default_login_server(self) -> str:
        return f"{self.name}{self.cloud.login_suffix}"

    def summary(self, login_server: str | None = None) -> RegistrySummary:
        return RegistrySummary(
            name=self.name,
            subscription=self.subscription,
            resource_group=self.resource_group,
            cloud=self.cloud.name,
            login_server=login_server or self.default_login_server,
        )

    def describe(self) -> str:
        return (
            f"{self.name} (subscription {self.subscription}, resource group "
            f"{self.resource_group}, {self.cloud.name} cloud)"
        )


def locate(
    wanted: RegistryInput,
    azure: AzureSettings,
    open_client: ClientFactory,
    named_by_rules: Callable[[str], bool] = lambda name: False,
) -> RegistryTarget:
    """Where ``wanted`` lives; raises RegistryNotFound / AmbiguousRegistry / AzureError.

    A resource ID is taken at its word only inside the configured reach: its
    subscription is one of ``azure.subscriptions``, or an access rule names
    the registry explicitly (not by ``*``). Otherwise anyone allowed ``*``
    could point the bot's identity at any subscription it happens to read.
    """
    hinted = cloud_for_suffix(wanted.login_suffix) if wanted.login_suffix else None
    declared = azure.declared(wanted.name)
    if declared is not None:
        _same_cloud(wanted, hinted, declared.cloud)
        if wanted.subscription and (
            wanted.subscription != declared.subscription
            or wanted.resource_group.lower() != declared.resource_group.lower()
        ):
            raise RegistryNotFound(
                f"The resource ID does not match where azure.registries says {wanted.name} lives."
            )
        return RegistryTarget(
            wanted.name, declared.subscription, declared.resource_group, declared.cloud, "config"
        )
    _same_cloud(wanted, hinted, azure.cloud)
    if wanted.subscription and wanted.resource_group:
        if wanted.subscription not in azure.subscriptions and not named_by_rules(wanted.name):
            raise OutsideConfiguredScope(
                f"That resource ID is in subscription {wanted.subscription}, which is not one of "
                "azure.subscriptions, and no access rule names "
                f"{wanted.name} explicitly; nothing was sent to Azure. An operator can add the "
                "subscription or declare the registry in azure.registries."
            )
        return RegistryTarget(
            wanted.name, wanted.subscription, wanted.resource_group, azure.cloud, "resource-id"
        )
    return _search(wanted.name, azure, open_client)


def _same_cloud(wanted: RegistryInput, hinted: Cloud | None, cloud: Cloud) -> None:
    if hinted is not None and hinted != cloud:
        raise RegistryNotFound(
            f"{wanted.name}{wanted.login_suffix} is in the {hinted.name} cloud, but acrbot is "
            f"set up to look in the {cloud.name} cloud for it (see azure.cloud / azure.registries)."
        )


def search_subscriptions(
    azure: AzureSettings,
    open_client: ClientFactory,
    matches_in: Callable[[AzureClient, str], list[T]],
) -> tuple[list[T], list[str]]:
    """What ``matches_in`` finds in each configured subscription, and the ones it could not read.

    Registries and clusters are both found this way; a subscription that
    refuses or fails is named (so "not found" is never claimed for it), while
    a passed deadline ends the whole search.
    """
    matches: list[T] = []
    failures: list[str] = []
    with open_client(azure.cloud) as client:
        for subscription in azure.subscriptions:
            try:
                matches += matches_in(client, subscription)
            except AzureCallFailed as exc:  # DeadlineExceeded ends the search instead
                failures.append(f"{subscription}: {exc}")
    return matches, failures


def _search(name: str, azure: AzureSettings, open_client: ClientFactory) -> RegistryTarget:
    if not azure.subscriptions:
        raise RegistryNotFound(
            f"{name} is not declared in azure.registries and no azure.subscriptions are "
            "configured to search, so acrbot cannot tell where it lives."
        )
    matches, failures = search_subscriptions(
        azure, open_client, lambda client, sub: _matches_in(client, sub, name, azure.cloud)
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        places = "; ".join(f"{m.subscription}/{m.resource_group}" for m in matches)
        raise AmbiguousRegistry(
            f"More than one registry is called {name} ({places}). Paste its resource ID, "
            "or declare it in azure.registries."
        )
    if failures:
        raise RegistrySearchIncomplete(
            f"{name} was not found, and some subscriptions could not be searched: "
            + " | ".join(failures)
        )
    raise RegistryNotFound(
        f"No registry called {name} in the {len(azure.subscriptions)} configured "
        "subscription(s). Check the spelling, or declare it in azure.registries."
    )


def _matches_in(
    client: AzureClient, subscription: str, name: str, cloud: Cloud
) -> list[RegistryTarget]:
    found = []
    for item in client.arm_list(f"/subscriptions/{subscription}/{PROVIDER}"):
        if str(item.get("name", "")).lower() != name:
            continue
        group = _GROUP_RE.search(str(item.get("id", "")))
        if group:
            found.append(RegistryTarget(name, subscription, group.group(1), cloud, "arm"))
    return found
