"""From the reads' answers to the verdict: registry, cluster identity and roles here.

The network and the image have modules of their own; this one reads the
registry and the cluster, decides whether the kubelet identity holds a
role that pulls in the registry's permission mode, and puts the three
together. Nothing here calls Azure: it only reads :class:`Outcome` objects.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from bot.diagnostics.pull.facts import Facts
from bot.diagnostics.pull.findings import Cause, Findings
from bot.diagnostics.pull.image_verdict import judge_image
from bot.diagnostics.pull.network_verdict import judge_network
from bot.diagnostics.pull.plan import Outcome
from bot.diagnostics.pull.reads import PullInputs, properties_of
from bot.diagnostics.pull.roles import Assignment, Grant, assignments_above, evaluate

READER_ON = "Reader on {what}"

__all__ = ["Facts", "judge"]  # Facts: bot.diagnostics.pull.facts


def judge(
    inputs: PullInputs, outcomes: dict[str, Outcome]
) -> tuple[Findings, dict[str, Any] | None]:
    """The findings, and the cluster summary for the report (None without a cluster)."""
    found = Findings()
    facts = Facts(
        inputs, outcomes, _registry(found, inputs, outcomes), _cluster(found, inputs, outcomes)
    )
    if facts.cluster is not None and _registry_exists(inputs, outcomes):
        _roles(found, facts)
    if facts.registry is not None:
        judge_network(found, facts)
    if inputs.registry_found:
        judge_image(found, facts)
    if inputs.cluster is None:
        found.note(
            "cluster",
            "Cluster-side reads",
            "No cluster was named, so only the registry side was read. With a cluster the "
            "check also reads: the cluster (kubelet identity, node pools, egress), its egress "
            "public IPs, the kubelet identity's role assignments, the private endpoints and "
            "DNS seen from its VNet, and each node pool's platform.",
            "Name the cluster (--cluster CLUSTER, or /acr pull IMAGE CLUSTER).",
        )
    return found.ordered(), _cluster_summary(facts)


def _registry(
    found: Findings, inputs: PullInputs, outcomes: dict[str, Outcome]
) -> dict[str, Any] | None:
    title = "Registry"
    target = inputs.target
    if not inputs.registry_found:
        _registry_missing(found, inputs, outcomes.get("registry_search"))
        return None
    outcome = outcomes["registry"]
    if outcome.error is not None and outcome.error.status == 404:
        _registry_missing(found, inputs, None)
        return None
    if not outcome.ok:
        found.unverifiable(
            "registry",
            title,
            f"the settings of {target.name} (network rules, permission mode, quarantine)",
            outcome,
            READER_ON.format(what=f"the registry {target.name}"),
        )
        return None
    props = properties_of(outcome.value)
    mode = props.get("roleAssignmentMode") or "LegacyRegistryPermissions"
    found.passed(
        "registry",
        title,
        f"{target.name} ({props.get('loginServer') or target.default_login_server}): "
        f"{mode}, public network access {props.get('publicNetworkAccess') or 'Enabled'}.",
    )
    return outcome.value


def _registry_exists(inputs: PullInputs, outcomes: dict[str, Outcome]) -> bool:
    """Found and not answered 404: a registry whose settings went unread still has roles."""
    if not inputs.registry_found:
        return False
    error = outcomes["registry"].error
    return error is None or error.status != 404


def _registry_missing(found: Findings, inputs: PullInputs, search: Outcome | None) -> None:
    name = inputs.target.name
    names = search.value if search is not None and search.ok else []
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    suffix = inputs.cloud.login_suffix
    if close:
        fix = (
            f"Correct the image reference in the pod spec to {close[0]}{suffix}/"
            f"{inputs.image.display()} (closest registries: {', '.join(close)})."
        )
    elif names:
        shown = ", ".join(names[:10])
        fix = f"Correct the registry in the image reference; registries there: {shown}."
    else:
        fix = (
            "Correct the registry in the image reference, or add its subscription to "
            "azure.subscriptions."
        )
    explanation = (
        f"The image names {name}{suffix}, but no registry called {name} exists in the "
        f"{len(inputs.subscriptions) or 'configured'} configured subscription(s): a misspelt "
        "login server gets 'failed to fetch anonymous token ... 401' from containerd."
    )
    found.cause("registry", "Registry", Cause("REGISTRY_NOT_FOUND", explanation, fix))


def _cluster(
    found: Findings, inputs: PullInputs, outcomes: dict[str, Outcome]
) -> dict[str, Any] | None:
    cluster = inputs.cluster
    if cluster is None:
        return None
    outcome = outcomes["cluster"]
    title = "Cluster and kubelet identity"
    if not outcome.ok:
        found.unverifiable(
            "cluster",
            title,
            f"the cluster {cluster.name} (kubelet identity, node pools, egress), so neither its "
            "pull role, its network path nor its node platforms",
            outcome,
            READER_ON.format(
                what=f"the cluster {cluster.name} (or its resource group {cluster.resource_group})"
            ),
        )
        return None
    props = properties_of(outcome.value)
    kubelet = (props.get("identityProfile") or {}).get("kubeletidentity") or {}
    pools = [p for p in props.get("agentPoolProfiles") or [] if isinstance(p, dict)]
    shown = ", ".join(
        f"{p.get('name')} ({p.get('osType') or 'Linux'}, {p.get('vmSize')})" for p in pools
    )
    if kubelet.get("objectId"):
        who = f"kubelet identity {kubelet.get('objectId')}"
    else:
        client = (props.get("servicePrincipalProfile") or {}).get("clientId")
        who = f"service principal {client}"
    found.passed(
        "cluster", title, f"{cluster.name} pulls as {who}; node pools: {shown or 'none listed'}."
    )
    return outcome.value


def _roles(found: Findings, facts: Facts) -> None:
    title = "Kubelet identity's pull role"
    outcome = facts.outcomes["roles"]
    registry_id = facts.inputs.target.resource_path
    cluster = facts.inputs.cluster
    assert cluster is not None
    if outcome.skipped == "not-applicable":
        client = (facts.cluster_props.get("servicePrincipalProfile") or {}).get("clientId")
        found.unverifiable(
            "roles",
            title,
            f"the pull role of the cluster's service principal {client}",
            None,
            "",
            why=(
                "The cluster pulls with a service principal, whose object ID the cluster does "
                f"not show; check with: az role assignment list --assignee {client} --scope "
                f"{registry_id} (and that its secret has not expired)."
            ),
        )
        return
    if not outcome.ok:
        found.unverifiable(
            "roles",
            title,
            "the kubelet identity's role assignments on the registry",
            outcome,
            READER_ON.format(what=f"the registry {facts.registry_name}")
            + " (it includes Microsoft.Authorization/roleAssignments/read)",
        )
        return
    assignments = assignments_above(outcome.value["items"], registry_id)
    if facts.registry is None:
        _roles_in_either_mode(found, facts, assignments, outcome.value["custom"])
        return
    grant = evaluate(
        assignments, facts.abac, facts.inputs.image.repository, outcome.value["custom"]
    )
    if grant.allows:
        direct = any(b.lower().endswith(" at " + registry_id.lower()) for b in grant.by)
        inherited = "" if direct else " (inherited from a scope above the registry)"
        found.passed("roles", title, f"Pull allowed by {'; '.join(grant.by)}{inherited}.")
        return
    if grant.allows is None:
        found.unverifiable(
            "roles",
            title,
            "whether " + "; ".join(grant.unclear) + " allows the pull",
            None,
            "",
            why="",
        )
        return
    found.cause("roles", title, _role_cause(facts, grant.ignored))


def _roles_in_either_mode(
    found: Findings,
    facts: Facts,
    assignments: list[Assignment],
    custom: Mapping[str, frozenset[str] | None],
) -> None:
    """The permission mode went unread: what both modes agree on stands, the rest is unverified.

    With no pull role in either mode (no assignments at all, say) the pull
    fails whichever mode the registry uses, so the cause is still named.
    """
    title = "Kubelet identity's pull role"
    repository = facts.inputs.image.repository
    legacy, abac = (evaluate(assignments, mode, repository, custom) for mode in (False, True))
    if legacy.allows and abac.allows:
        by = "; ".join(dict.fromkeys(legacy.by + abac.by))
        found.passed("roles", title, f"Pull allowed in either permission mode, by {by}.")
    elif legacy.allows is False and abac.allows is False:
        found.cause("roles", title, _role_cause(facts, (), mode_unknown=True))
    else:
        found.unverifiable(
            "roles",
            title,
            "the kubelet identity's pull role (it depends on the registry's permission mode, "
            "which could not be read)",
            None,
            READER_ON.format(what=f"the registry {facts.registry_name}"),
            why=f"In legacy mode the pull is {_grant_text(legacy)}; in repository-permission "
            f"(ABAC) mode it is {_grant_text(abac)}.",
        )


def _grant_text(grant: Grant) -> str:
    if grant.allows:
        return "allowed by " + "; ".join(grant.by)
    if grant.allows is None:
        return "unclear (" + "; ".join(grant.unclear) + ")"
    return "not allowed"


def _role_cause(facts: Facts, ignored: tuple[str, ...], mode_unknown: bool = False) -> Cause:
    cluster = facts.inputs.cluster
    assert cluster is not None
    oid = facts.kubelet.get("objectId")
    registry_id = facts.inputs.target.resource_path
    repo = facts.inputs.image.repository
    group_note = (
        " (assignments held through a group are not returned by this read: if the identity "
        "is in such a group, say so to whoever reads this)"
    )
    if facts.abac:
        held = (
            f" It holds {', '.join(ignored)}, which this mode ignores: "
            "`az aks update --attach-acr` assigns AcrPull and does nothing here."
            if ignored
            else ""
        )
        condition = (
            "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})"
            " AND !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/"
            "metadata/read'}))"
            f" OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] "
            f"StringEqualsIgnoreCase '{repo}'))"
        )
        return Cause(
            "ABAC_ROLE_MISSING",
            f"{facts.registry_name} uses repository permissions (ABAC), and the kubelet identity "
            f"of {cluster.name} ({oid}) has no Container Registry Repository Reader, Writer or "
            f"Contributor assignment whose condition covers {repo}{'' if ignored else group_note}."
            + held,
            f"az role assignment create --assignee-object-id {oid} --assignee-principal-type "
            f'ServicePrincipal --role "Container Registry Repository Reader" --scope {registry_id} '
            f'--condition "{condition}" --condition-version "2.0"',
        )
    unknown_note = (
        " The registry's permission mode could not be read, and no role seen would allow "
        "the pull in repository-permission (ABAC) mode either: if the registry uses it, assign "
        "Container Registry Repository Reader instead, since AcrPull does nothing there."
        if mode_unknown
        else ""
    )
    return Cause(
        "PULL_ROLE_MISSING",
        f"No AcrPull (or AcrPush, Reader, Contributor, Owner, or a custom role with pull) was "
        f"seen for the kubelet identity of {cluster.name} ({oid}) on {facts.registry_name} or any "
        f"scope above it{group_note}; the kubelet's token request gets 401 Unauthorized."
        + unknown_note,
        f"az aks update -n {cluster.name} -g {cluster.resource_group} --attach-acr "
        f"{facts.registry_name} (or: az role assignment create --assignee-object-id {oid} "
        f"--assignee-principal-type ServicePrincipal --role AcrPull --scope {registry_id})",
    )


def _cluster_summary(facts: Facts) -> dict[str, Any] | None:
    cluster = facts.inputs.cluster
    if cluster is None:
        return None
    return {
        "name": cluster.name,
        "resource_id": cluster.resource_id,
        "kubelet_object_id": facts.kubelet.get("objectId"),
    }
