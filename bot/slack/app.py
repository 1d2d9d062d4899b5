"""The Bolt app: de-duplication, the services for every listener, and the listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient

from bot import metrics
from bot.config import Settings, SlackCredentials
from bot.services import Services
from bot.slack import i18n, listeners
from bot.slack.client import make_client
from bot.slack.dedupe import deduplicate_events, deduplicate_interactions
from bot.slack.executors import LazyPools
from bot.slack.middleware import Plain, provide_services

log = logging.getLogger(__name__)


def create_app(settings: Settings, services: Services, client: WebClient) -> App:
    """The Bolt app on services built by the composition root, speaking through ``client``.

    ``client`` is the one retrying, metered client (:func:`slack_client`); it
    carries the bot token, so the app is given no token of its own.
    """
    pools = LazyPools.sized(settings.diagnostics.max_concurrent)
    app = App(
        signing_secret=settings.credentials.signing_secret or None,
        client=client,
        # Checked first by bot.web.slack_events; again here (~15 µs) so that a Bolt app
        # wired some other way still refuses unsigned requests. Socket Mode has none.
        request_verification_enabled=bool(settings.credentials.signing_secret),
        # Listeners ack inline (answers to /acr ask go back in the ack itself) and hand
        # slow work to lazy listeners: no thread hand-off and ack polling per request.
        process_before_response=True,
        # Unhandled kinds (reactions, App Home, shortcuts acrbot has none of) reach on_error,
        # which answers 200: a 404 makes Slack retry an event it will never handle.
        raise_error_for_unhandled_request=True,
        logger=logging.getLogger("acrbot.slack.bolt"),
        listener_executor=pools.answers,
    )
    pools.install(app, client)  # answers and diagnostics on separate, sized pools
    app.use(Plain(meter_slack_calls))
    # Both fall back to claims within this process while Redis is down (said once in the log).
    app.use(deduplicate_events(services.dedupe))
    app.use(deduplicate_interactions(services.dedupe))
    app.use(provide_services(services))
    listeners.register(app)
    app.error(on_error)
    i18n.render_ahead()  # now, not under the first Traditional Chinese question
    return app


def slack_client(credentials: SlackCredentials) -> WebClient:
    """The retrying Slack client, counting its calls by method and outcome."""
    return metrics.metered(make_client(credentials))


def meter_slack_calls(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
    """Bolt builds a plain client per request: use a copy that counts its Slack calls."""
    if context.get("client") is not None:
        context["client"] = metrics.metered(context["client"])
    return next()


def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    if isinstance(error, BoltUnhandledRequestError):
        event = body.get("event")
        kind = event.get("type") if isinstance(event, dict) else None
        log.debug("nothing to do for a %s request (%s)", body.get("type"), kind)
        return BoltResponse(status=200, body="")
    # The type and the request kind are enough to find it; the body may hold user text.
    log.error("listener failed: %s (%s)", type(error).__name__, body.get("type"), exc_info=error)
    return BoltResponse(status=200, body="")
