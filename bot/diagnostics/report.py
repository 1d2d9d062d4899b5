"""The shape of a diagnostic result, shared by the checks, the CLI and the Slack layer.

Checks produce :class:`StepResult` objects and one :class:`CheckReport`;
renderers only read them. Keeping the shape plain (dataclasses, strings,
numbers) means ``--json`` output, Slack blocks and the audit log all see the
same facts, and none of them can reach a token: results are built from
names, codes and outcomes, never from responses wholesale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from bot.faq_links import FaqLink


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepResult:
    """One step of a check: what happened, why it matters and what to do.

    ``code`` is the ``az acr check-health`` error code when there is one, so
    people can search for it; ``faq_query`` is how the report finds FAQ
    entries for this outcome; ``help_url`` points at the public reference.
    """

    name: str
    status: Status
    code: str | None = None
    explanation: str = ""
    advice: str = ""
    duration_ms: int = 0
    detail: str = ""
    title: str = ""
    help_url: str | None = None
    faq_query: str | None = None

    @property
    def label(self) -> str:
        return self.title or self.name

    @property
    def is_problem(self) -> bool:
        return self.status in (Status.FAILED, Status.WARNING)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        data.pop("faq_query")
        return data


@dataclass(frozen=True)
class RegistrySummary:
    """Where the check ran: enough to tell registries apart, nothing secret."""

    name: str
    subscription: str
    resource_group: str
    cloud: str
    login_server: str


@dataclass(frozen=True)
class Cause:
    """A reason a pull fails, and the command that fixes it with the real names filled in."""

    code: str
    explanation: str
    fix: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "explanation": self.explanation, "fix": self.fix}


@dataclass(frozen=True)
class CheckReport:
    check: str
    registry: RegistrySummary
    steps: tuple[StepResult, ...]
    summary: str
    facts: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    faq_links: tuple[FaqLink, ...] = ()
    duration_ms: int = 0
    notes: tuple[str, ...] = ()
    # The pull check's verdict (``image`` is None for the other checks).
    image: dict[str, Any] | None = None
    cluster: dict[str, Any] | None = None
    causes: tuple[Cause, ...] = ()
    unverified: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no step failed (warnings are reported but do not fail the check).

        A verdict (the pull check) is ok only when it found no cause and left
        nothing unverified: "could not tell" is not "fine".
        """
        failed = any(step.status == Status.FAILED for step in self.steps)
        if self.image is not None:
            return not failed and not self.causes and not self.unverified
        return not failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "ok": self.ok,
            "summary": self.summary,
            "registry": asdict(self.registry),
            "steps": [step.to_dict() for step in self.steps],
            "facts": dict(self.facts),
            "data": dict(self.data),
            "faq_links": [{"id": f.id, "title": f.title, "url": f.url} for f in self.faq_links],
            "duration_ms": self.duration_ms,
            "notes": list(self.notes),
        } | self._verdict()

    def _verdict(self) -> dict[str, Any]:
        if self.image is None:
            return {}
        return {
            "image": dict(self.image),
            "cluster": dict(self.cluster) if self.cluster else None,
            "causes": [cause.to_dict() for cause in self.causes],
            "unverified": list(self.unverified),
        }
