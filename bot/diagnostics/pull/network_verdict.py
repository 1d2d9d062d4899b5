"""Can the cluster's nodes reach the registry? Decided from configuration, never from probes.

acrbot's own DNS and TCP say nothing about the nodes' network, so this reads
the registry's public access and IP rules, the cluster's egress IPs, the
private endpoints (approved? in a VNet the cluster has or peers with?) and
the private DNS zone (linked to the cluster's VNet, or to one it peers with,
as pull.md counts it? an A record per endpoint FQDN?). A linked zone is used
whatever the public settings, so its records are checked whenever it is
linked, against the endpoints the cluster can reach; a missing link matters
when the traffic has to go private. A zone acrbot may not read is reported
as unverified, never as missing.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.diagnostics.pull.findings import Cause, Findings
from bot.diagnostics.pull.plan import Outcome

if TYPE_CHECKING:
    from bot.diagnostics.pull.facts import Facts

_GROUP_RE = re.compile(r"/resourceGroups/([^/]+)/", re.IGNORECASE)
TITLE_FIREWALL = "Registry firewall and egress IPs"
TITLE_PRIVATE = "Private endpoints"
TITLE_DNS = "Private DNS"

__all__ = ["ip_allowed", "judge_network"]


def ip_allowed(address: str, rules: list[Any]) -> bool:
    """Is ``address`` in an Allow rule (a single IP or a CIDR range)?"""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for rule in rules:
        if not isinstance(rule, dict) or str(rule.get("action") or "Allow") != "Allow":
            continue
        try:
            if ip in ipaddress.ip_network(str(rule.get("value") or ""), strict=False):
                return True
        except ValueError:
            continue
    return False


def _group(resource_id: str) -> str:
    match = _GROUP_RE.search(resource_id)
    return match.group(1) if match else "RESOURCE_GROUP"


def _last(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def _public_settings(facts: Facts) -> tuple[bool, bool, dict[str, Any]]:
    """(public access on, the firewall denies by default, its rule set), as ARM leaves them out."""
    props = facts.registry_props
    public = str(props.get("publicNetworkAccess") or "Enabled") == "Enabled"
    rules = props.get("networkRuleSet") or {}
    return public, public and str(rules.get("defaultAction") or "Allow") == "Deny", rules


def _denied(ips: list[str], rules: dict[str, Any]) -> list[str]:
    return [ip for ip in ips if not ip_allowed(ip, rules.get("ipRules") or [])]


def _allow_fix(registry: str, ips: list[str]) -> str:
    return "; ".join(f"az acr network-rule add -n {registry} --ip-address {ip}" for ip in ips)


def _states(endpoints: list[dict[str, Any]]) -> str:
    return ", ".join(f"{_last(e.get('id') or '?')}: {e['status']}" for e in endpoints)


def _cluster_vnet(facts: Facts) -> str:
    return ((facts.value("cluster_vnets") or {}).get("vnets") or ["VNET_ID"])[0]


def judge_network(found: Findings, facts: Facts) -> None:
    public, deny, rules = _public_settings(facts)
    if facts.inputs.cluster is None:
        _registry_only(found, facts, public, deny, rules)
        return
    if facts.cluster is None:
        return  # the cluster step already says its network could not be verified
    endpoints = facts.outcomes["endpoints"]
    vnets = facts.outcomes["cluster_vnets"]
    if not endpoints.ok or not vnets.ok:
        if not public or deny:
            read, what = (
                ("endpoints", "the registry's private endpoints")
                if not endpoints.ok
                else (
                    "cluster_vnets",
                    "the cluster's virtual networks and peerings",
                )
            )
            found.unverifiable(
                "private_endpoints",
                TITLE_PRIVATE,
                what,
                facts.outcomes[read],
                "Reader on their resource groups",
            )
        return
    own = {v.lower() for v in vnets.value["vnets"]}
    reachable = own | {v.lower() for v in vnets.value["peered"]}
    usable = [
        e
        for e in endpoints.value
        if e["status"] == "Approved" and (e.get("vnet") or "").lower() in reachable
    ]
    paths = _Paths(endpoints.value, usable, own, reachable)
    # with public access off and no usable endpoint, _private_only names the cause
    private_ok = bool(usable or public) and _dns(found, facts, paths, required=not public or deny)
    if not public:
        _private_only(found, facts, endpoints.value, usable, private_ok)
    elif not private_ok and _zone_in_use(facts, paths):
        return  # the nodes resolve the registry to private addresses: _dns named why they fail
    elif deny and not private_ok:
        _firewall(found, facts, rules)
    elif usable and private_ok:
        found.passed(
            "private_endpoints",
            TITLE_PRIVATE,
            "The cluster reaches the registry through an approved private endpoint.",
        )
    else:
        found.passed(
            "firewall",
            TITLE_FIREWALL,
            "Public network access is on and the firewall allows all networks.",
        )


def _registry_only(found: Findings, facts: Facts, public: bool, deny: bool, rules: dict) -> None:
    endpoints = facts.value("endpoints") or []
    approved = sum(1 for e in endpoints if e["status"] == "Approved")
    if not public:
        state = "public network access is off"
    elif deny:
        count = len(rules.get("ipRules") or [])
        state = f"the firewall denies by default and allows {count} IP rule(s)"
    else:
        state = "public network access is on for all networks"
    found.passed(
        "network",
        "Registry network rules",
        f"On {facts.registry_name}, {state}; {approved} approved private endpoint(s) of "
        f"{len(endpoints)}. Whether a cluster gets through depends on its egress IPs and VNet.",
    )


def _firewall(found: Findings, facts: Facts, rules: dict) -> None:
    egress = facts.outcomes["egress"]
    if not egress.ok:
        found.unverifiable(
            "firewall",
            TITLE_FIREWALL,
            "the cluster's egress IPs against the registry's IP rules",
            egress,
            f"Reader on the node resource group {facts.cluster_props.get('nodeResourceGroup')}",
        )
        return
    ips = egress.value["ips"]
    if not ips:
        found.unverifiable(
            "firewall",
            TITLE_FIREWALL,
            "the cluster's egress IP against the registry's IP rules",
            None,
            "",
            why=(
                f"The cluster's outbound type is {egress.value['outbound']}: its traffic leaves "
                "through a firewall or NAT gateway elsewhere, whose address acrbot does not guess. "
                "Allow that address with az acr network-rule add."
            ),
        )
        return
    denied = _denied(ips, rules)
    if not denied:
        found.passed(
            "firewall",
            TITLE_FIREWALL,
            f"Every egress IP ({', '.join(ips)}) is in the registry's IP rules.",
        )
        return
    fix = _allow_fix(facts.registry_name, denied)
    found.cause(
        "firewall",
        TITLE_FIREWALL,
        Cause(
            "CLIENT_IP_NOT_ALLOWED",
            f"{facts.registry_name}'s firewall denies by default, and the egress IP(s) "
            f"{', '.join(denied)} of {facts.cluster_name} are in none of its IP rules, with no "
            "private path: the token request gets 403 ('client with IP ... is not allowed "
            "access').",
            fix,
        ),
    )


def _private_only(
    found: Findings, facts: Facts, endpoints: list, usable: list, private_ok: bool
) -> None:
    registry = facts.registry_name
    if usable:
        if private_ok:
            found.passed(
                "private_endpoints",
                TITLE_PRIVATE,
                "Public access is off; the cluster reaches the registry through an approved "
                "private endpoint.",
            )
        return
    pending = [e for e in endpoints if e["status"] != "Approved"]
    if endpoints and len(pending) == len(endpoints):
        connections = _approve_fix(registry, pending)
        states = _states(pending)
        found.cause(
            "private_endpoints",
            TITLE_PRIVATE,
            Cause(
                "PRIVATE_ENDPOINT_NOT_APPROVED",
                f"Public network access to {registry} is off and its private endpoint(s) are "
                f"not approved ({states}).",
                connections,
            ),
        )
        return
    vnet = (facts.value("cluster_vnets") or {}).get("vnets") or ["VNET_ID"]
    subnet = _subnet(facts)
    where = ", ".join(_last(e.get("vnet") or "?") for e in endpoints if e["status"] == "Approved")
    why = (
        f" (its approved endpoints are in {where}, which {facts.cluster_name}'s VNet neither "
        "is nor peers with)"
        if where
        else ""
    )
    found.cause(
        "private_endpoints",
        TITLE_PRIVATE,
        Cause(
            "PUBLIC_ACCESS_DISABLED",
            f"Public network access to {registry} is off, and no approved private endpoint is "
            f"usable from {facts.cluster_name}'s VNet{why}.",
            f"az network private-endpoint create -g {_group(vnet[0])} -n "
            f"{registry}-{facts.cluster_name}-pe "
            f"--vnet-name {_last(vnet[0])} --subnet {subnet} --private-connection-resource-id "
            f"{facts.inputs.target.resource_path} --group-id registry --connection-name {registry} "
            f"(or peer {_last(vnet[0])} with the endpoint's VNet; or allow public access: "
            f"az acr update -n {registry} --public-network-enabled true)",
        ),
    )


def _approve_fix(registry: str, pending: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"az acr private-endpoint-connection approve -r {registry} -n "
        f"{_last(e.get('connection') or e.get('id') or 'CONNECTION')}"
        for e in pending
    )


def _subnet(facts: Facts) -> str:
    for pool in facts.cluster_props.get("agentPoolProfiles") or []:
        subnet = str((pool or {}).get("vnetSubnetID") or "")
        if "/subnets/" in subnet:
            return _last(subnet)
    return "SUBNET"


@dataclass(frozen=True)
class _Paths:
    """The registry's endpoints, those the cluster reaches, and the cluster's VNets (lower case)."""

    endpoints: list[dict[str, Any]]
    usable: list[dict[str, Any]]
    own: set[str]
    reachable: set[str]  # its own VNets and those they peer with


def _dns(found: Findings, facts: Facts, paths: _Paths, required: bool) -> bool:
    """Judge the zone the nodes resolve the registry through; True when it leads somewhere usable.

    A zone linked to the cluster's VNet (or to one it peers with) answers for
    the registry whatever the public settings, so it is judged whenever there
    is one, and a zone acrbot may not read could be that one. A missing link
    matters only when the traffic has to go private.
    """
    dns = facts.outcomes["dns"]
    if dns.skipped == "not-applicable":
        return False
    if not dns.ok:
        found.unverifiable(
            "dns",
            TITLE_DNS,
            "the private DNS zone and its records",
            dns,
            "Reader on the private DNS zone's resource group",
        )
        return False
    zones = dns.value["zones"]
    linked = _linked(zones, paths)
    if linked is not None:
        return _records(found, facts, linked, paths)
    unread = [z for z in zones if "error" in z]
    if unread:
        found.unverifiable(
            "dns",
            TITLE_DNS,
            f"the private DNS zone {unread[0]['name']} (its links and records)",
            Outcome(error=unread[0]["error"]),
            f"Reader on the private DNS zone's resource group {_group(unread[0]['id'])}",
        )
    elif required and paths.usable:
        if zones:
            _not_linked(found, facts, zones[0])
        else:
            _no_zone(found, facts, paths.usable)
    return False


def _zone_in_use(facts: Facts, paths: _Paths) -> bool:
    """Whether a zone linked to the cluster's VNets decides where its nodes send the registry's
    traffic: then the public firewall is not on their way, whether it would let them in or not."""
    dns = facts.outcomes["dns"]
    return dns.ok and _linked(dns.value["zones"], paths) is not None


def _linked(zones: list[dict[str, Any]], paths: _Paths) -> dict[str, Any] | None:
    """The readable zone linked to the cluster's VNet, else to a VNet it peers with."""
    readable = [z for z in zones if "error" not in z]
    for vnets in (paths.own, paths.reachable):
        for zone in readable:
            if vnets & {v.lower() for v in zone.get("links", [])}:
                return zone
    return None


