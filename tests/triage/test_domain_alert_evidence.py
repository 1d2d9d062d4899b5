"""ACR's words alone make no alert: chat in a watched channel is not triaged.

Red-team item 11: "Heads up: ACR team standup moved to 3pm" got a FIRED
reply, and a VM CPU alert on a VM named ``acr-build-agent-01`` said "No
registry named" instead of "not about a registry". A message that names no
registry needs alert evidence (an error, a failure, an alert's header or
state) before ACR's words make it an ACR alert, and the name of the resource
an alert is on is not such a word. The watched-channel listener answers only
``about_registry`` triages of unsolicited text, so these tests drive the
triager as it does (``unsolicited=True``); text pasted to ``/acr triage`` is
asked about, and tests/triage/test_domain_asked.py has what it gets.
"""

from __future__ import annotations

import pytest

from bot.triage import read_azure_monitor
from bot.triage.readers import read_message
from tests.triage.conftest import fixture


def message(text: str) -> dict:
    return {"type": "message", "channel": "C0ALERTS", "user": "U1", "text": text, "ts": "1.1"}


@pytest.mark.parametrize(
    "text",
    [
        "Heads up: ACR team standup moved to 3pm",
        "who owns the acr-sync namespace?",
        "Reminder: the container registry brown-bag is tomorrow, bring questions",
        "does anyone have the az acr cheat sheet handy?",
    ],
)
def test_chat_that_names_acr_is_not_an_alert(triager, text):
    triage = triager.triage(read_message(message(text)), unsolicited=True)
    assert not triage.about_registry
    assert triage.checks == ()


@pytest.mark.parametrize(
    "text",
    [
        "ACR pulls failing since 09:10 with 403 from the build agents",
        "[FIRING:1] AcrPullErrors (critical) container registry pull errors above threshold",
        "az acr login fails: unauthorized: authentication required",
        "Sev2: ACR replication in westeurope is degraded",
        "ACR 接口调用失败，请排查",
    ],
)
def test_an_error_or_an_alert_that_names_acr_still_is(triager, text):
    assert triager.triage(read_message(message(text)), unsolicited=True).about_registry


def test_a_vm_named_like_acr_is_a_vm(triager):
    (triage,) = triager.triage_all(read_azure_monitor(fixture("rt_dom_az_vm_cpu_acrname.json")))
    assert not triage.about_registry and triage.checks == ()
    assert triage.summary.endswith("not about a registry: no check to offer")
    # the same VM alert on a registry-named rule is still read as the VM's
    payload = fixture("rt_dom_az_vm_cpu_acrname.json")
    payload["data"]["essentials"]["description"] = "CPU high on acr-build-agent-01"
    (triage,) = triager.triage_all(read_azure_monitor(payload))
    assert not triage.about_registry


def test_an_alert_whose_images_are_all_elsewhere_is_not_marked_acr_by_a_namespace(triager):
    from bot.triage import read_alertmanager

    # namespace acr-system, image on harbor.corp.local: not an ACR alert
    (triage,) = triager.triage_all(read_alertmanager(fixture("rt_dom_am_label_acr_ns.json")))
    assert not triage.about_registry


def test_chat_that_names_a_registry_is_not_an_alert_either(triager):
    chat = (
        "FYI our PR to bump the helm chart is merged, pulls from contosoreg.azurecr.io "
        "should be faster now"
    )
    triage = triager.triage(read_message(message(chat)), unsolicited=True)
    assert not triage.about_registry and triage.checks == ()


def test_an_alert_pasted_with_its_threshold_is_still_one(triager):
    pasted = "contosoreg.azurecr.io StorageUsed 95 GiB, above the threshold of 90 GiB"
    triage = triager.triage(read_message(message(pasted)), unsolicited=True)
    assert triage.about_registry
    assert [(c.check, c.registry) for c in triage.checks] == [("usage", "contosoreg")]
