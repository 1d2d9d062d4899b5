"""Alert webhooks (``POST /alerts/<source>``): intake → queue → triage → Slack.

Built once per worker beside the Bolt app, on the same Slack client. Each
request is answered by the intake (token, shape, routing) with a
:class:`~bot.triage.webhook.WebhookReply`; the dispatcher's threads triage
and post the alerts after that answer.
"""

from __future__ import annotations

import asyncio
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
            dispatch_async=self.dispatcher.submit_async,
        )
        self._store = services.store
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

    async def handle_async(
        self, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> WebhookReply:
        """:meth:`handle` on the event loop, what it writes to the store awaited."""
        return await self.intake.handle_async(PATHS.get(path, ""), query, headers, body)

    @property
    def store_answers_at_once(self) -> bool:
        """Whether the loop may await the store: not while it is known to be down."""
        return not self._store.known_down


def add_alert_routes(router: Router, webhooks: AlertWebhooks, *, local_store: bool = False) -> None:
    """One route per alert source, beside Slack's.

    The handler records the delivery in the shared store before answering
    200. A small delivery is recorded from the event loop: directly when the
    store is on this host (``local_store``: SQLite or memory, no network
    wait), its writes awaited with Redis; a large group is parsed in the
    router's pool, and so is everything while Redis is known to be down
    (the blocking way probes it and says when it is back).
    """
    # A large group (up to its source's max_body) is parsed in the pool.
    on_loop = (lambda request: len(request.body) <= ON_LOOP_BODY) if local_store else None

    def alert_webhook(request: Request) -> Response:
        reply = webhooks.handle(request.path, request.query, request.headers, request.body)
        return _response(request, reply)

    async def alert_webhook_awaiting(request: Request) -> Response:
        if len(request.body) > ON_LOOP_BODY or not webhooks.store_answers_at_once:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(router.executor, alert_webhook, request)
        reply = await webhooks.handle_async(
            request.path, request.query, request.headers, request.body
        )
        return _response(request, reply)

    handler = alert_webhook if local_store else alert_webhook_awaiting
    for path, source in PATHS.items():
        router.add(
            "POST", path, handler, max_body=webhooks.intake.max_body(source), on_loop=on_loop
        )
    # Answered alerts not yet posted get a few seconds; what is left stays queued in the store.
    router.on_shutdown.append(lambda: webhooks.dispatcher.drain(DRAIN_SECONDS))


def _response(request: Request, reply: WebhookReply) -> Response:
    if reply.status == 401:  # counted, and logged a line a minute (a brute force shows)
        REFUSALS.refused(PATHS[request.path], "a missing or wrong token", request.client)
    return Response.json(reply.status, reply.body, reply.headers)
