"""Find the registries (and image repositories) an alert talks about.

Alerts name registries in several ways: a login server anywhere in a
message (``myreg.azurecr.io``, with a port, a ``/v2/`` path or as part of an
image reference), an ARM resource ID of ``Microsoft.ContainerRegistry/registries``
in any letter case, or a bare name in a field known to hold one (a
``LoginServer`` dimension, a ``registry`` label). Every candidate goes
through the diagnostics' own name rules (:mod:`bot.diagnostics.registry_name`);
one that fails them is kept only as a defanged preview, to show and never to
send to Azure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.diagnostics.errors import InvalidImageReference
from bot.diagnostics.pull.image_ref import parse_image
from bot.diagnostics.registry_name import (
    HOST_PATTERN,
    MAX_REGISTRIES_PER_MESSAGE,
    InvalidRegistryName,
    login_servers_in,
    parse_registry,
    preview,
    visible,
)

_SCAN_LIMIT = 20_000  # characters of one text fragment worth scanning
_RESOURCE_ID = re.compile(
    r"/subscriptions/[^/\s\"']{1,64}/resourcegroups/[^/\s\"']{1,90}"
    r"/providers/microsoft\.containerregistry/registries/[^/\s\"'?#,;)\]]{1,80}",
    re.IGNORECASE,
)
_REPO_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE = re.compile(
    rf"(?<![\w.-])(?P<host>{HOST_PATTERN})"
    rf"(?::\d{{1,5}})?/(?P<repo>{_REPO_PART}(?:/{_REPO_PART}){{0,8}})"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?",
)
_API_PATHS = ("v2", "oauth2", "acr")
# The names of fields that hold a registry, read as words (snake_case, camelCase, kebab-case,
# dotted, spaced): known qualifiers, then the registry word as a whole word (``registry``,
# ``acr``, ``AzureContainerRegistry``), then known parts of what it names. ``registry_name``,
# ``acrName``, ``azure_container_registry``, ``acr_registry_name``, ``target_registry``,
# ``registry_fqdn``, ``acr_url``, ``LoginServer``; not ``macro_service``, ``acrOwnerTeam``,
# ``registry_mirror_enabled`` or ``source_registry_count`` (a word merely containing the
# letters, or a word that says the value is something else).
_FIELD_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_REGISTRY_WORDS = frozenset({"registry", "acr"})
_FIELD_QUALIFIERS = frozenset(
    {"azure", "container", "docker", "image", "oci", "target", "source", "src", "dest"}
    | {"destination", "upstream", "primary", "private"}
)
_FIELD_PARTS = frozenset(
    {"name", "login", "server", "host", "hostname", "fqdn", "url", "uri", "endpoint", "address"}
    | {"resource", "instance", "domain"}
)
_PAIRED = {"login": "server", "resource": "name"}


def _field_words(name: str) -> list[str]:
    """``AzureContainerRegistry`` → azure, container, registry; ``acr_url`` → acr, url."""
    return [w.lower() for w in _FIELD_WORD.findall(name)]


# An image on a registry that is not ACR's (harbor.corp.local/shop/api:1.4, docker.io/library/
# nginx:1.25, ghcr.io/org/app@sha256:…): a dotted host (or one with a port) then a path, and
# not the host of a URL (https://runbooks.example.dev/…) or an e-mail address.
_OTHER_IMAGE = re.compile(
    r"(?<![\w.@/:-])(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?"
    r"|localhost:\d{1,5})"
    rf"/(?P<repo>{_REPO_PART}(?:/{_REPO_PART}){{0,8}})"
    r"(?P<ref>:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """Registries found, in order of first mention, and the names that failed the rules."""

    registries: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    repositories: tuple[tuple[str, str], ...] = ()  # (registry, repository)
    images: tuple[tuple[str, str], ...] = ()  # (registry, repository:tag or repository@digest)


def is_registry_field(name: str) -> bool:
    """Whether a field or label of this name holds a registry when its value is bare.

    The name's words must all be a registry field's: qualifiers, the
    registry word as a whole word, then what it names (``registry``,
    ``acr_name``, ``target_registry``, ``registry_fqdn``, ``LoginServer``). A
    name that merely contains the letters (``macro_service``, ``acrOwnerTeam``)
    or says the value is something else (``registry_mirror_enabled``) holds
    anything but a registry.
    """
    if not isinstance(name, str) or len(name) > 100:
        return False
    words = _field_words(name)
    if not words or "".join(words) != re.sub(r"[_. -]", "", name.strip()).lower():
        return False  # other characters than words and separators
    at = 0
    while at < len(words) and words[at] in _FIELD_QUALIFIERS:
        at += 1
    registry_words = 0
    while at < len(words) and words[at] in _REGISTRY_WORDS:
        at += 1
        registry_words += 1
    rest = words[at:]
    if not all(w in _FIELD_PARTS for w in rest):
        return False
    # "login" and "resource" only in "login server" and "resource name" (``acr_login`` may hold
    # a user name, ``acr_resource`` a resource ID)
    pairs = zip(rest, [*rest[1:], None], strict=False)  # the last word is followed by None
    if any(_PAIRED.get(word, after) != after for word, after in pairs):
        return False
    if registry_words:
        return True
    # ``LoginServer``, ``login_server``: a login server is a registry's, no registry word needed
    return words == ["login", "server"]


def find_registries(texts: Iterable[str], bare: Iterable[str] = ()) -> Found:
    """Registries named in ``texts`` (login servers, resource IDs) and ``bare`` values.

    ``bare`` values may be plain names (``contosoregistry``); free text is
    never searched for plain names, since any word would match. A bare value
    is not taken as an ACR registry when the alert's own images say the
    registry is elsewhere: the value is the first label of a non-ACR image
    host (``registry=harbor`` beside ``harbor.corp.local/shop/api:1.4``), or
    every image the alert names is on a registry that is not ACR.
    """
    # Dicts keep first-mention order and make each "seen?" O(1); every list
    # stops growing at MAX_REGISTRIES_PER_MESSAGE.
    names: dict[str, None] = {}
    rejected: dict[str, None] = {}
    repositories: dict[tuple[str, str], None] = {}
    images: dict[tuple[str, str], bool] = {}  # → whether the reference had no tag or digest
    limit = MAX_REGISTRIES_PER_MESSAGE

    def full() -> bool:
        return len(names) >= limit and len(rejected) >= limit

    def accept(candidate: str) -> str | None:
        try:
            name = parse_registry(candidate).name
        except InvalidRegistryName:
            if len(rejected) < limit:
                rejected.setdefault(preview(candidate))
            return None
        if name in names or len(names) < limit:
            names.setdefault(name)
            return name
        return None

    texts = [visible(t[:_SCAN_LIMIT]) for t in texts if isinstance(t, str) and t]
    bare = [visible(v.strip()) for v in bare if isinstance(v, str) and v.strip()]
    if bare:
        bare = _not_elsewhere(bare, texts)
    for value in bare:
        accept(value)
    for text in texts:
        if full():
            break
        for match in _RESOURCE_ID.finditer(text):
            accept(match.group(0))
            if full():
                break
        for label, suffix in login_servers_in(text):
            accept(f"{label}.{suffix}")
            if full():
                break
        for match in _IMAGE.finditer(text):
            if len(repositories) >= limit:
                break
            repo = _repository(match.group("repo"))
            if not repo:
                continue
            login = next(login_servers_in(match.group("host")), None)
            registry = accept(f"{login[0]}.{login[1]}") if login else None
            if registry:
                repositories.setdefault((registry, repo))
                image = _image(match, text)
                if image and len(images) < limit:
                    untagged = not (match.group("tag") or match.group("digest"))
                    key = (registry, image)
                    images[key] = images.get(key, True) and untagged
    return Found(tuple(names), tuple(rejected), tuple(repositories), _explicit_first(images))


def images_elsewhere(texts: Iterable[str]) -> bool:
    """Whether the alert names images and every one is on a registry that is not ACR."""
    _, others, on_acr = _other_registries([visible(t[:_SCAN_LIMIT]) for t in texts if t])
    return bool(others) and not on_acr


def _other_registries(texts: list[str]) -> tuple[set[str], int, int]:
    """Non-ACR image hosts (and their first labels), their tagged images, and ACR images."""
    hosts: set[str] = set()
    others = on_acr = 0
    for text in texts:
        if not isinstance(text, str):
            continue
        on_acr += sum(1 for _ in _IMAGE.finditer(text))
        for match in _OTHER_IMAGE.finditer(text):
            host = match.group("host").lower()
            if next(login_servers_in(host), None):
                continue
            hosts.update((host, host.split(".")[0].split(":")[0]))
            others += bool(match.group("ref"))
    return hosts, others, on_acr


def _not_elsewhere(bare: list[str], texts: list[str]) -> list[str]:
    """The bare values the alert's images do not place on another registry (see find_registries)."""
    hosts, others, on_acr = _other_registries(texts)
    if others and not on_acr:
        return []
    return [value for value in bare if value.lower() not in hosts]


