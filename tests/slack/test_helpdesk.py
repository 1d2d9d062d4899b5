"""Issue 15 through the real Bolt app: help channels, follow-ups, the ask reaction, hand-offs.

Signed events and clicks against the fake Slack. Silence is proved by a
positive signal (a metric or counter the listener moves when it decides to
stay silent, or a later answer), never by sleeping.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.slack.executors import pools_of
from bot.slack.handoff_reminders import send_due_reminders
from bot.slack.help_blocks import HANDOFF_REQUEST, HANDOFF_RESOLVE, SHARE_IN_THREAD_ACTION
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import BOT_ID, FakeSlack
from tests.slack.helpdesk_bot import (
    ALERTS,
    ASKER,
    HELP,
    HELPER,
    OTHER,
    PLATFORM,
    PRIVATE,
    STRANGER,
    HelpdeskBot,
    buttons,
    counter,
    posts,
    start_helpdesk_bot,
    wait_until,
)

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"
PULL_AUTH = (
    "docker-push-succeeds-but-docker-pull-fails-with-error-unauthorized-authentication-required"
)


@pytest.fixture(scope="module")
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        slack.usergroups[PLATFORM] = [HELPER]
        yield slack


@pytest.fixture(scope="module")
def module_bot(tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack) -> HelpdeskBot:
    return start_helpdesk_bot(tmp_path_factory.mktemp("helpdesk"), fake_slack)


@pytest.fixture
def bot(module_bot: HelpdeskBot) -> HelpdeskBot:
    module_bot.slack.reset()
    return module_bot


def ask(bot: HelpdeskBot, text: str, channel: str = HELP, user: str = ASKER) -> dict:
    event = sr.message_channel(text, user=user, channel=channel)
    bot.slack.add_message(channel, event)
    bot.event(event)
    return event


def text_of(message: dict) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False) + message.get("text", "")


def answered_entry(message: dict) -> str | None:
    value = buttons(message).get("feedback_up", {}).get("value")
    return json.loads(value)["k"].split("#")[-1] if value else None


# --------------------------------------------------------------------------- help channels


def test_a_question_is_answered_in_its_thread_once(bot: HelpdeskBot) -> None:
    event = sr.message_channel(
        "how do I get the admin password for my registry?", user=ASKER, channel=HELP
    )
    bot.slack.add_message(HELP, event)
    event_id = bot.event(event)
    (answer,) = wait_until(lambda: posts(bot.slack, HELP))
    assert answer["thread_ts"] == event["ts"]
    assert "az acr credential show" in text_of(answer)
    assert buttons(answer)[HANDOFF_REQUEST]["text"]["text"] == "Still need help?"
    before = counter("help_channel", "already-answered")
    bot.event(event, event_id=event_id, headers={"X-Slack-Retry-Num": "1"})  # Slack's retry
    bot.event(event)  # the same message under another event id (another replica's delivery)
    wait_until(lambda: counter("help_channel", "already-answered") > before)
    assert len(posts(bot.slack, HELP)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "good morning everyone 👋",
        "thanks, that fixed it!",
        "does anyone know if the cafeteria is open?",
    ],
)
def test_chatter_and_off_topic_get_silence(bot: HelpdeskBot, text: str) -> None:
    before = silences()
    ask(bot, text)
    wait_until(lambda: silences() > before)
    assert posts(bot.slack, HELP) == []


def silences() -> float:
    reasons = ("not-a-question", "low-confidence", "close-second", "nothing-found")
    return sum(counter("help_channel", reason) for reason in reasons)


def test_off_topic_questions_are_recorded_as_unanswered(bot: HelpdeskBot) -> None:
    event = ask(bot, "how do I set up an Azure Front Door custom domain?")
    record = wait_until(
        lambda: [r for r in bot.services.unanswered.recent(50) if r["ts"] == event["ts"]]
    )
    assert record[0]["surface"] == "help_channel" and record[0]["channel"] == HELP
    assert posts(bot.slack, HELP) == []


def test_bots_edits_replies_and_mentions_are_not_read(bot: HelpdeskBot) -> None:
    question = "how do I get the admin password for my registry?"
    ignored = [
        sr.message_channel(question, channel=HELP, subtype="bot_message", bot_id="BOTHER"),
        sr.message_channel(question, channel=HELP, user=ASKER, subtype="message_changed"),
        sr.message_channel(question, channel=HELP, user=ASKER, thread_ts="1700000000.000001"),
        sr.message_channel(f"<@UBOT> {question}", channel=HELP, user=ASKER),
        sr.message_channel(question, channel=OTHER, user=ASKER),
        sr.message_channel(question, channel=HELP, user="UBOT", bot_id=BOT_ID),
    ]
    for event in ignored:
        bot.event(event)
    ask(bot, question)  # the positive signal: a real question after them is answered
    wait_until(lambda: posts(bot.slack, HELP))
    assert len(posts(bot.slack, HELP)) == 1
    assert not posts(bot.slack, OTHER)


def test_private_mode_answers_only_the_asker_and_shares_in_thread(bot: HelpdeskBot) -> None:
    event = ask(bot, "how do I get the admin password for my registry?", channel=PRIVATE)
    (call,) = wait_until(lambda: bot.slack.calls("chat.postEphemeral"))
    assert call.params["user"] == ASKER and call.params["channel"] == PRIVATE
    share = buttons(call.params)[SHARE_IN_THREAD_ACTION]
    assert share["text"]["text"] == "Share in thread"
    assert posts(bot.slack, PRIVATE) == []
    message = {"type": "message", "ts": "1700000000.000999", "text": "ephemeral"}
    name = bot.click(
        SHARE_IN_THREAD_ACTION, share["value"], user=ASKER, channel=PRIVATE, message=message
    )
    (shared,) = wait_until(lambda: posts(bot.slack, PRIVATE))
    assert shared["thread_ts"] == event["ts"] and "az acr credential show" in text_of(shared)
    deleted = bot.slack.wait_for("response_url", lambda c: c.name == name)
    assert deleted[0].params.get("delete_original") is True
    # A second click (its own trigger_id) before the ephemeral went: no second copy.
    again = bot.click(
        SHARE_IN_THREAD_ACTION, share["value"], user=ASKER, channel=PRIVATE, message=message
    )
    bot.slack.wait_for("response_url", lambda c: c.name == again)
    assert posts(bot.slack, PRIVATE) == [shared]


def test_a_share_that_failed_can_be_retried(bot: HelpdeskBot) -> None:
    event = ask(bot, "how do I get the admin password for my registry?", channel=PRIVATE)
    (call,) = wait_until(lambda: bot.slack.calls("chat.postEphemeral"))
    share = buttons(call.params)[SHARE_IN_THREAD_ACTION]
    message = {"type": "message", "ts": "1700000000.000998", "text": "ephemeral"}
    bot.slack.fail_next("chat.postMessage", status=400)
    failed = bot.click(
        SHARE_IN_THREAD_ACTION, share["value"], user=ASKER, channel=PRIVATE, message=message
    )
    bot.slack.wait_for("response_url", lambda c: c.name == failed)  # "try again" said
    assert posts(bot.slack, PRIVATE) == []
    bot.click(SHARE_IN_THREAD_ACTION, share["value"], user=ASKER, channel=PRIVATE, message=message)
    (shared,) = wait_until(lambda: posts(bot.slack, PRIVATE))
    assert shared["thread_ts"] == event["ts"]


# --------------------------------------------------------------------------- follow-ups


def test_a_followup_is_read_with_the_question_and_the_window_closes(bot: HelpdeskBot) -> None:
    question = ask(bot, "how do I get the admin credentials for my registry?")
    wait_until(lambda: posts(bot.slack, HELP))
    followup = sr.message_channel(
        "and in a Resource Manager template?", user=ASKER, channel=HELP, thread_ts=question["ts"]
    )
    bot.event(followup)
    replies = wait_until(lambda: posts(bot.slack, HELP)[1:])
    reply = replies[0]
    assert reply["thread_ts"] == question["ts"]
    assert answered_entry(reply) == "how-do-i-get-admin-credentials-in-a-resource-manager-template"
    assert "Reading this as" in text_of(reply)
    # Someone else's reply is not a follow-up; the asker's second one still is (max_count 2).
    bot.event(
        sr.message_channel("what about ARM?", user=STRANGER, channel=HELP, thread_ts=question["ts"])
    )
    bot.event(
        sr.message_channel(
            "and for a Premium registry?", user=ASKER, channel=HELP, thread_ts=question["ts"]
        )
    )
    wait_until(lambda: len(posts(bot.slack, HELP)) >= 3)
    # The third follow-up is past max_count: acrbot has stopped listening.
    key = f"help:followups:{HELP}:{question['ts']}"
    bot.event(
        sr.message_channel(
            "and what about China?", user=ASKER, channel=HELP, thread_ts=question["ts"]
        )
    )
    wait_until(lambda: bot.services.store.count(key) >= 3)
    assert bot.services.threads.recall(HELP, question["ts"]) is None
    assert len(posts(bot.slack, HELP)) == 3


def test_a_mention_under_another_bots_alert_reads_the_parent(bot: HelpdeskBot) -> None:
    alert = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "BMONITOR",
        "ts": sr.new_ts(),
        "text": "",
        "attachments": [
            {
                "title": "ImagePullBackOff in prod",
                "text": "docker pull contosoregistry.azurecr.io/web:2.1 failed: "
                "unauthorized: authentication required (push from CI works)",
            }
        ],
    }
    bot.slack.add_message(OTHER, alert)
    mention = sr.app_mention(
        "<@UBOT> what does this mean?", user=ASKER, channel=OTHER, thread_ts=alert["ts"]
    )
    bot.event(mention)
    (reply,) = wait_until(lambda: posts(bot.slack, OTHER))
    assert reply["thread_ts"] == alert["ts"]
    assert answered_entry(reply) == PULL_AUTH
    assert "Reading this as" in text_of(reply)
    (replies_call,) = bot.slack.calls("conversations.replies")
    assert replies_call.params["ts"] == alert["ts"]


def test_a_reply_under_a_triaged_alert_is_read_with_the_alert(bot: HelpdeskBot) -> None:
    alert = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "BMONITOR",
        "channel": ALERTS,
        "ts": sr.new_ts(),
        "text": "KubePodNotReady: Failed to pull image contosoregistry.azurecr.io/api:7 "
        "unauthorized: authentication required",
    }
    bot.event(alert)
    (triage,) = wait_until(lambda: posts(bot.slack, ALERTS))
    assert triage["thread_ts"] == alert["ts"]
    reply = sr.message_channel(
        "how do I fix it?", user=HELPER, channel=ALERTS, thread_ts=alert["ts"]
    )
    bot.event(reply)
    answer = wait_until(lambda: posts(bot.slack, ALERTS)[1:])[0]
    assert answer["thread_ts"] == alert["ts"] and answered_entry(answer) == PULL_AUTH
    assert "Reading this as" in text_of(answer)


# --------------------------------------------------------------------------- ask with an emoji


def test_three_reactions_answer_the_message_once(bot: HelpdeskBot) -> None:
    message = sr.message_channel("our docker pull from ACR is slow", user=ASKER, channel=OTHER)
    bot.slack.add_message(OTHER, message)
    repeated = counter("ask_reactions", "repeated")
    first = sr.reaction_added("question", user="U1", channel=OTHER, ts=message["ts"])
    event_id = bot.event(first)
    bot.event(first, event_id=event_id, headers={"X-Slack-Retry-Num": "1"})  # dropped by id
    for user in ("U2", "U3"):
        bot.event(sr.reaction_added("question", user=user, channel=OTHER, ts=message["ts"]))
    (reply,) = wait_until(lambda: posts(bot.slack, OTHER))
    assert reply["thread_ts"] == message["ts"] and answered_entry(reply) == "docker-pull-is-slow"
    wait_until(lambda: counter("ask_reactions", "repeated") >= repeated + 2)
    assert len(posts(bot.slack, OTHER)) == 1


def test_an_unknown_question_after_a_reaction_is_told_privately(bot: HelpdeskBot) -> None:
    message = sr.message_channel(
        "what's the best pizza place near the office?", user=ASKER, channel=OTHER
    )
    bot.slack.add_message(OTHER, message)
    bot.event(sr.reaction_added("question", user=HELPER, channel=OTHER, ts=message["ts"]))
    (told,) = wait_until(lambda: bot.slack.calls("chat.postEphemeral"))
    assert told.params["user"] == HELPER and ":question:" in told.params["text"]
    assert posts(bot.slack, OTHER) == []


def test_a_reaction_on_a_message_acrbot_cannot_read_says_so_and_may_ask_again(
    bot: HelpdeskBot,
) -> None:
    """The claim was kept for 30 days: nobody could ask about that message again, unanswered."""
    message = sr.message_channel("our docker pull from ACR is slow", user=ASKER, channel=OTHER)
    bot.event(sr.reaction_added("question", user=HELPER, channel=OTHER, ts=message["ts"]))
    (told,) = wait_until(lambda: bot.slack.calls("chat.postEphemeral"))
    assert told.params["user"] == HELPER and "can't read any words" in told.params["text"]
    bot.event(sr.reaction_added("question", user=HELPER, channel=OTHER, ts=message["ts"]))
    assert pools_of(bot.app).wait_for_answers(10)
    assert len(bot.slack.calls("chat.postEphemeral")) == 1  # told once, however often
    bot.slack.add_message(OTHER, message)  # readable now (acrbot was added to the channel)
    bot.event(sr.reaction_added("question", user=STRANGER, channel=OTHER, ts=message["ts"]))
    (reply,) = wait_until(lambda: posts(bot.slack, OTHER))
    assert reply["thread_ts"] == message["ts"] and answered_entry(reply) == "docker-pull-is-slow"


def test_a_reaction_on_an_answered_help_channel_question_adds_nothing(bot: HelpdeskBot) -> None:
    question = ask(bot, "how do I get the admin password for my registry?")
    wait_until(lambda: posts(bot.slack, HELP))
    before = counter("ask_reactions", "already-answered")
    bot.event(sr.reaction_added("question", user="U1", channel=HELP, ts=question["ts"]))
    wait_until(lambda: counter("ask_reactions", "already-answered") > before)
    assert len(posts(bot.slack, HELP)) == 1


def test_other_reactions_are_not_questions(bot: HelpdeskBot) -> None:
    message = sr.message_channel(
        "how do I get admin credentials for ACR?", user=ASKER, channel=OTHER
    )
    bot.slack.add_message(OTHER, message)
    bot.event(sr.reaction_added("thumbsup", user="U1", channel=OTHER, ts=message["ts"]))
    bot.event(sr.reaction_added("question", user="U1", channel=OTHER, ts=message["ts"]))
    (reply,) = wait_until(lambda: posts(bot.slack, OTHER))
    assert reply["thread_ts"] == message["ts"]


def test_a_mention_then_its_question_reaction_answer_once(bot: HelpdeskBot) -> None:
    mention = sr.app_mention("how do I get the admin password for my registry?", channel=OTHER)
    bot.slack.add_message(OTHER, mention)
    bot.event(mention)
    (answer,) = wait_until(lambda: posts(bot.slack, OTHER))
    before = counter("ask_reactions", "already-answered")
    bot.event(sr.reaction_added("question", user=HELPER, channel=OTHER, ts=mention["ts"]))
    wait_until(lambda: counter("ask_reactions", "already-answered") > before)
    bot.event(mention)  # the same message under another event id
    assert posts(bot.slack, OTHER) == [answer]


def test_an_edited_mention_is_asked_again_and_a_reaction_on_a_thread_answer_adds_nothing(
    bot: HelpdeskBot,
) -> None:
    mention = sr.app_mention("hlep plz", channel=OTHER)
    bot.slack.add_message(OTHER, mention)
    bot.event(mention)
    wait_until(lambda: posts(bot.slack, OTHER))
    edited = {**mention, "text": f"{mention['text']} how do I get the admin password for my registry?",
              "edited": {"user": "U1", "ts": "1796420999.000001"}}  # fmt: skip
    bot.event(edited)  # Slack sends the mention again when it is edited
    (_, again) = wait_until(lambda: posts(bot.slack, OTHER)[1:] and posts(bot.slack, OTHER))
    assert answered_entry(again) == ADMIN
    reply = sr.app_mention("docker pull is slow", channel=OTHER, thread_ts=mention["ts"])
    bot.slack.add_message(OTHER, reply)
    bot.event(reply)
    wait_until(lambda: len(posts(bot.slack, OTHER)) >= 3)
    before = counter("ask_reactions", "already-answered")
    bot.event(sr.reaction_added("question", user=HELPER, channel=OTHER, ts=reply["ts"]))
    wait_until(lambda: counter("ask_reactions", "already-answered") > before)
    assert len(posts(bot.slack, OTHER)) == 3


def test_a_followup_or_dm_delivered_twice_is_answered_once(bot: HelpdeskBot) -> None:
    """Each delivery of a follow-up used one of the thread's follow-ups and posted again."""
    pools = pools_of(bot.app)
    assert pools is not None
    question = ask(bot, "how do I get the admin credentials for my registry?")
    wait_until(lambda: posts(bot.slack, HELP))
    again = sr.message_channel(
        "and in a Resource Manager template?", user=ASKER, channel=HELP, thread_ts=question["ts"]
    )
    bot.event(again)
    bot.event(again)  # another event id: a second replica's delivery
    dm = sr.message_im("docker pull is slow", user=ASKER, channel="DTWICE")
    bot.event(dm)
    bot.event(dm)
    assert pools.wait_for_answers(10)  # every delivery handled, answered or dropped
    assert len(posts(bot.slack, HELP)) == 2 and len(posts(bot.slack, "DTWICE")) == 1
    last = sr.message_channel(
        "and for a Premium registry?", user=ASKER, channel=HELP, thread_ts=question["ts"]
    )
    bot.event(last)  # the asker's second follow-up of max_count 2: not used up by the repeat
    (answer,) = wait_until(lambda: posts(bot.slack, HELP)[2:])
    assert "Premium" in text_of(answer)


