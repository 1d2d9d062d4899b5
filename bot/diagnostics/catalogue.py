"""The names of the closed list of checks, without the checks themselves.

Settings validate access rules against these names while they load; importing
the checks would pull httpx and the Azure client into every process that only
reads settings (the gunicorn master among them). ``bot.diagnostics.checks``
refuses to import if its catalogue and this list ever differ.
"""

from __future__ import annotations

CHECK_NAMES: tuple[str, ...] = ("check-health", "usage", "info", "pull")
