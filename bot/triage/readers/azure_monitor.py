"""The Azure Monitor common alert schema: metric, log search and activity-log alerts.

Everything in ``essentials`` other than the envelope may be null
(``alertRule``, ``severity``, ``alertTargetIDs``, ``configurationItems``),
and so may the whole ``alertContext.properties`` and ``customProperties``;
resource IDs arrive in any letter case. The reader never trusts a field's
type: a null or a wrong type is read as "not given".
"""

from __future__ import annotations

from typing import Any

from bot.triage.model import Alert, Measurement, Source, State
from bot.triage.readers.common import (
    UnknownShape,
    is_cluster_field,
    items,
    mapping,
    resource_type,
    scope_of,
    strings,
    text,
)
from bot.triage.registries import is_registry_field
from bot.triage.units import to_number

SCHEMA_ID = "azuremonitorcommonalertschema"
ACR_TYPE = "microsoft.containerregistry/registries"
AKS_TYPE = "microsoft.containerservice/managedclusters"
_METRIC_UNITS = {
    "storageused": "bytes",
    "runduration": "milliseconds",
    "agentpoolcputime": "seconds",
}


def looks_like_azure_monitor(payload: Any) -> bool:
    data = mapping(mapping(payload).get("data"))
    schema = text(mapping(payload).get("schemaId")) or ""
    return schema.lower() == SCHEMA_ID or isinstance(data.get("essentials"), dict)


def read_azure_monitor(payload: Any) -> list[Alert]:
    """One :class:`Alert` from a common-schema payload, or :class:`UnknownShape`."""
    if not isinstance(payload, dict):
        raise UnknownShape("expected a JSON object (the Azure Monitor common alert schema)")
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("essentials"), dict):
        if "context" in payload or "schemaId" not in payload:
            raise UnknownShape(
                "not the Azure Monitor common alert schema: turn on "
                "'Enable the common alert schema' on the action group's webhook"
            )
        raise UnknownShape("the common alert schema needs data.essentials")
    essentials = data["essentials"]
    context = mapping(data.get("alertContext"))
    signal_type = (text(essentials.get("signalType")) or "").lower()

    targets = tuple(t for t in (text(x, 600) for x in items(essentials.get("alertTargetIDs"))) if t)
    config_items = tuple(
        c for c in (text(x, 600) for x in items(essentials.get("configurationItems"))) if c
    )
    alert_id = text(essentials.get("alertId"), 600)
    activity = signal_type.startswith("activity") or context.get("operationName") is not None
    health = _health_kind(essentials, context) if activity else None
    state = (
        State.RESOLVED
        if (text(essentials.get("monitorCondition")) or "").lower() == "resolved"
        or (activity and _activity_resolved(context, health))
        else State.FIRED
    )
    rule = text(essentials.get("alertRule"), 300)
    # An activity-log alert may name no target: the event's own scope or resource says where.
    scope = text(mapping(context.get("authorization")).get("scope"), 600) if activity else None
    event_resource = text(context.get("resourceId"), 600) if activity else None
    if not targets:
        targets = _most_specific(scope, event_resource)
    acr_target = any(resource_type(t) == ACR_TYPE for t in targets)
    subscription, group = _subscription_and_group((*targets, scope, event_resource, alert_id))

    fragments: list[str] = []
    bare: list[str] = list(config_items) if acr_target else []
    clusters: list[str] = []
    for value in (rule, text(essentials.get("description"))):
        if value:
            fragments.append(value)
    measurement, detail = None, None
    condition = mapping(context.get("condition"))
    criteria = [mapping(c) for c in items(condition.get("allOf"))]
    if (text(context.get("conditionType")) or "") == "LogQueryCriteria" or signal_type == "log":
        measurement = _log_measurement(criteria, condition, context)
    elif signal_type == "metric" or criteria:
        measurement = _metric_measurement(criteria, condition)
    if activity:
        detail = _activity_detail(context)
    for criterion in criteria:
        for key in ("metricName", "searchQuery", "metricMeasureColumn"):
            value = text(criterion.get(key))
            if value:  # one line: a query's pipes read well inline, in a summary or a search
                fragments.append(" ".join(value.split()))
        _read_fields(_dimensions(criterion.get("dimensions")), fragments, bare, clusters)
    # Log alerts of the older shape (Log Analytics, Application Insights): the dimensions and
    # the query's results sit in alertContext itself.
    _read_fields(_dimensions(context.get("Dimensions")), fragments, bare, clusters)
    _read_fields(_search_results(context.get("SearchResults")), fragments, bare, clusters)
    for key in ("SearchQuery", "operationName", "status", "subStatus"):
        if text(context.get(key)):
            fragments.append(text(context.get(key)) or "")
    fragments.extend(strings(context.get("properties")))
    for key, value in mapping(data.get("customProperties")).items():
        if isinstance(key, str) and isinstance(value, str) and value.strip():
            fragments.append(value[:600])
            if is_registry_field(key):
                bare.append(value.strip())
            if is_cluster_field(key):
                clusters.append(value.strip())
    fragments.extend(config_items)

    links = _links(criteria, context)
    target = targets[0].lower() if targets else (config_items[0] if config_items else None)
    incident = _incident(health, context, rule, target, subscription)
    if incident:  # each event of a health incident is its own delivery, in the incident's storm
        event = (
            alert_id
            or text(context.get("eventDataId"), 200)
            or text(context.get("eventTimestamp"), 40)
        )
        identity: str | None = f"{incident}:{event or ''}"
    else:
        identity = f"azure-monitor:{alert_id}" if alert_id else None
    storm_key = incident or (f"azure-monitor:{rule}:{target}" if rule and target else None)
    resolved_at = text(essentials.get("resolvedDateTime"), 40)
    if state == State.RESOLVED and resolved_at is None and activity:
        resolved_at = text(context.get("eventTimestamp"), 40)
    return [
        Alert(
            source=Source.AZURE_MONITOR,
            state=state,
            severity=text(essentials.get("severity"), 20),
            rule=rule,
            identity=identity,
            delivery_key=f"{identity}:{state}" if identity else None,
            storm_key=storm_key,
            target_ids=targets,
            subscription=subscription,
            resource_group=group,
            registry_fields=tuple(bare),
            cluster_fields=tuple(clusters),
            text=tuple(fragments),
            measurement=measurement,
            detail=detail or text(essentials.get("description"), 300),
            fired_at=text(essentials.get("firedDateTime"), 40),
            resolved_at=resolved_at,
            links=links,
        )
    ]


