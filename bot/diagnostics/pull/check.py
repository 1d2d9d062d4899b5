"""The ``pull`` check: can this cluster pull this image? Its reads at once, then the verdict.

Unlike the step-by-step checks, its reads are independent enough to run
concurrently (see :mod:`bot.diagnostics.pull.plan`); the steps of the
report are the verdict's, one per thing verified, each saying what it read
and, where a read was refused, which role acrbot needs for it.
"""

from __future__ import annotations

import time
from dataclasses import replace

from bot.diagnostics.checks.base import Check, CheckContext, OnStep, faq_links, notify
from bot.diagnostics.pull.findings import Findings
from bot.diagnostics.pull.reads import PullInputs, build_plan, properties_of
from bot.diagnostics.pull.verdict import judge
from bot.diagnostics.report import CheckReport
from bot.faq_links import FaqSearch

__all__ = ["PULL"]


def run_pull(
    ctx: CheckContext, on_step: OnStep | None, faq_search: FaqSearch | None
) -> CheckReport:
    """Read everything the verdict needs (concurrently), judge, and report."""
    started = time.monotonic()
    if ctx.image is None:
        raise ValueError("the pull check needs an image")
    inputs = PullInputs(
        target=ctx.target,
        image=ctx.image,
        cluster=ctx.cluster,
        cloud=ctx.target.cloud,
        login_base=ctx.login_base,
        tenant_id=ctx.tenant_id,
        subscriptions=ctx.subscriptions,
    )
    outcomes = build_plan(ctx.client, inputs).run()
    found, cluster = judge(inputs, outcomes)
    steps = tuple(replace(s, detail=ctx.client.scrub(s.detail)) for s in found.steps)
    for step in steps:
        notify(on_step, step)
    registry = outcomes["registry"].value if outcomes["registry"].ok else {}
    server = str(properties_of(registry).get("loginServer") or "") or None
    facts = {"Image": ctx.image.display(), "Reads made": str(ctx.client.calls_sent)}
    if ctx.cluster is not None:
        facts["Cluster"] = ctx.cluster.name
    return CheckReport(
        check=PULL.name,
        registry=ctx.target.summary(server),
        steps=steps,
        summary=_summary(found, inputs),
        facts=facts,
        data={"calls": ctx.client.calls_sent},
        faq_links=faq_links(steps, faq_search),
        duration_ms=int((time.monotonic() - started) * 1000),
        notes=PULL.notes,
        image=ctx.image.to_dict(),
        cluster=cluster,
        causes=tuple(found.causes),
        unverified=tuple(found.unverified),
    )


def _summary(found: Findings, inputs: PullInputs) -> str:
    who = inputs.cluster.name if inputs.cluster else "A client"
    image = inputs.image.display()
    if found.causes:
        codes = ", ".join(c.code for c in found.causes)
        return f"{who} cannot pull {image}: {len(found.causes)} cause(s) found ({codes})."
    if found.unverified:
        return (
            f"No cause found for {who} pulling {image}, but {len(found.unverified)} thing(s) "
            f"could not be verified: {'; '.join(found.unverified)}."
        )
    if inputs.cluster is None:
        return f"{image} can be pulled as far as the registry side goes (no cluster was named)."
    return f"{who} should be able to pull {image}: every read agrees."


PULL = Check(
    name="pull",
    title="Pull check",
    description=(
        "Why can't this cluster pull this image? Reads the cluster (kubelet identity, node "
        "pools, egress), its role assignments on the registry, the registry's network rules, "
        "private endpoints and DNS, and the image (tag, lock, quarantine, platforms). Read-only."
    ),
    steps=(),
    notes=(
        "Network verdicts come from the cluster's and registry's configuration, not from "
        "acrbot's own network.",
    ),
    run=run_pull,
)
