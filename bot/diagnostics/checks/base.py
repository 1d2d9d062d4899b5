"""How a check runs: named steps in order, each timed, skipped when what it needs failed.

A check is a fixed tuple of :class:`Step` objects. The runner times every
step, turns exceptions into readable failed steps (never a crash), marks
steps whose prerequisites did not succeed as skipped instead of running
them, reports each step as soon as it is done (so Slack can show progress),
and finally asks the knowledge base for FAQ entries about what went wrong.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.diagnostics.azure_client import AzureClient
from bot.diagnostics.checks.codes import info
from bot.diagnostics.errors import AzureError, DeadlineExceeded
from bot.diagnostics.report import CheckReport, Status, StepResult
from bot.faq_links import FaqLink, FaqSearch

if TYPE_CHECKING:
    from bot.diagnostics.clusters import ClusterTarget
    from bot.diagnostics.pull.image_ref import ImageRef
    from bot.diagnostics.registry_location import RegistryTarget

log = logging.getLogger(__name__)

Resolver = Callable[[str, float], list[str]]
"""Resolve a host name within a timeout (seconds) to its IP addresses; raise OSError if not."""

OnStep = Callable[[StepResult], None]
HOST_RE = re.compile(r"[a-z0-9][a-z0-9.-]{0,252}", re.IGNORECASE)
MAX_FAQ_LINKS = 5
_LINKS_PER_QUERY = 2
FAQ_LINK_MIN_CONFIDENCE = 0.5  # a report links only entries the search is sure of


@dataclass
class CheckContext:
    """Everything a step may use; ``state`` passes values from one step to the next."""

    target: RegistryTarget
    client: AzureClient
    login_base: Callable[[str], str]
    resolve: Resolver
    tenant_id: str | None = None
    repository: str | None = None  # check-health: the repository whose pull access is checked
    dns_timeout: float = 5.0
    storage_warning_percent: float = 80.0
    image: ImageRef | None = None  # pull: the image to pull
    cluster: ClusterTarget | None = None  # pull: the cluster that pulls it, if named
    subscriptions: tuple[str, ...] = ()  # pull: where a missing registry was looked for
    state: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


StepFn = Callable[[CheckContext], StepResult]


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    run: StepFn
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One entry of the closed catalogue."""

    name: str
    title: str
    description: str
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    # A check whose reads run concurrently runs itself (the pull check); others run step by step.
    run: Callable[[CheckContext, OnStep | None, FaqSearch | None], CheckReport] | None = None


# --- building step results ------------------------------------------------------


def ok(explanation: str, detail: str = "") -> StepResult:
    return StepResult(name="", status=Status.OK, explanation=explanation, detail=detail)


def skipped(explanation: str) -> StepResult:
    return StepResult(name="", status=Status.SKIPPED, explanation=explanation)


def problem(
    code: str, detail: str = "", status: Status = Status.FAILED, explanation: str | None = None
) -> StepResult:
    """A failed (or warning) step explained by the code's entry in the code table.

    ``explanation`` replaces the table's sentence when the same code has a more
    specific cause (the CLI's code for a throttled token step, for instance).
    """
    known = info(code)
    return StepResult(
        name="",
        status=status,
        code=code,
        explanation=explanation or known.explanation,
        advice=known.advice,
        detail=detail,
        help_url=known.help_url(code),
        faq_query=known.faq_query,
    )


def arm_problem(exc: AzureError, status: Status = Status.FAILED) -> StepResult:
    """A step result for a failed ARM call; the error's class says which code explains it."""
    return problem(exc.arm_code, str(exc), status)


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one: ARM fields may be absent or null."""
    return value if isinstance(value, dict) else {}


def properties(resource: dict[str, Any]) -> dict[str, Any]:
    return mapping(resource.get("properties"))


def read_registry(ctx: CheckContext) -> dict[str, Any]:
    """The registry's ARM resource, fetched once per check and shared by the steps."""
    if "registry" not in ctx.state:
        ctx.state["registry"] = ctx.client.arm_get(ctx.target.resource_path)
    return ctx.state["registry"]


# --- running ----------------------------------------------------------------------


