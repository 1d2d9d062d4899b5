"""A request waiting for Confirm: the signed claims and what the person is shown.

The token in the Confirm button is the whole request, sealed; everything
:class:`PendingRequest` exposes is read from those claims, so what runs on
Confirm is exactly what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.diagnostics.confirmation import ConfirmationClaims

__all__ = ["PendingRequest"]


@dataclass(frozen=True)
class PendingRequest:
    """A request waiting for Confirm; ``token`` (the signed ``claims``) goes in the button value."""

    token: str
    claims: ConfirmationClaims
    description: str
    expires_at: float

    @property
    def registry(self) -> str:
        return self.claims.registry

    @property
    def check(self) -> str:
        return self.claims.check

    @property
    def subscription(self) -> str:
        return self.claims.subscription

    @property
    def resource_group(self) -> str:
        return self.claims.resource_group

    @property
    def request_id(self) -> str:
        return self.claims.request_id

    @property
    def repository(self) -> str | None:
        return self.claims.repository or None

    @property
    def image(self) -> str | None:
        return self.claims.image or None

    @property
    def cluster(self) -> str | None:
        """The cluster's name (the last part of its resource ID), when one was named."""
        return self.claims.cluster.rstrip("/").rsplit("/", 1)[-1] if self.claims.cluster else None
