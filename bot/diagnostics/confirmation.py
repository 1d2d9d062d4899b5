"""Confirmation tokens: what was asked, by whom, where and when, sealed with HMAC-SHA256.

The Confirm button carries the request itself, signed, so any worker can
verify it without shared state and nobody can edit the value to run another
check or hit another registry. Tokens expire (10 minutes by default); "run
once" is not decided here but by a claim on the token's request ID, because
a signature cannot tell a first click from a second.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass

from bot.diagnostics.errors import (
    ConfirmationError,
    ConfirmationExpired,
    ConfirmationTampered,
)
from bot.errors import ConfigError
from bot.secret_policy import MIN_SECRET_BYTES as _MIN_SECRET
from bot.secret_policy import derive_secret  # noqa: F401 - re-exported for callers

VERSION = "d1"
MAX_TOKEN_CHARS = 2000  # a Slack button value holds at most 2000 characters
_CLOCK_SKEW = 60.0
_FIELDS = {
    "requester": "u",
    "channel": "c",
    "registry": "r",
    "check": "k",
    "subscription": "s",
    "resource_group": "g",
    "cloud": "l",
    "request_id": "i",
    "issued_at": "t",
    "repository": "p",
    "image": "m",
    "cluster": "x",
}
_OPTIONAL = {
    "repository": "",
    "image": "",
    "cluster": "",
}  # fields added later: tokens issued before them still verify


@dataclass(frozen=True)
class ConfirmationClaims:
    requester: str
    channel: str
    registry: str
    check: str
    subscription: str
    resource_group: str
    cloud: str
    request_id: str
    issued_at: int
    repository: str = ""  # check-health only: the repository whose pull access is checked
    image: str = ""  # pull only: REPOSITORY:TAG or REPOSITORY@DIGEST
    cluster: str = ""  # pull only: the cluster's resource ID, when one was named


def new_request_id() -> str:
    """A short random ID naming one request in the audit log and the once-only claim."""
    return secrets.token_urlsafe(9)


class ConfirmationSigner:
    """Issues and verifies tokens with one secret and one time-to-live."""

    def __init__(self, secret: bytes, ttl_seconds: float) -> None:
        if len(secret) < _MIN_SECRET:
            raise ConfigError("confirmation secret", f"must be at least {_MIN_SECRET} bytes long")
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    def __repr__(self) -> str:
        return f"ConfirmationSigner(ttl_seconds={self.ttl_seconds:g})"

    def issue(self, claims: ConfirmationClaims) -> str:
        compact = {_FIELDS[k]: v for k, v in asdict(claims).items()}
        body = _b64(json.dumps(compact, separators=(",", ":"), ensure_ascii=True).encode())
        token = f"{VERSION}.{body}.{self._sign(body)}"
        if len(token) > MAX_TOKEN_CHARS:
            raise ConfirmationError("This request is too large to confirm with a button.")
        return token

    def verify(self, token: str, now: float) -> ConfirmationClaims:
        """The claims of a genuine, unexpired token; raises a ConfirmationError otherwise."""
        claims = self._decode(token)
        if claims.issued_at > now + _CLOCK_SKEW:
            raise ConfirmationTampered("This confirmation is dated in the future; nothing was run.")
        if now - claims.issued_at > self.ttl_seconds:
            minutes = max(1, round(self.ttl_seconds / 60))
            raise ConfirmationExpired(
                f"This confirmation is more than {minutes} minutes old, so nothing was run. "
                "Ask again to get a fresh Confirm button."
            )
        return claims

    def _decode(self, token: str) -> ConfirmationClaims:
        tampered = ConfirmationTampered(
            "This confirmation was altered or did not come from acrbot; nothing was run."
        )
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise tampered
        version, _, rest = token.partition(".")
        body, _, signature = rest.partition(".")
        expected = self._sign(body).encode()
        if version != VERSION or not hmac.compare_digest(signature.encode(), expected):
            raise tampered
        try:
            compact = json.loads(_unb64(body))
            values = {
                name: compact[short] if short in compact else _OPTIONAL[name]
                for name, short in _FIELDS.items()
            }
            claims = ConfirmationClaims(**values)
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise tampered from None
        if not isinstance(claims.issued_at, int) or not all(
            isinstance(v, str) for k, v in asdict(claims).items() if k != "issued_at"
        ):
            raise tampered
        return claims

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._secret, f"{VERSION}.{body}".encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
