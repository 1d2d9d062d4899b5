"""What a pull request names, checked before anything runs: the image, its registry, the cluster.

``acrbot diagnose contosoreg.azurecr.io/shop/api:1.4 --check pull`` and
``/acr pull contosoreg.azurecr.io/shop/api:1.4 aks-prod`` give the whole
reference; ``acrbot diagnose contosoreg --check pull --image shop/api:1.4``
gives the registry and the image apart. Either way the image is validated
here, and the cluster (when named) is resolved once and carried, as its
resource ID, inside the signed confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.diagnostics.clusters import ClusterTarget, parse_cluster_id
from bot.diagnostics.confirmation import ConfirmationClaims
from bot.diagnostics.errors import InvalidImageReference, InvalidRegistryName
from bot.diagnostics.pull.image_ref import ImageRef, parse_image, split_registry
from bot.diagnostics.registry_name import parse_registry

PULL = "pull"

__all__ = ["PULL", "PullRequest", "from_claims", "split_image"]


@dataclass(frozen=True)
class PullRequest:
    image: ImageRef
    cluster: ClusterTarget | None = None

    def describe(self) -> str:
        if self.cluster is None:
            return f"can {self.image.display()} be pulled? (registry side only: no cluster named)"
        return f"can {self.cluster.describe()} pull {self.image.display()}?"


def split_image(registry_text: str, image_text: str | None) -> tuple[str, ImageRef]:
    """(registry text, image) from a full reference, or from a registry and ``--image``."""
    host, rest = split_registry(registry_text or "")
    if image_text is None:
        if host is None:
            raise InvalidImageReference(
                "The pull check needs an image: give the full reference "
                "(contosoreg.azurecr.io/shop/api:1.4) or the registry and --image shop/api:1.4."
            )
        return host, parse_image(rest)
    if host is not None:
        raise InvalidImageReference(
            "Give the image once: either the full reference in place of the registry, or the "
            "registry and --image REPOSITORY[:TAG], not both."
        )
    image_host, image_rest = split_registry(image_text)
    if image_host is not None:
        try:
            same = parse_registry(image_host).name == parse_registry(registry_text).name
        except InvalidRegistryName:
            same = False
        if not same:
            raise InvalidImageReference(
                "The image names another registry than the one given; give the repository "
                "alone (shop/api:1.4) or the full reference in place of the registry."
            )
    return registry_text, parse_image(image_rest)


def from_claims(claims: ConfirmationClaims) -> PullRequest:
    """The request a confirmation token carries (validated again: the token is only signed)."""
    cluster = parse_cluster_id(claims.cluster) if claims.cluster else None
    return PullRequest(parse_image(claims.image), cluster)
