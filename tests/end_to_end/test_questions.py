"""People asking acrbot in Slack: mentions, DMs and /acr, over real signed HTTP."""

from __future__ import annotations

import json

from tests.end_to_end.conftest import ALICE
from tests.fakes import slack_requests as sr

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"


def command(bot, text, user=ALICE, channel="C1", name="r1"):
    body = sr.slash_command(
        text, user_id=user, channel_id=channel, response_url=bot.slack.response_url(name)
    )
    reply = bot.post(body)
    assert reply.status_code == 200, reply.text
    return reply.json() if reply.content else {}


def button_value(message: dict, action_id: str) -> str:
    return next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def all_text(message: dict) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False) + message.get("text", "")


def test_mention_is_answered_in_a_thread(bot, slack):
    event = sr.app_mention(
        "<@UBOT> how do I get the admin password for our registry?", ts="1700000001.000100"
    )
    assert bot.post(sr.event_callback(event)).status_code == 200
    (call,) = slack.wait_for("chat.postMessage")
    assert call.params["channel"] == "C1"
    assert call.params["thread_ts"] == "1700000001.000100"
    assert "az acr credential show" in all_text(call.params)
    assert call.params["text"]  # plain-text fallback


def test_mention_inside_a_thread_stays_in_that_thread(bot, slack):
    event = sr.app_mention(
        "docker pull is slow", ts="1700000002.000200", thread_ts="1700000000.000001"
    )
    bot.post(sr.event_callback(event))
    (call,) = slack.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1700000000.000001"


def test_direct_message_is_answered_in_the_dm(bot, slack):
    bot.post(sr.event_callback(sr.message_im("镜像推送特别慢怎么办", channel="D42")))
    (call,) = slack.wait_for("chat.postMessage")
    assert call.params["channel"] == "D42"
    assert "Docker 推送速度缓慢" in all_text(call.params)
    assert "置信度" in all_text(call.params)  # acrbot's own words follow the question's language


def test_i_dont_know_is_honest_and_points_to_help(bot, slack):
    bot.post(sr.event_callback(sr.message_im("what's for lunch today?")))
    (call,) = slack.wait_for("chat.postMessage")
    text = all_text(call.params)
    assert "I don't know" in text
    assert "/acr help" in text


def test_acr_ask_is_ephemeral_with_a_share_button(bot, slack):
    reply = command(bot, "ask how do I get admin credentials for my registry")
    assert reply["response_type"] == "ephemeral"
    text = all_text(reply)
    assert "az acr credential show" in text
    assert "share_answer" in text and "feedback_up" in text and "feedback_down" in text


def test_a_bare_question_after_acr_is_ask(bot, slack):
    reply = command(bot, "how do I enable image quarantine")
    assert "image quarantine" in all_text(reply)  # the English edition for an English question


def test_help_and_unknown_words_get_the_help(bot, slack):
    for text in ("help", "", "frobnicate"):
        reply = command(bot, text)
        assert "/acr diagnose" in all_text(reply), text


def test_help_lists_only_what_works(bot, slack):
    assert "/acr triage" in all_text(command(bot, "help"))  # built in issue 9