def _not_linked(found: Findings, facts: Facts, zone: dict[str, Any]) -> None:
    vnet = _cluster_vnet(facts)
    found.cause(
        "dns",
        TITLE_DNS,
        Cause(
            "PRIVATE_DNS_ZONE_NOT_LINKED",
            f"The private DNS zone {zone['name']} exists but is not linked to "
            f"{facts.cluster_name}'s VNet {_last(vnet)} (nor to a VNet it peers with), so the "
            f"nodes resolve {facts.registry_name}'s public address ('dial tcp ... i/o timeout' "
            "or 403).",
            f"az network private-dns link vnet create -g {_group(zone['id'])} -z {zone['name']} "
            f"-n {_last(vnet)}-link -v {vnet} -e false",
        ),
    )


def _records(found: Findings, facts: Facts, zone: dict[str, Any], paths: _Paths) -> bool:
    if not paths.usable:
        _unreachable(found, facts, zone, paths)
        return False
    missing = _missing_records(zone, paths.usable)
    if missing:
        fix = "; ".join(
            f"az network private-dns record-set a add-record -g {_group(zone['id'])} "
            f"-z {zone['name']} -n {name} -a {ip}"
            for name, ip in missing
        )
        found.cause(
            "dns",
            TITLE_DNS,
            Cause(
                "PRIVATE_DNS_RECORD_MISSING",
                f"The zone {zone['name']} linked to {facts.cluster_name}'s VNet has no A record "
                f"with the endpoint's address for {', '.join(n for n, _ in missing)}: "
                "'lookup ... no such host'.",
                fix,
            ),
        )
        return False
    via = "" if paths.own & {v.lower() for v in zone.get("links", [])} else " through a peering"
    found.passed(
        "dns",
        TITLE_DNS,
        f"{zone['name']} is linked to the cluster's VNet{via} and has every endpoint record.",
    )
    return True


