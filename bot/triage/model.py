"""The shapes triage works with: a neutral alert in, a triage out.

Readers fill an :class:`Alert` from whatever arrived (a webhook payload,
pasted text); nothing downstream looks at the original payload again. A
:class:`Triage` is what every renderer (Slack, ``acrbot triage``) shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.faq_links import FaqLink


class State(StrEnum):
    FIRED = "fired"
    RESOLVED = "resolved"


class Source(StrEnum):
    AZURE_MONITOR = "azure-monitor"
    ALERTMANAGER = "alertmanager"
    TEXT = "text"


@dataclass(frozen=True)
class Measurement:
    """A measured value against its threshold, e.g. a metric alert's condition."""

    name: str
    value: float | None = None
    threshold: float | None = None
    operator: str | None = None
    aggregation: str | None = None
    window: str | None = None  # ISO 8601 duration, as Azure sends it (PT5M)
    unit: str | None = None  # bytes | milliseconds | seconds | count | percent | None


@dataclass(frozen=True)
class Alert:
    """One alert, whatever it came from.

    ``identity`` is stable across the Fired and Resolved deliveries of one
    alert (so the Resolved one can find the Fired message); ``delivery_key``
    adds the state, so a retried delivery is recognised. ``storm_key`` is the
    rule and its target: the same rule firing on the same thing again.
    """

    source: Source
    state: State = State.FIRED
    severity: str | None = None
    rule: str | None = None
    identity: str | None = None
    delivery_key: str | None = None
    storm_key: str | None = None
    target_ids: tuple[str, ...] = ()
    subscription: str | None = None
    resource_group: str | None = None
    registry_fields: tuple[str, ...] = ()  # values of fields that name a registry when bare
    cluster_fields: tuple[str, ...] = ()  # values of fields that name a cluster (a `cluster` label)
    text: tuple[str, ...] = ()  # free text to scan: descriptions, queries, error messages
    measurement: Measurement | None = None
    detail: str | None = None  # a short factual phrase, e.g. "registries/write Failed"
    fired_at: str | None = None
    resolved_at: str | None = None
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownCluster:
    """A cluster an alert names that configuration vouches for.

    ``name`` is what people read; ``ref`` is what the pull check is asked
    with (the configured name, or the resource ID of a cluster found by ID).
    """

    name: str
    ref: str


@dataclass(frozen=True)
class OfferedCheck:
    """A diagnostic worth running; the person still goes through access and Confirm.

    ``image`` (``repository:tag`` or ``repository@digest``) and ``cluster``
    are the pull check's: which image, pulled by which cluster (if known).
    """

    check: str
    registry: str
    repository: str | None = None
    image: str | None = None
    cluster: KnownCluster | None = None

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"check": self.check, "registry": self.registry}
        if self.check == "pull":
            shown["image"] = self.image
            shown["cluster"] = self.cluster.name if self.cluster else None
        return shown


@dataclass(frozen=True)
class Triage:
    alert: Alert
    summary: str
    registries: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()  # defanged previews of registry-like names that fail the rules
    repositories: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    about_registry: bool = False
    faq: tuple[FaqLink, ...] = ()
    checks: tuple[OfferedCheck, ...] = field(default=())

    @property
    def recognised(self) -> bool:
        """Whether anything useful was found (for "nothing recognised" answers)."""
        return self.about_registry or bool(self.signals) or self.alert.source != Source.TEXT

    def to_json(self) -> dict[str, Any]:
        """The ``acrbot triage --json`` object: the issue's contract, key for key."""
        return {
            "source": str(self.alert.source),
            "state": str(self.alert.state),
            "severity": self.alert.severity,
            "rule": self.alert.rule,
            "summary": self.summary,
            "registries": list(self.registries),
            "faq": [{"id": f.id, "title": f.title, "score": round(f.score, 4)} for f in self.faq],
            "checks": [c.to_json() for c in self.checks],
        }
