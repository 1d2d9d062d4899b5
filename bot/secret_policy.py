"""The Confirm-button key: how long a secret must be, and how the key is derived from it.

One place decides it, so the Slack app, the terminal and the tests agree:
``ACRBOT_CONFIRM_SECRET`` when set (it must be long enough: several workers
and replicas must share it), else a key derived from Slack's signing secret
when that is long enough, else a random key of this process only (Confirm
buttons then work only on the worker that drew them, which is logged).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from bot.errors import ConfigError

MIN_SECRET_BYTES = 16
CONFIRM_PURPOSE = "acrbot diagnostics confirmation"
log = logging.getLogger(__name__)


def derive_secret(master: str | bytes, purpose: str = CONFIRM_PURPOSE) -> bytes:
    """A key for this purpose only, derived from a longer-lived secret (e.g. the signing secret).

    Deriving keeps the confirmation key distinct from the secret it comes from,
    so a confirmation token can never double as anything signed with the master.
    """
    raw = master.encode() if isinstance(master, str) else master
    if len(raw) < MIN_SECRET_BYTES:
        raise ConfigError("confirmation secret", f"must be at least {MIN_SECRET_BYTES} bytes long")
    return hmac.new(raw, purpose.encode(), hashlib.sha256).digest()


def confirm_key(configured: str | None, signing_secret: str | None) -> bytes:
    """The key that signs Confirm buttons in this process (see the module docstring)."""
    if configured:
        if len(configured.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                "ACRBOT_CONFIRM_SECRET", f"must be at least {MIN_SECRET_BYTES} characters long"
            )
        return derive_secret(configured)
    if signing_secret and len(signing_secret.encode()) >= MIN_SECRET_BYTES:
        return derive_secret(signing_secret)
    if signing_secret:
        log.warning(
            "the signing secret is too short to sign Confirm buttons; using a key of this "
            "process only (set ACRBOT_CONFIRM_SECRET when running several workers)"
        )
    return derive_secret(secrets.token_hex(32))
