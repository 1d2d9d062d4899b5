"""A triage as plain text for a terminal (``acrbot triage`` without ``--json``)."""

from __future__ import annotations

from bot.triage.model import State, Triage

NOTHING = (
    "Nothing recognised: no registry and no known registry error in this input. "
    "Ask a question with `acrbot ask …` (in Slack: /acr help)."
)


def headline(triage: Triage) -> str:
    """State · severity · rule · registries, the first line of every rendering."""
    alert = triage.alert
    state = "RESOLVED" if alert.state == State.RESOLVED else "FIRED"
    parts = [state]
    parts += [p for p in (alert.severity, alert.rule) if p]
    if triage.registries:
        parts.append(", ".join(triage.registries))
    elif triage.rejected:
        parts.append("not a valid registry name: " + ", ".join(triage.rejected))
    return " · ".join(parts) + f"  ({alert.source})"


def render(triage: Triage) -> str:
    if not triage.recognised:
        return NOTHING
    lines = [headline(triage), triage.summary]
    if triage.faq:
        lines.append("FAQ:")
        lines += [f"  {f.score:.2f}  {f.title}  {f.url}".rstrip() for f in triage.faq]
    if triage.checks:
        lines.append("Checks worth running:")
        for check in triage.checks:
            extra = f" --repository {check.repository}" if check.repository else ""
            lines.append(f"  acrbot diagnose {check.registry} --check {check.check}{extra}")
    elif triage.about_registry and not triage.registries:
        lines.append("Name the registry to run a check: acrbot diagnose REGISTRY")
    return "\n".join(lines)