def _unreachable(found: Findings, facts: Facts, zone: dict[str, Any], paths: _Paths) -> None:
    """The linked zone sends the nodes to private addresses, none of an endpoint they can use.

    Public access cannot help then: the nodes never look the public address up.
    """
    targets = _targets(zone, paths.endpoints)
    pending = [
        e
        for e in {id(e): e for e in targets.values()}.values()
        if e["status"] != "Approved" and (e.get("vnet") or "").lower() in paths.reachable
    ]
    lead = (
        f"The zone {zone['name']} linked to {facts.cluster_name}'s VNet makes the nodes resolve "
        f"{facts.registry_name} privately, so its public settings do not apply"
    )
    if pending:
        states = _states(pending)
        found.cause(
            "private_endpoints",
            TITLE_PRIVATE,
            Cause(
                "PRIVATE_ENDPOINT_NOT_APPROVED",
                f"{lead}; the endpoint(s) its records point at are not approved ({states}).",
                _approve_fix(facts.registry_name, pending),
            ),
        )
        return
    found.cause(
        "dns",
        TITLE_DNS,
        Cause(
            "PRIVATE_DNS_RECORD_MISSING",
            f"{lead}; no record leads to an approved endpoint {facts.cluster_name}'s VNet is in or "
            f"peers with ({_record_states(zone, paths.endpoints, targets)}): 'dial tcp <private "
            "IP>:443: i/o timeout' or 'lookup ... no such host'.",
            _unreachable_fix(facts, zone, paths, targets),
        ),
    )


