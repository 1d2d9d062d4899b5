"""Turn what a person typed into a registry name we are willing to act on.

People paste a bare name, a login server (``myreg.azurecr.io``), a URL
(``https://myreg.azurecr.io/v2/``) or a full ARM resource ID. All of them
normalise to one lower-case name of 5-50 letters and digits, the only shape
ARM allows; anything else is refused before it reaches Azure, a log or an
audit line. Refusals never repeat the raw input: they describe what is wrong
and show at most a short, defanged preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.diagnostics.clouds import LOGIN_SUFFIXES
from bot.diagnostics.errors import InvalidRegistryName

NAME_RE = re.compile(r"[A-Za-z0-9]{5,50}")
SUBSCRIPTION_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# Resource group names: letters, digits, '_', '-', '.', '(' and ')'; 1-90 chars.
RESOURCE_GROUP_RE = re.compile(r"[\w\-.()]{1,90}", re.ASCII)

_MAX_INPUT = 600
_PREVIEW_LEN = 40
_SAFE_PREVIEW = re.compile(r"[^A-Za-z0-9._:/-]")
_RESOURCE_ID_RE = re.compile(
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)"
    r"/providers/microsoft\.containerregistry/registries/(?P<name>[^/]+)/?",
    re.IGNORECASE,
)
_LOGIN_URL_RE = re.compile(
    r"(?:https?://)?(?P<host>[A-Za-z0-9.-]+?)(?::443)?(?:/v2)?/?", re.IGNORECASE
)

__all__ = ["LOGIN_SUFFIXES", "InvalidRegistryName", "RegistryInput", "parse_registry", "preview"]

HOW_TO_NAME = (
    "Registry names are 5-50 letters and digits (for example myregistry). "
    "You can also paste the login server (myregistry.azurecr.io) or the registry's resource ID."
)


@dataclass(frozen=True)
class RegistryInput:
    """A validated registry reference.

    ``name`` is always lower case. ``subscription`` and ``resource_group`` are
    set when a resource ID was given; ``login_suffix`` when a login server was
    given (it tells which cloud the person meant).
    """

    name: str
    subscription: str | None = None
    resource_group: str | None = None
    login_suffix: str | None = None


def preview(text: str) -> str:
    """A short, defanged rendering of untrusted text, safe in Slack, a terminal or a log.

    Only letters, digits and ``. _ : / -`` survive; everything else becomes
    ``?``, so mentions (``<!channel>``), shell metacharacters and control
    characters cannot do anything where the preview is shown.
    """
    clipped = text.strip()[:_PREVIEW_LEN]
    safe = _SAFE_PREVIEW.sub("?", clipped)
    return safe + ("..." if len(text.strip()) > _PREVIEW_LEN else "")


def parse_registry(text: str) -> RegistryInput:
    """Normalise ``text`` into a :class:`RegistryInput` or raise :class:`InvalidRegistryName`."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidRegistryName(f"No registry was given. {HOW_TO_NAME}")
    if len(text) > _MAX_INPUT:
        raise InvalidRegistryName(
            f"That is far too long to be a registry name ({len(text)} characters). {HOW_TO_NAME}"
        )
    candidate = text.strip()
    if candidate.startswith("/") and "/subscriptions/" in candidate.lower():
        return _from_resource_id(candidate)
    if "." in candidate or "/" in candidate or ":" in candidate:
        return _from_login_server(candidate)
    return RegistryInput(name=_check_name(candidate))


def _check_name(name: str) -> str:
    if NAME_RE.fullmatch(name):
        return name.lower()
    if not name.isascii() or not name.isalnum():
        problem = "it contains characters other than letters and digits"
    elif len(name) < 5:
        problem = f"it is {len(name)} characters long, and names have at least 5"
    else:
        problem = f"it is {len(name)} characters long, and names have at most 50"
    raise InvalidRegistryName(f"'{preview(name)}' is not a registry name: {problem}. {HOW_TO_NAME}")


