"""From alert to triage, with the real bundled FAQ behind the search."""

from __future__ import annotations

from bot.triage import FaqLink, Triager, read_alertmanager, read_any, read_azure_monitor
from bot.triage.readers import read_message, read_text
from tests.triage.conftest import fixture


def test_storage_metric_alert_offers_usage_and_the_quota_faq(triager):
    (triage,) = triager.triage_all(read_azure_monitor(fixture("azure_metric_storage.json")))
    assert triage.registries == ("contosoregistry",)
    assert triage.summary.startswith(
        "StorageUsed 93 GiB (threshold: above 90 GiB; average over 1 h)"
    )
    assert [(c.check, c.registry) for c in triage.checks] == [("usage", "contosoregistry")]
    assert triage.faq and all(f.score >= 0.4 for f in triage.faq)
    assert any("quota" in f.id for f in triage.faq)


def test_failed_logins_log_alert_finds_the_registry_in_the_dimension(triager):
    (triage,) = triager.triage_all(read_azure_monitor(fixture("azure_log_failed_logins.json")))
    assert triage.registries == ("contosoregistry",)
    assert "auth" in triage.signals
    assert [c.check for c in triage.checks] == ["check-health"]
    assert "57" in triage.summary and "above 20" in triage.summary


def test_activity_log_with_nulls_still_names_the_registry(triager):
    (triage,) = triager.triage_all(read_azure_monitor(fixture("azure_activity_nulls.json")))
    assert triage.registries == ("contosoregistry",)
    assert triage.to_json()["rule"] is None and triage.to_json()["severity"] is None


def test_image_pull_401_offers_pull_and_check_health_with_the_repository(triager):
    first, second = triager.triage_all(read_alertmanager(fixture("alertmanager_imagepull.json")))
    assert [(c.check, c.registry, c.repository, c.image) for c in first.checks] == [
        ("pull", "contosoregistry", None, "shop/checkout-api:1.42.0"),
        ("check-health", "contosoregistry", "shop/checkout-api", None),
    ]
    assert "401 Unauthorized" in first.summary
    # issue 14: the AKS token error is the troubleshooting entry, never Red Hat's signature check
    assert first.faq[0].id == "anonymous-token-401-unauthorized"
    assert all("docker-push-succeeds" not in f.id for f in first.faq)
    # a timeout points at the network: check-health and info beside pull
    assert [c.check for c in second.checks] == ["pull", "check-health", "info"]


def test_a_vm_alert_is_not_about_a_registry(triager):
    (triage,) = triager.triage_all(read_azure_monitor(fixture("azure_metric_vm_cpu.json")))
    assert not triage.about_registry
    assert triage.checks == () and triage.faq == ()
    assert triage.summary.endswith("not about a registry: no check to offer")
    assert "93.4%" in triage.summary


def test_firewall_denial_in_an_attachment_offers_pull_health_and_info(triager):
    triage = triager.triage(read_message(fixture("slack_bot_message.json")))
    assert triage.about_registry
    assert [c.check for c in triage.checks] == ["pull", "check-health", "info"]
    # a pull denied for the client IP: the troubleshooting entry on that error text
    assert (
        triage.faq and triage.faq[0].id == "403-forbidden-or-client-with-ip-is-not-allowed-access"
    )


def test_invalid_registry_names_are_shown_but_never_checked(triager):
    triage = triager.triage(read_text("pull from my-reg.azurecr.io timed out"))
    assert triage.registries == () and triage.checks == ()
    assert triage.rejected == ("my-reg.azurecr.io",)
    assert triage.about_registry


def test_unrelated_text_is_not_recognised(triager):
    triage = triager.triage(read_text("lunch is at noon"))
    assert not triage.recognised and not triage.about_registry


def test_a_generic_error_without_acr_is_not_about_a_registry(triager):
    triage = triager.triage(read_text("payments-api: 401 Unauthorized from upstream"))
    assert not triage.about_registry and triage.checks == ()


def test_faq_comes_from_the_injected_search_and_respects_the_minimum():
    queries = []

    def search(query: str, limit: int):
        queries.append((query, limit))
        return [FaqLink("a", "A", score=0.9), FaqLink("b", "B", score=0.1)]

    triage = Triager(search, min_score=0.5).triage(read_text("myreg.azurecr.io: quota exceeded"))
    assert [f.id for f in triage.faq] == ["a"]
    assert queries and "quota" in queries[0][0] and queries[0][1] == 3


def test_a_failing_search_loses_only_the_faq():
    def search(query: str, limit: int):
        raise RuntimeError("boom")

    triage = Triager(search).triage(read_text("myreg.azurecr.io: quota exceeded"))
    assert triage.faq == () and [c.check for c in triage.checks] == ["usage"]


def test_summary_in_chinese():
    (alert,) = read_azure_monitor(fixture("azure_metric_storage.json"))
    triage = Triager(language="zh").triage(alert)
    assert "阈值" in triage.summary and "93 GiB" in triage.summary


def test_json_shape_is_the_contract(triager):
    (triage,) = triager.triage_all(read_any('{"receiver":"x","version":"4","alerts":[{}]}'))
    assert set(triage.to_json()) == {
        "source",
        "state",
        "severity",
        "rule",
        "summary",
        "registries",
        "faq",
        "checks",
    }
