"""`/acr`: diagnostics (acked at once, handled lazily) first, then everything else."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.commands import acr, acr_diagnostic


def register(app: App) -> None:
    acr_diagnostic.register(app)  # first: it matches only the diagnostic subcommands
    acr.register(app)
