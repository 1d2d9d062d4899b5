"""`acrbot serve`: the Slack app, after checking its settings and token."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import logs, metrics
from bot.config import ServeSettings, Settings, SlackCredentials, load_settings
from bot.errors import AcrbotError
from bot.heap import limit_arenas
from bot.slack.client import make_client
from bot.state_dir import check_state_dir

if TYPE_CHECKING:
    from bot.web.routes import Router
    from bot.web.serve import ServeOptions

log = logging.getLogger(__name__)


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
    if args.socket:
        _serve_socket(settings, credentials)
    else:
        longest = settings.diagnostics.deadline_seconds
        options = serve_options(settings.serve, args.host, args.port, longest_check=longest)
        _serve_http(settings, credentials, options)
    return 0


def serve_options(
    serve: ServeSettings,
    host: str | None = None,
    port: int | None = None,
    *,
    longest_check: float = 20.0,
) -> ServeOptions:
    """The settings' ``serve`` section as server options; ``--host``/``--port`` win."""
    from bot.web.serve import ServeOptions  # gunicorn: only for the command that serves

    return ServeOptions(
        host=host or serve.host,
        port=port or serve.port,
        workers=serve.workers,
        threads=serve.threads,
        log_level=serve.log_level,
        longest_check=longest_check,  # the SIGTERM drain covers the longest diagnostic
    )


def _serve_http(settings: Settings, credentials: SlackCredentials, options: ServeOptions) -> None:
    from bot.web.preload import preload
    from bot.web.serve import run

    def build() -> Router:
        # With one worker, imported in it after the fork: the master (which only supervises)
        # then never loads search, Azure or Bolt's app, and stays small beside its worker.
        preload()  # (a no-op when the master preloaded for several workers)
        from bot.web.app import build_router

        return build_router(settings, credentials, options)

    metrics.setup_multiprocess()  # before the fork: the workers inherit the folder
    limit_arenas()  # before the fork and any thread: the workers' threads share two
    if options.workers > 1:  # once, before the fork: the workers share it, not one copy each
        frozen = preload()
        log.info("loaded before the fork, shared by the %d workers: %d objects of code and "
                 "read-only tables", options.workers, frozen)  # fmt: skip
    log.info("acrbot serving Slack on http://%s:%s/slack/events", options.host, options.port)
    run(build, options)


def _serve_socket(settings: Settings, credentials: SlackCredentials) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.web.app import build_slack_app
    from bot.web.preload import preload

    preload()
    app, _services = build_slack_app(settings, credentials)
    if settings.alerts.token:
        log.warning("alert webhooks need the HTTP server: they are off in Socket Mode")
    SocketModeHandler(app, credentials.app_token).start()
