"""Finding a registry: config, resource ID, or an ARM search with paging."""

from __future__ import annotations

import pytest

from bot.diagnostics.registry_location import AmbiguousRegistry, RegistryNotFound
from tests.diagnostics.conftest import ALICE, OPS_CHANNEL, TOKEN, audit_lines, base_config
from tests.fakes.azure_api import OTHER_SUBSCRIPTION, SUBSCRIPTION, FakeAzure, FakeRegistry


def many(target: str = "needle", **extra) -> list[FakeRegistry]:
    others = [FakeRegistry(f"filler{i:02d}", resource_group=f"rg{i}") for i in range(7)]
    return [*others, FakeRegistry(target, resource_group="rg-found", **extra)]


def test_search_follows_next_link_pages(make_service) -> None:
    with FakeAzure(many(), token=TOKEN, page_size=3) as fake:
        pending = make_service(fake).request(ALICE, OPS_CHANNEL, "Needle.azurecr.io", "info")
        assert len(fake.calls("list")) == 3
        assert all(c.query.get("api-version") for c in fake.calls("list"))
    assert (pending.registry, pending.resource_group) == ("needle", "rg-found")
    assert pending.subscription == SUBSCRIPTION
    assert "resource group rg-found" in pending.description


def test_not_found_is_a_clear_refusal(make_service) -> None:
    with FakeAzure(many(), token=TOKEN) as fake:
        service = make_service(fake)
        with pytest.raises(RegistryNotFound, match="No registry called ghostreg"):
            service.request(ALICE, OPS_CHANNEL, "ghostreg", "info")
    assert audit_lines(service)[-1]["outcome"] == "not-found"


def test_ambiguous_name_lists_the_places(make_service) -> None:
    twins = [
        FakeRegistry("twinreg", resource_group="rg-a"),
        FakeRegistry("twinreg", subscription=OTHER_SUBSCRIPTION, resource_group="rg-b"),
    ]
    with FakeAzure(twins, token=TOKEN) as fake:
        config = base_config(fake)
        config["azure"]["subscriptions"] = [SUBSCRIPTION, OTHER_SUBSCRIPTION]
        service = make_service(fake, config)
        with pytest.raises(AmbiguousRegistry, match="resource ID") as caught:
            service.request(ALICE, OPS_CHANNEL, "twinreg", "info")
    assert "rg-a" in str(caught.value) and "rg-b" in str(caught.value)
    assert audit_lines(service)[-1]["outcome"] == "ambiguous"


def test_unreadable_subscription_is_mentioned(make_service) -> None:
    with FakeAzure(many(), token=TOKEN, list_errors={OTHER_SUBSCRIPTION: 403}) as fake:
        config = base_config(fake)
        config["azure"]["subscriptions"] = [SUBSCRIPTION, OTHER_SUBSCRIPTION]
        with pytest.raises(RegistryNotFound, match=r"could not be searched.*AuthorizationFailed"):
            make_service(fake, config).request(ALICE, OPS_CHANNEL, "ghostreg", "info")
        # ...but a registry in the readable subscription is still found
        make_service(fake, config).request(ALICE, OPS_CHANNEL, "needle", "info")


def test_declared_and_resource_id_registries_need_no_search(make_service) -> None:
    with FakeAzure(many(), token=TOKEN) as fake:
        config = base_config(fake)
        config["azure"]["registries"] = [
            {"name": "needle", "subscription": SUBSCRIPTION, "resource_group": "rg-found"}
        ]
        service = make_service(fake, config)
        assert service.request(ALICE, OPS_CHANNEL, "needle", "info").resource_group == "rg-found"
        resource_id = FakeRegistry("filler03", resource_group="rg3").resource_id
        assert service.request(ALICE, OPS_CHANNEL, resource_id, "info").resource_group == "rg3"
        assert fake.calls() == []


def test_no_subscriptions_and_not_declared(make_service) -> None:
    with FakeAzure(many(), token=TOKEN) as fake:
        config = base_config(fake)
        config["azure"]["subscriptions"] = []
        with pytest.raises(RegistryNotFound, match=r"azure\.subscriptions"):
            make_service(fake, config).request(ALICE, OPS_CHANNEL, "needle", "info")


def test_login_server_of_another_cloud_is_refused(make_service) -> None:
    with FakeAzure(many(), token=TOKEN) as fake:
        with pytest.raises(RegistryNotFound, match="china cloud"):
            make_service(fake).request(ALICE, OPS_CHANNEL, "needle.azurecr.cn", "info")
        assert fake.calls() == []
