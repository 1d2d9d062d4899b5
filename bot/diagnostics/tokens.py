"""Tokens as acrbot holds them: kept out of reprs, and read only for two claims.

Azure AD and registry tokens pass through the diagnostics as :class:`Secret`
so an f-string or a log line cannot show one by accident; ``token_claims``
reads a JWT's payload (unverified) for the tenant and the registry's
``access`` list, which is all a diagnosis needs from them.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Protocol

__all__ = ["Secret", "TokenCredential", "token_claims", "token_tenant"]


class TokenCredential(Protocol):
    """Anything azure-identity-like: ``get_token(*scopes)`` returns an object with ``.token``."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


class Secret:
    """A token that stays out of reprs, logs and f-strings by accident."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__


def token_claims(token: Secret) -> dict[str, Any]:
    """The claims of a JWT, read without verifying it; empty when it is not one.

    Used for two claims only: the AAD token's tenant (``tid``, which the ACR
    exchange wants) and the registry access token's ``access`` list (what the
    registry granted). Neither is trusted for anything but a diagnosis.
    """
    parts = token.reveal().split(".")
    if len(parts) != 3 or len(parts[1]) > 16_000:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def token_tenant(token: Secret) -> str | None:
    """The tenant (``tid`` claim) of an Azure AD token, when config does not name one."""
    tenant = token_claims(token).get("tid")
    return tenant if isinstance(tenant, str) and tenant else None