def test_did_you_mean_button_shows_that_entry(bot, slack):
    reply = command(bot, "admin credentials")
    buttons = [
        e
        for b in reply["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("show_entry_")
    ]
    assert buttons
    target = buttons[0]
    body = sr.block_actions(
        target["action_id"], target["value"], user_id=ALICE, response_url=slack.response_url("s1")
    )
    assert bot.post(body).status_code == 200
    (call,) = slack.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral"
    assert json.loads(target["value"])["k"].split("#")[1] in all_text(call.params)


def test_feedback_is_recorded_and_summarised(bot, slack):
    reply = command(bot, "docker pull is slow")
    value = button_value(reply, "feedback_down")
    bot.post(
        sr.block_actions(
            "feedback_down", value, user_id="UFEED", response_url=slack.response_url("f1")
        )
    )
    slack.wait_for("response_url")
    lines = (bot.state / "feedback.jsonl").read_text().splitlines()
    record = json.loads(lines[-1])
    assert record["verdict"] == "down"
    assert record["user"] == "UFEED"
    assert record["entry"].endswith("#docker-pull-is-slow")
    assert record["query"] == "docker pull is slow"


def test_share_posts_in_channel_and_removes_the_private_copy(bot, slack):
    reply = command(bot, "ask content trust")
    value = button_value(reply, "share_answer")
    bot.post(
        sr.block_actions(
            "share_answer", value, user_id=ALICE, response_url=slack.response_url("sh")
        )
    )
    calls = slack.wait_for("response_url", count=2)
    shared, removed = calls[0].params, calls[1].params
    assert shared["response_type"] == "in_channel"
    assert "<@UALICE>" in all_text(shared)
    assert removed == {"delete_original": True} or removed.get("delete_original") is True


def test_bots_edits_and_deletions_are_not_answered(bot, slack):
    bot.post(
        sr.event_callback(sr.message_im("docker pull slow", bot_id="B999", subtype="bot_message"))
    )
    edited = sr.message_im("docker pull slow")
    edited["subtype"] = "message_changed"
    bot.post(sr.event_callback(edited))
    deleted = sr.message_im("")
    deleted["subtype"] = "message_deleted"
    bot.post(sr.event_callback(deleted))
    bot.post(sr.event_callback({**sr.app_mention("docker pull slow"), "bot_id": "B999"}))
    bot.post(sr.event_callback(sr.message_im("sentinel: docker push slow", channel="D77")))
    (call,) = slack.wait_for("chat.postMessage")
    assert call.params["channel"] == "D77"
    assert len(slack.calls("chat.postMessage")) == 1


def test_a_retried_event_is_answered_once(bot, slack):
    body = sr.event_callback(sr.app_mention("docker push is slow"), event_id="EvRETRY0001")
    assert bot.post(body).status_code == 200
    retry = bot.post(
        body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status_code == 200
    slack.wait_for("chat.postMessage")
    bot.post(sr.event_callback(sr.message_im("sentinel after retry", channel="D88")))
    slack.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "D88")
    assert len([c for c in slack.calls("chat.postMessage") if c.params["channel"] == "C1"]) == 1


def test_channel_chatter_without_a_mention_is_ignored(bot, slack):
    chatter = {**sr.message_im("docker pull is slow", channel="C5"), "channel_type": "channel"}
    bot.post(sr.event_callback(chatter))
    bot.post(sr.event_callback(sr.message_im("sentinel", channel="D99")))
    slack.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "D99")
    assert not [c for c in slack.calls("chat.postMessage") if c.params["channel"] == "C5"]


def test_rate_limited_post_is_retried(bot, slack):
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    bot.post(sr.event_callback(sr.message_im("docker pull is slow", channel="D55")))
    (call,) = slack.wait_for("chat.postMessage", timeout=10)
    assert call.params["channel"] == "D55"
    assert slack.failures and slack.failures[0].status == 429


def test_server_error_post_is_retried(bot, slack):
    slack.fail_next("chat.postMessage", status=503)
    bot.post(sr.event_callback(sr.message_im("docker pull is slow", channel="D56")))
    (call,) = slack.wait_for("chat.postMessage", timeout=10)
    assert call.params["channel"] == "D56"


def test_no_message_breaks_block_kit_limits(bot, slack):
    for question in (
        "how do I grant AcrPull to a service principal",
        "http traces on windows",
        "x " * 3000,
    ):
        bot.post(sr.event_callback(sr.message_im(question)))
    slack.wait_for("chat.postMessage", count=3)
    assert slack.rejections == []


def test_a_did_you_mean_click_is_a_phrasing_candidate(bot, slack):
    """Issue 11: the click is recorded (query, chosen entry, language) for --phrasings."""
    reply = command(bot, "how do I get admin credentials")
    value = button_value(reply, "show_entry_0")
    bot.post(
        sr.block_actions(
            "show_entry_0", value, user_id="UPICK", response_url=slack.response_url("p")
        )
    )
    slack.wait_for("response_url")
    records = [json.loads(line) for line in (bot.state / "feedback.jsonl").read_text().splitlines()]
    picked = [r for r in records if r["verdict"] == "picked" and r["user"] == "UPICK"]
    assert picked and picked[-1]["query"] == "how do I get admin credentials"
    assert picked[-1]["language"] == "en"
    assert picked[-1]["entry"] == json.loads(value)["k"]
