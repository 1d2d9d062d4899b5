"""Block Kit for the diagnostics flow: confirmation, progress and the report."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.diagnostics.report import CheckReport, Status, StepResult
from bot.diagnostics.service import PendingRequest
from bot.slack import block_limits
from bot.slack.blocks import Message
from bot.slack.mrkdwn import escape, link

ICONS = {Status.OK: "✅", Status.WARNING: "⚠️", Status.FAILED: "❌", Status.SKIPPED: "⏭️"}
NETWORK_CAVEAT = "DNS and firewall results are seen from acrbot's network, not from your machine."


def confirmation_message(pending: PendingRequest) -> Message:
    """Confirm / Cancel for ``pending``, saying how long it stays valid (the configured TTL)."""
    ttl_seconds = pending.expires_at - pending.claims.issued_at
    what = escape(pending.description)
    text = (
        f"*Run `{pending.check}` against `{escape(pending.registry)}`?*\n{what}\n"
        "It only reads: no change is made to the registry. "
        f"This request expires in {lifetime(ttl_seconds)}."
    )
    dialog = ConfirmObject(
        title="Run this diagnostic?",
        text=block_limits.clip(f"Run {pending.check} against {pending.registry} now?", 300),
        confirm="Run it",
        deny="Not now",
    )
    buttons = [
        ButtonElement(
            text="Confirm",
            action_id="diag_confirm",
            value=pending.token,
            style="primary",
            confirm=dialog,
        ),
        ButtonElement(text="Cancel", action_id="diag_cancel", value=pending.token),
    ]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(block_id="diagnostics_confirm", elements=buttons),
    ]
    return Message.of(
        f"Run {pending.check} against {pending.registry}? (Confirm or Cancel)", blocks
    )


def lifetime(seconds: float) -> str:
    """``600`` → "10 minutes", ``90`` → "90 seconds", ``7200`` → "2 hours"."""
    whole = int(seconds)
    for unit, size in (("hour", 3600), ("minute", 60)):
        if whole >= size and whole % size == 0:
            count = whole // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{whole} second{'s' if whole != 1 else ''}"


def progress_message(check: str, registry: str, steps: list[StepResult]) -> Message:
    lines = [_step_line(step) for step in steps] or ["…"]
    text = f"*Running `{check}` against `{escape(registry)}`…*\n" + "\n".join(lines)
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=block_limits.clip(text, 3000)))
    ]
    return Message.of(f"Running {check} against {registry}…", blocks)


def interrupted_message(check: str, registry: str) -> Message:
    """A check cut short by a restart (the process stopped before it finished)."""
    text = (
        f":warning: `{check}` against `{escape(registry)}` was interrupted by a restart; "
        "run it again."
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=block_limits.clip(text, 3000)))
    ]
    fallback = f"{check} against {registry} was interrupted by a restart; run it again."
    return Message.of(fallback, blocks)


def report_message(report: CheckReport, requested_by: str | None = None) -> Message:
    if report.image is not None:
        return verdict_message(report, requested_by)
    registry = report.registry
    icon = "✅" if report.ok else "❌"
    header = block_limits.clip(f"{icon} {report.check} · {registry.name}", block_limits.HEADER_TEXT)
    blocks: list[Block] = [
        HeaderBlock(text=header),
        SectionBlock(text=MarkdownTextObject(text=block_limits.clip(escape(report.summary), 3000))),
    ]
    steps = "\n".join(_step_line(step) for step in report.steps)
    if steps:
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=t)) for t in block_limits.pack([steps])
        ]
    for step in report.steps:
        if step.is_problem and len(blocks) < block_limits.MAX_BLOCKS - 6:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=_problem(step))))
    if report.facts:
        fields = [
            MarkdownTextObject(text=block_limits.clip(f"*{escape(k)}*\n{escape(str(v))}", 2000))
            for k, v in list(report.facts.items())[: block_limits.SECTION_FIELDS]
        ]
        blocks.append(SectionBlock(fields=fields))
    if report.faq_links:
        faq = "\n".join(
            f"• {link(f.url, f.title) if f.url else escape(f.title)}" for f in report.faq_links[:5]
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Related FAQ*\n{faq}")))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_context(report, requested_by))]))
    # The fallback is mrkdwn too (notifications): Azure's words in it are escaped as above.
    return Message.of(escape(f"{report.check} on {registry.name}: {report.summary}"), blocks)


def verdict_message(report: CheckReport, requested_by: str | None = None) -> Message:
    """The pull check: causes and their fixes first, then what went unverified, steps folded."""
    icon = "✅" if report.ok else "❌"
    image = report.facts.get("Image", "")
    header = block_limits.clip(
        f"{icon} pull · {image} · {report.registry.name}", block_limits.HEADER_TEXT
    )
    blocks: list[Block] = [
        HeaderBlock(text=header),
        SectionBlock(text=MarkdownTextObject(text=block_limits.clip(escape(report.summary), 3000))),
    ]
    for number, cause in enumerate(report.causes[: block_limits.MAX_BLOCKS - 10], 1):
        text = (
            f"*{number}. `{cause.code}`*\n{escape(cause.explanation)}\n"
            f"*Fix:* ```{escape(cause.fix)}```"
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=block_limits.clip(text, 3000))))
    if report.unverified:
        lines = "\n".join(f"• {escape(item)}" for item in report.unverified)
        text = f"*Could not verify*\n{lines}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=block_limits.clip(text, 3000))))
    steps = "\n".join(_step_line(step) for step in report.steps)
    if steps:  # folded: small print under the verdict
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=block_limits.clip("Steps:\n" + steps, 3000))]
            )
        )
    if report.faq_links:
        faq = "\n".join(f"• {link(f.url, f.title)}" for f in report.faq_links[:5])
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Related FAQ*\n{faq}")))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_context(report, requested_by))]))
    first = f" ({report.causes[0].code}: {report.causes[0].fix})" if report.causes else ""
    fallback = escape(f"pull {image}: {report.summary}{first}")  # mrkdwn in notifications
    return Message.of(block_limits.clip(fallback, 3000), blocks)


def _step_line(step: StepResult) -> str:
    code = f" `{step.code}`" if step.code and step.status != Status.OK else ""
    took = f" ({step.duration_ms} ms)" if step.duration_ms else ""
    detail = f" — {escape(block_limits.clip(step.detail, 200))}" if step.detail else ""
    return f"{ICONS.get(step.status, '•')} {escape(step.label)}{code}{took}{detail}"


def _problem(step: StepResult) -> str:
    parts = [f"*{escape(step.label)}*" + (f" `{step.code}`" if step.code else "")]
    if step.explanation:
        parts.append(escape(step.explanation))
    if step.advice:
        parts.append(f"_What to do:_ {escape(step.advice)}")
    if step.help_url:
        parts.append(link(step.help_url, "Reference"))
    return block_limits.clip("\n".join(parts), 3000)


def _context(report: CheckReport, requested_by: str | None) -> str:
    registry = report.registry
    parts = [
        f"{escape(registry.login_server or registry.name)}",
        f"subscription {escape(registry.subscription)}" if registry.subscription else "",
        f"{registry.cloud} cloud",
        f"{report.duration_ms} ms",
    ]
    if requested_by:
        parts.append(f"confirmed by <@{requested_by}>")
    text = " · ".join(p for p in parts if p)
    if report.check == "check-health":
        text += f"\n{NETWORK_CAVEAT}"
    return block_limits.clip(text, 2000)
