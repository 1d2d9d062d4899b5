"""Alert webhooks (``POST /alerts/<source>``): intake → queue → triage → Slack.

Built once per worker beside the Bolt app, on the same Slack client. Each
request is answered by the intake (token, shape, routing) with a
:class:`~bot.triage.webhook.WebhookReply`; the dispatcher's threads triage
and post the alerts after that answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from slack_sdk import WebClient

from bot.config import Settings
from bot.services import Services
from bot.slack.alert_notifier import SlackNotifier
from bot.triage.digest import ChannelDigests
from bot.triage.dispatcher import AlertDispatcher
from bot.triage.outbox import QUEUE
from bot.triage.overflow import Overflow
from bot.triage.policy import AlertPolicy
from bot.triage.tally import TalliedTriager
from bot.triage.webhook import SOURCES, AlertIntake, WebhookReply
from bot.web.refusals import REFUSALS
from bot.web.routes import ON_LOOP_BODY, Request, Response, Router

log = logging.getLogger(__name__)
PATHS = {f"/alerts/{source}": source for source in SOURCES}
DRAIN_SECONDS = 5.0


class AlertWebhooks:
    def __init__(self, settings: Settings, services: Services, client: WebClient) -> None:
        alerts = settings.alerts
        # De-duplication and storm windows live in the one shared store (every replica's).
        policy = AlertPolicy(services.store, coalesce_seconds=alerts.coalesce_seconds)
        notifier = SlackNotifier(client, alerts.language)
        triager = TalliedTriager(services.triager, services.store)  # counted for App Home
        queue = services.store.queue(QUEUE)  # answered alerts wait here until shown
        digests = ChannelDigests(
            services.store, queue, posts_per_minute=alerts.channel_posts_per_minute
        )
        overflow = Overflow(services.store, queue, digests, notifier)
        self.dispatcher = AlertDispatcher(triager, policy, notifier, queue, overflow=overflow)
        self.intake = AlertIntake(
            alerts.token,
            self.dispatcher.submit,
            routes=alerts.routes,
            default_channel=alerts.default_channel,
            note_left_out=self.dispatcher.note_left_out,
        )
        if not self.intake.enabled:
            log.info(
                "alert webhooks are off: set ACRBOT_ALERT_TOKEN to turn on "
                "POST /alerts/azure-monitor and POST /alerts/alertmanager"
            )
        else:
            self.dispatcher.start()  # also shows alerts other replicas accepted
        if self.intake.enabled and not (alerts.default_channel or alerts.routes):
            log.warning(
                "alert webhooks are on but alerts.default_channel and alerts.routes are "
                "empty: every alert will be refused (422)"
            )

    def handle(
        self, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> WebhookReply:
        """Answer one webhook request (``headers`` with lower-case names)."""
        return self.intake.handle(PATHS.get(path, ""), query, headers, body)


def add_alert_routes(router: Router, webhooks: AlertWebhooks, *, local_store: bool = False) -> None:
    """One route per alert source, beside Slack's.

    The handler records the delivery in the shared store before answering
    200: on the event loop for a small delivery when the store is on this
    host (``local_store``: SQLite or memory, no network wait), else in the
    router's pool.
    """
    # A large group (up to its source's max_body) is parsed in the pool.
    on_loop = (lambda request: len(request.body) <= ON_LOOP_BODY) if local_store else None

    def alert_webhook(request: Request) -> Response:
        reply = webhooks.handle(request.path, request.query, request.headers, request.body)
        if reply.status == 401:  # counted, and logged a line a minute (a brute force shows)
            REFUSALS.refused(PATHS[request.path], "a missing or wrong token", request.client)
        return Response.json(reply.status, reply.body, reply.headers)

    for path, source in PATHS.items():
        router.add(
            "POST", path, alert_webhook, max_body=webhooks.intake.max_body(source), on_loop=on_loop
        )
    # Answered alerts not yet posted get a few seconds; what is left stays queued in the store.
    router.on_shutdown.append(lambda: webhooks.dispatcher.drain(DRAIN_SECONDS))
