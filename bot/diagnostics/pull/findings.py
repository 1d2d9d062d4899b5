"""What the pull check found, as it is reported: steps, causes with fixes, and what went unverified.

A cause is a reason the pull fails with the command that fixes it, real names
filled in; an unverified item is something a refused or failed read kept
the check from knowing (with the role acrbot would need). ``ok`` is only
true with neither. Causes are ordered the way a pull meets them: network
first, then the token, then the image.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.diagnostics.pull.plan import Outcome
from bot.diagnostics.report import Cause, Status, StepResult

ORDER = (
    "REGISTRY_NOT_FOUND",
    "PUBLIC_ACCESS_DISABLED",
    "PRIVATE_ENDPOINT_NOT_APPROVED",
    "PRIVATE_DNS_ZONE_NOT_LINKED",
    "PRIVATE_DNS_RECORD_MISSING",
    "CLIENT_IP_NOT_ALLOWED",
    "PULL_ROLE_MISSING",
    "ABAC_ROLE_MISSING",
    "IMAGE_NOT_FOUND",
    "IMAGE_QUARANTINED",
    "IMAGE_READ_DISABLED",
    "PLATFORM_MISMATCH",
)
CAUSE_CODES = frozenset(ORDER)
_NETWORK_QUERY = "aks pull private endpoint firewall dns 403 timeout 防火墙 专用终结点"
_ROLE_QUERY = "aks pull 401 unauthorized kubelet identity AcrPull role 权限"
_IMAGE_QUERY = "manifest unknown not found tag quarantine 映像 标记 未找到"
FAQ_QUERIES = {
    "REGISTRY_NOT_FOUND": "registry name login server not found 注册表 找不到",
    "PULL_ROLE_MISSING": _ROLE_QUERY,
    "ABAC_ROLE_MISSING": _ROLE_QUERY + " ABAC repository permissions",
    "PLATFORM_MISMATCH": "no match for platform in manifest arm64 平台",
}

__all__ = ["CAUSE_CODES", "Cause", "Findings"]


@dataclass
class Findings:
    steps: list[StepResult] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    def passed(self, name: str, title: str, explanation: str, detail: str = "") -> None:
        self.steps.append(
            StepResult(name, Status.OK, explanation=explanation, title=title, detail=detail)
        )

    def note(self, name: str, title: str, explanation: str, advice: str = "") -> None:
        """Worth knowing, not a cause (a warning step)."""
        self.steps.append(
            StepResult(name, Status.WARNING, explanation=explanation, advice=advice, title=title)
        )

    def skip(self, name: str, title: str, explanation: str) -> None:
        self.steps.append(StepResult(name, Status.SKIPPED, explanation=explanation, title=title))

    def cause(self, name: str, title: str, cause: Cause, detail: str = "") -> None:
        self.causes.append(cause)
        query = FAQ_QUERIES.get(cause.code) or (
            _IMAGE_QUERY if cause.code.startswith("IMAGE") else _NETWORK_QUERY
        )
        self.steps.append(
            StepResult(
                name,
                Status.FAILED,
                code=cause.code,
                explanation=cause.explanation,
                advice=cause.fix,
                title=title,
                detail=detail,
                faq_query=query,
            )
        )

    def unverifiable(
        self, name: str, title: str, what: str, outcome: Outcome | None, role: str, why: str = ""
    ) -> None:
        """A read that could not be made (or ``why`` it could not be used): say what and how."""
        error = outcome.error if outcome else None
        if error is not None and error.status in (401, 403):
            code, reason = "READ_FORBIDDEN", f"Azure refused the read (HTTP {error.status})."
        elif error is not None:
            code, reason = error.arm_code, str(error)
        elif outcome is not None and outcome.bug:
            code, reason = "INTERNAL_ERROR", "acrbot hit an unexpected problem on this read."
        else:
            code, reason = "NOT_VERIFIED", why
        self.unverified.append(what)
        self.steps.append(
            StepResult(
                name,
                Status.WARNING,
                code=code,
                explanation=f"Could not verify {what}. {reason}".strip(),
                advice=f"Give acrbot's identity {role}, then run the check again." if role else "",
                title=title,
                detail=str(error) if error is not None else "",
            )
        )

    def ordered(self) -> Findings:
        causes = sorted(self.causes, key=lambda c: ORDER.index(c.code) if c.code in ORDER else 99)
        return replace(self, causes=causes, unverified=list(dict.fromkeys(self.unverified)))
