"""`/acr` text → (subcommand, rest) (bot/slack/subcommands.py)."""

from __future__ import annotations

import pytest

from bot.slack.subcommands import SUBCOMMANDS, parse


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", ("help", "")),
        ("   ", ("help", "")),
        ("<@UBOT>", ("help", "")),
        ("help", ("help", "")),
        ("HELP", ("help", "")),
        ("Help me please", ("help", "me please")),
        ("ask how do I log in", ("ask", "how do I log in")),
        ("ASK How Do I Log In", ("ask", "How Do I Log In")),
        ("ask", ("ask", "")),
        ("ask    spaced   out  ", ("ask", "spaced out")),
        ("Diagnose myregistry", ("diagnose", "myregistry")),
        ("usage  myregistry ", ("usage", "myregistry")),
        ("INFO myregistry", ("info", "myregistry")),
        ("triage ALERT: pull failed", ("triage", "ALERT: pull failed")),
        ("how do I log in", ("ask", "how do I log in")),
        ("askme something", ("ask", "askme something")),
        ("docker pull is slow", ("ask", "docker pull is slow")),
        ("frobnicate", ("word", "frobnicate")),
        ("Quota", ("word", "Quota")),
        ("镜像推送特别慢怎么办", ("word", "镜像推送特别慢怎么办")),  # no spaces: one "word"
        ("ask 镜像推送特别慢怎么办", ("ask", "镜像推送特别慢怎么办")),
        ("<@UBOT> ask x", ("ask", "x")),
        ("ask &lt;none&gt;", ("ask", "<none>")),
    ],
)
def test_parse(text: str, parsed: tuple[str, str]) -> None:
    assert parse(text) == parsed


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_in_any_case(name: str) -> None:
    for spelled in (name, name.upper(), name.capitalize()):
        assert parse(f"{spelled} rest of it") == (name, "rest of it")
        assert parse(spelled) == (name, "")
