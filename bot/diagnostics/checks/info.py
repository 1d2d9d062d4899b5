"""info: the registry's settings that explain most access and push problems.

Only named fields are copied out of the ARM resource (a whitelist), so no
credential, key or key-vault URL can reach a report even if ARM adds one.
An enabled admin user is flagged as a warning, linked to the FAQ entries
about admin credentials.
"""

from __future__ import annotations

from typing import Any

from bot.diagnostics.checks.base import (
    Check,
    CheckContext,
    Step,
    mapping,
    ok,
    problem,
    properties,
    registry_step,
)
from bot.diagnostics.report import Status, StepResult


def _text(value: Any, default: str = "not set") -> str:
    if isinstance(value, bool):
        return "enabled" if value else "disabled"
    if value is None or value == "":
        return default
    return str(value)[:80]


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def _status(policy: Any) -> str:
    return _text(mapping(policy).get("status"))


def _settings(resource: dict[str, Any]) -> dict[str, Any]:
    """The whitelisted settings, as plain values (used for both facts and --json data)."""
    props = properties(resource)
    rules = mapping(props.get("networkRuleSet"))
    policies = mapping(props.get("policies"))
    retention = mapping(policies.get("retentionPolicy"))
    encryption = mapping(props.get("encryption"))
    cmk = bool(mapping(encryption.get("keyVaultProperties")).get("identity"))
    return {
        "sku": _text(mapping(resource.get("sku")).get("name"), "unknown"),
        "location": _text(resource.get("location"), "unknown"),
        "login_server": _text(props.get("loginServer"), "unknown"),
        "provisioning_state": _text(props.get("provisioningState"), "unknown"),
        "admin_user_enabled": props.get("adminUserEnabled") is True,
        "public_network_access": _text(props.get("publicNetworkAccess"), "Enabled"),
        "network_default_action": _text(rules.get("defaultAction"), "Allow"),
        "ip_rules": _count(rules.get("ipRules")),
        "virtual_network_rules": _count(rules.get("virtualNetworkRules")),
        "private_endpoints": _count(props.get("privateEndpointConnections")),
        "network_rule_bypass": _text(props.get("networkRuleBypassOptions")),
        "quarantine_policy": _status(policies.get("quarantinePolicy")),
        "trust_policy": _status(policies.get("trustPolicy")),
        "retention_policy": _status(retention),
        "retention_days": retention.get("days") if isinstance(retention.get("days"), int) else None,
        "export_policy": _status(policies.get("exportPolicy")),
        "arm_audience_tokens": _status(policies.get("azureADAuthenticationAsArmPolicy")),
        "encryption": _text(encryption.get("status"), "disabled"),
        "customer_managed_key": cmk,
        "zone_redundancy": _text(props.get("zoneRedundancy"), "Disabled"),
        "anonymous_pull": props.get("anonymousPullEnabled") is True,
        "data_endpoint": props.get("dataEndpointEnabled") is True,
    }


def _facts(s: dict[str, Any]) -> dict[str, str]:
    retention = s["retention_policy"]
    if s["retention_days"] is not None:
        retention += f" ({s['retention_days']} days)"
    encryption = s["encryption"] + (" (customer-managed key)" if s["customer_managed_key"] else "")
    return {
        "SKU": s["sku"],
        "Location": s["location"],
        "Login server": s["login_server"],
        "Provisioning state": s["provisioning_state"],
        "Admin user": _text(s["admin_user_enabled"]),
        "Public network access": s["public_network_access"],
        "Network rules": f"default action {s['network_default_action']}, "
        f"{s['ip_rules']} IP rule(s), {s['virtual_network_rules']} virtual network rule(s)",
        "Private endpoints": str(s["private_endpoints"]),
        "Trusted services bypass": s["network_rule_bypass"],
        "Quarantine policy": s["quarantine_policy"],
        "Trust policy": s["trust_policy"],
        "Retention policy": retention,
        "Export policy": s["export_policy"],
        "ARM-audience tokens": s["arm_audience_tokens"],
        "Encryption": encryption,
        "Zone redundancy": s["zone_redundancy"],
        "Anonymous pull": _text(s["anonymous_pull"]),
        "Dedicated data endpoint": _text(s["data_endpoint"]),
    }


def settings(ctx: CheckContext) -> StepResult:
    values = _settings(ctx.state["registry"])
    ctx.facts.update(_facts(values))
    ctx.data["settings"] = values
    if values["admin_user_enabled"]:
        return problem("ADMIN_USER_ENABLED", "adminUserEnabled is true.", Status.WARNING)
    return ok(f"Read {len(values)} settings.")


INFO = Check(
    name="info",
    title="Registry info",
    description=(
        "SKU, login server, admin user, network access and rules, policies, encryption and "
        "zone redundancy. Never any credential or key."
    ),
    steps=(
        Step("registry", "Registry (ARM)", registry_step),
        Step("settings", "Settings", settings, needs=("registry",)),
    ),
)
