"""The fake registry's images: manifests by tag or digest, tag attributes, quarantine.

Answers what the pull check asks a login server with its access token:
``HEAD``/``GET /v2/{repo}/manifests/{ref}`` (a single manifest, or an OCI
index listing platforms), ``GET /acr/v1/{repo}/_tags[/{tag}]`` (tag details
with ``readEnabled``, newest first) and ``GET /acr/v1/{repo}/_manifests/{digest}``
(``quarantineState``). As ACR does: a quarantined image is invisible by tag
and refused by digest; a locked one (``readEnabled: false``) is refused; a
token whose ``access`` claim lacks the repository gets 401.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.azure_api import FakeAzure, FakeRegistry

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
IMAGE_ROUTES = ("manifest", "blob", "tag", "tags", "manifest_meta")
_ROUTES = (
    ("manifest", re.compile(r"/registry/(?P<reg>[^/]+)/v2/(?P<repo>.+)/manifests/(?P<ref>[^/]+)")),
    ("blob", re.compile(r"/registry/(?P<reg>[^/]+)/v2/(?P<repo>.+)/blobs/(?P<ref>sha256:[^/]+)")),
    ("tag", re.compile(r"/registry/(?P<reg>[^/]+)/acr/v1/(?P<repo>.+)/_tags/(?P<ref>[^/]+)")),
    ("tags", re.compile(r"/registry/(?P<reg>[^/]+)/acr/v1/(?P<repo>.+)/_tags/?")),
    (
        "manifest_meta",
        re.compile(r"/registry/(?P<reg>[^/]+)/acr/v1/(?P<repo>.+)/_manifests/(?P<ref>[^/]+)"),
    ),
)


@dataclass
class FakeImage:
    """One tagged image; more than one platform makes it an OCI index."""

    repository: str
    tag: str = "latest"
    platforms: tuple[str, ...] = ("linux/amd64",)
    read_enabled: bool = True
    quarantine_state: str | None = None  # "Quarantined", "Passed" or None (not scanned)

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(f"{self.repository}:{self.tag}".encode()).hexdigest()

    @property
    def is_index(self) -> bool:
        return len(self.platforms) > 1


def image_route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    for name, pattern in _ROUTES:
        if (name == "manifest" or method == "GET") and (match := pattern.fullmatch(path)):
            return name, match.groupdict()
    return None


class ImageRoutes:
    """Handler mixin for the login-server reads above."""

    fake: FakeAzure

    def _answer_image_route(self, route: str, groups: dict[str, str], head: bool) -> None:
        registry = self.fake.find(groups["reg"])
        if registry is None:
            self._registry_error(404, "NAME_UNKNOWN", "registry unknown")  # type: ignore[attr-defined]
            return
        repo = groups["repo"]
        if route in self.fake.forbidden_routes:
            self._registry_error(403, "DENIED", "requested access to the resource is denied")  # type: ignore[attr-defined]
            return
        if not self._may_read(repo):
            self._registry_error(401, "UNAUTHORIZED", "authentication required")  # type: ignore[attr-defined]
            return
        getattr(self, f"_image_{route}")(registry, repo, groups.get("ref") or "", head)

    def _image_manifest(self, registry: FakeRegistry, repo: str, ref: str, head: bool) -> None:
        image = _find(registry, repo, ref)
        quarantined = registry.quarantine and image and image.quarantine_state != "Passed"
        if image is None or (quarantined and not ref.startswith("sha256:")):
            self._registry_error(
                404, "MANIFEST_UNKNOWN", f"manifest tagged by {ref!r} is not found"
            )  # type: ignore[attr-defined]
            return
        if quarantined:
            self._registry_error(
                403, "DENIED", "The operation is disallowed on this registry, repository or image."
            )  # type: ignore[attr-defined]
            return
        if not image.read_enabled:
            self._registry_error(
                403, "DENIED", "The image is locked: read operations are disabled."
            )  # type: ignore[attr-defined]
            return
        kind = OCI_INDEX if image.is_index else OCI_MANIFEST
        body = json.dumps(_manifest(image)).encode()
        headers = {"Docker-Content-Digest": image.digest}
        if head:
            self._head(200, kind, len(body), headers)
        else:
            self._send(200, body, kind, headers)  # type: ignore[attr-defined]

    def _image_blob(self, registry: FakeRegistry, repo: str, ref: str, _head: bool) -> None:
        """A single image's config blob: its platform, as ``docker inspect`` shows it."""
        image = next(
            (i for i in registry.images if i.repository == repo and config_digest(i) == ref), None
        )
        if image is None or image.is_index:
            self._registry_error(404, "BLOB_UNKNOWN", "blob unknown to registry")  # type: ignore[attr-defined]
            return
        self._send(200, json.dumps(_config(image)).encode(), OCI_CONFIG, {})  # type: ignore[attr-defined]

    def _image_tag(self, registry: FakeRegistry, repo: str, ref: str, _head: bool) -> None:
        image = next((i for i in registry.images if (i.repository, i.tag) == (repo, ref)), None)
        if image is None:
            self._registry_error(404, "TAG_UNKNOWN", "the tag is not known")  # type: ignore[attr-defined]
            return
        self._json(200, {"registry": registry.login_server, "imageName": repo, "tag": _tag(image)})  # type: ignore[attr-defined]

    def _image_tags(self, registry: FakeRegistry, repo: str, _ref: str, _head: bool) -> None:
        images = [i for i in registry.images if i.repository == repo]
        if not images:
            self._registry_error(404, "NAME_UNKNOWN", "repository name not known to registry")  # type: ignore[attr-defined]
            return
        newest = [_tag(i) for i in reversed(images)]  # later in the list: pushed later
        self._json(200, {"registry": registry.login_server, "imageName": repo, "tags": newest})  # type: ignore[attr-defined]

    def _image_manifest_meta(self, registry: FakeRegistry, repo: str, ref: str, _h: bool) -> None:
        image = next((i for i in registry.images if i.repository == repo and i.digest == ref), None)
        if image is None:
            self._registry_error(404, "MANIFEST_UNKNOWN", "manifest unknown")  # type: ignore[attr-defined]
            return
        manifest: dict[str, Any] = {
            "digest": image.digest,
            "tags": [image.tag],
            "changeableAttributes": {"readEnabled": image.read_enabled},
        }
        if registry.quarantine:
            manifest["quarantineState"] = image.quarantine_state or "Quarantined"
        self._json(
            200, {"registry": registry.login_server, "imageName": repo, "manifest": manifest}
        )  # type: ignore[attr-defined]

    # --- plumbing --------------------------------------------------------------

    def _may_read(self, repo: str) -> bool:
        """The bearer token must be one the fake issued, granting this repository."""
        header = self.headers.get("Authorization", "")  # type: ignore[attr-defined]
        token = header.removeprefix("Bearer ").strip()
        parts = token.split(".")
        if len(parts) != 3 or not any(parts[2] == issued for issued in self.fake.issued):
            return False
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        return any(
            grant.get("type") == "repository" and grant.get("name") == repo
            for grant in claims.get("access", [])
        )

    def _head(self, status: int, kind: str, length: int, headers: dict[str, str]) -> None:
        self.send_response(status)  # type: ignore[attr-defined]
        self.send_header("Content-Type", kind)  # type: ignore[attr-defined]
        self.send_header("Content-Length", str(length))  # type: ignore[attr-defined]
        for name, value in headers.items():
            self.send_header(name, value)  # type: ignore[attr-defined]
        self.end_headers()  # type: ignore[attr-defined]


