"""`acrbot config check`: validate settings and credentials without starting."""

from __future__ import annotations

import argparse
import sys

from bot.cli.serve import _preflight, _validated
from bot.config import Settings
from bot.errors import AcrbotError


def register(sub: argparse._SubParsersAction) -> None:
    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser(
        "check", help="validate settings and credentials without starting"
    )
    check.add_argument("--socket", action="store_true", help="check for Socket Mode")
    check.add_argument(
        "--online", action="store_true", help="also ask Slack (auth.test) whether the token works"
    )
    check.add_argument("--offline", action="store_true", help=argparse.SUPPRESS)  # the default
    check.set_defaults(handler=_config_check)


def _config_check(args: argparse.Namespace) -> int:
    settings, credentials = _validated(args)
    from bot.services import library_from  # numpy, wordfreq, OpenCC: not in serve's master

    diagnostics = settings.diagnostics
    library = library_from(settings)
    for error in library.current.errors:
        print(f"warning: {error}", file=sys.stderr)
    entries = len(library.current.entries)
    paths = ", ".join(map(str, settings.knowledge.paths))
    mode = "Socket Mode" if args.socket else f"HTTP on port {settings.serve.port}"
    print(f"config: {settings.source or '(defaults; no config file)'}")
    print(f"knowledge: {entries} entries from {paths}")
    print(
        f"diagnostics: {len(diagnostics.access_rules)} access rule(s), "
        f"{len(diagnostics.azure.registries)} declared registries, "
        f"cloud {diagnostics.azure.cloud.name}"
    )
    print(f"slack: API {credentials.api_url}, {mode}")
    serve = settings.serve
    print(
        f"serve: {serve.workers} worker(s) x {serve.threads} threads, "
        f"log {serve.log_level} ({serve.log_format})"
    )
    alerts = settings.alerts
    print(
        f"alerts: {len(alerts.channels)} watched channel(s), {len(alerts.routes)} route(s), "
        f"webhooks {'on' if alerts.token else 'off (ACRBOT_ALERT_TOKEN unset)'}"
    )
    print(f"help desk: {_helpdesk_line(settings)}")
    print(f"storage: {_storage_line(settings, online=args.online)}")
    if args.online:
        print(f"slack: token accepted ({_preflight(credentials)})")
    print("config OK")
    return 0


def _storage_line(settings: Settings, *, online: bool) -> str:
    """Where shared state lives; ``online`` also asks Redis (a PING) and fails if it is down."""
    url = settings.storage.redis_url
    if not url:
        return f"SQLite and JSONL in {settings.state_dir} (one host; set REDIS_URL for replicas)"
    from bot.storage.redis import SAFE_EVICTION, RedisStorage, describe_url

    if not online:
        return f"Redis at {describe_url(url)}"
    store = RedisStorage(url, timeout=3)
    try:
        state = store.state()
        if state == "refusing writes":
            raise AcrbotError(
                f"Redis at {describe_url(url)} answers but refuses writes: it is full under "
                "noeviction (raise its memory) or a read-only replica (point REDIS_URL at the "
                "primary)"
            )
        if state != "up":
            raise AcrbotError(
                f"cannot reach Redis at {describe_url(url)}: check REDIS_URL, the password "
                "and the firewall (Azure Cache for Redis: rediss:// on port 6380)"
            )
        policy = store.eviction_policy() or "unknown"
    finally:
        store.close()
    if policy != SAFE_EVICTION:
        return (
            f"Redis at {describe_url(url)} (up; maxmemory-policy {policy}: when full it may "
            "evict Confirm and de-duplication claims, set noeviction)"
        )
    return f"Redis at {describe_url(url)} (up; maxmemory-policy {policy})"


def _helpdesk_line(settings: Settings) -> str:
    slack = settings.slack
    escalation = slack.escalation
    handoffs = (
        f"hand-offs to {escalation.usergroup or 'per-channel groups'}, "
        f"reminder after {escalation.remind_after_minutes:g} min"
        if escalation.enabled
        else "hand-offs off (slack.escalation unset)"
    )
    return (
        f"{len(slack.help_channels)} help channel(s), ask reaction :{slack.ask_reaction}:, "
        f"{handoffs}"
    )
