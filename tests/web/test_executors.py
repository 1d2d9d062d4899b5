"""Starved workers (issue 8 item 2): answers never wait behind diagnostics or a slow Slack call.

End to end against the fake Slack, which can hold calls unanswered
(``hang_next``) or fail them (``fail_next``).
"""

from __future__ import annotations

import json

from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import ALICE

COULD_NOT_POST = "couldn't post the answer"


def dm(served, text: str, channel: str, user: str) -> None:
    assert served.post(
        sr.event_callback(sr.message_im(text, channel=channel, user=user))
    ).is_success


def answered(slack, channel: str):
    return slack.wait_for("chat.postMessage", lambda c: c.params["channel"] == channel)


def test_a_dm_is_answered_while_five_answers_hang_in_slack(served, slack):
    slack.hang_next("chat.postMessage", times=5)
    for n in range(5):
        dm(served, "docker pull is slow", f"DHUNG{n}", f"UHUNG{n}")
    slack.wait_until_hanging(5)
    dm(served, "how do I get the admin password", "DFREE", "UFREE")
    answered(slack, "DFREE")
    # Answered before any of the five gave up on Slack (each then posts an ephemeral apology).
    assert slack.calls("chat.postEphemeral") == []
    slack.release()  # Slack recovers: the five are delivered on their retry
    slack.wait_for("chat.postMessage", lambda c: c.params["channel"].startswith("DHUNG"), count=5)


def test_a_dm_is_answered_while_diagnostics_buttons_hang_on_response_url(served, slack):
    slack.hang_next("response_url", times=5)
    value = json.dumps({"r": "healthyreg", "c": "check-health"})
    for n in range(5):
        click = sr.block_actions(
            "diag_request_0", value, user_id=ALICE, response_url=slack.response_url(f"h{n}")
        )
        assert served.post(click).is_success
    slack.wait_until_hanging(5)
    dm(served, "firewall rules not taking effect", "DFREE2", "UFREE2")
    answered(slack, "DFREE2")
    slack.release()
    slack.wait_for("response_url", count=5)


def test_slack_failing_three_times_ends_in_an_ephemeral_apology_and_a_log_line(served, slack):
    slack.fail_next("chat.postMessage", status=500, times=3)
    dm(served, "docker pull is slow", "DFAIL", "UFAIL")
    (apology,) = slack.wait_for("chat.postEphemeral", lambda c: c.params["channel"] == "DFAIL")
    assert apology.params["user"] == "UFAIL"
    assert COULD_NOT_POST in apology.params["text"]
    assert len(slack.failures) == 3
    assert "reply not delivered (answer_direct_message, user UFAIL, channel DFAIL)" in (
        served.log.read_text()
    )


def test_a_long_retry_after_is_not_waited_for(served, slack):
    slack.fail_next("chat.postMessage", status=429, retry_after=30)
    dm(served, "docker pull is slow", "DLIMIT", "ULIMIT")
    (apology,) = slack.wait_for("chat.postEphemeral", lambda c: c.params["channel"] == "DLIMIT")
    assert COULD_NOT_POST in apology.params["text"]
    assert not [c for c in slack.calls("chat.postMessage") if c.params["channel"] == "DLIMIT"]


def test_a_short_retry_after_is_retried(served, slack):
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    dm(served, "docker pull is slow", "DSHORT", "USHORT")
    answered(slack, "DSHORT")
    assert slack.calls("chat.postEphemeral") == []


def test_a_failed_response_url_reply_is_apologised_for_in_the_channel(served, slack):
    slack.fail_next("response_url", status=500, times=3)
    click = sr.block_actions(
        "feedback_up", "{}", user_id="UFB", channel_id="CFB", response_url=slack.response_url()
    )
    assert served.post(click).is_success
    (apology,) = slack.wait_for("chat.postEphemeral", lambda c: c.params["channel"] == "CFB")
    assert apology.params["user"] == "UFB"
    assert COULD_NOT_POST in apology.params["text"]
    assert slack.response_url() not in served.log.read_text()  # a capability: never logged