def _health_kind(essentials: Any, context: Any) -> str | None:
    """``resource-health`` or ``service-health`` for those activity-log alerts, else None."""
    said = " ".join(
        (text(v, 200) or "").lower().replace(" ", "")
        for v in (
            essentials.get("monitoringService"),
            context.get("eventSource"),
            context.get("operationName"),
        )
    )
    if "resourcehealth" in said:
        return "resource-health"
    if "servicehealth" in said:
        return "service-health"
    return None


def _activity_resolved(context: Any, health: str | None) -> bool:
    """Whether an activity-log event says its problem is over.

    Activity-log alerts always arrive as ``monitorCondition: Fired``, one per
    event; the event itself says it is a recovery: its ``status`` (Resource
    Health's ``Resolved`` event, a Service Health incident's last update), Resource
    Health's ``currentHealthStatus`` back to ``Available``, or a Service Health
    ``stage`` of ``Resolved`` (``Complete`` for maintenance).
    """
    if (text(context.get("status"), 60) or "").lower() == "resolved":
        return True
    properties = mapping(context.get("properties"))
    if health == "resource-health":
        operation = (text(context.get("operationName"), 200) or "").lower()
        current = (text(properties.get("currentHealthStatus"), 60) or "").lower()
        return "/healthevent/resolved/" in operation or current == "available"
    if health == "service-health":
        stage = (text(properties.get("stage"), 60) or "").lower()
        return stage in ("resolved", "complete", "completed")
    return False


def _incident(
    health: str | None,
    context: Any,
    rule: str | None,
    target: str | None,
    subscription: str | None,
) -> str | None:
    """The health incident an activity-log event belongs to, or None for any other alert.

    A metric or log alert keeps its ``alertId`` from Fired to Resolved. A health
    incident is a series of activity-log events, each another alert with another
    ``alertId``: a Service Health incident is its ``trackingId`` (the same on every
    update), a Resource Health event its ``correlationId``, each with the rule and
    where it happened. Like an Alertmanager alert's fingerprint, the incident is
    what its events share: it is their storm (an update coalesces into the
    incident's message, a recovery resolves it, a re-activation after that is a
    new firing); each event's own ID, like ``startsAt``, makes it its own delivery.
    """
    properties = mapping(context.get("properties"))
    occurrence = None
    if health == "service-health":
        occurrence = text(properties.get("trackingId"), 200)
    elif health == "resource-health":
        occurrence = text(context.get("correlationId"), 200)
    if occurrence:
        return f"azure-monitor:{health}:{rule or ''}:{target or subscription or ''}:{occurrence}"
    return None


def _subscription_and_group(candidates: tuple[str | None, ...]) -> tuple[str | None, str | None]:
    """The first subscription named among these IDs, and the first resource group in it."""
    subscription = group = None
    for candidate in candidates:
        sub, rg = scope_of(candidate)
        if sub is None:
            continue
        subscription = subscription or sub
        if sub == subscription and rg and group is None:
            group = rg
    return subscription, group


MAX_RESULT_ROWS = 100  # rows of an embedded search result worth reading
MAX_RESULT_CELLS = 500  # cells of all its tables


