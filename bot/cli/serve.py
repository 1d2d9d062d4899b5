"""`acrbot serve`, `acrbot config check` and `acrbot feedback`."""

from __future__ import annotations

import argparse
import sys

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import logs
from bot.config import Settings, SlackCredentials, load_settings
from bot.errors import AcrbotError
from bot.feedback import summarise
from bot.slack.client import make_client
from bot.state_dir import check_state_dir


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the Slack app (HTTP for production, or Socket Mode)")
    serve.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")
    serve.add_argument("--host", help="bind address (default: $HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port (default: $PORT or 3000)")
    serve.set_defaults(handler=_serve)

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

    feedback = sub.add_parser("feedback", help="which entries and queries people marked unhelpful")
    feedback.add_argument(
        "--phrasings", action="store_true", help="list phrasing candidates ('did you mean' picks)"
    )
    feedback.add_argument(
        "--approve", metavar="ID", help="add candidate ID to the knowledge folder's phrasings.yaml"
    )
    feedback.set_defaults(handler=_feedback)


def _validated(args: argparse.Namespace) -> tuple[Settings, SlackCredentials]:
    """Every setting, and Slack credentials good enough for the chosen mode."""
    settings = load_settings(args.config)
    check_state_dir(settings.state_dir)
    return settings, settings.credentials.require(socket_mode=args.socket)


def _preflight(credentials: SlackCredentials) -> str:
    """One auth.test before starting, so a wrong token fails here with a clear line."""
    client: WebClient = make_client(credentials)
    try:
        reply = client.auth_test()
    except SlackApiError as exc:
        raise AcrbotError(
            f"Slack rejected SLACK_BOT_TOKEN ({exc.response.get('error')}): "
            "reinstall the app or copy the bot token again"
        ) from None
    except OSError as exc:
        raise AcrbotError(
            f"cannot reach Slack at {credentials.api_url} ({type(exc).__name__}); "
            "check the network or SLACK_API_URL"
        ) from None
    return f"{reply.get('user')} in {reply.get('team')}"


def _serve(args: argparse.Namespace) -> int:
    logs.setup("INFO", logs.early_format())  # settings may warn while they are read
    settings, credentials = _validated(args)
    logs.setup(settings.serve.log_level.upper(), settings.serve.log_format)
    _preflight(credentials)
    from bot.slack.server import serve_http, serve_options, serve_socket

    options = serve_options(settings.serve, args.host, args.port)
    if args.socket:
        serve_socket(settings, credentials)
    else:
        serve_http(settings, credentials, options)
    return 0


def _config_check(args: argparse.Namespace) -> int:
    settings, credentials = _validated(args)
    from bot.knowledge.library import Library  # numpy, wordfreq, OpenCC: not in serve's master

    diagnostics = settings.diagnostics
    library = Library.from_settings(settings.knowledge)
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
    from bot.storage.redis import RedisStorage, describe_url

    if not online:
        return f"Redis at {describe_url(url)}"
    store = RedisStorage(url, timeout=3)
    try:
        if store.state() != "up":
            raise AcrbotError(
                f"cannot reach Redis at {describe_url(url)}: check REDIS_URL, the password "
                "and the firewall (Azure Cache for Redis: rediss:// on port 6380)"
            )
    finally:
        store.close()
    return f"Redis at {describe_url(url)} (up)"


def _feedback(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    from bot.services import feedback_store, open_shared_storage

    store = feedback_store(settings, open_shared_storage(settings))  # Redis stream or JSONL
    if args.phrasings or args.approve is not None:
        from bot.cli.learning import approve, list_phrasings

        if args.approve is not None:
            return approve(settings, args.approve, store)
        return list_phrasings(settings, store)
    scores, worst = summarise(store)
    if not scores:
        print(f"No feedback yet ({store.location}).")
        return 0
    print("Entries, worst first (👎 share, 👎, 👍):")
    for score in scores:
        print(f"  {score.share_down:5.0%}  {score.down:4d}  {score.up:4d}  {score.entry}")
    if worst:
        print("Queries most often marked unhelpful:")
        for query, entry, count in worst:
            print(f"  {count:3d}×  {query!r} → {entry}")
    return 0
