"""`/acr diagnose` and `/acr usage` end to end: request, Confirm, progress, report, audit.

Slack, Azure and the user group lookup are the local fakes; the app is the
real one under gunicorn, reached with signed requests.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.diagnostics.confirmation import ConfirmationClaims, ConfirmationSigner, derive_secret
from tests.end_to_end.conftest import ALICE, AZURE_TOKEN, BOB, MALLORY, SIGNING_SECRET
from tests.fakes import slack_requests as sr
from tests.fakes.azure_api import SUBSCRIPTION

CHANNEL = "CDIAG"


def request(bot, slack, text, user=ALICE, name="req"):
    body = sr.slash_command(
        text, user_id=user, channel_id=CHANNEL, response_url=slack.response_url(name)
    )
    reply = bot.post(body)
    assert reply.status_code == 200
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == name)
    return call.params


def button(message, action_id):
    return next(
        e
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def click(bot, slack, action_id, value, user=ALICE, name="click", channel=CHANNEL):
    body = sr.block_actions(
        action_id, value, user_id=user, channel_id=channel, response_url=slack.response_url(name)
    )
    assert bot.post(body).status_code == 200


def final(slack, name, timeout=10):
    """The last replace_original update on a response URL once the report has arrived."""
    calls = slack.wait_for(
        "response_url",
        predicate=lambda c: c.name == name and "header" in json.dumps(c.params),
        timeout=timeout,
    )
    return calls[-1].params


def text_of(message) -> str:
    return json.dumps(message, ensure_ascii=False)


def audit(bot) -> list[dict]:
    path = bot.state / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_confirmed_health_check_reports_every_step(bot, slack):
    confirmation = request(bot, slack, "diagnose healthyreg")
    assert confirmation["response_type"] == "ephemeral"
    confirm = button(confirmation, "diag_confirm")
    assert confirm["confirm"]["title"]["text"]  # Slack's own "are you sure" dialog
    assert "healthyreg" in text_of(confirmation) and SUBSCRIPTION in text_of(confirmation)
    before = len(bot.azure.calls())
    click(bot, slack, "diag_confirm", confirm["value"], name="run1")
    report = final(slack, "run1")
    text = text_of(report)
    assert "check-health" in text and "healthyreg" in text
    assert "❌" not in text
    assert "DNS" in text
    assert len(slack.calls("response_url")) >= 3  # progress updates before the report
    methods = {(c.method, c.route) for c in bot.azure.calls()[before:]}
    assert all(m == "GET" or r in ("exchange", "token") for m, r in methods)
    mine = [
        r for r in audit(bot) if r.get("registry") == "healthyreg" and r.get("requester") == ALICE
    ]
    assert [r["outcome"] for r in mine[-3:]] == ["pending", "confirmed", "ok"]
    last = mine[-1]
    assert last["event"] == "result" and last["outcome"] == "ok" and last["confirmer"] == ALICE
    assert {
        "time",
        "requester",
        "confirmer",
        "channel",
        "registry",
        "check",
        "outcome",
        "duration_ms",
    } <= set(last)


def test_firewall_failure_explains_and_links_the_faq(bot, slack):
    confirmation = request(bot, slack, "diagnose walledreg.azurecr.io")
    click(bot, slack, "diag_confirm", button(confirmation, "diag_confirm")["value"], name="run2")
    text = text_of(final(slack, "run2"))
    assert "CONNECTIVITY_FORBIDDEN_ERROR" in text
    # The troubleshooting entry written for exactly this error (denied: client with IP …)
    assert "403 Forbidden, or client with IP is not allowed access" in text
    assert "seen from acrbot" in text  # the network caveat


def test_usage_near_the_limit_links_the_quota_entries(bot, slack):
    confirmation = request(bot, slack, "usage https://fullreg.azurecr.io/v2/")
    click(bot, slack, "diag_confirm", button(confirmation, "diag_confirm")["value"], name="run3")
    text = text_of(final(slack, "run3"))
    assert "STORAGE_NEAR_LIMIT" in text
    assert "quota" in text


def test_an_unlisted_requester_is_refused_and_audited(bot, slack):
    before = len(bot.azure.calls())
    refusal = request(bot, slack, "diagnose healthyreg", user=MALLORY, name="mal")
    assert "diag_confirm" not in text_of(refusal)
    assert "not" in refusal["text"].lower()
    assert len(bot.azure.calls()) == before
    assert audit(bot)[-1]["event"] == "refusal" and audit(bot)[-1]["requester"] == MALLORY


def test_a_user_group_grants_only_what_its_rule_says(bot, slack):
    assert "diag_confirm" in text_of(request(bot, slack, "usage healthyreg", user=BOB, name="bob1"))
    assert "diag_confirm" not in text_of(
        request(bot, slack, "diagnose healthyreg", user=BOB, name="bob2")
    )


def test_an_unauthorised_confirmer_runs_nothing(bot, slack):
    value = button(request(bot, slack, "diagnose healthyreg"), "diag_confirm")["value"]
    before = len(bot.azure.calls())
    click(bot, slack, "diag_confirm", value, user=MALLORY, name="malclick")
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == "malclick")
    assert call.params["replace_original"] is False
    assert len(bot.azure.calls()) == before
    assert audit(bot)[-1]["confirmer"] == MALLORY and audit(bot)[-1]["event"] == "refusal"


def test_a_double_click_runs_once(bot, slack):
    value = button(request(bot, slack, "diagnose healthyreg"), "diag_confirm")["value"]
    clicks = [
        threading.Thread(
            target=click, args=(bot, slack, "diag_confirm", value), kwargs={"name": f"dbl{i}"}
        )
        for i in range(2)
    ]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    # Both clicks are answered for good: one refused, one with its report (the signal that
    # nothing else is coming: two clicks, two final answers).
    (refused,) = slack.wait_for(
        "response_url",
        predicate=lambda c: c.name.startswith("dbl") and "at most once" in c.params.get("text", ""),
        timeout=10,
    )
    reports = slack.wait_for(
        "response_url",
        predicate=lambda c: c.name.startswith("dbl") and "header" in json.dumps(c.params),
        timeout=10,
    )
    assert len({c.name for c in reports}) == 1
    assert refused.name not in {c.name for c in reports}


def test_a_replayed_confirmation_is_refused(bot, slack):
    value = button(request(bot, slack, "usage healthyreg"), "diag_confirm")["value"]
    click(bot, slack, "diag_confirm", value, name="first")
    final(slack, "first")
    click(bot, slack, "diag_confirm", value, name="again")
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == "again")
    assert "at most once" in call.params["text"]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda v: v[:-2] + ("AA" if not v.endswith("AA") else "BB"),
        lambda v: v.replace(v.split(".")[1][:8], "eyJyZWci"),
        lambda v: "",
        lambda v: "v1.e30.AAAA",
    ],
)
def test_tampered_button_values_run_nothing(bot, slack, mutate):
    value = button(request(bot, slack, "usage healthyreg"), "diag_confirm")["value"]
    before = len(bot.azure.calls())
    click(bot, slack, "diag_confirm", mutate(value), name="tamper")
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == "tamper")
    assert "nothing was run" in text_of(call.params)
    assert len(bot.azure.calls()) == before


def test_a_confirmation_from_another_channel_is_refused(bot, slack):
    value = button(request(bot, slack, "usage healthyreg"), "diag_confirm")["value"]
    click(bot, slack, "diag_confirm", value, name="elsewhere", channel="COTHER")
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == "elsewhere")
    assert "nothing was run" in text_of(call.params)


def test_an_expired_confirmation_is_refused(bot, slack):
    signer = ConfirmationSigner(derive_secret(SIGNING_SECRET), 600)
    old = signer.issue(
        ConfirmationClaims(
            ALICE,
            CHANNEL,
            "healthyreg",
            "usage",
            SUBSCRIPTION,
            "rg-acr",
            "public",
            "oldrequest1",
            int(time.time()) - 11 * 60,
        )
    )
    click(bot, slack, "diag_confirm", old, name="old")
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == "old")
    assert "10 minutes old" in text_of(call.params)
    assert audit(bot)[-1]["outcome"] == "expired"


def test_cancel_withdraws_the_request(bot, slack):
    confirmation = request(bot, slack, "diagnose healthyreg")
    click(bot, slack, "diag_cancel", button(confirmation, "diag_cancel")["value"], name="cancel")
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == "cancel")
    assert "Cancelled" in call.params["text"]
    click(bot, slack, "diag_confirm", button(confirmation, "diag_confirm")["value"], name="late")
    (late,) = slack.wait_for("response_url", predicate=lambda c: c.name == "late")
    assert "at most once" in late.params["text"]


@pytest.mark.parametrize(
    "name", ["myreg; rm -rf /", "../../x", "<!channel>", "a" * 10_000, "my_reg!"]
)
def test_injection_like_registry_names_are_refused_safely(bot, slack, name):
    refusal = request(bot, slack, f"diagnose {name}", name="inject")
    text = text_of(refusal)
    assert "diag_confirm" not in text
    assert "<!channel>" not in text
    assert len(text) < 5000
    assert audit(bot)[-1]["event"] == "refusal"


def test_help_says_who_may_run_what(bot, slack):
    for user, expected in ((ALICE, "You may run"), (MALLORY, "cannot run diagnostics")):
        body = sr.slash_command(
            "help", user_id=user, channel_id=CHANNEL, response_url=slack.response_url("h")
        )
        assert expected in bot.post(body).text


def test_the_azure_token_never_reaches_slack(bot, slack):
    confirmation = request(bot, slack, "diagnose healthyreg")
    click(bot, slack, "diag_confirm", button(confirmation, "diag_confirm")["value"], name="leak")
    final(slack, "leak")
    for call in slack.calls():
        assert AZURE_TOKEN not in json.dumps(call.params)
        assert "fake-refresh" not in json.dumps(call.params)


def test_a_question_naming_a_registry_offers_a_confirmed_check(bot, slack):
    error = "docker pull healthyreg.azurecr.io/app:1 fails: net/http: request canceled while waiting for connection"
    body = sr.slash_command(
        error, user_id=ALICE, channel_id=CHANNEL, response_url=slack.response_url("q")
    )
    answer = bot.post(body).json()
    offer = button(answer, "diag_request_0")
    assert "healthyreg" in offer["text"]["text"]
    before = len(bot.azure.calls())
    click(bot, slack, "diag_request_0", offer["value"], name="offer")
    (confirmation,) = slack.wait_for("response_url", predicate=lambda c: c.name == "offer")
    # before Confirm acrbot only finds the registry (an ARM list); no check step has run
    assert {c.route for c in bot.azure.calls()[before:]} <= {"list"}
    click(
        bot,
        slack,
        "diag_confirm",
        button(confirmation.params, "diag_confirm")["value"],
        name="offer-run",
    )
    assert "check-health" in text_of(final(slack, "offer-run"))


def test_an_offered_check_still_obeys_the_access_rules(bot, slack):
    value = json.dumps({"r": "healthyreg", "c": "check-health"})
    click(bot, slack, "diag_request_0", value, user=MALLORY, name="offer-mal")
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == "offer-mal")
    assert "diag_confirm" not in text_of(call.params)


def test_a_command_from_a_channel_named_payload_reaches_its_diagnostic(bot, slack):
    """The lazy listener gets the payload that was checked, not a second parser's reading
    (Bolt's own reads any form with "payload" in it as an empty body)."""
    body = sr.slash_command(
        "diagnose healthyreg",
        user_id=ALICE,
        channel_id=CHANNEL,
        channel_name="payload-team",
        response_url=slack.response_url("payload-name"),
    )
    assert bot.post(body).status_code == 200
    (call,) = slack.wait_for("response_url", predicate=lambda c: c.name == "payload-name")
    assert button(call.params, "diag_confirm")["value"]