def run_check(
    check: Check,
    ctx: CheckContext,
    on_step: OnStep | None = None,
    faq_search: FaqSearch | None = None,
) -> CheckReport:
    if check.run is not None:
        return check.run(ctx, on_step, faq_search)
    started = time.monotonic()
    results: dict[str, StepResult] = {}
    titles = {step.name: step.title for step in check.steps}
    out_of_time = False
    for step in check.steps:
        blocker = next(
            (n for n in step.needs if results[n].status not in (Status.OK, Status.WARNING)), None
        )
        step_start = time.monotonic()
        if out_of_time:
            result = skipped("Not run: the check ran out of time.")
        elif blocker:
            result = skipped(f"Not run because '{titles[blocker]}' did not succeed.")
        else:
            result = _run_step(step, ctx)
            out_of_time = result.code == "DEADLINE_EXCEEDED"
        elapsed = 0 if result.status == Status.SKIPPED else _ms_since(step_start)
        result = replace(result, name=step.name, title=step.title, duration_ms=elapsed)
        results[step.name] = result
        _notify(on_step, result)
    steps = tuple(results.values())
    return CheckReport(
        check=check.name,
        registry=ctx.target.summary(ctx.state.get("login_server")),
        steps=steps,
        summary=_summary(check, steps),
        facts=dict(ctx.facts),
        data=dict(ctx.data),
        faq_links=faq_links(steps, faq_search),
        duration_ms=_ms_since(started),
        notes=check.notes,
    )


def _run_step(step: Step, ctx: CheckContext) -> StepResult:
    try:
        result = step.run(ctx)
    except DeadlineExceeded as exc:
        return problem("DEADLINE_EXCEEDED", str(exc))
    except AzureError as exc:
        return arm_problem(exc)
    except Exception as exc:  # a bug in one step must not lose the whole report
        log.error("diagnostic step %s failed: %s", step.name, type(exc).__name__, exc_info=True)
        return problem("INTERNAL_ERROR")
    if result.detail:
        result = replace(result, detail=ctx.client.scrub(result.detail))
    return result


def notify(on_step: OnStep | None, result: StepResult) -> None:
    """Report one finished step to the progress callback (best effort)."""
    _notify(on_step, result)


def _notify(on_step: OnStep | None, result: StepResult) -> None:
    if on_step is None:
        return
    try:
        on_step(result)
    except Exception:  # progress display is best effort
        log.warning("on_step callback failed for %s", result.name, exc_info=True)


def _summary(check: Check, steps: tuple[StepResult, ...]) -> str:
    failed = [s for s in steps if s.status == Status.FAILED]
    warnings = [s for s in steps if s.status == Status.WARNING]
    if failed:
        first = failed[0]
        return (
            f"{check.title}: {len(failed)} problem(s) found; the first is at "
            f"'{first.label}' ({first.code})."
        )
    if warnings:
        return f"{check.title}: no failures, {len(warnings)} warning(s) to look at."
    return f"{check.title}: all {len(steps)} steps passed."


def faq_links(steps: tuple[StepResult, ...], search: FaqSearch | None) -> tuple[FaqLink, ...]:
    """FAQ entries for the problems found: the confident hits for each code's query."""
    if search is None:
        return ()
    queries = dict.fromkeys(s.faq_query for s in steps if s.is_problem and s.faq_query)
    links: dict[str, FaqLink] = {}
    for query in queries:
        try:
            found = [
                link
                for link in search(query, _LINKS_PER_QUERY)
                if link.score >= FAQ_LINK_MIN_CONFIDENCE
            ][:_LINKS_PER_QUERY]
        except Exception:
            log.warning("FAQ lookup failed", exc_info=True)
            continue
        for link in found:
            links.setdefault(link.id, link)
    return tuple(links.values())[:MAX_FAQ_LINKS]


def _ms_since(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def registry_step(ctx: CheckContext) -> StepResult:
    """Shared first step of usage and info: read the registry from ARM."""
    resource = read_registry(ctx)
    props = properties(resource)
    sku = str(mapping(resource.get("sku")).get("name") or "unknown")
    ctx.state["sku"] = sku
    server = props.get("loginServer")
    if isinstance(server, str) and HOST_RE.fullmatch(server):
        ctx.state["login_server"] = server.lower()
    location = str(resource.get("location") or "an unknown region")
    return ok(f"Found {ctx.target.name}: {sku} tier, in {location}.")