def _most_specific(*ids: str | None) -> tuple[str, ...]:
    """The ID naming the most: a resource, else a resource group, else a subscription."""
    given = [i for i in ids if i]
    for wanted in (lambda i: resource_type(i) is not None, lambda i: scope_of(i)[1] is not None):
        found = next((i for i in given if wanted(i)), None)
        if found:
            return (found,)
    return tuple(given[:1])


def _dimensions(value: Any) -> list[tuple[str | None, str]]:
    """``[{"name": …, "value": …}]`` as (name, value) pairs."""
    pairs = []
    for dimension in items(value):
        dim = mapping(dimension)
        name, found = text(dim.get("name"), 200), text(dim.get("value"), 600)
        if found:
            pairs.append((name, found))
    return pairs


def _search_results(value: Any) -> list[tuple[str | None, str]]:
    """(column, cell) of the string cells of an older log alert's ``SearchResults.tables``."""
    pairs: list[tuple[str | None, str]] = []
    budget = MAX_RESULT_CELLS
    for table in items(mapping(value).get("tables"))[:5]:
        table = mapping(table)
        columns = [text(mapping(c).get("name"), 200) for c in items(table.get("columns"))[:100]]
        for row in items(table.get("rows"))[:MAX_RESULT_ROWS]:
            for index, cell in enumerate(items(row)[:budget]):
                budget -= 1
                found = text(cell, 600) if isinstance(cell, str) else None
                if found:
                    pairs.append((columns[index] if index < len(columns) else None, found))
            if budget <= 0:
                return pairs
    return pairs


def _read_fields(
    pairs: list[tuple[str | None, str]],
    fragments: list[str],
    bare: list[str],
    clusters: list[str],
) -> None:
    """Named values (dimensions, result columns): text to scan, and registries or clusters
    when the name says so (``LoginServer``, ``ClusterName``)."""
    for name, value in pairs:
        fragments.append(value)
        if name and is_registry_field(name):
            bare.append(value)
        if (name and is_cluster_field(name)) or resource_type(value) == AKS_TYPE:
            clusters.append(value)


def _links(criteria: list[Any], context: Any) -> tuple[str, ...]:
    """The portal's links to the query's results, filtered ones first.

    V2 log alerts carry them per criterion (``linkToFilteredSearchResultsUI``,
    else ``linkToSearchResultsUI``); the older shape in alertContext
    (``LinkToFilteredSearchResultsUI``, else ``LinkToSearchResults``). The API
    links need a token and are left out.
    """
    found: dict[str, None] = {}
    sources = [
        (mapping(c), ("linkToFilteredSearchResultsUI", "linkToSearchResultsUI")) for c in criteria
    ]
    sources.append((mapping(context), ("LinkToFilteredSearchResultsUI", "LinkToSearchResults")))
    for source, keys in sources:
        for key in keys:
            link = text(source.get(key), 2000)
            if link and link.startswith("https://"):
                found.setdefault(link)
                break
    return tuple(found)


def _metric_measurement(criteria: list[Any], condition: Any) -> Measurement | None:
    first = next((c for c in criteria if text(c.get("metricName"))), None)
    if first is None:
        return None
    name = text(first.get("metricName"), 120) or "metric"
    lowered = name.lower()
    unit = _METRIC_UNITS.get(lowered)
    if unit is None:
        if lowered.endswith("count"):
            unit = "count"
        elif "percent" in lowered:
            unit = "percent"
        elif "bytes" in lowered:
            unit = "bytes"
    return Measurement(
        name=name,
        value=to_number(first.get("metricValue")),
        threshold=to_number(first.get("threshold")),
        operator=text(first.get("operator"), 40),
        aggregation=text(first.get("timeAggregation"), 40),
        window=text(mapping(condition).get("windowSize"), 40),
        unit=unit,
    )


def _log_measurement(criteria: list[Any], condition: Any, context: Any) -> Measurement:
    first = criteria[0] if criteria else {}
    value = to_number(first.get("metricValue"))
    if value is None:
        value = to_number(context.get("ResultCount"))
    threshold = to_number(first.get("threshold"))
    if threshold is None:
        threshold = to_number(context.get("Threshold"))
    column = text(first.get("metricMeasureColumn"), 120)
    return Measurement(
        name=column or "log query results",
        value=value,
        threshold=threshold,
        operator=text(first.get("operator") or context.get("Operator"), 40),
        aggregation=text(first.get("timeAggregation"), 40),
        window=text(mapping(condition).get("windowSize"), 40),
        unit=None if column else "count",
    )


def _activity_detail(context: Any) -> str | None:
    operation = text(context.get("operationName"), 200)
    status = text(context.get("status"), 60)
    sub_status = text(context.get("subStatus"), 60)
    caller = text(context.get("caller"), 120)
    if not (operation or status):
        return None
    detail = operation or "operation"
    if status:
        detail += f": {status}"
    if sub_status:
        detail += f" ({sub_status})"
    if caller:
        detail += f", by {caller}"
    return detail
