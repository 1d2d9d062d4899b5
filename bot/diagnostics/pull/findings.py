"""What the pull check found, as it is reported: steps, causes with fixes, and what went unverified.

A cause is a reason the pull fails with the command that fixes it, real names
filled in; an unverified item is something a refused or failed read kept
the check from knowing (with the role acrbot would need). ``ok`` is only
true with neither. Causes are ordered the way a pull meets them: network
first, then the token, then the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from bot.diagnostics.errors import (
    AzureError,
    AzureHTTPError,
    AzureResourceMissing,
    AzureTimeout,
    AzureUnreachable,
    DeadlineExceeded,
    RegistryForbidden,
)
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

FIREWALL_REASON = (
    "The registry's firewall refused acrbot's own network (GET /v2/ answered HTTP 403), so "
    "acrbot could not read the image. That is seen from acrbot's network: it says nothing "
    "about whether the cluster's nodes may pull."
)
FIREWALL_ADVICE = (
    "To let acrbot read the image, allow its network in the registry's networking settings "
    "(public network access, allowed IP ranges), then run the check again."
)
NO_ANSWER_ADVICE = "Azure did not answer (or not usably): try again in a few minutes."

__all__ = ["CAUSE_CODES", "Cause", "Findings", "read_failure"]


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
        give = f"Give acrbot's identity {role}, then run the check again." if role else ""
        if error is not None:
            code, reason, advice = read_failure(error, give)
        elif outcome is not None and outcome.bug:
            code, reason = "INTERNAL_ERROR", "acrbot hit an unexpected problem on this read."
            advice = _advice(code)
        else:
            code, reason, advice = "NOT_VERIFIED", why, give
        self.unverified.append(what)
        self.steps.append(
            StepResult(
                name,
                Status.WARNING,
                code=code,
                explanation=f"Could not verify {what}. {reason}".strip(),
                advice=advice,
                title=title,
                detail=str(error) if error is not None else "",
            )
        )

    def ordered(self) -> Findings:
        causes = sorted(self.causes, key=lambda c: ORDER.index(c.code) if c.code in ORDER else 99)
        return replace(self, causes=causes, unverified=list(dict.fromkeys(self.unverified)))


def read_failure(error: AzureError, give: str) -> tuple[str, str, str]:
    """(code, reason, advice) for a failed read: only a refusal is fixed by giving a role.

    A missing resource, a throttled or broken answer, or no answer at all
    is not a permission problem, and saying "give acrbot a role" for one
    sends the reader the wrong way.
    """
    if isinstance(error, RegistryForbidden):
        return error.arm_code, FIREWALL_REASON, FIREWALL_ADVICE
    if isinstance(error, AzureResourceMissing):
        advice = (
            f"Check the name, resource group and subscription acrbot is configured with for "
            f"{error.what}, then run the check again."
        )
        return error.arm_code, f"Azure found no {error.what} (HTTP 404).", advice
    if error.status in (401, 403):
        return "READ_FORBIDDEN", f"Azure refused the read (HTTP {error.status}).", give
    if error.status == 404:
        reason = "Azure says what this read names does not exist (HTTP 404)."
        return "RESOURCE_NOT_FOUND", reason, "Check that it still exists, then run the check again."
    if isinstance(error, AzureHTTPError) and error.throttled:
        code = error.registry_code or error.arm_code
        return code, "Azure is throttling acrbot's reads (HTTP 429).", _wait(error)
    if isinstance(error, AzureTimeout | DeadlineExceeded) or error.status is not None:
        return error.arm_code, str(error), NO_ANSWER_ADVICE
    code = error.registry_code if isinstance(error, AzureUnreachable) else None
    return code or error.arm_code, str(error), _advice(code or error.arm_code)


def _advice(code: str) -> str:
    """The advice the check-health catalogue gives for ``code``.

    Imported here, not at the top: bot.diagnostics.checks imports the pull check,
    whose verdicts import this module.
    """
    from bot.diagnostics.checks.codes import info

    return info(code).advice


LONGEST_WAIT_SAID = 3600  # past an hour a Retry-After is no advice: "later" says as much


def _wait(error: AzureHTTPError) -> str:
    if error.retry_after and error.retry_after <= LONGEST_WAIT_SAID:
        wait = math.ceil(error.retry_after)
        return f"Wait {wait} s (Azure's Retry-After), then run the check again."
    if error.retry_after:
        return "Azure asks acrbot to wait over an hour: run the check again later."
    return "Wait a minute, then run the check again."
