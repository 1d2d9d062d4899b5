"""azure.clusters and cluster resolution: configured name or alias, AKS resource ID, or a search."""

from __future__ import annotations

import pytest

from bot.diagnostics.azure_client import AzureClient
from bot.diagnostics.clusters import locate_cluster
from bot.diagnostics.deadline import Deadline
from bot.diagnostics.errors import AmbiguousCluster, ClusterNotFound, InvalidClusterName
from bot.diagnostics.settings import DiagnosticsSettings
from bot.errors import ConfigError
from tests.diagnostics.conftest import TOKEN
from tests.fakes.azure_api import OTHER_SUBSCRIPTION, SUBSCRIPTION, FakeAzure
from tests.fakes.azure_cluster import FakeCluster

PROD = {
    "name": "aks-prod",
    "subscription": SUBSCRIPTION,
    "resource_group": "rg-aks",
    "aliases": ["prod-eastus", "Prod"],
}
AKS_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-aks/providers/"
    "Microsoft.ContainerService/managedClusters/aks-prod"
)


class Credential:
    def get_token(self, *scopes: str, **kwargs):
        return type("T", (), {"token": TOKEN})()


def settings(fake: FakeAzure | None = None, **azure) -> DiagnosticsSettings:
    raw = {"azure": {"subscriptions": [SUBSCRIPTION], **azure}}
    if fake is not None:
        raw["azure"]["arm_endpoint"] = fake.arm_endpoint
    return DiagnosticsSettings.from_mapping(raw)


def opener(fake: FakeAzure):
    def open_client(cloud):
        return AzureClient(
            Credential(),
            arm_base=fake.arm_endpoint,
            arm_scope=cloud.arm_scope,
            acr_scope=cloud.acr_scope,
            api_version="2025-11-01",
            deadline=Deadline(5),
        )

    return open_client


def test_configured_clusters_are_read_strictly() -> None:
    azure = settings(clusters=[PROD]).azure
    assert azure.clusters[0].name == "aks-prod"
    assert azure.clusters[0].aliases == ("prod-eastus", "Prod")
    assert azure.cluster_named("PROD") is azure.clusters[0]
    assert azure.cluster_named("aks-prod") is azure.clusters[0]
    assert azure.cluster_named("aks-dev") is None


@pytest.mark.parametrize(
    ("entry", "setting"),
    [
        ({**PROD, "alias": ["x"]}, "azure.clusters[0].alias"),
        ({**PROD, "name": "-bad-"}, "azure.clusters[0].name"),
        ({**PROD, "subscription": "nope"}, "azure.clusters[0].subscription"),
        (
            {k: v for k, v in PROD.items() if k != "resource_group"},
            "azure.clusters[0].resource_group",
        ),
        ({**PROD, "aliases": ["has space"]}, "azure.clusters[0].aliases"),
        ({**PROD, "aliases": ["<!channel>"]}, "azure.clusters[0].aliases"),
    ],
)
def test_cluster_mistakes_name_the_setting(entry: dict, setting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(clusters=[entry])
    assert caught.value.setting == setting


def test_an_alias_may_name_only_one_cluster() -> None:
    other = {
        "name": "aks-dev",
        "subscription": SUBSCRIPTION,
        "resource_group": "rg",
        "aliases": ["prod"],
    }
    with pytest.raises(ConfigError) as caught:
        settings(clusters=[PROD, other])
    assert caught.value.setting == "azure.clusters[1].aliases"
    assert "already names azure.clusters[0]" in str(caught.value)


def test_a_configured_name_or_alias_needs_no_call() -> None:
    with FakeAzure([], token=TOKEN) as fake:
        azure = settings(fake, clusters=[PROD]).azure
        for text in ("aks-prod", "prod-eastus", "PROD"):
            target = locate_cluster(text, azure, opener(fake))
            assert (target.name, target.resource_group, target.source) == (
                "aks-prod",
                "rg-aks",
                "config",
            )
        assert fake.calls() == []


def test_a_resource_id_is_taken_inside_the_configured_subscriptions() -> None:
    with FakeAzure([], token=TOKEN) as fake:
        target = locate_cluster(AKS_ID, settings(fake).azure, opener(fake))
        assert (target.subscription, target.resource_group, target.name) == (
            SUBSCRIPTION,
            "rg-aks",
            "aks-prod",
        )
        assert target.resource_id == AKS_ID
        foreign = AKS_ID.replace(SUBSCRIPTION, OTHER_SUBSCRIPTION)
        with pytest.raises(ClusterNotFound, match=r"not one of azure\.subscriptions"):
            locate_cluster(foreign, settings(fake).azure, opener(fake))
        assert fake.calls() == []


def test_a_bare_name_is_searched_in_the_subscriptions() -> None:
    clusters = [FakeCluster("aks-prod"), FakeCluster("aks-dev", resource_group="rg-dev")]
    with FakeAzure([], token=TOKEN, clusters=clusters) as fake:
        target = locate_cluster("aks-dev", settings(fake).azure, opener(fake))
        assert (target.resource_group, target.source) == ("rg-dev", "arm")
        [call] = fake.calls("cluster_list")
        assert call.query["api-version"] == ["2025-10-01"]


def test_missing_ambiguous_and_invalid_clusters_say_what_to_do() -> None:
    clusters = [FakeCluster("aks-prod"), FakeCluster("aks-prod", resource_group="rg-other")]
    with FakeAzure([], token=TOKEN, clusters=clusters) as fake:
        azure = settings(fake).azure
        with pytest.raises(AmbiguousCluster, match="Paste its resource ID"):
            locate_cluster("aks-prod", azure, opener(fake))
        with pytest.raises(ClusterNotFound, match="No AKS cluster called aks-qa in the 1"):
            locate_cluster("aks-qa", azure, opener(fake))
        with pytest.raises(InvalidClusterName, match="not a cluster name"):
            locate_cluster("aks prod; rm -rf", azure, opener(fake))
        with pytest.raises(InvalidClusterName, match="not an AKS resource ID"):
            locate_cluster("/subscriptions/x/resourceGroups/y", azure, opener(fake))
        with pytest.raises(ClusterNotFound, match=r"no azure\.subscriptions"):
            locate_cluster("aks-qa", DiagnosticsSettings.from_mapping({}).azure, opener(fake))


def test_a_search_that_cannot_read_a_subscription_says_so() -> None:
    forbidden = frozenset({"cluster_list"})
    with (
        FakeAzure([], token=TOKEN, forbidden_routes=forbidden) as fake,
        pytest.raises(ClusterNotFound, match="could not be searched"),
    ):
        locate_cluster("aks-prod", settings(fake).azure, opener(fake))
