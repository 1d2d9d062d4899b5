"""The slack section's help-channel, reaction, follow-up and hand-off keys: strict like the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError


def load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "acrbot.yaml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, env={})


def test_defaults(tmp_path: Path) -> None:
    slack = load(tmp_path, "").slack
    assert slack.help_channels == ()
    assert slack.ask_reaction == "question"
    assert slack.ask_reaction_users.anyone
    assert not slack.escalation.enabled
    assert slack.escalation.remind_after_minutes == 60


def test_channels_as_ids_or_mappings(tmp_path: Path) -> None:
    slack = load(
        tmp_path,
        "slack:\n"
        "  help_channels: [C0HELP, {id: C0PRIV, mode: private, min_confidence: 0.9}]\n"
        "  ask_reaction: ':raising_hand:'\n"
        "  ask_reaction_users: {usergroups: [S0PLATFORM]}\n"
        "  escalation: {usergroup: S0ONCALL, channels: {C0PRIV: S0OTHER}, "
        "remind_after_minutes: 5}\n",
    ).slack
    assert [(c.id, c.mode, c.min_confidence) for c in slack.help_channels] == [
        ("C0HELP", "thread", 0.75),
        ("C0PRIV", "private", 0.9),
    ]
    assert slack.ask_reaction == "raising_hand"
    assert slack.ask_reaction_users.usergroups == {"S0PLATFORM"}
    assert slack.escalation.usergroup_for("C0PRIV") == "S0OTHER"
    assert slack.escalation.usergroup_for("C0HELP") == "S0ONCALL"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("slack: {help_channel: [C0HELP]}", "slack.help_channel"),
        ("slack: {help_channels: C0HELP}", "slack.help_channels"),
        ("slack: {help_channels: ['#acr-help']}", "slack.help_channels[0]"),
        ("slack: {help_channels: [{id: C0HELP, mode: dm}]}", "slack.help_channels[0].mode"),
        ("slack: {help_channels: [{id: C0HELP, min_confidence: 2}]}", "min_confidence"),
        ("slack: {help_channels: [{id: C0HELP, treshold: 1}]}", "slack.help_channels[0].treshold"),
        ("slack: {help_channels: [C0HELP, C0HELP]}", "slack.help_channels[1]"),
        ("slack: {ask_reaction: 'two words'}", "slack.ask_reaction"),
        ("slack: {ask_reaction_users: {user: [U1]}}", "slack.ask_reaction_users.user"),
        ("slack: {escalation: {usergroup: platform}}", "slack.escalation.usergroup"),
        ("slack: {escalation: {remind_after_minutes: 0}}", "remind_after_minutes"),
        ("slack: {followups: {max_count: -1}}", "slack.followups.max_count"),
    ],
)
def test_mistakes_name_the_key(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, text + "\n")
    assert where in str(refused.value)
