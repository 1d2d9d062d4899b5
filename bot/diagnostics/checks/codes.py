"""What each failure code means, what to do about it, and how to find the FAQ entry.

Codes that ``az acr check-health`` also reports keep the CLI's names, so a
person can search for them and land on Microsoft's error reference; the rest
are acrbot's own and say so. Each code carries a short search query (English
and Chinese keywords, since the seed FAQ is the Chinese edition); the report
hands it to the knowledge base to find the entries that explain the result,
so no FAQ text is hard-coded here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

ERRORS_URL = "https://aka.ms/acr/errors#"
HEALTH_CHECK_URL = "https://aka.ms/acr/health-check"

_FIREWALL_QUERY = "firewall network rules forbidden 403 防火墙规则"
_PERMISSION_QUERY = "permissions role assignment pull access 权限 请求或推送映像的访问权限"
_QUOTA_QUERY = "registry quota storage usage 注册表配额使用"
_HEALTH_QUERY = "check-health 检查运行状况 az acr check-health"
_ADMIN_QUERY = "admin credentials 管理员凭据"


@dataclass(frozen=True)
class CodeInfo:
    explanation: str
    advice: str
    faq_query: str | None
    cli_code: bool = False

    def help_url(self, code: str) -> str | None:
        return ERRORS_URL + code.lower() if self.cli_code else None


CODES: MappingProxyType[str, CodeInfo] = MappingProxyType(
    {
        "LOGIN_SERVER_ERROR": CodeInfo(
            "The registry's login server could not be worked out.",
            "Check the registry name and azure.cloud in the acrbot config.",
            _HEALTH_QUERY,
            cli_code=True,
        ),
        "CONNECTIVITY_DNS_ERROR": CodeInfo(
            "The login server's name does not resolve from the bot's network.",
            "Check the registry name for typos and that the right cloud is configured; "
            "with a private endpoint, the bot's network needs the registry's private DNS zone.",
            _HEALTH_QUERY,
            cli_code=True,
        ),
        "CONNECTIVITY_FORBIDDEN_ERROR": CodeInfo(
            "The registry refused the connection (HTTP 403): its firewall or network rules "
            "do not allow the network the bot runs in.",
            "Look at the registry's networking settings (public network access, allowed IP "
            "ranges, virtual networks) and allow the network that needs access.",
            _FIREWALL_QUERY,
            cli_code=True,
        ),
        "CONNECTIVITY_CHALLENGE_ERROR": CodeInfo(
            "The registry did not answer with an authentication challenge as expected.",
            "It may be a passing problem: try again in a few minutes. If it persists, "
            "check the network path between the bot and the registry.",
            _HEALTH_QUERY,
            cli_code=True,
        ),
        "CONNECTIVITY_SSL_ERROR": CodeInfo(
            "A secure (TLS) connection to the registry could not be made.",
            "A proxy or firewall that inspects TLS is the usual cause; make sure it trusts "
            "and passes through *.azurecr.io traffic.",
            "TLS 1.2 proxy certificate",
            cli_code=True,
        ),
        "CONNECTIVITY_AAD_LOGIN_ERROR": CodeInfo(
            "The registry does not offer Azure AD (Bearer) sign-in.",
            "Sign-in with Azure AD identities will not work here; the registry's admin "
            "credentials may be the only way in.",
            _ADMIN_QUERY,
            cli_code=True,
        ),
        "CONNECTIVITY_REFRESH_TOKEN_ERROR": CodeInfo(
            "The registry refused to exchange the Azure AD token for a registry token.",
            "Check that the identity has a role on the registry (AcrPull, AcrPush or Reader) "
            "and sign in again; new role assignments can take a few minutes to apply.",
            _PERMISSION_QUERY,
            cli_code=True,
        ),
        "CONNECTIVITY_TOOMANYREQUESTS_ERROR": CodeInfo(
            "The registry is throttling token requests (HTTP 429): too many at once.",
            "Wait for the time its Retry-After asks, then try again; many nodes pulling at once "
            "(a rollout) is the usual cause.",
            "toomanyrequests 429 throttled 请求过多",
            cli_code=True,
        ),
        "CONNECTIVITY_ACCESS_TOKEN_ERROR": CodeInfo(
            "The registry refused to issue an access token.",
            "Check the identity's role assignments on the registry (AcrPull, AcrPush or Reader); "
            "where the registry uses repository permissions, the assignment must cover the "
            "repository. New assignments can take a few minutes to apply.",
            _PERMISSION_QUERY,
            cli_code=True,
        ),
        "CMK_ERROR": CodeInfo(
            "The identity named for the customer-managed encryption key is not one of the "
            "registry's identities, so the registry may not be able to reach its key.",
            "Assign that managed identity to the registry, or point the encryption settings "
            "at an identity the registry has.",
            "customer-managed key encryption identity",
            cli_code=True,
        ),
        "AAD_TOKEN_ERROR": CodeInfo(
            "acrbot could not get an Azure AD token with its configured credential.",
            "Check azure.credential in the acrbot config and that the bot's identity "
            "(managed identity, service principal or CLI login) is available.",
            None,
        ),
        "REGISTRY_NOT_FOUND": CodeInfo(
            "Azure Resource Manager does not know this registry in that subscription and "
            "resource group.",
            "Check the name, and the subscription and resource group in azure.registries.",
            None,
        ),
        "ARM_AUTHORIZATION_FAILED": CodeInfo(
            "The bot's identity may not read this registry's settings in Azure Resource Manager.",
            "Give the bot's identity the Reader role on the registry (or its resource group).",
            _PERMISSION_QUERY,
        ),
        "ARM_THROTTLED": CodeInfo(
            "Azure Resource Manager is throttling the bot's requests (HTTP 429).",
            "Wait a minute and try again.",
            None,
        ),
        "ARM_ERROR": CodeInfo(
            "Azure Resource Manager answered with an error.",
            "This is usually temporary; try again in a few minutes.",
            None,
        ),
        "ARM_UNREACHABLE": CodeInfo(
            "Azure Resource Manager could not be reached from the bot's network.",
            "Check the bot's outbound network access (proxy, firewall) and azure.cloud.",
            None,
        ),
        "MALFORMED_RESPONSE": CodeInfo(
            "Azure answered with something that is not the expected JSON.",
            "This is usually temporary (or a proxy in the way); try again later.",
            None,
        ),
        "DEADLINE_EXCEEDED": CodeInfo(
            "The check ran out of time before Azure answered.",
            "Try again later; if it keeps happening, the network path is slow or blocked.",
            None,
        ),
        "CLASSIC_SKU_NO_USAGE": CodeInfo(
            "Classic registries do not report usage, and the Classic tier is retired.",
            "Upgrade the registry to Basic, Standard or Premium.",
            "sku upgrade classic 升级",
        ),
        "STORAGE_ABOVE_INCLUDED": CodeInfo(
            "The registry is above included storage (billed as overage): it stores more than "
            "its tier includes. Pushes still work; the extra is charged per GiB.",
            "Delete unused images or untagged manifests (a retention policy helps), or move to "
            "a tier that includes more storage if the overage is expected.",
            _QUOTA_QUERY,
        ),
        "STORAGE_NEAR_LIMIT": CodeInfo(
            "The registry's storage is close to its maximum capacity; pushes fail once it is "
            "reached.",
            "Delete unused images or untagged manifests, or move to a larger tier; "
            "deleted data can take a while to stop counting.",
            _QUOTA_QUERY,
        ),
        "STORAGE_FULL": CodeInfo(
            "The registry has reached its maximum storage capacity; pushes fail until "
            "space is freed.",
            "Delete unused images or untagged manifests, or move to a larger tier.",
            _QUOTA_QUERY,
        ),
        "ADMIN_USER_ENABLED": CodeInfo(
            "The registry's admin user is enabled: one shared username and password "
            "with full access.",
            "Prefer individual Azure AD identities or scoped tokens, and disable the admin "
            "user when nothing depends on it.",
            _ADMIN_QUERY,
        ),
        "INTERNAL_ERROR": CodeInfo(
            "acrbot hit an unexpected problem while running this step.",
            "Try again; if it keeps happening, an operator can look at the bot's logs.",
            None,
        ),
    }
)


def info(code: str) -> CodeInfo:
    return CODES.get(code) or CODES["INTERNAL_ERROR"]