def _names(zone: dict[str, Any], endpoints: list[dict[str, Any]]) -> list[str]:
    """The registry's record names in ``zone``: its FQDNs less the zone's public suffix."""
    suffix = "." + zone["name"].removeprefix("privatelink.")
    fqdns = {fqdn for e in endpoints for fqdn in e.get("fqdns") or {}}
    return sorted(fqdn.removesuffix(suffix) for fqdn in fqdns)


def _targets(zone: dict[str, Any], endpoints: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each address the zone gives the registry's names, with the endpoint that holds it."""
    by_ip = {ip: e for e in endpoints for ips in (e.get("fqdns") or {}).values() for ip in ips}
    records = zone.get("records", {})
    return {
        ip: by_ip[ip]
        for name in _names(zone, endpoints)
        for ip in records.get(name, [])
        if ip in by_ip
    }


def _record_states(
    zone: dict[str, Any], endpoints: list[dict[str, Any]], targets: dict[str, dict[str, Any]]
) -> str:
    records = zone.get("records", {})
    states = []
    for name in _names(zone, endpoints):
        ips = records.get(name, [])
        where = [
            f"{ip} of {_last(targets[ip].get('id') or '?')} in "
            f"{_last(targets[ip].get('vnet') or '?')}"
            if ip in targets
            else f"{ip} of no endpoint of the registry"
            for ip in ips
        ]
        states.append(f"{name} -> {', '.join(where) if where else 'no record'}")
    return "; ".join(states)


def _unreachable_fix(
    facts: Facts, zone: dict[str, Any], paths: _Paths, targets: dict[str, dict[str, Any]]
) -> str:
    vnet = _cluster_vnet(facts)
    remotes = sorted({e["vnet"] for e in targets.values() if e.get("vnet")})
    fixes = [
        f"az network vnet peering create -g {_group(vnet)} -n {_last(vnet)}-to-{_last(remote)} "
        f"--vnet-name {_last(vnet)} --remote-vnet {remote} --allow-vnet-access "
        f"(and the same from {_last(remote)} back)"
        for remote in remotes
    ]
    names = zone.get("link_names", {})
    link = next(
        (names[v] for group in (paths.own, paths.reachable) for v in sorted(group) if v in names),
        "LINK",
    )
    public = _public_way(facts)
    if public is not None:
        fixes.append(
            f"or, to use the registry's public address, az network private-dns link vnet delete "
            f"-g {_group(zone['id'])} -z {zone['name']} -n {link}{public}"
        )
    return "; ".join(fixes)


def _public_way(facts: Facts) -> str | None:
    """What else the public address needs once the nodes resolve it: None when it is off.

    A firewall that denies by default must let the nodes' egress IPs in, or deleting the
    zone link trades a DNS failure for CLIENT_IP_NOT_ALLOWED.
    """
    public, deny, rules = _public_settings(facts)
    if not public:
        return None
    ips = (facts.value("egress") or {}).get("ips") or []
    denied = _denied(ips, rules)
    if not deny or (ips and not denied):
        return ""
    allow = _allow_fix(facts.registry_name, denied or ["EGRESS_IP"])
    return f", and let the nodes through its firewall: {allow}"


def _no_zone(found: Findings, facts: Facts, usable: list) -> None:
    endpoint = usable[0]
    zone = f"privatelink{facts.inputs.cloud.login_suffix}"
    found.cause(
        "dns",
        TITLE_DNS,
        Cause(
            "PRIVATE_DNS_RECORD_MISSING",
            f"No {zone} zone holding records for the private endpoint was found, so its FQDNs "
            f"({', '.join(endpoint.get('fqdns') or {})}) have no private A records.",
            f"az network private-endpoint dns-zone-group create -g "
            f"{_group(endpoint.get('id') or '')} --endpoint-name "
            f"{_last(endpoint.get('id') or '')} -n default --private-dns-zone {zone} "
            f"--zone-name {zone.replace('.', '-')} (then link {zone} to the cluster's VNet)",
        ),
    )


def _missing_records(zone: dict[str, Any], usable: list) -> list[tuple[str, str]]:
    suffix = "." + zone["name"].removeprefix("privatelink.")
    records = zone.get("records", {})
    missing = []
    for endpoint in usable:
        for fqdn, ips in (endpoint.get("fqdns") or {}).items():
            name = fqdn.removesuffix(suffix)
            if ips and not set(ips) & set(records.get(name, [])):
                missing.append((name, ips[0]))
    return missing
