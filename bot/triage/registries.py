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

from bot.diagnostics.registry_name import InvalidRegistryName, parse_registry, preview

_SCAN_LIMIT = 20_000  # characters of one text fragment worth scanning
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# name.azurecr.io, or a data endpoint name.region.data.azurecr.io
_LOGIN_SERVER = re.compile(
    rf"(?<![A-Za-z0-9.-])(?P<name>{_LABEL})(?:\.[A-Za-z0-9-]{{1,40}}\.data)?"
    r"\.(?P<suffix>azurecr\.(?:io|cn|us))(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
_RESOURCE_ID = re.compile(
    r"/subscriptions/[^/\s\"']{1,64}/resourcegroups/[^/\s\"']{1,90}"
    r"/providers/microsoft\.containerregistry/registries/[^/\s\"'?#,;)\]]{1,80}",
    re.IGNORECASE,
)
_REPO_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE = re.compile(
    r"(?P<host>[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,40}\.data)?\.azurecr\.(?:io|cn|us))"
    rf"(?::\d{{1,5}})?/(?P<repo>{_REPO_PART}(?:/{_REPO_PART}){{0,8}})"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@sha256:[0-9a-f]{64})?",
)
_API_PATHS = ("v2", "oauth2", "acr")
_BARE_FIELDS = re.compile(r"login_?server|registry|acr", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """Registries found, in order of first mention, and the names that failed the rules."""

    registries: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    repositories: tuple[tuple[str, str], ...] = ()  # (registry, repository)


def is_registry_field(name: str) -> bool:
    """Whether a field or label of this name holds a registry when its value is bare."""
    return bool(_BARE_FIELDS.search(name))


def find_registries(texts: Iterable[str], bare: Iterable[str] = ()) -> Found:
    """Registries named in ``texts`` (login servers, resource IDs) and ``bare`` values.

    ``bare`` values may be plain names (``contosoregistry``); free text is
    never searched for plain names, since any word would match.
    """
    names: list[str] = []
    rejected: list[str] = []
    repositories: list[tuple[str, str]] = []

    def accept(candidate: str) -> str | None:
        try:
            name = parse_registry(candidate).name
        except InvalidRegistryName:
            shown = preview(candidate)
            if shown not in rejected:
                rejected.append(shown)
            return None
        if name not in names:
            names.append(name)
        return name

    for value in bare:
        if isinstance(value, str) and value.strip():
            accept(value.strip())
    for text in texts:
        if not isinstance(text, str) or not text:
            continue
        text = text[:_SCAN_LIMIT]
        for match in _RESOURCE_ID.finditer(text):
            accept(match.group(0))
        for match in _LOGIN_SERVER.finditer(text):
            accept(f"{match.group('name')}.{match.group('suffix')}")
        for match in _IMAGE.finditer(text):
            repo = _repository(match.group("repo"))
            if not repo:
                continue
            host = match.group("host")
            login = _LOGIN_SERVER.search(host)
            registry = accept(f"{login.group('name')}.{login.group('suffix')}") if login else None
            if registry and (registry, repo) not in repositories:
                repositories.append((registry, repo))
    return Found(tuple(names), tuple(rejected), tuple(repositories))


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
