"""Pull-failure alerts offer the pull check: one test per alert shape, and the edges.

The triager gets its cluster lookup from the composition root
(``bot.services.cluster_lookup_from``, diagnostics' own rules), as the
server and ``acrbot triage`` do; nothing here reads settings on its own.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.diagnostics.settings import AzureSettings, ClusterConfig
from bot.knowledge.library import Library
from bot.services import cluster_lookup_from, faq_search_from
from bot.slack import block_limits
from bot.slack.alert_blocks import alert_message
from bot.slack.check_buttons import button_value, pull_label, read_value
from bot.slack.triage_reply import triage_reply
from bot.triage import Triager, read_alertmanager, read_any, read_azure_monitor
from bot.triage.model import KnownCluster, OfferedCheck, Triage
from bot.triage.readers import read_message
from tests.triage.conftest import FIXTURES, fixture

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
AKS_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourcegroups/rg-aks/providers/"
    "microsoft.containerservice/managedclusters/aks-prod"
)
AZURE = AzureSettings(
    subscriptions=(SUBSCRIPTION,),
    clusters=(ClusterConfig("aks-prod", SUBSCRIPTION, "rg-aks", ("prod-eastus",)),),
)
PULL = {"check": "pull", "registry": "contosoreg", "image": "shop/api:1.4", "cluster": "aks-prod"}
HEALTH = {"check": "check-health", "registry": "contosoreg"}


@pytest.fixture(scope="module")
def triager(library: Library) -> Triager:
    return Triager(faq_search_from(library), clusters=cluster_lookup_from(AZURE))


def checks(triage: Triage) -> list[dict[str, Any]]:
    return triage.to_json()["checks"]


def text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- one test per alert shape -----------------------------------------------------------


def test_an_alertmanager_group_offers_pull_per_member_with_the_cluster_by_alias(triager):
    first, second = triager.triage_all(read_alertmanager(fixture("alertmanager_image_label.json")))
    assert checks(first) == [PULL, HEALTH]  # the `image` label; `cluster: prod-eastus` is aks-prod
    digest = "sha256:3b5e8f0c9a1d2e4f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f"
    assert checks(second)[0] == {
        "check": "pull",
        "registry": "contosoreg",
        "image": f"batch/nightly@{digest}",
        "cluster": None,  # aks-staging is not configured: named nowhere, searched nowhere
    }


def test_pasted_kubelet_events_offer_pull_without_a_cluster(triager):
    (triage,) = triager.triage_all(read_any(text("kubelet_describe_pod.txt")))
    assert checks(triage) == [{**PULL, "cluster": None}, HEALTH]
    reply = triage_reply(triager, text("kubelet_describe_pod.txt"))  # `/acr triage …`
    labels = [
        e["text"]["text"] for b in reply.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels[0] == "🔎 Why can't shop/api:1.4 be pulled?"


def test_a_containerd_log_line_offers_pull_and_the_network_checks(triager):
    (triage,) = triager.triage_all(read_any(text("containerd_log.txt")))
    # the /v2/…/manifests/1.4 URL in the error is not a second image
    assert checks(triage) == [{**PULL, "cluster": None}, HEALTH, {**HEALTH, "check": "info"}]


def test_a_bot_message_in_a_watched_channel_names_the_cluster_from_its_fields(triager):
    raw = text("alertmanager_slack_imagepullbackoff.json")
    event = json.loads(raw.replace("{IMAGE}", "contosoreg.azurecr.io/shop/api:1.4"))
    triage = triager.triage(read_message(event))
    assert checks(triage) == [PULL, HEALTH]
    # Datadog's attachment field names a cluster configuration does not know: no cluster
    datadog = triager.triage(read_message(fixture("slack_bot_message.json")))
    assert checks(datadog)[0] == {
        "check": "pull",
        "registry": "contosoregistry",
        "image": "shop/checkout-api:1.42.0",
        "cluster": None,
    }


def test_an_azure_monitor_alert_on_a_managed_cluster_offers_pull_on_that_cluster(triager):
    (triage,) = triager.triage_all(read_azure_monitor(fixture("azure_monitor_aks_log.json")))
    assert checks(triage) == [PULL, HEALTH]
    (offered,) = [c for c in triage.checks if c.check == "pull"]
    assert offered.cluster == KnownCluster("aks-prod", "aks-prod")


def test_an_undeclared_cluster_in_reach_is_asked_for_by_its_resource_id(library):
    payload = fixture("azure_monitor_aks_log.json")
    other = AKS_ID.replace("aks-prod", "aks-batch")
    payload["data"]["essentials"]["alertTargetIDs"] = [other]
    triager = Triager(faq_search_from(library), clusters=cluster_lookup_from(AZURE))
    (triage,) = triager.triage_all(read_azure_monitor(payload))
    (offered,) = [c for c in triage.checks if c.check == "pull"]
    assert offered.cluster is not None and offered.cluster.name == "aks-batch"
    assert offered.cluster.ref.lower() == other  # locate_cluster takes the ID without a search
    # outside azure.subscriptions: not named at all
    elsewhere = other.replace(SUBSCRIPTION, "00000000-0000-0000-0000-000000000009")
    payload["data"]["essentials"]["alertTargetIDs"] = [elsewhere]
    (triage,) = triager.triage_all(read_azure_monitor(payload))
    assert checks(triage)[0]["cluster"] is None


def test_acrbot_triage_json_lists_pull_and_keeps_the_shape(tmp_path: Path):
    config = tmp_path / "acrbot.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "azure": {
                    "subscriptions": [SUBSCRIPTION],
                    "clusters": [
                        {
                            "name": "aks-prod",
                            "subscription": SUBSCRIPTION,
                            "resource_group": "rg-aks",
                            "aliases": ["prod-eastus"],
                        }
                    ],
                },
                "state_dir": str(tmp_path / "state"),
            }
        )
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "--config",
                str(config),
                "triage",
                str(FIXTURES / "alertmanager_image_label.json"),
                "--json",
            ]
        )
    first = json.loads(out.getvalue().splitlines()[0])
    assert code == 0
    assert list(first) == [
        "source",
        "state",
        "severity",
        "rule",
        "summary",
        "registries",
        "faq",
        "checks",
    ]
    assert first["checks"] == [PULL, HEALTH]


# --- what is not a pull failure ---------------------------------------------------------


@pytest.mark.parametrize(
    "pasted",
    [
        "failed to push contosoreg.azurecr.io/shop/api:1.4: unauthorized: authentication required",
        "docker push contosoreg.azurecr.io/shop/api:1.4 -> 401 Unauthorized",
        "failed to push contosoreg.azurecr.io/shop/api:1.4: failed to authorize: "
        "failed to fetch oauth token: unexpected status: 401 Unauthorized",
        "StorageUsed on contosoreg is 93 GiB, image contosoreg.azurecr.io/shop/api:1.4",
        'Failed to pull image "docker.io/library/nginx:1.27": toomanyrequests',
        'Failed to pull image "https://contosoreg.azurecr.io/v2/": 401 Unauthorized',
    ],
)
def test_no_pull_check_where_nothing_failed_to_pull_an_acr_image(triager, pasted):
    (triage,) = triager.triage_all(read_any(pasted))
    assert all(c.check != "pull" for c in triage.checks), checks(triage)


def test_a_pull_alert_without_an_image_offers_check_health_only(triager):
    (triage,) = triager.triage_all(read_any("contosoreg.azurecr.io: ImagePullBackOff, 401"))
    assert [c["check"] for c in checks(triage)] == ["check-health"]


# --- hostile text and Slack's limits ----------------------------------------------------


def test_hostile_labels_stay_inert_on_the_button(triager):
    group = fixture("alertmanager_image_label.json")
    labels = group["alerts"][0]["labels"]
    labels["image"] = "contosoreg.azurecr.io/shop/api:1.4<!channel>&lt;@U0BOSS&gt;"
    labels["cluster"] = "<!here|prod-eastus>"
    (triage, _) = triager.triage_all(read_alertmanager(group))
    (offered,) = [c for c in triage.checks if c.check == "pull"]
    assert offered.image == "shop/api:1.4" and offered.cluster is None
    message = alert_message(triage).as_kwargs()
    for block in message["blocks"]:
        if block["type"] == "actions":
            for element in block["elements"]:
                assert "<!" not in element["text"]["text"] and "<@" not in element["text"]["text"]
    assert "<!channel>" not in json.dumps(message)


def test_the_longest_pull_button_fits_slack_and_reads_back():
    image = "/".join(["a" * 60] * 4) + ":" + "t" * 128
    cluster = KnownCluster("c" * 63, AKS_ID.replace("aks-prod", "c" * 63))
    offered = OfferedCheck("pull", "r" * 50, image=image, cluster=cluster)
    value = button_value(offered)
    label = pull_label(offered, "en") or ""
    assert len(value) <= block_limits.BUTTON_VALUE and len(label) <= block_limits.BUTTON_TEXT
    assert label.startswith("🔎 Why can't ccc") and " pull aaa" in label and label.endswith("…?")
    wanted = read_value(value)
    assert wanted is not None and (wanted.image, wanted.cluster) == (image, cluster.ref)
    digest = OfferedCheck("pull", "contosoreg", image="shop/api@sha256:" + "0" * 64)
    assert pull_label(digest, "zh") == "🔎 为什么拉取不了 shop/api@sha256:000000000000…？"


@pytest.mark.parametrize(
    "raw",
    ['{"r": "contosoreg", "c": "pull"}', "not json", '{"c": "pull", "i": "x"}', "[1]"],
)
def test_a_pull_button_value_acrbot_did_not_build_is_no_request(raw):
    assert read_value(raw) is None


# --- held-out shapes (written before tuning; none of them is special-cased) --------------


@pytest.mark.parametrize(
    ("pasted", "image", "cluster"),
    [
        (  # CRI-O repeats the reference in pieces: the bare mention is the same image
            'Failed to pull image "contosoreg.azurecr.io/shop/api:1.4": rpc error: code = '
            "Unknown desc = reading manifest 1.4 in contosoreg.azurecr.io/shop/api, manifest unknown",
            "shop/api:1.4",
            None,
        ),
        (  # Docker's daemon, no tag given: docker pulls latest
            "Error response from daemon: pull access denied for contosoreg.azurecr.io/shop/api, "
            "repository does not exist or may require 'docker login'",
            "shop/api:latest",
            None,
        ),
        (  # a Prometheus sample pasted as text: the cluster label by alias
            'kube_pod_container_status_waiting_reason{cluster="prod-eastus",namespace="shop",'
            'reason="ErrImagePull",image="contosoreg.azurecr.io/shop/api:1.4"} 1',
            "shop/api:1.4",
            "aks-prod",
        ),
        (  # another label name and another case for the alias
            '{"receiver": "x", "status": "firing", "version": "4", "alerts": [{"status": '
            '"firing", "labels": {"alertname": "PodImagePull", "k8s_cluster": "PROD-EASTUS", '
            '"image": "contosoreg.azurecr.io/shop/api:1.4", "reason": "ImagePullBackOff"}, '
            '"startsAt": "2026-12-03T00:00:00Z", "fingerprint": "ab"}]}',
            "shop/api:1.4",
            "aks-prod",
        ),
        (
            'Failed to pull image "contosoreg.azurecr.io/shop/api:1.4": rpc error: code = '
            "Canceled desc = context canceled",
            "shop/api:1.4",
            None,
        ),
        ('Successfully pulled image "contosoreg.azurecr.io/shop/api:1.4" in 1.2s', None, None),
        ("slow pull of contosoreg.azurecr.io/shop/api:1.4 (30 s)", None, None),
    ],
)
def test_held_out_pull_shapes(triager, pasted, image, cluster):
    (triage,) = triager.triage_all(read_any(pasted))
    offered = [c for c in checks(triage) if c["check"] == "pull"]
    if image is None:
        assert offered == []
    else:
        assert offered == [{**PULL, "image": image, "cluster": cluster}]


def test_acrbot_triage_text_prints_the_pull_command(tmp_path: Path):
    config = tmp_path / "acrbot.yaml"
    clusters = [{"name": "aks-prod", "subscription": SUBSCRIPTION, "resource_group": "rg-aks"}]
    config.write_text(yaml.safe_dump({"azure": {"clusters": clusters}}))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["--config", str(config), "triage", str(FIXTURES / "azure_monitor_aks_log.json")])
    assert (
        "acrbot diagnose contosoreg --check pull --image shop/api:1.4 --cluster aks-prod"
        in out.getvalue()
    )
