"""Confirmation tokens: compact, signed, expiring, and useless once altered."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import pytest

from bot.diagnostics.confirmation import (
    MAX_TOKEN_CHARS,
    ConfirmationClaims,
    ConfirmationExpired,
    ConfirmationSigner,
    ConfirmationTampered,
    derive_secret,
    new_request_id,
)
from bot.errors import ConfigError
from bot.storage import SqliteStorage

SECRET = b"k" * 32
NOW = 1_800_000_000
CLAIMS = ConfirmationClaims(
    requester="U0123456789",
    channel="C0123456789",
    registry="a" * 50,
    check="check-health",
    subscription="00000000-0000-0000-0000-000000000001",
    resource_group="r" * 90,
    cloud="public",
    request_id=new_request_id(),
    issued_at=NOW,
)


def signer(ttl: float = 600) -> ConfirmationSigner:
    return ConfirmationSigner(SECRET, ttl)


def test_round_trip_and_fits_a_button_value() -> None:
    token = signer().issue(CLAIMS)
    assert len(token) < MAX_TOKEN_CHARS
    assert signer().verify(token, NOW + 5) == CLAIMS


def test_expired_after_ttl() -> None:
    token = signer().issue(CLAIMS)
    signer().verify(token, NOW + 600)
    with pytest.raises(ConfirmationExpired, match="more than 10 minutes old"):
        signer().verify(token, NOW + 601)


def test_dated_in_the_future_is_refused() -> None:
    with pytest.raises(ConfirmationTampered):
        signer().verify(signer().issue(CLAIMS), NOW - 3600)


def _resigned_body(token: str, **changes: object) -> str:
    version, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    new_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{version}.{new_body}.{sig}"


@pytest.mark.parametrize(
    "changes",
    [{"k": "info"}, {"r": "otherreg"}, {"u": "UMALLORY"}, {"c": "COTHER"}, {"t": NOW + 500}],
)
def test_editing_any_field_breaks_the_signature(changes: dict) -> None:
    token = signer().issue(CLAIMS)
    with pytest.raises(ConfirmationTampered, match="altered"):
        signer().verify(_resigned_body(token, **changes), NOW)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[: len(t) // 2],
        lambda t: "",
        lambda t: "d2" + t[2:],
        lambda t: t + ".extra",
        lambda t: "x" * 10_000,
        lambda t: t.replace(".", "..", 1),
        lambda t: "d1.ÿÿÿ.签名",
        lambda t: None,
    ],
)
def test_mangled_tokens_are_tampered(mangle) -> None:
    with pytest.raises(ConfirmationTampered):
        signer().verify(mangle(signer().issue(CLAIMS)), NOW)


def test_another_secret_cannot_forge() -> None:
    forged = ConfirmationSigner(b"z" * 32, 600).issue(replace(CLAIMS, check="usage"))
    with pytest.raises(ConfirmationTampered):
        signer().verify(forged, NOW)


def test_short_secrets_are_refused_and_derivation_separates_keys() -> None:
    with pytest.raises(ConfigError):
        ConfirmationSigner(b"short", 600)
    with pytest.raises(ConfigError):
        derive_secret("short")
    derived = derive_secret("a-long-enough-signing-secret")
    assert len(derived) == 32 and derived != derive_secret("a-long-enough-signing-secret", "other")


def test_signer_repr_hides_the_secret() -> None:
    assert "kkkk" not in repr(signer())


def test_replay_is_stopped_by_the_claim_store(tmp_path) -> None:
    store = SqliteStorage(tmp_path / "claims.sqlite")
    other_process = SqliteStorage(tmp_path / "claims.sqlite")
    claims = signer().verify(signer().issue(CLAIMS), NOW)
    assert store.claim(f"diagnostics:confirm:{claims.request_id}", 60)
    assert not other_process.claim(f"diagnostics:confirm:{claims.request_id}", 60)
