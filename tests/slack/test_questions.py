"""From Slack's markup to the question (bot/slack/questions.py)."""

from __future__ import annotations

import pytest

from bot.knowledge.editions import view_of
from bot.slack.i18n import HELP, MESSAGES
from bot.slack.questions import MAX_QUESTION, clean, empty_question, reply_message

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"


@pytest.mark.parametrize(
    ("slack_text", "question"),
    [
        ("<@U123> how do I log in?", "how do I log in?"),
        ("<@U123|alice> how do I log in?", "how do I log in?"),
        ("<@W0ENTERPRISE> hi", "hi"),
        ("hey <@UBOT>, quota?", "hey , quota?"),
        ("see <https://example.com/x|the docs> please", "see the docs please"),
        ("see <https://example.com/x> please", "see https://example.com/x please"),
        ("<http://example.com/a?b=1&amp;c=2>", "http://example.com/a?b=1&c=2"),
        ("mail <mailto:ops@example.com|ops@example.com>", "mail ops@example.com"),
        ("<mailto:ops@example.com>", "mailto:ops@example.com"),
        ("ask in <#C123|general>", "ask in #general"),
        ("ask in <#G42ABC|private-ops>", "ask in #private-ops"),
        ("<!here> registry down?", "registry down?"),
        ("<!channel> <!everyone> x", "x"),
        ("<!subteam^S123|@ops> ping", "ping"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("literally &amp;lt;", "literally &lt;"),  # unescaped once, & last
        ("&lt;@U123&gt; typed by hand", "<@U123> typed by hand"),  # not a mention
        ("  spaced \n\t out  ", "spaced out"),
        ("<@U1> <@U2|b>", ""),
        ("", ""),
    ],
)
def test_clean(slack_text: str, question: str) -> None:
    assert clean(slack_text) == question


def test_clean_of_none_is_empty() -> None:
    assert clean(None) == ""  # type: ignore[arg-type]


def test_clean_caps_the_question() -> None:
    assert clean("x" * 5000) == "x" * MAX_QUESTION


def test_clean_a_real_mention_in_chinese() -> None:
    assert clean("<@UBOT|acrbot> 镜像推送特别慢怎么办？") == "镜像推送特别慢怎么办？"


@pytest.mark.parametrize("text", ["", "   ", "<@UBOT>", "<@UBOT> <!here>", "???", "…！", "¿?"])
def test_reply_message_nothing_or_punctuation_is_the_english_help(library, text) -> None:
    message = reply_message(library, text)
    assert message.blocks[0]["text"]["text"] == HELP["en"]
    assert message.text == HELP["en"].replace("*", "")


@pytest.mark.parametrize("text", ["？？？", "。。。", "<@UBOT> ？"])
def test_reply_message_chinese_punctuation_only_is_help(library, text) -> None:
    message = reply_message(library, text)
    assert message.blocks[0]["text"]["text"] in (HELP["en"], HELP["zh"])
    assert not any(b["type"] == "header" for b in message.blocks)


def test_reply_message_a_chinese_question(library, entries) -> None:
    message = reply_message(library, "<@UBOT> 如何获取管理员凭据", shareable=True)
    assert message.blocks[0]["text"]["text"] == entries[ADMIN].question
    assert "置信度" in message.blocks[2]["elements"][0]["text"]
    ids = [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids[:3] == ["feedback_up", "feedback_down", "share_answer"]


def test_reply_message_a_mixed_question_answers_in_chinese(library, entries) -> None:
    message = reply_message(library, "acr 的 admin 密码")
    assert message.blocks[0]["text"]["text"] == entries[ADMIN].question
    assert "置信度" in message.blocks[2]["elements"][0]["text"]


def test_reply_message_an_english_question(library, entries) -> None:
    message = reply_message(library, "<@UBOT> how do I get admin credentials?")
    title = message.blocks[0]["text"]["text"]
    assert title == view_of(entries[ADMIN], "en").question  # the English edition
    assert title.isascii()
    assert "confidence" in message.blocks[2]["elements"][0]["text"]
    ids = [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert "share_answer" not in ids


def test_reply_message_an_unknown_question_says_so(library) -> None:
    message = reply_message(library, "banana smoothie recipe")
    assert message.text == MESSAGES["en"]["no_answer"]
    assert "/acr help" in message.blocks[0]["text"]["text"]


def test_empty_question_notice() -> None:
    assert empty_question("zh").text == MESSAGES["zh"]["empty_question"]
    assert empty_question("en").blocks[0]["text"]["text"] == MESSAGES["en"]["empty_question"]


def test_registries_in_text_use_every_clouds_login_suffix() -> None:
    from bot.diagnostics.registry_name import registries_in

    text = "pull MyReg01.azurecr.io/app failed; also chinareg.azurecr.cn and govreg1.azurecr.us/v2/"
    assert registries_in(text) == ["myreg01", "chinareg", "govreg1"]
    assert registries_in("myreg01.azurecr.io and myreg01.azurecr.io, bad.azurecr.io") == ["myreg01"]
