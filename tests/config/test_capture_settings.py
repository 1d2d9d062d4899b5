"""knowledge.approvers, knowledge.capture_reaction and slack.admins: strict like the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import load_settings
from bot.errors import ConfigError


def settings(tmp_path: Path, raw: dict):
    path = tmp_path / "acrbot.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_settings(path, env={})


def test_defaults_name_nobody(tmp_path: Path) -> None:
    loaded = settings(tmp_path, {})
    assert not loaded.knowledge.approvers and not loaded.slack.admins
    assert loaded.knowledge.capture_reaction is None
    assert not loaded.knowledge.approvers.names("U1", lambda: ["S1"])


def test_people_and_the_reaction_are_read(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path,
        {
            "knowledge": {
                "approvers": {"users": ["U1"], "usergroups": "S1"},
                "capture_reaction": ":Books:",
            },
            "slack": {"admins": {"users": ["U9"]}},
        },
    )
    approvers = loaded.knowledge.approvers
    assert approvers.names("U1", lambda: []) and approvers.names("U2", lambda: ["S1"])
    assert not approvers.names("U3", lambda: ["S2"])
    assert loaded.knowledge.capture_reaction == "books"
    assert loaded.slack.admins.names("U9", lambda: [])


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"knowledge": {"approvers": {"user": ["U1"]}}}, "knowledge.approvers"),
        ({"knowledge": {"approvers": ["U1"]}}, "knowledge.approvers"),
        ({"knowledge": {"approvers": {"users": ["U 1"]}}}, "knowledge.approvers.users"),
        ({"knowledge": {"capture_reaction": "two words"}}, "knowledge.capture_reaction"),
        ({"knowledge": {"capture_reactoin": "books"}}, "capture_reaction"),
        ({"slack": {"admin": {"users": ["U1"]}}}, "admins"),
    ],
)
def test_mistakes_are_refused_with_the_key(tmp_path: Path, raw: dict, where: str) -> None:
    with pytest.raises(ConfigError) as refused:
        settings(tmp_path, raw)
    assert where in str(refused.value)
