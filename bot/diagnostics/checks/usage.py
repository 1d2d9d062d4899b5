"""usage: how much of its tier's allowances a registry uses (ARM ``listUsages``).

Storage is the figure people ask about ("why does my push fail?"). ``Size``'s
limit is the tier's *included* storage: going past it is billed as overage,
not refused, so it is a warning. What refuses pushes is the registry's hard
cap, ``MaximumStorageCapacity``; only that one makes storage full or near
full (80 % by default). The other counters (webhooks, scope maps, tokens…)
are listed as facts, with "no limit" where Azure reports -1. Classic
registries have no usage API and are told so, as the CLI does.
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

_LABELS = {
    "size": "Storage",
    "maximumstoragecapacity": "Maximum storage",
    "webhooks": "Webhooks",
    "scopemaps": "Scope maps",
    "tokens": "Tokens",
}
SIZE, CAP = "size", "maximumstoragecapacity"
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
    if figure["limit"] < 0:  # Azure's way of saying unlimited
        return f"{fmt(figure['current'])} (no limit)"
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


def _named(ctx: CheckContext, name: str) -> dict[str, Any] | None:
    return next((f for f in ctx.state["usages"] if f["name"].lower() == name), None)


def storage(ctx: CheckContext) -> StepResult:
    size, cap = _named(ctx, SIZE), _named(ctx, CAP)
    if size is None:
        return ok("The registry reports no storage figure.")
    if cap is not None and cap["limit"] > 0:
        used = max(size["current"], cap["current"])
        percent = round(used * 100 / cap["limit"], 1)
        text = f"{human_bytes(used)} of the {human_bytes(cap['limit'])} maximum ({percent:g}%)"
        if percent >= 100:
            return problem("STORAGE_FULL", text)
        if percent >= ctx.storage_warning_percent:
            return problem("STORAGE_NEAR_LIMIT", text, Status.WARNING)
    if size["percent"] is not None and size["percent"] >= 100:
        return problem("STORAGE_ABOVE_INCLUDED", f"{_describe(size)} used", Status.WARNING)
    if size["percent"] is None:
        return ok(f"{_describe(size)} used; the registry reports no included-storage limit.")
    return ok(f"{_describe(size)} of the tier's included storage used.")


USAGE = Check(
    name="usage",
    title="Usage",
    description=(
        "Storage used against the tier's included storage and the registry's maximum, and the "
        "other counters (webhooks etc.)."
    ),
    steps=(
        Step("registry", "Registry (ARM)", registry_step),
        Step("usages", "Usage figures (listUsages)", usages, needs=("registry",)),
        Step("storage", "Storage", storage, needs=("usages",)),
    ),
)
