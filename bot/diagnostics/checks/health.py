"""check-health: the registry half of ``az acr check-health``, run from the bot's side.

Steps, in the CLI's order: work out the login server (ARM, else name plus
the cloud's suffix), resolve it, ask ``/v2/`` for its auth challenge, read
the challenge, get an Azure AD token, exchange it for a refresh token, trade
that for an access token, and check the customer-managed-key identity. The
docker/helm parts of the CLI need local binaries and do not apply here. The
tokens obtained are only proof that the flow works: they are never shown,
stored or used for anything else.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

from bot.diagnostics.azure_client import AzureError, token_tenant
from bot.diagnostics.checks.base import (
    HOST_RE,
    Check,
    CheckContext,
    Step,
    arm_code,
    mapping,
    ok,
    problem,
    properties,
    read_registry,
    skipped,
)
from bot.diagnostics.report import Status, StepResult

CATALOG_SCOPE = "registry:catalog:*"
_PARAM_RE = re.compile(r'\s*([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """(scheme, parameters) of a ``WWW-Authenticate`` header.

    Quoted values may contain commas (``scope="repository:x:pull,push"``), so
    the header is parsed parameter by parameter rather than split on commas.
    """
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = _PARAM_RE.match(rest, position)
        if not match or match.end() == position:
            break
        quoted, bare = match.group(2), match.group(3)
        value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        params[match.group(1).lower()] = value
        position = match.end()
    return scheme.lower(), params


def login_server(ctx: CheckContext) -> StepResult:
    fallback = ctx.target.default_login_server
    try:
        found = properties(read_registry(ctx)).get("loginServer")
    except AzureError as exc:
        if exc.kind == "deadline":
            raise
        return _fallback_login(ctx, fallback, arm_code(exc), str(exc))
    if not isinstance(found, str) or not HOST_RE.fullmatch(found):
        return _fallback_login(ctx, fallback, "MALFORMED_RESPONSE", "no usable loginServer")
    ctx.state["login_server"] = found.lower()
    ctx.facts["Login server"] = found.lower()
    return ok(f"{found.lower()} (from Azure Resource Manager).")


def _fallback_login(ctx: CheckContext, fallback: str, code: str, why: str) -> StepResult:
    if not ctx.target.cloud.login_suffix:
        return problem("LOGIN_SERVER_ERROR", why)
    ctx.state["login_server"] = fallback
    ctx.facts["Login server"] = f"{fallback} (name + cloud suffix)"
    return problem(code, f"Using {fallback} instead. {why}", Status.WARNING)


def dns(ctx: CheckContext) -> StepResult:
    base = ctx.login_base(ctx.state["login_server"])
    ctx.state["base"] = base
    host = urlsplit(base).hostname or ""
    try:
        addresses = ctx.resolve(host, min(ctx.dns_timeout, ctx.client.deadline.require()))
    except OSError as exc:
        why = "timed out" if isinstance(exc, TimeoutError) else _dns_reason(exc)
        return problem("CONNECTIVITY_DNS_ERROR", f"{host}: {why}")
    ctx.data["addresses"] = addresses[:8]
    ctx.facts["IP addresses (from the bot)"] = ", ".join(addresses[:4])
    return ok(f"{host} resolves to {', '.join(addresses[:4])} (seen from the bot's network).")


def _dns_reason(exc: OSError) -> str:
    if isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_NONAME:
        return "no such name"
    return exc.strerror or type(exc).__name__


def challenge(ctx: CheckContext) -> StepResult:
    try:
        answer = ctx.client.challenge(ctx.state["base"])
    except AzureError as exc:
        if exc.kind == "deadline":
            raise
        code = "CONNECTIVITY_SSL_ERROR" if exc.kind == "tls" else "CONNECTIVITY_CHALLENGE_ERROR"
        return problem(code, str(exc))
    if answer.status == 403:
        return problem("CONNECTIVITY_FORBIDDEN_ERROR", "GET /v2/ answered HTTP 403.")
    if answer.status == 429:
        return problem("CONNECTIVITY_TOOMANYREQUESTS_ERROR", "GET /v2/ answered HTTP 429.")
    if answer.status != 401:
        return problem("CONNECTIVITY_CHALLENGE_ERROR", f"GET /v2/ answered HTTP {answer.status}.")
    if not answer.www_authenticate:
        return problem(
            "CONNECTIVITY_CHALLENGE_ERROR", "HTTP 401 came without a WWW-Authenticate header."
        )
    ctx.state["challenge"] = answer.www_authenticate
    return ok("The registry answered and asked the bot to authenticate (HTTP 401), as expected.")


def auth_challenge(ctx: CheckContext) -> StepResult:
    scheme, params = parse_challenge(ctx.state["challenge"])
    if scheme != "bearer" or not params.get("realm") or not params.get("service"):
        shown = scheme.capitalize() or "an empty challenge"
        return problem("CONNECTIVITY_AAD_LOGIN_ERROR", f"Challenge scheme: {shown}.")
    ctx.state["service"] = params["service"]
    return ok(f"Bearer challenge for service {params['service']}.")


def aad_token(ctx: CheckContext) -> StepResult:
    try:
        ctx.state["aad"] = ctx.client.aad_token()
    except AzureError as exc:
        if exc.kind == "deadline":
            raise
        return problem("AAD_TOKEN_ERROR", str(exc))
    return ok("The bot's identity got an Azure AD token for the registry.")


def refresh_token(ctx: CheckContext) -> StepResult:
    tenant = ctx.tenant_id or token_tenant(ctx.state["aad"])
    try:
        ctx.state["refresh"] = ctx.client.exchange(
            ctx.state["base"], ctx.state["service"], tenant, ctx.state["aad"]
        )
    except AzureError as exc:
        return _token_problem(exc, "CONNECTIVITY_REFRESH_TOKEN_ERROR")
    return ok("The registry exchanged the Azure AD token for a refresh token.")


def access_token(ctx: CheckContext) -> StepResult:
    try:
        ctx.client.access_token(
            ctx.state["base"], ctx.state["service"], CATALOG_SCOPE, ctx.state["refresh"]
        )
    except AzureError as exc:
        return _token_problem(exc, "CONNECTIVITY_ACCESS_TOKEN_ERROR")
    return ok(f"The registry issued an access token (scope {CATALOG_SCOPE}).")


def _token_problem(exc: AzureError, code: str) -> StepResult:
    if exc.kind == "deadline":
        raise exc
    if exc.status == 429:
        code = "CONNECTIVITY_TOOMANYREQUESTS_ERROR"
    elif exc.kind == "tls":
        code = "CONNECTIVITY_SSL_ERROR"
    return problem(code, str(exc))


def cmk_identity(ctx: CheckContext) -> StepResult:
    registry = ctx.state.get("registry")
    if registry is None:
        return skipped("Not run: the registry's settings could not be read from ARM.")
    encryption = mapping(properties(registry).get("encryption"))
    wanted = str(mapping(encryption.get("keyVaultProperties")).get("identity") or "").lower()
    if str(encryption.get("status") or "").lower() != "enabled" or not wanted:
        return ok("The registry does not use a customer-managed key.")
    if wanted in _registry_identities(registry):
        return ok("The key's identity is one of the registry's identities.")
    return problem("CMK_ERROR", "The configured key identity is not assigned to the registry.")


def _registry_identities(registry: dict) -> set[str]:
    identity = mapping(registry.get("identity"))
    known = {str(identity.get("principalId") or "").lower()}
    for item in mapping(identity.get("userAssignedIdentities")).values():
        if isinstance(item, dict):
            known |= {str(item.get("clientId") or "").lower()}
            known |= {str(item.get("principalId") or "").lower()}
    return known - {""}


CHECK_HEALTH = Check(
    name="check-health",
    title="Health check",
    description=(
        "Login server, DNS, the /v2/ auth challenge, the Azure AD token exchange and the "
        "customer-managed-key identity, like `az acr check-health` (registry part)."
    ),
    steps=(
        Step("login_server", "Login server", login_server),
        Step("dns", "DNS lookup", dns, needs=("login_server",)),
        Step("challenge", "Registry reachable (GET /v2/)", challenge, needs=("dns",)),
        Step("auth_challenge", "Authentication challenge", auth_challenge, needs=("challenge",)),
        Step("aad_token", "Azure AD token", aad_token, needs=("auth_challenge",)),
        Step("refresh_token", "Refresh token (/oauth2/exchange)", refresh_token, ("aad_token",)),
        Step("access_token", "Access token (/oauth2/token)", access_token, ("refresh_token",)),
        Step("cmk_identity", "Customer-managed key identity", cmk_identity),
    ),
    notes=(
        "DNS, firewall and network-rule results are seen from the bot's network, "
        "not from your machine.",
    ),
)
