"""usage and info against the fake Azure."""

from __future__ import annotations

import json

import pytest

from bot.diagnostics.checks.usage import human_bytes
from bot.diagnostics.report import Status
from tests.diagnostics.conftest import ServiceFactory, assert_no_secret, base_config
from tests.diagnostics.test_check_health import run, statuses, step, with_registry
from tests.fakes.azure_api import GIB, SUBSCRIPTION, FakeAzure


def test_usage_reports_storage_in_human_units(fake: FakeAzure, make_service) -> None:
    report = run(make_service(fake), check="usage")
    assert report.ok and set(statuses(report).values()) == {"ok"}
    assert report.facts["Storage"] == "12 GiB of 500 GiB (2.4%)"
    assert report.facts["Webhooks"] == "2 of 500 (0.4%)"
    size = next(u for u in report.data["usages"] if u["name"] == "Size")
    assert size == {
        "name": "Size",
        "current": 12 * GIB,
        "limit": 500 * GIB,
        "unit": "Bytes",
        "percent": 2.4,
    }
    assert [c.method for c in fake.calls("usages")] == ["GET"]


def test_storage_near_the_maximum_warns_and_links_quota_faq(make_service, faq) -> None:
    with with_registry(storage_used=450 * GIB, max_storage=500 * GIB) as fake:
        report = run(make_service(fake), check="usage")
    storage = step(report, "storage")
    assert storage.status == Status.WARNING and storage.code == "STORAGE_NEAR_LIMIT"
    assert "450 GiB of the 500 GiB maximum (90%)" in storage.detail
    assert report.ok  # a warning is not a failure
    assert any("quota" in q for q in faq.queries) and report.faq_links


def test_storage_full_only_against_the_maximum(make_service: ServiceFactory) -> None:
    with with_registry(storage_used=40 * 1024 * GIB, max_storage=40 * 1024 * GIB) as fake:
        report = run(make_service(fake), check="usage")
    assert step(report, "storage").code == "STORAGE_FULL" and not report.ok
    assert report.facts["Maximum storage"] == "40 TiB of 40 TiB (100%)"


@pytest.mark.parametrize("used", [450, 500, 900])
def test_included_storage_is_not_a_limit(make_service: ServiceFactory, used: int) -> None:
    """Issue 8.10: Size's limit is included storage; past it is overage, never 'full'."""
    with with_registry(storage_used=used * GIB, max_storage=40 * 1024 * GIB) as fake:
        report = run(make_service(fake), check="usage")
    storage = step(report, "storage")
    assert report.ok and storage.code != "STORAGE_FULL"
    if used >= 500:
        assert storage.status == Status.WARNING and storage.code == "STORAGE_ABOVE_INCLUDED"
        assert "above included storage (billed as overage)" in storage.explanation
    else:
        assert storage.status == Status.OK  # 90% of included storage is nothing to warn about


def test_no_limit_is_shown_as_such(make_service: ServiceFactory) -> None:
    """Issue 8.11: Azure reports an unlimited counter as -1."""
    with with_registry(webhooks_used=1, webhooks_limit=-1) as fake:
        report = run(make_service(fake), check="usage")
    assert report.facts["Webhooks"] == "1 (no limit)"
    assert "-1" not in json.dumps(report.facts)


def test_classic_sku_has_no_usage(make_service: ServiceFactory) -> None:
    with with_registry(sku="Classic") as fake:
        report = run(make_service(fake), check="usage")
        assert fake.calls("usages") == []
    usages = step(report, "usages")
    assert usages.code == "CLASSIC_SKU_NO_USAGE" and "Upgrade" in usages.advice
    assert step(report, "storage").status == Status.SKIPPED


def test_arm_forbidden_on_usage(make_service, faq) -> None:
    with with_registry(arm_forbidden=True) as fake:
        report = run(make_service(fake), check="usage")
    registry = step(report, "registry")
    assert registry.code == "ARM_AUTHORIZATION_FAILED" and "Reader" in registry.advice
    assert "AuthorizationFailed" in registry.detail
    assert step(report, "usages").status == Status.SKIPPED
    assert any("permissions" in q for q in faq.queries)


def test_malformed_usage_answer(make_service: ServiceFactory) -> None:
    with with_registry(malformed_json=frozenset({"usages"})) as fake:
        report = run(make_service(fake), check="usage")
    assert step(report, "usages").code == "MALFORMED_RESPONSE"


def test_registry_not_found_in_arm(make_service: ServiceFactory) -> None:
    with with_registry() as fake:
        config = base_config(fake)
        config["azure"]["registries"] = [
            {"name": "myreg", "subscription": SUBSCRIPTION, "resource_group": "wrong-rg"}
        ]
        report = run(make_service(fake, config), check="info")
    registry = step(report, "registry")
    assert registry.code == "REGISTRY_NOT_FOUND" and "ResourceNotFound" in registry.detail


def test_info_lists_whitelisted_settings_only(make_service: ServiceFactory) -> None:
    with with_registry(
        cmk="match", admin_user_enabled=True, default_action="Deny", ip_rules=3
    ) as fake:
        report = run(make_service(fake), check="info")
    facts = report.facts
    assert facts["SKU"] == "Premium" and facts["Login server"] == "myreg.azurecr.io"
    assert facts["Network rules"].startswith("default action Deny, 3 IP rule(s)")
    assert facts["Retention policy"] == "enabled (7 days)"
    assert facts["Encryption"] == "enabled (customer-managed key)"
    assert facts["Zone redundancy"] == "Enabled" and facts["Admin user"] == "enabled"
    admin = step(report, "settings")
    assert admin.status == Status.WARNING and admin.code == "ADMIN_USER_ENABLED"
    text = json.dumps(report.to_dict())
    assert "keyIdentifier" not in text and "SECRET-KEY-VERSION" not in text
    assert "vault.example" not in text and "clientId" not in text
    assert_no_secret(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0 bytes"), (1023, "1023 bytes"), (1024, "1 KiB"), (1536, "1.5 KiB"), (5 * GIB, "5 GiB")],
)
def test_human_bytes(value: int, text: str) -> None:
    assert human_bytes(value) == text
