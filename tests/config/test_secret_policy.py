"""The Confirm key policy (bot/secret_policy.py): one place for length and derivation."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.secret_policy import MIN_SECRET_BYTES, confirm_key, derive_secret

LONG = "x" * MIN_SECRET_BYTES


def test_the_configured_secret_wins_and_is_derived_not_used_raw() -> None:
    key = confirm_key(LONG + "configured", "signing-secret-long-enough")
    assert key == derive_secret(LONG + "configured")
    assert (LONG + "configured").encode() not in key


def test_a_short_configured_secret_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        confirm_key("short", LONG)
    assert caught.value.setting == "ACRBOT_CONFIRM_SECRET" and "short" not in str(caught.value)


def test_a_long_signing_secret_gives_the_same_key_in_every_worker() -> None:
    assert confirm_key(None, LONG) == confirm_key(None, LONG) == derive_secret(LONG)


@pytest.mark.parametrize("signing", [None, "", "short"])
def test_without_a_usable_secret_each_process_draws_its_own_key(signing) -> None:
    assert confirm_key(None, signing) != confirm_key(None, signing)


def test_derivation_refuses_short_masters() -> None:
    with pytest.raises(ConfigError):
        derive_secret("x" * (MIN_SECRET_BYTES - 1))
