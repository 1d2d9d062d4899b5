"""The fake ARM's registry endpoints: list (paged with ``nextLink``), get, usages.

Each checks what ARM checks (the bearer token, ``api-version``) and answers
the 2025-11-01 resource shape, with :class:`~tests.fakes.azure_api.FakeRegistry`'s
knobs applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakes.fake_http import Answers

if TYPE_CHECKING:
    from tests.fakes.azure_api import FakeAzure, FakeRegistry

PROVIDER = "providers/Microsoft.ContainerRegistry/registries"
TENANT = "11111111-1111-1111-1111-111111111111"


class ArmRoutes(Answers):
    """Handler mixin for ARM's registry reads."""

    fake: FakeAzure

    def _arm_ok(self, query: dict[str, list[str]]) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.fake.token}":
            self._arm_error(401, "InvalidAuthenticationToken", "The access token is invalid.")
            return False
        if not query.get("api-version"):
            self._arm_error(400, "MissingApiVersionParameter", "api-version is required.")
            return False
        return True

    def _list(self, _registry: None, query: dict, _form: dict, subscription: str) -> None:
        if not self._arm_ok(query):
            return
        if subscription.lower() in self.fake.list_errors:
            status = self.fake.list_errors[subscription.lower()]
            self._arm_error(status, "AuthorizationFailed", "No read access to the subscription.")
            return
        items = [_resource(r) for r in self.fake.registries if r.subscription == subscription]
        start = int((query.get("$skipToken") or ["0"])[0])
        page = items[start : start + self.fake.page_size]
        body: dict[str, Any] = {"value": page}
        if start + self.fake.page_size < len(items):
            body["nextLink"] = (
                f"{self.fake.url}/subscriptions/{subscription}/{PROVIDER}"
                f"?api-version={query['api-version'][0]}&$skipToken={start + self.fake.page_size}"
            )
        self._json(200, body)

    def _registry_get(self, registry: FakeRegistry | None, query: dict) -> bool:
        if not self._arm_ok(query):
            return False
        if registry is None:
            self._arm_error(404, "ResourceNotFound", "The Resource was not found.")
            return False
        if registry.arm_forbidden:
            self._arm_error(403, "AuthorizationFailed", "The client has no read access.")
            return False
        return True

    def _registry(self, registry: FakeRegistry | None, query: dict, _form: dict, _n: str) -> None:
        if self._registry_get(registry, query):
            assert registry is not None
            self._json(200, _resource(registry))

    def _usages(self, registry: FakeRegistry | None, query: dict, _form: dict, _name: str) -> None:
        if not self._registry_get(registry, query):
            return
        assert registry is not None
        if registry.sku.lower() == "classic":
            self._arm_error(400, "NotSupported", "Classic registries do not report usage.")
            return
        usages = [
            {
                "name": "Size",
                "limit": registry.storage_limit,
                "currentValue": registry.storage_used,
                "unit": "Bytes",
            },
            {
                "name": "Webhooks",
                "limit": registry.webhooks_limit,
                "currentValue": registry.webhooks_used,
                "unit": "Count",
            },
        ]
        if registry.max_storage is not None:
            usages.append(
                {
                    "name": "MaximumStorageCapacity",
                    "limit": registry.max_storage,
                    "currentValue": registry.storage_used,
                    "unit": "Bytes",
                }
            )
        self._json(200, {"value": usages})


def _resource(registry: FakeRegistry) -> dict[str, Any]:
    """The registry as ARM describes it (2025-11-01 shape), with the knobs applied."""
    identity: dict[str, Any] = {"type": "None"}
    encryption: dict[str, Any] = {"status": "disabled"}
    if registry.cmk in ("system", "system-missing"):
        if registry.cmk == "system":
            identity = {
                "type": "SystemAssigned",
                "principalId": "55555555-5555-5555-5555-555555555555",
                "tenantId": TENANT,
            }
        encryption = {
            "status": registry.cmk_status,
            "keyVaultProperties": {
                "identity": "system",
                "keyIdentifier": "https://vault.example/keys/acr/SECRET-KEY-VERSION",
            },
        }
    elif registry.cmk:
        client_id = "22222222-2222-2222-2222-222222222222"
        identity = {
            "type": "UserAssigned",
            "userAssignedIdentities": {
                f"/subscriptions/{registry.subscription}/resourceGroups/{registry.resource_group}"
                "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acr-key": {
                    "principalId": "33333333-3333-3333-3333-333333333333",
                    "clientId": client_id,
                }
            },
        }
        encryption = {
            "status": registry.cmk_status,
            "keyVaultProperties": {
                "identity": client_id
                if registry.cmk == "match"
                else "44444444-4444-4444-4444-444444444444",
                "keyIdentifier": "https://vault.example/keys/acr/SECRET-KEY-VERSION",
            },
        }
    return {
        "id": registry.resource_id,
        "name": registry.name,
        "type": "Microsoft.ContainerRegistry/registries",
        "location": registry.location,
        "sku": {"name": registry.sku, "tier": registry.sku},
        "identity": identity,
        "properties": {
            "loginServer": registry.login_server_override or registry.login_server,
            "provisioningState": "Succeeded",
            "adminUserEnabled": registry.admin_user_enabled,
            "networkRuleSet": {
                "defaultAction": registry.default_action,
                "ipRules": [
                    {"action": "Allow", "value": f"203.0.113.{i}"} for i in range(registry.ip_rules)
                ]
                + [{"action": "Allow", "value": value} for value in registry.allowed_ips],
            },
            "publicNetworkAccess": registry.public_network_access,
            "networkRuleBypassOptions": "AzureServices",
            "roleAssignmentMode": registry.role_assignment_mode,
            "privateEndpointConnections": [
                {
                    "id": f"{registry.resource_id}/privateEndpointConnections/{pe.name}",
                    "properties": {
                        "privateEndpoint": {"id": pe.resource_id},
                        "privateLinkServiceConnectionState": {"status": pe.status},
                    },
                }
                for pe in registry.private_endpoints
            ],
            "policies": {
                "quarantinePolicy": {"status": "enabled" if registry.quarantine else "disabled"},
                "trustPolicy": {"type": "Notary", "status": "disabled"},
                "retentionPolicy": {"days": 7, "status": "enabled"},
                "exportPolicy": {"status": "enabled"},
                "azureADAuthenticationAsArmPolicy": {"status": "enabled"},
            },
            "encryption": encryption,
            "dataEndpointEnabled": registry.data_endpoint_enabled,
            "zoneRedundancy": "Enabled",
            "anonymousPullEnabled": False,
        },
    }
