"""Each image's pull check names the cluster of its own block (red-team item 13).

A pasted Grafana message of two alerts, one on aks-prod pulling from
contosoreg and one on aks-dr pulling from othereg: the othereg button said
aks-prod, the first cluster known, for both.
"""

from __future__ import annotations

from bot.diagnostics.settings import AzureSettings, ClusterConfig
from bot.services import cluster_lookup_from, faq_search_from
from bot.triage import Triager, read_any
from tests.triage.conftest import FIXTURES

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
PROD = ClusterConfig("aks-prod", SUBSCRIPTION, "rg-aks", ())
DR = ClusterConfig("aks-dr", SUBSCRIPTION, "rg-aks-dr", ())
GRAFANA = (FIXTURES / "rt_dom_t_grafana.txt").read_text(encoding="utf-8")


def pulls(triager: Triager, text: str) -> list[tuple[str, str | None]]:
    (triage,) = triager.triage_all(read_any(text))
    return [
        (c.registry, c.cluster.name if c.cluster else None)
        for c in triage.checks
        if c.check == "pull"
    ]


def triager_for(library, *clusters: ClusterConfig) -> Triager:
    azure = AzureSettings(subscriptions=(SUBSCRIPTION,), clusters=clusters)
    return Triager(faq_search_from(library), clusters=cluster_lookup_from(azure))


def test_each_image_goes_with_the_cluster_of_its_block(library):
    triager = triager_for(library, PROD, DR)
    assert pulls(triager, GRAFANA) == [("contosoreg", "aks-prod"), ("othereg", "aks-dr")]


def test_a_block_on_an_unknown_cluster_gets_no_cluster_not_another_blocks(library):
    triager = triager_for(library, PROD)
    assert pulls(triager, GRAFANA) == [("contosoreg", "aks-prod"), ("othereg", None)]


def test_the_order_of_the_blocks_does_not_matter(library):
    first, _, second = GRAFANA.partition("\n\nValue: A=3\n")
    swapped = "[FIRING:2] ACR pull errors\n\nValue: A=3\n" + second + "\n\n" + first
    triager = triager_for(library, PROD, DR)
    assert sorted(pulls(triager, swapped)) == [("contosoreg", "aks-prod"), ("othereg", "aks-dr")]


def test_one_cluster_named_anywhere_still_goes_with_every_image(library):
    text = (
        'Failed to pull image "contosoreg.azurecr.io/shop/api:1.4": 403 Forbidden\n\n'
        'Failed to pull image "othereg.azurecr.io/shop/web:2.0": 403 Forbidden\n\n'
        "cluster: aks-prod"
    )
    triager = triager_for(library, PROD, DR)
    assert pulls(triager, text) == [("contosoreg", "aks-prod"), ("othereg", "aks-prod")]
