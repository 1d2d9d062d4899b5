"""Which Azure identity the diagnostics use, chosen in config (``azure.credential``).

``default`` is azure-identity's DefaultAzureCredential (environment, workload
identity, managed identity, developer logins), pointed at the configured
cloud's authority. ``managed-identity`` and ``cli`` pin one source. ``static``
reads a ready-made bearer token from ``ACRBOT_AZURE_TOKEN`` and exists only for
emulators and tests; it never talks to Azure AD.

azure-identity (with azure-core, msal and cryptography: about 33 MB) is
imported when the first diagnostic builds its credential, not when a
replica starts: most replicas answer questions far more often than they run
checks, and ``static`` never needs it.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NamedTuple

from bot.diagnostics.settings import AzureSettings
from bot.diagnostics.tokens import TokenCredential
from bot.errors import ConfigError

log = logging.getLogger(__name__)

STATIC_TOKEN_ENV = "ACRBOT_AZURE_TOKEN"


class AccessToken(NamedTuple):
    """azure-core's ``AccessToken`` shape (what every credential's ``get_token`` returns)."""

    token: str
    expires_on: int


class StaticTokenCredential:
    """Hands out one fixed token for any scope (emulators and tests only)."""

    def __init__(self, token: str, lifetime_seconds: int = 3600) -> None:
        self._token = token
        self._lifetime = lifetime_seconds

    def __repr__(self) -> str:
        return "StaticTokenCredential(***)"

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + self._lifetime)


def make_credential(settings: AzureSettings) -> TokenCredential:
    """Build the credential ``settings.credential`` names.

    The static token comes from the settings (``bot.config`` read it from
    ``ACRBOT_AZURE_TOKEN``, the one place the environment is read).
    """
    kind = settings.credential
    if kind == "static":
        token = (settings.static_token or "").strip()
        if not token:
            raise ConfigError(
                STATIC_TOKEN_ENV, "must hold a bearer token when azure.credential is 'static'"
            )
        if not settings.arm_endpoint:
            log.warning("azure.credential 'static' is meant for emulators and tests only")
        return StaticTokenCredential(token)
    from azure.identity import (  # see the module's docstring: loaded for the first check
        AzureCliCredential,
        DefaultAzureCredential,
        ManagedIdentityCredential,
    )

    client_id = settings.managed_identity_client_id
    if kind == "managed-identity":
        return ManagedIdentityCredential(client_id=client_id)
    if kind == "cli":
        return AzureCliCredential(tenant_id=settings.tenant_id or "")
    return DefaultAzureCredential(
        authority=settings.cloud.authority_host, managed_identity_client_id=client_id
    )