def _explicit_first(images: dict[tuple[str, str], bool]) -> tuple[tuple[str, str], ...]:
    """The images, less a bare ``repo`` (read as ``latest``) when ``repo:1.4`` is also named.

    Error chains repeat the reference in pieces ("reading manifest 1.4 in
    myreg.azurecr.io/shop/api"): the bare mention is that image, not latest.
    """

    def repository(image: str) -> str:
        return image.partition("@")[0].rpartition(":")[0] or image

    tagged = {(reg, repository(image)) for (reg, image), bare in images.items() if not bare}
    return tuple(
        (reg, image)
        for (reg, image), bare in images.items()
        if not (bare and (reg, repository(image)) in tagged)
    )


def _image(match: re.Match[str], text: str) -> str | None:
    """The image a reference names (``shop/api:1.4``), checked by the pull check's own rules.

    Registry API paths and URLs are not images, and neither is a reference
    the pattern stopped short of (``shop/API``): better no image than the
    wrong one.
    """
    path = match.group("repo")
    if path.split("/")[0] in _API_PATHS or text[max(0, match.start() - 8) : match.start()].endswith(
        ("http://", "https://")
    ):
        return None
    tag = (match.group("tag") or "").rstrip(".-")
    end = match.start("tag") + len(tag) if tag else match.end("repo")
    if match.group("digest"):
        end = match.end("digest")
    if end < len(text) and (text[end].isalnum() or text[end] in "_/:@"):
        return None
    reference = path + (f":{tag}" if tag else "")
    if match.group("digest"):
        reference += "@" + match.group("digest")
    try:
        return parse_image(reference).display()
    except InvalidImageReference:
        return None


def _repository(path: str) -> str | None:
    """The repository of an image path; ``None`` for registry API paths (``/v2/``…)."""
    parts = path.lower().split("/")
    if parts[0] in _API_PATHS:
        if parts[0] != "v2" or len(parts) < 2:
            return None
        parts = parts[1:]
        for marker in ("manifests", "blobs", "tags"):
            if marker in parts:
                parts = parts[: parts.index(marker)]
        if not parts or parts == ["_catalog"]:
            return None
    return "/".join(parts)
