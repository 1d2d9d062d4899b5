"""Access rules: default deny, users or groups, channels, checks and registries."""

from __future__ import annotations

import pytest

from bot.diagnostics.access import (
    AccessDenied,
    AccessPolicy,
    describe_grant,
    parse_rules,
)
from bot.diagnostics.checks import CHECKS
from bot.errors import ConfigError


def policy(rules: list[dict], membership=None) -> AccessPolicy:
    return AccessPolicy(parse_rules(rules, "access.rules", CHECKS), membership)


def test_no_rules_means_nobody() -> None:
    decision = AccessPolicy(()).decide("U1", "C1", "check-health", "myreg")
    assert not decision.allowed
    assert "no access rules" in decision.reason


def test_user_listed_with_wildcards_is_allowed() -> None:
    rules = policy([{"users": ["U1"], "checks": "*", "registries": ["*"]}])
    decision = rules.decide("U1", "C9", "usage", "anyreg")
    assert decision.allowed and decision.rule == 0
    assert not rules.decide("U2", "C9", "usage", "anyreg").allowed


def test_check_and_registry_must_both_be_covered() -> None:
    rules = policy([{"users": ["U1"], "checks": ["info"], "registries": ["MyReg"]}])
    assert rules.decide("U1", "C1", "info", "myreg").allowed
    denied = rules.decide("U1", "C1", "check-health", "myreg")
    assert not denied.allowed and "not allowed to run check-health on myreg" in denied.reason
    assert not rules.decide("U1", "C1", "info", "otherreg").allowed


def test_channel_restriction_is_explained() -> None:
    rules = policy([{"users": ["U1"], "channels": ["COPS"], "checks": "*", "registries": "*"}])
    assert rules.decide("U1", "COPS", "info", "myreg").allowed
    denied = rules.decide("U1", "CRANDOM", "info", "myreg")
    assert not denied.allowed and "not from this channel" in denied.reason


def test_usergroup_membership_comes_from_the_callable_once() -> None:
    asked: list[str] = []

    def membership(user: str) -> set[str]:
        asked.append(user)
        return {"SOPS"}

    rules = policy(
        [
            {"usergroups": ["SDEV"], "checks": ["info"], "registries": "*"},
            {"usergroups": ["SOPS"], "checks": "*", "registries": "*"},
        ],
        membership,
    )
    assert rules.decide("U7", "C1", "usage", "myreg").allowed
    assert asked == ["U7"]


def test_failing_membership_lookup_denies_instead_of_crashing() -> None:
    def broken(user: str) -> set[str]:
        raise TimeoutError("slack is down")

    rules = policy([{"usergroups": ["SOPS"], "checks": "*", "registries": "*"}], broken)
    assert not rules.decide("U7", "C1", "usage", "myreg").allowed


def test_require_raises_access_denied() -> None:
    with pytest.raises(AccessDenied, match="not on the list"):
        policy([{"users": ["U1"], "checks": "*", "registries": "*"}]).require(
            "U2", "C1", "info", "myreg"
        )


def test_grants_for_lists_what_a_user_may_run_here() -> None:
    rules = policy(
        [
            {"users": ["U1"], "checks": ["info", "usage"], "registries": ["myreg"]},
            {"users": ["U1"], "channels": ["COTHER"], "checks": "*", "registries": "*"},
        ]
    )
    assert rules.grants_for("U1", "C1") == [(["info", "usage"], ["myreg"])]


def test_describe_grant_is_a_pasteable_rule() -> None:
    text = describe_grant("U1", "usage", "myreg", channel="C1")
    parsed = parse_rules(
        [{"users": ["U1"], "checks": ["usage"], "registries": ["myreg"], "channels": ["C1"]}],
        "x",
        CHECKS,
    )
    assert "users: [U1]" in text and "channels: [C1]" in text
    assert parsed[0].covers("usage", "myreg")


@pytest.mark.parametrize(
    ("rules", "where"),
    [
        ("everyone", "access.rules"),
        ([{"checks": "*", "registries": "*"}], "access.rules[0]"),
        ([{"users": ["U1"], "checks": ["delete"], "registries": "*"}], "access.rules[0].checks"),
        ([{"users": ["U1"], "checks": "*"}], "access.rules[0]"),
        ([{"users": ["U 1"], "checks": "*", "registries": "*"}], "access.rules[0].users"),
        (
            [{"users": ["U1"], "checks": "*", "registries": "*", "role": "x"}],
            "access.rules[0].role",
        ),
    ],
)
def test_bad_rules_name_the_setting(rules: object, where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules(rules, "access.rules", CHECKS)
    assert caught.value.setting == where
