"""Prometheus Alertmanager's webhook (version 4): one group in, one alert per member out.

Alertmanager groups alerts and re-sends the group on every change and every
``repeat_interval``; each member carries its own ``status`` and a
``fingerprint`` that is stable for its label set. An alert that resolves and
fires again gets a new ``startsAt``, so identity is fingerprint + startsAt
and a delivery is identity + status.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from bot.triage.model import Alert, Source, State
from bot.triage.readers.common import UnknownShape, is_cluster_field, mapping, text
from bot.triage.registries import is_registry_field

MAX_ALERTS = 200  # a group larger than this is read up to here (Alertmanager truncates too)
# Labels that differ between alerts of one problem: the pod's generated name (replaced by its
# workload), per-pod IDs, and an HA Prometheus pair's replica label (usually dropped upstream).
_VOLATILE_LABELS = frozenset(
    {
        "alertname",
        "pod",
        "pod_name",
        "uid",
        "pod_uid",
        "pod_ip",
        "pod_template_hash",
        "controller_revision_hash",
        "prometheus_replica",
        "__replica__",
    }
)
# Kubernetes' generated name suffixes use this alphabet (no vowels, no 0/1/3): a pod of a
# ReplicaSet is <deployment>-<hash>-<5>, of a DaemonSet or Job <name>-<5>, of a CronJob's
# Job <cronjob>-<minutes since epoch>-<5>; a StatefulSet's is <name>-<ordinal> (kept).
_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
_POD_SUFFIX = re.compile(rf"-{_SAFE}{{5}}$")
_TEMPLATE_HASH = re.compile(rf"-(?:{_SAFE}{{6,10}}|\d{{8,10}})$")


def looks_like_alertmanager(payload: Any) -> bool:
    body = mapping(payload)
    return isinstance(body.get("alerts"), list) and (
        "version" in body or "receiver" in body or "groupKey" in body
    )


def read_alertmanager(payload: Any) -> list[Alert]:
    """The group's alerts, or :class:`UnknownShape` when this is not an Alertmanager webhook."""
    if not isinstance(payload, dict):
        raise UnknownShape("expected a JSON object (an Alertmanager webhook)")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        raise UnknownShape("not an Alertmanager webhook: there is no 'alerts' list")
    version = payload.get("version")
    if version is not None and str(version) != "4":
        raise UnknownShape(f"Alertmanager webhook version {str(version)[:10]!r}; acrbot reads 4")
    members = [a for a in alerts[:MAX_ALERTS] if isinstance(a, dict)]
    if alerts and not members:
        raise UnknownShape("the Alertmanager webhook's alerts are not objects")
    common = mapping(payload.get("commonLabels"))
    group_status = text(payload.get("status"), 20)
    return [_alert(member, common, group_status) for member in members]


def left_out(payload: Any) -> tuple[int, int]:
    """Alerts of the group not read: (past acrbot's ``MAX_ALERTS``, truncated by Alertmanager).

    Alertmanager's ``max_alerts`` drops members before sending and says how
    many in ``truncatedAlerts``; acrbot reads at most ``MAX_ALERTS`` of the rest.
    """
    body = mapping(payload)
    alerts = body.get("alerts")
    past = max(0, len(alerts) - MAX_ALERTS) if isinstance(alerts, list) else 0
    truncated = body.get("truncatedAlerts")
    ok = isinstance(truncated, int) and not isinstance(truncated, bool) and truncated > 0
    return past, min(truncated, 10**9) if ok else 0


def group_name(payload: Any) -> str:
    """What people call the group: its alertname, else its group key (clipped)."""
    body = mapping(payload)
    name = text(mapping(body.get("commonLabels")).get("alertname"), 200)
    return name or text(body.get("groupKey"), 200) or "?"


def _alert(member: dict[str, Any], common: Any, group_status: str | None) -> Alert:
    labels = {k: v for k, v in {**common, **mapping(member.get("labels"))}.items()}
    annotations = mapping(member.get("annotations"))
    status = (text(member.get("status"), 20) or group_status or "firing").lower()
    state = State.RESOLVED if status == "resolved" else State.FIRED
    fingerprint = text(member.get("fingerprint"), 64) or _fingerprint(labels)
    starts = text(member.get("startsAt"), 40) or ""
    rule = text(labels.get("alertname"), 300)
    identity = f"alertmanager:{fingerprint}:{starts}"
    fragments: list[str] = []
    bare: list[str] = []
    clusters: list[str] = []
    for key in ("summary", "description", "message"):
        if text(annotations.get(key)):
            fragments.append(text(annotations.get(key)) or "")
    for key, value in annotations.items():
        if key not in ("summary", "description", "message") and text(value):
            fragments.append(text(value) or "")
    for key, value in labels.items():
        shown = text(value, 600)
        if not shown or not isinstance(key, str):
            continue
        fragments.append(shown)
        if is_registry_field(key):
            bare.append(shown)
        if is_cluster_field(key):
            clusters.append(shown)
    target = _storm_target(labels)
    summary = text(annotations.get("summary"), 300)
    ends = text(member.get("endsAt"), 40)
    return Alert(
        source=Source.ALERTMANAGER,
        state=state,
        severity=text(labels.get("severity"), 40),
        rule=rule,
        identity=identity,
        delivery_key=f"{identity}:{state}",
        storm_key=f"alertmanager:{rule}:{target or fingerprint}" if rule else None,
        registry_fields=tuple(bare),
        cluster_fields=tuple(clusters),
        text=tuple(fragments),
        detail=summary,
        fired_at=starts or None,
        resolved_at=ends if state == State.RESOLVED and ends and ends[:4] != "0001" else None,
        links=tuple(
            link
            for link in (text(member.get("generatorURL"), 2000),)
            if link and link.startswith(("http://", "https://"))
        ),
    )


def _storm_target(labels: dict[str, Any]) -> str | None:
    """What makes two firings of one rule the same problem: every label but the volatile ones.

    Replicas of one workload failing alike are one storm (the pod name is read as its
    workload); a different workload, container, cluster, reason or image is not, so no
    alert is hidden inside another's storm.
    """
    shown: dict[str, str] = {}
    for key, value in labels.items():
        if isinstance(key, str) and key not in _VOLATILE_LABELS and text(value, 600):
            shown[key] = text(value, 600) or ""
    pod = text(labels.get("pod"), 300) or text(labels.get("pod_name"), 300)
    if pod:
        shown["workload"] = shown.get("workload") or _workload(pod)
    if not shown:
        return None
    encoded = json.dumps(shown, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:24]


def _workload(pod: str) -> str:
    """The pod's name without the parts Kubernetes generated for it (``api-7d9f8b6c5-x2k4q``
    → ``api``); a name it did not generate stays whole."""
    base = _POD_SUFFIX.sub("", pod)
    if base != pod:
        base = _TEMPLATE_HASH.sub("", base) or base
    return base


def _fingerprint(labels: dict[str, Any]) -> str:
    """Alertmanager always sends one; this stands in, stable per label set, when it does not."""
    encoded = json.dumps(labels, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]
