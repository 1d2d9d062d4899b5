"""A bare value is an ACR registry only from a registry field, and not when the images say otherwise.

Red-team item 6: label and field names that merely contain ``acr`` or
``registry`` (``macro_service``, ``acrOwnerTeam``) named registries, and a
``registry=harbor`` label beside a ``harbor.corp.local`` image was checked as
an ACR registry called "harbor". When unsure, no registry.
"""

from __future__ import annotations

import pytest

from bot.triage import read_alertmanager, read_azure_monitor
from bot.triage.registries import find_registries, is_registry_field
from tests.triage.conftest import fixture


@pytest.mark.parametrize(
    "name",
    [
        "registry",
        "Registry",
        "registry_name",
        "registryName",
        "acr",
        "acr_name",
        "acrName",
        "container_registry",
        "image_registry",
        "LoginServer",
        "login_server",
        "registry_login_server",
    ],
)
def test_registry_field_names(name):
    assert is_registry_field(name)


@pytest.mark.parametrize(
    "name",
    [
        "macro_service",
        "acr_system",
        "acrOwnerTeam",
        "registry_mirror_enabled",
        "source_registry_count",
        "namespace",
        "tracr_id",
    ],
)
def test_names_that_only_contain_the_letters_are_not_registry_fields(name):
    assert not is_registry_field(name)


def test_a_label_whose_name_contains_acr_names_no_registry(triager):
    # macro_service=billing beside a harbor image: nothing here is an ACR registry
    (triage,) = triager.triage_all(read_alertmanager(fixture("rt_dom_am_label_acr_ns.json")))
    assert triage.registries == ()
    assert all(c.registry != "billing" for c in triage.checks)


def test_a_registry_label_beside_an_image_on_another_registry_is_not_an_acr_name(triager):
    (triage,) = triager.triage_all(
        read_alertmanager(fixture("rt_dom_am_label_registry_harbor.json"))
    )
    assert triage.registries == () and triage.rejected == ()
    assert triage.checks == ()
    (triage,) = triager.triage_all(
        read_alertmanager(fixture("rt_dom_am_label_registry_dockerio.json"))
    )
    assert triage.registries == () and triage.rejected == () and triage.checks == ()


def test_a_registry_label_on_an_acr_image_or_without_images_still_names_it(triager):
    payload = fixture("rt_dom_am_label_registry_harbor.json")
    labels = payload["alerts"][0]["labels"]
    labels["registry"] = "contosoreg"
    labels["image"] = "contosoreg.azurecr.io/shop/api:1.4"
    (triage,) = triager.triage_all(read_alertmanager(payload))
    assert triage.registries == ("contosoreg",)
    del labels["image"]
    (triage,) = triager.triage_all(read_alertmanager(payload))
    assert triage.registries == ("contosoreg",)


def test_an_azure_custom_property_named_like_a_team_names_no_registry(triager):
    payload = fixture("azure_metric_storage.json")
    payload["data"]["customProperties"] = {"acrOwnerTeam": "platformteam"}
    (triage,) = triager.triage_all(read_azure_monitor(payload))
    assert triage.registries == ("contosoregistry",)


def test_the_other_registrys_host_and_url_hosts():
    # the bare value is the first label of a non-ACR image host, even beside an ACR image
    found = find_registries(
        ["pulling harbor.corp.local/shop/api and contosoreg.azurecr.io/shop/web:2.0"], ["harbor"]
    )
    assert found.registries == ("contosoreg",)
    # a runbook URL's host is not an image's registry
    runbook = "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubecontainerwaiting"
    assert find_registries([runbook], ["contosoreg"]).registries == ("contosoreg",)


# Review of red-team item 6: the whole-name rule allowed one qualifier and no url, fqdn,
# endpoint, target or source forms, so names exporters and pipelines really use were lost.
@pytest.mark.parametrize(
    "name",
    [
        "azure_container_registry",
        "AzureContainerRegistry",
        "acr_registry_name",
        "registry_url",
        "registry_hostname",
        "registry_fqdn",
        "target_registry",
        "source_registry",
        "acr_url",
        "registry_endpoint",
        "acr-login-server",
        "imageRegistryURL",
        "ACRName",
    ],
)
def test_registry_field_names_read_as_words(name):
    assert is_registry_field(name)


@pytest.mark.parametrize(
    "name",
    ["acr_login", "acr_resource", "registry_id_count", "registryMirrorUrl", "acr_owner_url"],
)
def test_a_registry_word_with_an_unknown_word_is_no_registry_field(name):
    assert not is_registry_field(name)


@pytest.mark.parametrize("label", ["target_registry", "registry_fqdn", "acr_url"])
def test_a_registry_label_with_a_qualifier_names_the_registry(triager, label):
    payload = fixture("rt_dom_am_label_registry_harbor.json")
    labels = payload["alerts"][0]["labels"]
    del labels["registry"], labels["image"]
    labels["alertname"] = "AcrPullErrors"
    labels[label] = "contosoreg"
    (triage,) = triager.triage_all(read_alertmanager(payload))
    assert triage.registries == ("contosoreg",)
    assert any(c.registry == "contosoreg" for c in triage.checks)
