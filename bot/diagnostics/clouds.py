"""The Azure clouds acrbot knows: where ARM lives, who signs tokens, which suffix registries use.

A registry in Azure China or US Government has a different login-server
suffix, ARM endpoint, token authority and ARM scope; mixing them up gives
confusing DNS or 401 errors, so every cloud-specific value lives here and
nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

from bot.diagnostics.errors import DiagnosticsConfigError

# ACR's own AAD audience; accepted whether or not the registry disables ARM-audience tokens.
ACR_SCOPE = "https://containerregistry.azure.net/.default"


@dataclass(frozen=True)
class Cloud:
    name: str
    login_suffix: str
    arm_endpoint: str
    authority_host: str
    arm_scope: str
    acr_scope: str = ACR_SCOPE


CLOUDS: MappingProxyType[str, Cloud] = MappingProxyType(
    {
        "public": Cloud(
            name="public",
            login_suffix=".azurecr.io",
            arm_endpoint="https://management.azure.com",
            authority_host="login.microsoftonline.com",  # AzureAuthorityHosts.AZURE_PUBLIC_CLOUD
            arm_scope="https://management.azure.com/.default",
        ),
        "china": Cloud(
            name="china",
            login_suffix=".azurecr.cn",
            arm_endpoint="https://management.chinacloudapi.cn",
            authority_host="login.chinacloudapi.cn",  # AzureAuthorityHosts.AZURE_CHINA
            arm_scope="https://management.chinacloudapi.cn/.default",
        ),
        "usgov": Cloud(
            name="usgov",
            login_suffix=".azurecr.us",
            arm_endpoint="https://management.usgovcloudapi.net",
            authority_host="login.microsoftonline.us",  # AzureAuthorityHosts.AZURE_GOVERNMENT
            # Not the ARM host: the Azure SDK's US Government audience is
            # management.core.usgovcloudapi.net (azure-cli-core cloud.py,
            # AZURE_US_GOV_CLOUD active_directory_resource_id; msrestazure
            # azure_cloud.py the same), so tokens are asked for that scope.
            arm_scope="https://management.core.usgovcloudapi.net/.default",
        ),
    }
)


def get_cloud(name: str, setting: str = "azure.cloud") -> Cloud:
    """The cloud called ``name``; a config error naming ``setting`` otherwise."""
    cloud = CLOUDS.get(str(name).strip().lower())
    if cloud is None:
        raise DiagnosticsConfigError(setting, f"must be one of {', '.join(CLOUDS)}")
    return cloud


def cloud_for_suffix(suffix: str) -> Cloud | None:
    """The cloud whose registries end in ``suffix`` (``.azurecr.cn`` -> china)."""
    return next((c for c in CLOUDS.values() if c.login_suffix == suffix.lower()), None)


LOGIN_SUFFIXES: tuple[str, ...] = tuple(c.login_suffix for c in CLOUDS.values())


def is_login_server_of(cloud: Cloud, host: str) -> bool:
    """``host`` is a registry host of ``cloud``: one or more labels, then the cloud's suffix.

    Dedicated data endpoints (``myreg.eastus.data.azurecr.io``) qualify; a host
    that merely contains the suffix (``myreg.azurecr.io.evil.example``) does not.
    """
    host = host.lower().rstrip(".")
    label = host[: -len(cloud.login_suffix)] if host.endswith(cloud.login_suffix) else ""
    return bool(label) and all(part for part in label.split("."))


def is_login_url_of(cloud: Cloud, url: str) -> bool:
    """``url`` is https on a registry host of ``cloud`` (the default port only)."""
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.port in (None, 443)
        and (is_login_server_of(cloud, parts.hostname or ""))
    )
