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
    acr_target = any(resource_type(t) == ACR_TYPE for t in targets)
    alert_id = text(essentials.get("alertId"), 600)
    state = (
        State.RESOLVED
        if (text(essentials.get("monitorCondition")) or "").lower() == "resolved"
        else State.FIRED
    )
    rule = text(essentials.get("alertRule"), 300)
    subscription, group = scope_of(targets[0] if targets else alert_id)
    if targets and group is None:
        group = scope_of(targets[0])[1]

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
    if signal_type.startswith("activity") or context.get("operationName") is not None:
        detail = _activity_detail(context)
        scope = text(mapping(context.get("authorization")).get("scope"), 600)
        if scope:
            targets = targets or (scope,)
    for criterion in criteria:
        for key in ("metricName", "searchQuery", "metricMeasureColumn"):
            value = text(criterion.get(key))
            if value:  # one line: a query's pipes read well inline, in a summary or a search
                fragments.append(" ".join(value.split()))
        for dimension in items(criterion.get("dimensions")):
            dim = mapping(dimension)
            name, value = text(dim.get("name"), 200), text(dim.get("value"), 600)
            if value:
                fragments.append(value)
                if name and is_registry_field(name):
                    bare.append(value)
                if (name and is_cluster_field(name)) or resource_type(value) == AKS_TYPE:
                    clusters.append(value)
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

    links = tuple(
        link
        for link in (text(c.get("linkToFilteredSearchResultsUI"), 2000) for c in criteria)
        if link and link.startswith("https://")
    )
    target = targets[0].lower() if targets else (config_items[0] if config_items else None)
    return [
        Alert(
            source=Source.AZURE_MONITOR,
            state=state,
            severity=text(essentials.get("severity"), 20),
            rule=rule,
            identity=f"azure-monitor:{alert_id}" if alert_id else None,
            delivery_key=f"azure-monitor:{alert_id}:{state}" if alert_id else None,
            storm_key=f"azure-monitor:{rule}:{target}" if rule and target else None,
            target_ids=targets,
            subscription=subscription,
            resource_group=group,
            registry_fields=tuple(bare),
            cluster_fields=tuple(clusters),
            text=tuple(fragments),
            measurement=measurement,
            detail=detail or text(essentials.get("description"), 300),
            fired_at=text(essentials.get("firedDateTime"), 40),
            resolved_at=text(essentials.get("resolvedDateTime"), 40),
            links=links,
        )
    ]


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