# --------------------------------------------------------------------------- hand-offs


def test_handoff_posted_reminded_once_and_resolved(bot: HelpdeskBot, tmp_path: Path) -> None:
    question = ask(bot, "how do I get the admin password for my registry?")
    (answer,) = wait_until(lambda: posts(bot.slack, HELP))
    answer_message = {**answer, "ts": "1700000001.000100", "type": "message"}
    offer = buttons(answer)[HANDOFF_REQUEST]
    bot.click(HANDOFF_REQUEST, offer["value"], user=ASKER, channel=HELP, message=answer_message)
    handoff_post = wait_until(lambda: posts(bot.slack, HELP)[1:])[0]
    assert (
        f"<!subteam^{PLATFORM}>" in handoff_post["text"]
        and handoff_post["thread_ts"] == question["ts"]
    )
    wait_until(lambda: bot.slack.calls("reactions.add"))
    assert bot.slack.reactions[(HELP, question["ts"])] == {"eyes"}
    (handoff,) = [
        h for h in bot.services.handoffs.list(open_only=True) if h.question_ts == question["ts"]
    ]
    assert handoff.asker == ASKER and handoff.usergroup == PLATFORM
    # A second click does not open a second hand-off.
    bot.click(HANDOFF_REQUEST, offer["value"], user=ASKER, channel=HELP, message=answer_message)
    wait_until(lambda: bot.slack.calls("response_url"))
    assert len(posts(bot.slack, HELP)) == 2
    # One reminder after remind_after_minutes, however often the loop runs.
    later = handoff.opened_at + 16 * 60
    assert send_due_reminders(bot.services, bot.app.client, now=later) == 1
    assert send_due_reminders(bot.services, bot.app.client, now=later + 600) == 0
    reminder = posts(bot.slack, HELP)[2]
    assert "Reminder" in reminder["text"] and reminder["thread_ts"] == question["ts"]
    # A stranger may not resolve it; the platform group may.
    resolve = buttons(handoff_post)[HANDOFF_RESOLVE]
    assert resolve["text"]["text"] == "Resolved"
    posted = {**handoff_post, "ts": "1700000001.000200", "type": "message"}
    refused = bot.click(
        HANDOFF_RESOLVE, resolve["value"], user=STRANGER, channel=HELP, message=posted
    )
    bot.slack.wait_for("response_url", lambda c: c.name == refused)
    assert bot.services.handoffs.get(handoff.id).is_open
    done = bot.click(HANDOFF_RESOLVE, resolve["value"], user=HELPER, channel=HELP, message=posted)
    (resolved,) = bot.slack.wait_for("response_url", lambda c: c.name == done)
    assert resolved.params["replace_original"] is True and "Resolved by" in resolved.params["text"]
    wait_until(lambda: bot.slack.reactions[(HELP, question["ts"])] == {"white_check_mark"})
    assert not bot.services.handoffs.get(handoff.id).is_open


