"""The ABAC condition reader on hostile and odd texts: bounded, linear, and never granting blind.

The end-to-end cases (a condition on a role assignment, through the fake
Azure) are in test_pull_roles.py; these pin the reader itself.
"""

from __future__ import annotations

import re
import time

from hypothesis import given
from hypothesis import strategies as st

from bot.diagnostics.pull.conditions import action_matches, condition_allows

NAME = "@Request[Microsoft.ContainerRegistry/registries/repositories:name]"
ATTRIBUTE = "Microsoft.ContainerRegistry/registries/repositories:name"
READ = "Microsoft.ContainerRegistry/registries/repositories/content/read"
GUID = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def allows(condition: str, repository: str = "shop/app") -> bool | None:
    return condition_allows(condition, READ, ATTRIBUTE, repository)


def test_nesting_past_the_limit_is_not_read_and_raises_nothing() -> None:
    equals = f"{NAME} StringEquals 'shop/app'"
    assert allows("(" * 10 + equals + ")" * 10) is True
    assert allows("(" * 500 + equals + ")" * 500) is None  # was a RecursionError
    assert allows("!" * 1000 + equals) is None
    assert allows("NOT " * 2 + equals) is True


def test_an_unquoted_guid_is_a_value_not_a_parse_error() -> None:
    role = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]"
    granted = (
        f"({NAME} StringEquals 'shop/app') OR ({role} ForAnyOfAnyValues:GuidEquals {{{GUID}}})"
    )
    assert allows(granted) is True  # True OR unknown
    assert allows(granted.replace("'shop/app'", "'other'")) is None  # False OR unknown
    assert allows(f"{role} GuidEquals {GUID}") is None


def test_string_like_with_many_stars_is_linear() -> None:
    pattern = "*a" * 30 + "b"
    started = time.process_time()
    assert allows(f"{NAME} StringLike '{pattern}'", "a" * 200) is False
    assert time.process_time() - started < 1.0  # a backtracking regex ran for minutes here


def _reference(pattern: str, text: str) -> bool:
    """The naive rule: ``*`` any run, ``?`` any one character (pattern without escapes)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


@given(st.text("ab*?", max_size=8), st.text("ab", max_size=10))
def test_string_like_agrees_with_the_naive_rule(pattern: str, text: str) -> None:
    assert allows(f"{NAME} StringLike '{pattern}'", text) is _reference(pattern, text)


@given(st.text("ab*", max_size=8), st.text("abAB", max_size=10))
def test_action_patterns_agree_with_the_naive_rule(pattern: str, action: str) -> None:
    assert action_matches(pattern, action) is _reference(pattern.lower(), action.lower())


def test_escaped_wildcards_are_literal() -> None:
    assert allows(f"{NAME} StringLike 'shop/\\*'", "shop/*") is True
    assert allows(f"{NAME} StringLike 'shop/\\*'", "shop/app") is False
    assert allows(f"{NAME} StringLike 'shop/\\?pp'", "shop/app") is False
