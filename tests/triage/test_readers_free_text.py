"""Pasted text and other integrations' messages: the alert's state is the state the text states.

"resolved" inside an error ("… resolved to 20.62.128.5", "could not be resolved") says
nothing about the alert; a status tag, a status field, the portal email's headline or a
headline word does.
"""

from __future__ import annotations

import copy

import pytest

from bot.triage import State
from bot.triage.readers import read_message, read_text
from tests.triage.conftest import FIXTURES, fixture


def _text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name", ["rt_t_resolved_word.txt", "rt_t_dns_windows.txt", "rt_t_portal_email.txt"]
)
def test_a_firing_error_that_says_resolved_is_fired(name):
    assert read_text(_text(name)).state == State.FIRED


def test_the_portal_email_of_a_resolved_alert_is_resolved():
    assert read_text(_text("rt_t_portal_email_resolved.txt")).state == State.RESOLVED


def test_a_grafana_group_with_alerts_still_firing_is_fired():
    assert read_text(_text("rt_t_grafana_resolved_mixed.txt")).state == State.FIRED


@pytest.mark.parametrize(
    "stated",
    [
        "[RESOLVED] KubePodImagePullBackOff (checkout aks-prod)",
        ":white_check_mark: [RESOLVED] KubePodImagePullBackOff",
        "✅ KubePodImagePullBackOff on contosoreg.azurecr.io",
        "RESOLVED: Container Registry - East US - Degraded pulls",
        "*Status:* resolved\n*Alert:* KubePodImagePullBackOff",
        "Alert: acr-pull-403\nMonitor condition: Resolved",
        "[Recovered] [prod] deploy of checkout failed",
        "Your Azure Monitor alert 'acr-pull-403' was resolved for 'contosoreg'",
    ],
)
def test_a_stated_resolution_is_resolved(stated):
    body = stated + '\nFailed to pull image "contosoreg.azurecr.io/shop/api:1.4": 401 Unauthorized'
    assert read_text(body).state == State.RESOLVED


@pytest.mark.parametrize(
    "said",
    [
        "nslookup: contosoreg.azurecr.io resolved to 20.62.128.5",
        "The remote name could not be resolved: 'contosoreg.azurecr.io'",
        "dial tcp: lookup contosoreg.azurecr.io: no such host (was resolved before the change)",
        "the 401 we saw yesterday is resolved, now it is a 403",
        "[FIRING:1, RESOLVED:1] ACR pull errors",
        "[FIRING:2] ACR pull errors\nStatus: resolved",  # the first status said wins
        "Status: firing\n✅ fixed the typo in the runbook",
        "[WARNING] image pull: registry name resolved to a private IP",
    ],
)
def test_resolved_said_of_something_else_is_fired(said):
    body = said + '\nFailed to pull image "contosoreg.azurecr.io/shop/api:1.4": 403 Forbidden'
    assert read_text(body).state == State.FIRED


def test_an_integrations_recovery_message_is_resolved():
    message = copy.deepcopy(fixture("slack_bot_message.json"))
    attachment = message["attachments"][0]
    attachment["fallback"] = "Recovered: [prod] deploy of checkout failed"
    attachment["title"] = "[Recovered] [prod] deploy of checkout failed"
    assert read_message(message).state == State.RESOLVED
    assert read_message(fixture("slack_bot_message.json")).state == State.FIRED


def test_a_status_far_down_a_long_paste_is_not_looked_for():
    body = "x\n" * 5000 + "[RESOLVED] KubePodImagePullBackOff"
    assert read_text(body).state == State.FIRED


def test_hostile_text_around_a_stated_status_is_neutralised(triager):
    from tests.triage.test_injection import EVIL, _assert_no_live, _everything

    for body in (f"[RESOLVED] {EVIL}", f"Status: resolved {EVIL}", f"{EVIL}\nStatus: {EVIL}"):
        triage = triager.triage(read_text(body + "\nFailed to pull image: 401 Unauthorized"))
        _assert_no_live(triage, *_everything(triage))


# -- resolved as real formats say it, with no ':' after the word --------------------------


@pytest.mark.parametrize(
    "name",
    [
        "rt_t_am_default_email_resolved.txt",  # Alertmanager's default email: "[1] Resolved"
        "rt_t_grafana_default_resolved.txt",  # Grafana's default body: "**Resolved**"
        "rt_t_portal_email_table_resolved.txt",  # the portal email's table, no headline
    ],
)
def test_a_resolved_notice_without_a_colon_is_resolved(name):
    assert read_text(_text(name)).state == State.RESOLVED


@pytest.mark.parametrize(
    "said",
    [
        "Alert resolved: AcrPullErrors contosoreg.azurecr.io failed to pull 401",
        "Alert closed: AcrPullErrors contosoreg.azurecr.io pull 401",
    ],
)
def test_an_alert_resolved_headline_is_resolved(said):
    assert read_text(said).state == State.RESOLVED


def test_an_alertmanager_email_with_alerts_still_firing_is_fired():
    assert read_text(_text("rt_t_am_default_email_mixed.txt")).state == State.FIRED


@pytest.mark.parametrize(
    "said",
    [
        "Firing\nfailed to pull contosoreg.azurecr.io/shop/api:1.4",
        "Monitor condition\tFired\nfailed to pull contosoreg.azurecr.io/shop/api:1.4",
        "Alert fired: AcrPullErrors contosoreg.azurecr.io",
        "nslookup contosoreg.azurecr.io\nName resolved: 20.62.128.5\npull failed 401",
        "Error response from daemon: Get https://contosoreg.azurecr.io/v2/: dial tcp: lookup"
        " contosoreg.azurecr.io: could not be resolved",
    ],
)
def test_a_line_saying_fired_or_an_error_saying_resolved_is_fired(said):
    assert read_text(said).state == State.FIRED
