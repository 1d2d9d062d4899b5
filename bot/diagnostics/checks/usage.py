"""usage: how much of its tier's allowances a registry uses (ARM ``listUsages``).

Storage is the figure people ask about ("why does my push fail?"), so it is
judged against a threshold (80 % by default) and links the quota FAQ when
high; the other counters (webhooks, scope maps, tokens…) are listed as facts.
Classic registries have no usage API and are told so, as the CLI does.
"""

from __future__ import annotations

from typing import Any

from bot.diagnostics.checks.base import (
    Check,
    CheckContext,
    Step,
    mapping,
    ok,
    problem,
    registry_step,
)
from bot.diagnostics.report import Status, StepResult

_LABELS = {"size": "Storage", "webhooks": "Webhooks", "scopemaps": "Scope maps", "tokens": "Tokens"}
_UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB")


def human_bytes(value: float) -> str:
    """``107374182400`` -> ``100 GiB``: binary units, one decimal when it matters."""
    amount, unit = float(value), 0
    while abs(amount) >= 1024 and unit < len(_UNITS) - 1:
        amount, unit = amount / 1024, unit + 1
    number = f"{amount:.1f}".removesuffix(".0") if unit else f"{int(amount)}"
    return f"{number} {_UNITS[unit]}"


def _figure(item: dict[str, Any]) -> dict[str, Any] | None:
    current, limit = item.get("currentValue"), item.get("limit")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (current, limit)):
        return None
    percent = round(current * 100 / limit, 1) if limit > 0 else None
    name = str(item.get("name") or "unknown")[:60]
    unit = "Bytes" if str(item.get("unit", "")).lower() == "bytes" else "Count"
    return {"name": name, "current": current, "limit": limit, "unit": unit, "percent": percent}


def _describe(figure: dict[str, Any]) -> str:
    fmt = human_bytes if figure["unit"] == "Bytes" else lambda v: f"{v:g}"
    text = f"{fmt(figure['current'])} of {fmt(figure['limit'])}"
    return text + (f" ({figure['percent']:g}%)" if figure["percent"] is not None else "")


def usages(ctx: CheckContext) -> StepResult:
    if ctx.state.get("sku", "").lower() == "classic":
        return problem("CLASSIC_SKU_NO_USAGE", "The registry is on the Classic tier.")
    body = ctx.client.arm_get(f"{ctx.target.resource_path}/listUsages")
    raw = body.get("value")
    items = raw if isinstance(raw, list) else []
    figures = [f for f in (_figure(mapping(item)) for item in items) if f is not None]
    for figure in figures:
        ctx.facts[_LABELS.get(figure["name"].lower(), figure["name"])] = _describe(figure)
    ctx.state["usages"] = figures
    ctx.data["usages"] = figures
    return ok(f"Read {len(figures)} usage figure(s).")


def storage(ctx: CheckContext) -> StepResult:
    size = next((f for f in ctx.state["usages"] if f["name"].lower() == "size"), None)
    if size is None or size["percent"] is None:
        return ok("The registry reports no storage limit.")
    text = f"{_describe(size)} used"
    if size["percent"] >= 100:
        return problem("STORAGE_FULL", text)
    if size["percent"] >= ctx.storage_warning_percent:
        return problem("STORAGE_NEAR_LIMIT", text, Status.WARNING)
    return ok(f"{text}.")


USAGE = Check(
    name="usage",
    title="Usage",
    description="Storage used against the tier's limit, and the other counters (webhooks etc.).",
    steps=(
        Step("registry", "Registry (ARM)", registry_step),
        Step("usages", "Usage figures (listUsages)", usages, needs=("registry",)),
        Step("storage", "Storage", storage, needs=("usages",)),
    ),
)