def test_handoffs_command_lists_them(
    bot: HelpdeskBot, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.services.handoffs.open(
        channel=HELP,
        thread="1.1",
        question_ts="1.1",
        asker=ASKER,
        requested_by=ASKER,
        question="why is my pull slow",
        usergroup=PLATFORM,
    )
    config = bot.services.settings.source
    monkeypatch.setenv("ACRBOT_STATE_DIR", str(bot.services.settings.state_dir))
    assert main(["--config", str(config), "handoffs", "--open", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(r["question"] == "why is my pull slow" and r["state"] == "open" for r in rows)
    assert main(["--config", str(config), "handoffs"]) == 0
    assert "why is my pull slow" in capsys.readouterr().out


def test_the_open_count_is_a_metric(bot: HelpdeskBot) -> None:
    from bot import metrics

    bot.services.handoffs.open(
        channel=HELP,
        thread="9.9",
        question_ts="9.9",
        asker=ASKER,
        requested_by=ASKER,
        question="q",
        usergroup=PLATFORM,
    )
    send_due_reminders(bot.services, bot.app.client, now=0)
    gauge = metrics.get().handoffs_open._value.get()
    assert gauge == bot.services.handoffs.open_count() >= 1


def test_a_replayed_handoff_click_acts_once(bot: HelpdeskBot) -> None:
    question = ask(bot, "how do I get the admin password for my registry?")
    (answer,) = wait_until(lambda: posts(bot.slack, HELP))
    message = {**answer, "ts": "1700000002.000100", "type": "message"}
    body = sr.block_actions(
        HANDOFF_REQUEST,
        buttons(answer)[HANDOFF_REQUEST]["value"],
        response_url=bot.slack.response_url("replayed"),
        user_id=ASKER,
        channel_id=HELP,
        message_ts=message["ts"],
        message=message,
    )
    assert bot.dispatch(body).status == 200
    assert bot.dispatch(body).status == 200  # the same signed payload again
    wait_until(lambda: len(posts(bot.slack, HELP)) == 2)
    wait_until(lambda: bot.slack.calls("reactions.add"))
    later = ask(bot, "how do I enable TLS 1.2 only on my registry?")
    wait_until(lambda: len(posts(bot.slack, HELP)) == 3)  # positive signal: the next answer
    assert [c for c in bot.slack.calls("response_url") if c.name == "replayed"] == []
    opened = [h for h in bot.services.handoffs.list() if h.question_ts == question["ts"]]
    assert len(opened) == 1 and posts(bot.slack, HELP)[2]["thread_ts"] == later["ts"]
