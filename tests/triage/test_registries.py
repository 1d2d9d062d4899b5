"""Registries from login servers, resource IDs and known fields, through the diagnostics' rules."""

from __future__ import annotations

import pytest

from bot.triage.registries import find_registries


@pytest.mark.parametrize(
    "text",
    [
        "pull from contosoregistry.azurecr.io failed",
        "https://contosoregistry.azurecr.io/v2/ timed out",
        "contosoregistry.azurecr.io:443/v2/team/app/manifests/1.0",
        "CONTOSOREGISTRY.AZURECR.IO",
        "contosoregistry.azurecr.cn/app:1",
        "contosoregistry.azurecr.us",
        "contosoregistry.westeurope.data.azurecr.io",
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/Prod-RG/providers/"
        "Microsoft.ContainerRegistry/registries/ContosoRegistry",
        "/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG/PROVIDERS/"
        "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/CONTOSOREGISTRY/replications/westus",
    ],
)
def test_every_way_of_naming_a_registry(text):
    assert find_registries([text]).registries == ("contosoregistry",)


def test_image_references_carry_the_repository():
    found = find_registries(['Failed to pull image "contosoregistry.azurecr.io/shop/api:1.2"'])
    assert found.repositories == (("contosoregistry", "shop/api"),)
    found = find_registries(["GET https://contosoregistry.azurecr.io/v2/shop/api/manifests/1.2"])
    assert found.repositories == (("contosoregistry", "shop/api"),)
    assert find_registries(["https://contosoregistry.azurecr.io/v2/"]).repositories == ()
    assert find_registries(["contosoregistry.azurecr.io/oauth2/token"]).repositories == ()


def test_invalid_names_are_defanged_and_not_returned():
    found = find_registries(["pull from my-reg.azurecr.io and <!channel>x.azurecr.io"])
    assert found.registries == ()
    assert "my-reg.azurecr.io" in found.rejected
    assert all("<" not in r and "!" not in r for r in found.rejected)


def test_bare_names_only_from_known_fields():
    assert find_registries(["the contosoregistry is down"]).registries == ()
    assert find_registries([], ["contosoregistry"]).registries == ("contosoregistry",)
    assert find_registries([], ["bad name!"]).rejected == ("bad?name?",)


def test_first_mention_first_and_no_repeats():
    found = find_registries(["b2222.azurecr.io a1111.azurecr.io b2222.azurecr.io"])
    assert found.registries == ("b2222", "a1111")
