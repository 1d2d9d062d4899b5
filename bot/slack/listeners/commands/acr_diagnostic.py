"""`/acr diagnose|usage|info REGISTRY`, `/acr pull IMAGE [CLUSTER]`: acked at once.

Finding the registry (and the cluster) may call Azure, so it happens lazily.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.slack.executors import diagnostic
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge, private, request_diagnostic
from bot.slack.subcommands import DIAGNOSTIC_CHECKS, is_diagnostic, parse


@diagnostic
def request_check(command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    subcommand, target = parse(command.get("text", ""))
    if subcommand == "pull":
        _request_pull(command, respond, context, target)
        return
    if not target:
        usage = f"Usage: `/acr {subcommand} REGISTRY`, e.g. `/acr {subcommand} myregistry`"
        if subcommand == "diagnose":
            usage += " (add a repository to check pull access: `/acr diagnose myregistry team/app`)"
        private(respond, text=usage)
        return
    registry, _, repository = target.partition(" ")
    request_diagnostic(
        services_of(context),
        respond,
        command["user_id"],
        command["channel_id"],
        registry,
        DIAGNOSTIC_CHECKS[subcommand],
        repository=repository.strip() or None,
    )


def _request_pull(
    command: dict[str, Any], respond: Respond, context: BoltContext, target: str
) -> None:
    image, _, cluster = target.partition(" ")
    if not image:
        private(
            respond,
            text="Usage: `/acr pull IMAGE [CLUSTER]`, e.g. "
            "`/acr pull contosoreg.azurecr.io/shop/api:1.4 aks-prod`",
        )
        return
    request_diagnostic(
        services_of(context),
        respond,
        command["user_id"],
        command["channel_id"],
        image,
        "pull",
        cluster=cluster.strip() or None,
    )


def register(app: App) -> None:
    app.command("/acr", matchers=[is_diagnostic])(ack=acknowledge, lazy=[request_check])
