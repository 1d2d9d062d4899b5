"""Image references as the pull check takes them: ``[REGISTRY/]REPOSITORY[:TAG|@DIGEST]``.

Only a reference of Docker distribution's shape goes into a token scope or a
registry path: the repository by :mod:`bot.diagnostics.repository_name`'s
rules, a tag of at most 128 word characters, dots and dashes, a digest of a
known algorithm. No tag and no digest means ``latest``, as ``docker pull``
reads it. A refusal shows only a defanged preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.diagnostics.errors import InvalidImageReference, InvalidRepositoryName
from bot.diagnostics.registry_name import preview
from bot.diagnostics.repository_name import parse_repository

DEFAULT_TAG = "latest"
TAG_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DIGEST_RE = re.compile(r"sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}")
_MAX_INPUT = 600
HOW_TO_NAME = (
    "Give the image as REPOSITORY[:TAG] or REPOSITORY@sha256:DIGEST (for example shop/api:1.4), "
    "optionally after the login server (contosoreg.azurecr.io/shop/api:1.4)."
)

__all__ = ["DEFAULT_TAG", "ImageRef", "parse_image", "split_registry"]


@dataclass(frozen=True)
class ImageRef:
    """A validated image: the repository and the tag or digest to pull."""

    repository: str
    tag: str | None = DEFAULT_TAG
    digest: str | None = None

    @property
    def reference(self) -> str:
        """What goes after ``/manifests/``: the digest when there is one, else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    def display(self) -> str:
        if self.digest:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag}"

    def to_dict(self) -> dict[str, Any]:
        return {"repository": self.repository, "tag": self.tag, "digest": self.digest}


def split_registry(text: str) -> tuple[str | None, str]:
    """``("contosoreg.azurecr.io", "shop/api:1.4")`` from a full reference; no host → None.

    The first path component is a registry host when it has a dot or a port,
    or is ``localhost``, as Docker decides it.
    """
    first, slash, rest = text.strip().partition("/")
    if slash and rest and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return None, text.strip()


def parse_image(text: str) -> ImageRef:
    """``REPOSITORY[:TAG|@DIGEST]`` (no registry host) as an :class:`ImageRef`."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidImageReference(f"No image was given. {HOW_TO_NAME}")
    if len(text) > _MAX_INPUT:
        raise InvalidImageReference(f"That is far too long to be an image. {HOW_TO_NAME}")
    rest = text.strip()
    digest = None
    if "@" in rest:
        rest, _, digest = rest.rpartition("@")
        if not DIGEST_RE.fullmatch(digest):
            raise InvalidImageReference(
                f"'{preview(digest)}' is not an image digest (sha256: and 64 hex digits)."
            )
    tag: str | None = None
    name, colon, maybe_tag = rest.rpartition(":")
    if colon and "/" not in maybe_tag:
        rest, tag = name, maybe_tag
        if not TAG_RE.fullmatch(tag):
            raise InvalidImageReference(
                f"'{preview(tag)}' is not a tag: up to 128 letters, digits, '_', '.' and '-'."
            )
    try:
        repository = parse_repository(rest)
    except InvalidRepositoryName as exc:
        raise InvalidImageReference(f"{exc} {HOW_TO_NAME}") from None
    if digest is None and tag is None:
        tag = DEFAULT_TAG
    return ImageRef(repository, tag, digest)
