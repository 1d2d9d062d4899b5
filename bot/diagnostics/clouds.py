"""The Azure clouds acrbot knows: where ARM lives, who signs tokens, which suffix registries use.

A registry in Azure China or US Government has a different login-server
suffix, ARM endpoint, token authority and ARM scope; mixing them up gives
confusing DNS or 401 errors, so every cloud-specific value lives here and
nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from azure.identity import AzureAuthorityHosts

from bot.errors import ConfigError

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
            authority_host=AzureAuthorityHosts.AZURE_PUBLIC_CLOUD,
            arm_scope="https://management.azure.com/.default",
        ),
        "china": Cloud(
            name="china",
            login_suffix=".azurecr.cn",
            arm_endpoint="https://management.chinacloudapi.cn",
            authority_host=AzureAuthorityHosts.AZURE_CHINA,
            arm_scope="https://management.chinacloudapi.cn/.default",
        ),
        "usgov": Cloud(
            name="usgov",
            login_suffix=".azurecr.us",
            arm_endpoint="https://management.usgovcloudapi.net",
            authority_host=AzureAuthorityHosts.AZURE_GOVERNMENT,
            arm_scope="https://management.usgovcloudapi.net/.default",
        ),
    }
)


def get_cloud(name: str, setting: str = "azure.cloud") -> Cloud:
    """The cloud called ``name``; a config error naming ``setting`` otherwise."""
    cloud = CLOUDS.get(str(name).strip().lower())
    if cloud is None:
        raise ConfigError(setting, f"must be one of {', '.join(CLOUDS)}")
    return cloud


def cloud_for_suffix(suffix: str) -> Cloud | None:
    """The cloud whose registries end in ``suffix`` (``.azurecr.cn`` -> china)."""
    return next((c for c in CLOUDS.values() if c.login_suffix == suffix.lower()), None)