def _find(registry: FakeRegistry, repo: str, ref: str) -> FakeImage | None:
    for image in registry.images:
        if image.repository == repo and ref in (image.tag, image.digest):
            return image
    return None


def _tag(image: FakeImage) -> dict[str, Any]:
    return {
        "name": image.tag,
        "digest": image.digest,
        "changeableAttributes": {
            "deleteEnabled": True,
            "writeEnabled": True,
            "readEnabled": image.read_enabled,
            "listEnabled": True,
        },
    }


def config_digest(image: FakeImage) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(_config(image)).encode()).hexdigest()


def _config(image: FakeImage) -> dict[str, Any]:
    os_name, _, arch = image.platforms[0].partition("/")
    return {"architecture": arch, "os": os_name, "config": {}, "rootfs": {"type": "layers"}}


def _manifest(image: FakeImage) -> dict[str, Any]:
    if not image.is_index:
        config = {"mediaType": OCI_CONFIG, "digest": config_digest(image), "size": 100}
        return {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": []}
    entries = []
    for platform in image.platforms:
        os_name, _, arch = platform.partition("/")
        digest = "sha256:" + hashlib.sha256(f"{image.digest}{platform}".encode()).hexdigest()
        entries.append(
            {
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": 1000,
                "platform": {"os": os_name, "architecture": arch},
            }
        )
    return {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
