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


def test_data_endpoints_name_the_registry_in_both_scanners():
    from bot.diagnostics.registry_name import registries_in

    text = "pull from myreg1.eastus.data.azurecr.io timed out"
    assert registries_in(text) == ["myreg1"]
    assert find_registries([text]).registries == ("myreg1",)


@pytest.mark.parametrize(
    "text",
    [
        "contoso\u200bregistry.azurecr.io",
        "contos\u043eregistry.azurecr.io",
    ],  # zero-width, Cyrillic о
)
def test_invisible_and_look_alike_characters_never_name_a_truncated_registry(text):
    from bot.diagnostics.registry_name import registries_in

    assert "registry" not in registries_in(text)
    assert "registry" not in find_registries([text]).registries


def test_zero_width_characters_are_removed_before_scanning():
    from bot.diagnostics.registry_name import registries_in

    text = "contoso\u200bregistry.azurecr.io"
    assert registries_in(text) == ["contosoregistry"]
    assert find_registries([text]).registries == ("contosoregistry",)


def test_many_names_in_one_message_are_scanned_once_and_capped():
    from bot.diagnostics.registry_name import MAX_REGISTRIES_PER_MESSAGE, registries_in

    thirty_k = " ".join(f"reg{i:05d}.azurecr.io" for i in range(30_000))
    assert len(registries_in(thirty_k)) == MAX_REGISTRIES_PER_MESSAGE
    fragments = [f"reg{i:05d}.azurecr.io/app:1 bad-{i}.azurecr.io" for i in range(30_000)]
    found = find_registries(fragments)
    assert len(found.registries) == MAX_REGISTRIES_PER_MESSAGE
    assert len(found.rejected) <= MAX_REGISTRIES_PER_MESSAGE
    assert len(found.repositories) <= MAX_REGISTRIES_PER_MESSAGE
    fifty_k = " ".join(f"reg{i:05d}.azurecr.io" for i in range(50_000))
    assert registries_in(fifty_k, limit=10**6)[-1] == "reg49999"
