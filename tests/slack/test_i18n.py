"""acrbot's own words in English and Chinese (bot/slack/i18n.py)."""

from __future__ import annotations

import re
import string

import pytest

from bot.slack.i18n import HELP, MESSAGES, language_of, say
from bot.slack.subcommands import SUBCOMMANDS


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how do I get admin credentials?", "en"),
        ("如何获取管理员凭据", "zh"),
        ("acr 的 admin 密码", "zh"),
        ("docker push 很慢", "zh"),
        ("az acr login 失败", "zh"),
        ("的", "en"),  # one character is not enough to switch
        ("ACR login 错", "en"),
        ("🐳 docker 🚀 is slow", "en"),
        ("🐳🚀🔥", "en"),
        ("👍 谢谢", "zh"),
        ("？？？！", "en"),  # full-width punctuation is not Chinese text
        ("", "en"),
        ("Ünïcödé façade", "en"),
        ("㐀㐁", "zh"),  # CJK extension A counts too
    ],
)
def test_language_of(text: str, language: str) -> None:
    assert language_of(text) == language


def test_both_languages_have_every_key() -> None:
    assert set(MESSAGES) == {"en", "zh"}
    assert MESSAGES["en"].keys() == MESSAGES["zh"].keys()
    assert HELP.keys() == MESSAGES.keys()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES["en"]))
def test_translations_take_the_same_placeholders(key: str) -> None:
    assert placeholders(MESSAGES["en"][key]) == placeholders(MESSAGES["zh"][key])
    assert MESSAGES["zh"][key] != MESSAGES["en"][key]
    assert MESSAGES["zh"][key].strip()


def test_chinese_messages_are_chinese() -> None:
    for key, text in MESSAGES["zh"].items():
        if key not in ("docs",):
            assert language_of(text) == "zh", key


def test_help_lists_the_same_commands_in_both_languages() -> None:
    commands = {
        language: [word for word in re.findall(r"`/acr (\w+)", text) if word in SUBCOMMANDS]
        for language, text in HELP.items()
    }
    # `/acr help` lists exactly what the parser accepts (only what works on this build)
    assert commands["en"] == commands["zh"] == list(SUBCOMMANDS)


def test_say_formats_and_falls_back() -> None:
    assert say("zh", "confidence", value="0.93") == "置信度 0.93"
    assert say("en", "shared_by", user="UALICE") == "Shared by <@UALICE>"
    assert say("fr", "docs") == "Docs"
    assert say("zh", "not_available", command="triage").startswith("`/acr triage` 还不可用")


def test_say_of_an_unknown_key_fails_loudly() -> None:
    with pytest.raises(KeyError):
        say("en", "no-such-key")


def test_say_without_a_needed_value_fails_loudly() -> None:
    with pytest.raises(KeyError):
        say("en", "confidence")
