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


_LOGIN_SERVER_IN_TEXT = re.compile(
    r"\b([a-z0-9]{5,50})(" + "|".join(re.escape(s) for s in LOGIN_SUFFIXES) + r")\b",
    re.IGNORECASE,
)


def registries_in(text: str) -> list[str]:
    """Registries named by login server (``myreg.azurecr.io``) in free text, as errors name them.

    Built from ``LOGIN_SUFFIXES`` so a new cloud is recognised here too.
    """
    return list(dict.fromkeys(m.group(1).lower() for m in _LOGIN_SERVER_IN_TEXT.finditer(text)))
