"""`acrbot serve`: the Slack app, after checking its settings and token."""

from __future__ import annotations

import argparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import logs
from bot.config import Settings, SlackCredentials, load_settings
from bot.errors import AcrbotError
from bot.slack.client import make_client
from bot.state_dir import check_state_dir


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the Slack app (HTTP for production, or Socket Mode)")
    serve.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")
    serve.add_argument("--host", help="bind address (default: $HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port (default: $PORT or 3000)")
    serve.set_defaults(handler=_serve)


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