def _from_login_server(text: str) -> RegistryInput:
    match = _LOGIN_URL_RE.fullmatch(text)
    host = match.group("host").lower() if match else ""
    suffix = next((s for s in LOGIN_SUFFIXES if host.endswith(s)), None)
    if not match or suffix is None:
        raise InvalidRegistryName(
            f"'{preview(text)}' is not a registry or an Azure Container Registry login server. "
            + HOW_TO_NAME
        )
    return RegistryInput(name=_check_name(host[: -len(suffix)]), login_suffix=suffix)


def _from_resource_id(text: str) -> RegistryInput:
    match = _RESOURCE_ID_RE.fullmatch(text)
    if not match:
        raise InvalidRegistryName(
            f"'{preview(text)}' is not a container registry resource ID "
            "(/subscriptions/SUBSCRIPTION-ID/resourceGroups/GROUP/providers/"
            "Microsoft.ContainerRegistry/registries/NAME)."
        )
    subscription, group = match.group("sub"), match.group("rg")
    if not SUBSCRIPTION_RE.fullmatch(subscription):
        raise InvalidRegistryName("The resource ID's subscription is not a subscription ID.")
    if not RESOURCE_GROUP_RE.fullmatch(group) or group.endswith("."):
        raise InvalidRegistryName("The resource ID's resource group name is not valid.")
    return RegistryInput(
        name=_check_name(match.group("name")),
        subscription=subscription.lower(),
        resource_group=group,
    )


# One alternation of every cloud's login suffix, without the leading dot
# ("azurecr\\.io|azurecr\\.cn|..."), so a new cloud in clouds.py is found everywhere.
SUFFIX_PATTERN = "|".join(re.escape(s.lstrip(".")) for s in LOGIN_SUFFIXES)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# A registry host: the registry's label, an optional data-endpoint region
# (name.region.data.azurecr.io), then a cloud's suffix. The name may not follow
# a letter or digit of any script (nor '.', '-', '_'), so a look-alike prefix
# ("contos\u043eregistry", Cyrillic o) makes no match rather than a truncated one.
HOST_PATTERN = rf"{_LABEL}(?:\.[A-Za-z0-9-]{{1,40}}\.data)?\.(?:{SUFFIX_PATTERN})"
LOGIN_SERVER_RE = re.compile(
    rf"(?<![\w.-])(?P<name>{_LABEL})(?:\.[A-Za-z0-9-]{{1,40}}\.data)?"
    rf"\.(?P<suffix>{SUFFIX_PATTERN})(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
# Zero-width and bidi controls: invisible, so they must not split or join a name.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# How many distinct registries one message may name; more is a paste or an attack,
# and every one of them could become a check offered to the person.
MAX_REGISTRIES_PER_MESSAGE = 20


def visible(text: str) -> str:
    """``text`` without zero-width and bidi control characters."""
    return _INVISIBLE.sub("", text)


def login_servers_in(text: str):
    """``(label, suffix)`` of every registry host in ``text``, in order (repeats included).

    ``label`` is the host's first label as written (it may fail the name rules);
    ``suffix`` is the cloud's login suffix without its leading dot.
    """
    for match in LOGIN_SERVER_RE.finditer(visible(text)):
        yield match.group("name"), match.group("suffix").lower()


def registries_in(text: str, limit: int = MAX_REGISTRIES_PER_MESSAGE) -> list[str]:
    """Registries named by login server (``myreg.azurecr.io``) in free text, as errors name them.

    Built from ``LOGIN_SUFFIXES`` so a new cloud is recognised here too; data
    endpoints (``myreg.eastus.data.azurecr.io``) name ``myreg``. First mention
    first, no repeats, at most ``limit`` names; linear in the text's length.
    """
    seen: dict[str, None] = {}
    for label, _suffix in login_servers_in(text):
        if NAME_RE.fullmatch(label):
            seen.setdefault(label.lower())
            if len(seen) >= limit:
                break
    return list(seen)
