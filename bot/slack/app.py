"""The Bolt app: credentials, the retrying client, dedupe, and the listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot import logs
from bot.config import Settings
from bot.services import Services, build_services
from bot.slack import listeners
from bot.slack.client import make_client
from bot.slack.dedupe import deduplicate_events
from bot.slack.membership import SlackUserGroups
from bot.slack.settings import SlackCredentials

log = logging.getLogger(__name__)


def create_app(
    settings: Settings, credentials: SlackCredentials, *, socket_mode: bool = False
) -> tuple[App, Services]:
    client = make_client(credentials)
    services = build_services(
        settings, confirm_secret=credentials.signing_secret or None, background_reload=True
    )
    groups = {g for rule in services.diagnostics.settings.access_rules for g in rule.usergroups}
    services.diagnostics.set_membership(SlackUserGroups(client, groups))
    app = App(
        token=credentials.bot_token,
        signing_secret=credentials.signing_secret or None,
        client=client,
        request_verification_enabled=not socket_mode,
        # Listeners ack inline (answers to /acr ask go back in the ack itself) and hand
        # slow work to lazy listeners: no thread hand-off and ack polling per request.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("acrbot.slack.bolt"),
        # Lazy listeners keep the request id of the request that started them.
        listener_executor=logs.ContextExecutor(max_workers=5),
    )
    app.use(deduplicate_events(services.dedupe))  # falls back to the process if Redis is down
    listeners.register(app, services)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        # The type and the request kind are enough to find it; the body may hold user text.
        log.error(
            "listener failed: %s (%s)", type(error).__name__, body.get("type"), exc_info=error
        )
        return BoltResponse(status=200, body="")

    return app, services
