"""What shape the pull check expects Azure's answers to have, checked where they are read.

An ARM answer is JSON, but nothing stops a field from being a list where an
object is documented (an API change, a proxy, a fake). The verdicts read the
registry and the cluster freely, so :func:`require` checks those two once,
at the read, against the fields the verdicts use: a wrong shape becomes an
:class:`AzureMalformedResponse` (that read's unverified finding) instead of
an ``AttributeError`` that ends the whole check. Absent and null fields are
fine (ARM leaves them out). The smaller reads pick their way through with
:func:`obj` and :func:`objs`, which treat a wrong shape as absent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bot.diagnostics.errors import AzureMalformedResponse

Shape = Mapping[str, type]
"""A dotted path (``[]`` for each item of a list) and the JSON type expected there."""

REGISTRY: Shape = {
    "properties": dict,
    "properties.loginServer": str,
    "properties.publicNetworkAccess": str,
    "properties.roleAssignmentMode": str,
    "properties.networkRuleSet": dict,
    "properties.networkRuleSet.defaultAction": str,
    "properties.networkRuleSet.ipRules": list,
    "properties.networkRuleSet.ipRules[]": dict,
    "properties.networkRuleSet.ipRules[].value": str,
    "properties.policies": dict,
    "properties.policies.quarantinePolicy": dict,
    "properties.policies.quarantinePolicy.status": str,
    "properties.privateEndpointConnections": list,
    "properties.privateEndpointConnections[]": dict,
}
# What ARM always sends: without it an answer would pass for defaults it never said.
REGISTRY_NEEDS = ("properties", "properties.loginServer")
CLUSTER_NEEDS = ("properties",)
CLUSTER: Shape = {
    "properties": dict,
    "properties.identityProfile": dict,
    "properties.identityProfile.kubeletidentity": dict,
    "properties.identityProfile.kubeletidentity.objectId": str,
    "properties.servicePrincipalProfile": dict,
    "properties.servicePrincipalProfile.clientId": str,
    "properties.nodeResourceGroup": str,
    "properties.agentPoolProfiles": list,
    "properties.agentPoolProfiles[]": dict,
    "properties.agentPoolProfiles[].name": str,
    "properties.agentPoolProfiles[].osType": str,
    "properties.agentPoolProfiles[].vmSize": str,
    "properties.agentPoolProfiles[].vnetSubnetID": str,
    "properties.networkProfile": dict,
    "properties.networkProfile.outboundType": str,
    "properties.networkProfile.loadBalancerProfile": dict,
    "properties.networkProfile.loadBalancerProfile.effectiveOutboundIPs": list,
}
PRIVATE_ENDPOINT: Shape = {
    "properties": dict,
    "properties.subnet": dict,
    "properties.customDnsConfigs": list,
}
_NAMES = {dict: "an object", list: "a list", str: "a string"}

__all__ = [
    "CLUSTER",
    "CLUSTER_NEEDS",
    "PRIVATE_ENDPOINT",
    "REGISTRY",
    "REGISTRY_NEEDS",
    "obj",
    "objs",
    "require",
]


def require(
    value: dict[str, Any], shape: Shape, what: str, needs: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``value`` when every field in ``shape`` has its type (or is absent) and every path in
    ``needs`` is there, else raise."""
    for path in needs:
        if next(_at(value, path), None) is None:
            raise AzureMalformedResponse(
                f"Azure's answer for {what} is malformed: it has no {path}."
            )
    for path, expected in shape.items():
        for where, found in _at(value, path):
            if not isinstance(found, expected):
                raise AzureMalformedResponse(
                    f"Azure's answer for {what} is malformed: {where} is "
                    f"{_kind(found)} where {_NAMES.get(expected, expected.__name__)} belongs."
                )
    return value


def obj(value: Any, *keys: str) -> dict[str, Any]:
    """The object at ``keys`` under ``value``; {} where anything on the way is not an object."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def objs(value: Any) -> list[dict[str, Any]]:
    """The objects in a JSON list; nothing for anything else."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _at(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(where, value) of each non-null value at ``path``; a parent of another shape has none."""
    found: list[tuple[str, Any]] = [("", value)]
    for part in path.split("."):
        key, each = part.removesuffix("[]"), part.endswith("[]")
        step: list[tuple[str, Any]] = []
        for where, parent in found:
            child = parent.get(key) if isinstance(parent, dict) else None
            name = f"{where}.{key}".lstrip(".")
            if child is None:
                continue
            if each and isinstance(child, list):
                step.extend((f"{name}[{i}]", item) for i, item in enumerate(child))
            elif not each:
                step.append((name, child))
        found = step
    yield from ((where, item) for where, item in found if item is not None)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    return _NAMES.get(type(value), "a number" if isinstance(value, int | float) else "a value")
