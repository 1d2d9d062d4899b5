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
# Labels that name the problem (with the alertname, in the key already): where it is, which
# workload, container, image and registry, why, how bad. Everything else (the pod's own name,
# IDs, node, IPs, the scraping job or replica, cAdvisor's id/name) differs between replicas
# of one problem, so it is left out.
_PROBLEM_LABELS = frozenset(
    {
        "namespace",
        "container",
        "reason",
        "image",
        "severity",
        "phase",
        "persistentvolumeclaim",
        "persistentvolume",
        "horizontalpodautoscaler",
    }
)
_WORKLOAD_LABELS = (
    "workload",
    "deployment",
    "statefulset",
    "daemonset",
    "cronjob",
    "job_name",
    "replicaset",
)
# An alert about no pod or workload is about its node, instance or service: those name it.
_PLACE_LABELS = frozenset({"node", "instance", "service", "job", "endpoint", "device"})
# Kubernetes' generated name suffixes use this alphabet (no vowels, no 0/1/3): a pod of a
# ReplicaSet is <deployment>-<hash>-<5>, of a DaemonSet or Job <name>-<5>, of a CronJob's
# Job <cronjob>-<minutes since epoch>-<5>; a StatefulSet's is <name>-<ordinal>. A generated
# name is at most 63 characters: its prefix is cut to 58, so a long one has no '-' before
# the random suffix (and only part of the template hash).
_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
_POD_SUFFIX = re.compile(rf"-{_SAFE}{{5}}$")
_TRUNCATED_SUFFIX = re.compile(rf"{_SAFE}{{5}}$")
_TEMPLATE_HASH = re.compile(rf"-(?:{_SAFE}{{6,10}}|\d{{8,10}})$")
_PARTIAL_HASH = re.compile(rf"-(?:{_SAFE}{{0,10}}|\d{{0,10}})$")
_ORDINAL = re.compile(r"-\d{1,5}$")
_GENERATED_PREFIX = 58  # Kubernetes' maxGeneratedNameLength (63 less the 5-character suffix)


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
    """What makes two firings of one rule the same problem: the labels that name it.

    Replicas of one workload failing alike are one storm (a pod is read as its workload,
    whatever the controller); a different workload, cluster, namespace, container,
    reason, image or registry is not, so no alert is hidden inside another's storm.
    """
    shown: dict[str, str] = {}
    for key, value in labels.items():
        if not isinstance(key, str) or not text(value, 600):
            continue
        if key in _PROBLEM_LABELS or is_cluster_field(key) or is_registry_field(key):
            shown[key] = text(value, 600) or ""
    workload = next(
        (text(labels.get(k), 300) for k in _WORKLOAD_LABELS if text(labels.get(k))), None
    )
    pod = text(labels.get("pod"), 300) or text(labels.get("pod_name"), 300)
    if workload:
        shown["workload"] = (
            _workload(workload) if labels.get("replicaset") == workload else workload
        )
    elif pod:
        shown["workload"] = _workload(pod)
    else:
        for key in _PLACE_LABELS:
            if text(labels.get(key), 600):
                shown[key] = text(labels.get(key), 600) or ""
    if not shown:
        return None
    encoded = json.dumps(shown, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:24]


def _workload(pod: str) -> str:
    """The pod's name without the parts Kubernetes generated for it (``api-7d9f8b6c5-x2k4q``
    → ``api``, ``web-1`` → ``web``); a name it did not generate stays whole."""
    if len(pod) == _GENERATED_PREFIX + 5 and _TRUNCATED_SUFFIX.search(pod) and pod[-6] != "-":
        prefix = pod[:_GENERATED_PREFIX]  # cut to 58: drop what is left of the template hash
        return _PARTIAL_HASH.sub("", prefix).rstrip("-") or prefix
    base = _POD_SUFFIX.sub("", pod)
    if base != pod:
        return _TEMPLATE_HASH.sub("", base) or base
    return _ORDINAL.sub("", pod) or pod


def _fingerprint(labels: dict[str, Any]) -> str:
    """Alertmanager always sends one; this stands in, stable per label set, when it does not."""
    encoded = json.dumps(labels, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]
