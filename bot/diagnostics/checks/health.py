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

from bot.diagnostics.checks.base import (
    HOST_RE,
    Check,
    CheckContext,
    Step,
    mapping,
    ok,
    problem,
    properties,
    read_registry,
    skipped,
)
from bot.diagnostics.errors import (
    AzureCallFailed,
    AzureHTTPError,
    AzureUnreachable,
    UntrustedLoginServer,
)
from bot.diagnostics.report import Status, StepResult
from bot.diagnostics.tokens import Secret, token_claims, token_tenant

CATALOG_SCOPE = "registry:catalog:*"
THROTTLED = (
    "The registry throttled the bot's request (HTTP 429), so this step could not finish; "
    "try again in a few minutes, and look for clients pulling or pushing in a tight loop."
)
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
    except AzureCallFailed as exc:
        return _fallback_login(ctx, fallback, exc.arm_code, str(exc))
    if not isinstance(found, str) or not HOST_RE.fullmatch(found):
        return _fallback_login(ctx, fallback, "MALFORMED_RESPONSE", "no usable loginServer")
    try:
        ctx.state["base"] = ctx.login_base(found)
    except UntrustedLoginServer as exc:
        return problem("LOGIN_SERVER_ERROR", str(exc))
    ctx.state["login_server"] = found.lower()
    ctx.facts["Login server"] = found.lower()
    return ok(f"{found.lower()} (from Azure Resource Manager).")


def _fallback_login(ctx: CheckContext, fallback: str, code: str, why: str) -> StepResult:
    if not ctx.target.cloud.login_suffix:
        return problem("LOGIN_SERVER_ERROR", why)
    ctx.state["login_server"] = fallback
    ctx.state["base"] = ctx.login_base(fallback)
    ctx.facts["Login server"] = f"{fallback} (name + cloud suffix)"
    return problem(code, f"Using {fallback} instead. {why}", Status.WARNING)


def dns(ctx: CheckContext) -> StepResult:
    base = ctx.state["base"]
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
    except AzureCallFailed as exc:
        return _registry_problem(exc, "CONNECTIVITY_CHALLENGE_ERROR")
    if answer.status == 403:
        return problem("CONNECTIVITY_FORBIDDEN_ERROR", "GET /v2/ answered HTTP 403.")
    if answer.status == 429:  # the CLI's code for any challenge that is not a 401
        detail = "GET /v2/ answered HTTP 429."
        return problem("CONNECTIVITY_CHALLENGE_ERROR", detail, explanation=THROTTLED)
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
    except AzureCallFailed as exc:
        return problem("AAD_TOKEN_ERROR", str(exc))
    return ok("The bot's identity got an Azure AD token for the registry.")


def refresh_token(ctx: CheckContext) -> StepResult:
    tenant = ctx.tenant_id or token_tenant(ctx.state["aad"])
    try:
        ctx.state["refresh"] = ctx.client.exchange(
            ctx.state["base"], ctx.state["service"], tenant, ctx.state["aad"]
        )
    except AzureCallFailed as exc:
        return _registry_problem(exc, "CONNECTIVITY_REFRESH_TOKEN_ERROR")
    return ok("The registry exchanged the Azure AD token for a refresh token.")


def access_token(ctx: CheckContext) -> StepResult:
    repository = ctx.repository
    scope = f"repository:{repository}:pull" if repository else CATALOG_SCOPE
    try:
        token = ctx.client.access_token(
            ctx.state["base"], ctx.state["service"], scope, ctx.state["refresh"]
        )
    except AzureCallFailed as exc:
        return _registry_problem(exc, "CONNECTIVITY_ACCESS_TOKEN_ERROR")
    if repository is None:
        return ok(f"The registry issued an access token (scope {CATALOG_SCOPE}).")
    if may_pull(token, repository):
        ctx.facts["Pull permission"] = f"{repository}: allowed"
        return ok(f"The registry issued an access token that allows pulling {repository}.")
    ctx.facts["Pull permission"] = f"{repository}: not allowed"
    return problem(
        "CONNECTIVITY_ACCESS_TOKEN_ERROR",
        f"Scope {scope}: the token's access claim grants no pull on {repository}.",
        explanation=(
            f"The registry issued an access token, but it does not allow the bot's identity "
            f"to pull {repository} (or the repository does not exist)."
        ),
    )


def may_pull(token: Secret, repository: str) -> bool:
    """Does the access token's ``access`` claim grant ``pull`` on ``repository``?

    ACR answers a scope the identity may not use with a token whose ``access``
    list lacks it (not with an error), so the claim is the only place that says.
    """
    access = token_claims(token).get("access")
    for grant in access if isinstance(access, list) else []:
        grant = mapping(grant)
        actions = grant.get("actions")
        if (
            grant.get("type") == "repository"
            and grant.get("name") == repository
            and isinstance(actions, list)
            and ("pull" in actions or "*" in actions)
        ):
            return True
    return False


def _registry_problem(exc: AzureCallFailed, code: str) -> StepResult:
    """A failed login-server call, with the CLI's code for the step it happened in."""
    if isinstance(exc, AzureHTTPError) and exc.throttled:
        return problem(code, str(exc), explanation=THROTTLED)
    if isinstance(exc, AzureUnreachable) and exc.registry_code:
        code = exc.registry_code
    if isinstance(exc, UntrustedLoginServer):
        code = "LOGIN_SERVER_ERROR"
    return problem(code, str(exc))


def cmk_identity(ctx: CheckContext) -> StepResult:
    registry = ctx.state.get("registry")
    if registry is None:
        return skipped("Not run: the registry's settings could not be read from ARM.")
    vault = mapping(properties(registry).get("encryption")).get("keyVaultProperties")
    if not isinstance(vault, dict) or not vault:
        return ok("The registry does not use a customer-managed key.")
    wanted = str(vault.get("identity") or "").strip().lower()
    identity = mapping(registry.get("identity"))
    if wanted == "system" and identity.get("principalId"):
        return ok("The key is reached with the registry's system-assigned identity.")
    if wanted and wanted != "system" and wanted in _user_assigned_client_ids(identity):
        return ok("The key's identity is one of the registry's user-assigned identities.")
    if wanted == "system":
        why = "The key names the system-assigned identity, but the registry has none."
    else:
        why = "The key's identity is not a user-assigned identity of the registry (by client ID)."
    return problem("CMK_ERROR", why)


def _user_assigned_client_ids(identity: dict) -> set[str]:
    """Client IDs of the registry's user-assigned identities: what keyVaultProperties names."""
    items = mapping(identity.get("userAssignedIdentities")).values()
    return {str(mapping(item).get("clientId") or "").lower() for item in items} - {""}


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
