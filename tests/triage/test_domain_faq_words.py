"""The FAQ is searched with the alert's own words first (red-team item 9).

A signal's ``search_words`` phrase what such problems usually are; searched
beside the alert's error line they outweighed it: "no such host" got the
Client.Timeout entry first, an ImagePullBackOff alert with no annotations and
a SuccessfulPullCount metric got "unauthorized: authentication required",
and "Please review my pull request #401" got the 401 entry.
"""

from __future__ import annotations

from bot.faq_links import FaqLink
from bot.triage import Triager, read_alertmanager, read_any, read_azure_monitor
from tests.triage.conftest import FIXTURES, fixture

UNAUTHORIZED = (
    "docker-push-succeeds-but-docker-pull-fails-with-error-unauthorized-authentication-required"
)


def test_no_such_host_gets_its_own_entry_first(triager):
    text = (FIXTURES / "rt_dom_t_kubectl_describe.txt").read_text(encoding="utf-8")
    (triage,) = triager.triage_all(read_any(text))
    assert triage.faq and triage.faq[0].id == "dial-tcp-i-o-timeout-or-no-such-host"


def test_an_image_pull_back_off_alert_without_annotations_gets_the_find_the_cause_entry(triager):
    (triage,) = triager.triage_all(read_alertmanager(fixture("rt_dom_am_noannotations.json")))
    assert [f.id for f in triage.faq][:1] == ["imagepullbackoff-or-errimagepull-find-the-cause"]
    assert UNAUTHORIZED not in [f.id for f in triage.faq]


def test_a_pull_count_metric_is_not_a_failed_pull(triager):
    payload = fixture("rt_dom_az_metric_dynamic_multi.json")
    (triage,) = triager.triage_all(read_azure_monitor(payload))
    assert all("unauthorized" not in f.id and "401" not in f.id for f in triage.faq)


def test_a_pull_request_number_is_neither_a_pull_nor_a_401(triager):
    text = (FIXTURES / "rt_dom_t_pr.txt").read_text(encoding="utf-8")
    (triage,) = triager.triage_all(read_any(text))
    assert not {"auth", "pull"} & set(triage.signals)
    assert triage.faq == ()


def test_the_signals_phrasing_is_searched_only_when_the_alerts_words_find_nothing():
    queries: list[str] = []

    def search(query: str, limit: int) -> list[FaqLink]:
        queries.append(query)
        return [FaqLink("found", "Found", score=0.9)] if len(queries) == 2 else []

    error = 'Failed to pull image "contosoreg.azurecr.io/shop/api:1.4": 401 Unauthorized'
    triage = Triager(search).triage(read_any(error)[0])
    assert [f.id for f in triage.faq] == ["found"]
    first, second = queries
    assert "authentication required" not in first and "401 Unauthorized" in first
    assert "authentication required" in second and "401 Unauthorized" in second
    queries.clear()
    Triager(lambda q, n: queries.append(q) or [FaqLink("a", "A", score=0.9)]).triage(
        read_any(error)[0]
    )
    assert len(queries) == 1  # the alert's words found an entry: no second search
