"""What ``acrbot serve`` runs: the services, the Slack app on them, and every HTTP route.

The composition root (:func:`bot.services.build_services`) builds the
services; this module hands them to the Slack app and to the routes, so
nothing below it builds anything of its own. The routes, in one place:

=========================  ==================================================
``POST /slack/events``     every Slack request (:mod:`bot.web.slack_events`)
``POST /alerts/<source>``  Azure Monitor and Alertmanager (:mod:`bot.web.alerts`)
``GET /healthz``           liveness, ``/readyz`` readiness, ``/metrics``
                           Prometheus (:mod:`bot.web.health`)
=========================  ==================================================
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App

from bot.config import Settings, SlackCredentials
from bot.readiness import readiness
from bot.services import Services, build_services
from bot.slack.app import create_app, slack_client
from bot.slack.executors import LazyPools, pools_of
from bot.slack.handoff_reminders import ReminderLoop, helpdesk_usergroups
from bot.slack.membership import SlackUserGroups
from bot.slack.running_checks import RUNNING
from bot.web.alerts import AlertWebhooks, add_alert_routes
from bot.web.health import add_health_routes
from bot.web.routes import Router
from bot.web.serve import ServeOptions
from bot.web.slack_events import answered_on_loop, slack_events

log = logging.getLogger(__name__)


def build_slack_app(
    settings: Settings,
    credentials: SlackCredentials | None = None,
    *,
    background_reload: bool = True,
) -> tuple[App, Services]:
    """The services, then the Bolt app on them; ``credentials`` default to the settings' own."""
    client = slack_client(credentials or settings.credentials)
    groups = {g for rule in settings.diagnostics.access_rules for g in rule.usergroups}
    groups |= helpdesk_usergroups(settings)
    groups |= settings.knowledge.approvers.usergroups | settings.slack.admins.usergroups
    services = build_services(
        settings,
        membership=SlackUserGroups(client, groups),
        background_reload=background_reload,
    )
    return create_app(settings, services, client), services


@dataclass(frozen=True)
class Worker:
    """One worker's ASGI router, and the app, services and alert webhooks behind it.

    ``acrbot serve`` needs only the router; tests that drive it in process
    also reach what it was built on (e.g. to wait until queued alerts are
    handled) without building any of it a second way.
    """

    router: Router
    app: App
    services: Services
    alerts: AlertWebhooks


def drain_listeners(pools: LazyPools | None, budget: float) -> None:
    """Wait for the lazy listeners' work: checks and answers share one ``budget`` of seconds."""
    deadline = time.monotonic() + budget
    RUNNING.drain(budget)
    if pools is not None and not pools.wait_for_answers(deadline - time.monotonic()):
        log.warning("shutting down: some answers had not finished; their questions may be lost")


def build_router(
    settings: Settings,
    credentials: SlackCredentials | None = None,
    options: ServeOptions | None = None,
    *,
    background_reload: bool = True,
) -> Router:
    """The ASGI app of one worker, every route on it."""
    return build_worker(settings, credentials, options, background_reload=background_reload).router


def build_worker(
    settings: Settings,
    credentials: SlackCredentials | None = None,
    options: ServeOptions | None = None,
    *,
    background_reload: bool = True,
) -> Worker:
    """:func:`build_router`'s router, with the objects it was built on."""
    credentials = credentials or settings.credentials
    options = options or ServeOptions()
    app, services = build_slack_app(settings, credentials, background_reload=background_reload)
    pool = ThreadPoolExecutor(options.threads, "acrbot-request")
    router = Router(pool, max_body=options.max_body, body_timeout=options.body_timeout)
    add_health_routes(
        router,
        health=lambda: {"entries": len(services.library.loaded.entries)},  # on the loop: no reads
        ready=lambda: readiness(lambda: services.library, lambda: services.store),
    )
    # A store on this host answers in microseconds (no network): acks that touch nothing else
    # run on the loop; with Redis, what they need from it is awaited first (answered_on_loop).
    local_store = not services.store.shared_across_hosts
    library = services.library
    on_loop = answered_on_loop(
        local_store, library.is_current, library.is_current_async, services.dedupe
    )
    events = slack_events(app, credentials.signing_secret, pool, on_loop)
    router.add("POST", "/slack/events", events)
    router.on_shutdown.append(lambda: pool.shutdown(wait=False, cancel_futures=True))
    # Checks started before SIGTERM finish, or say "interrupted by a restart", before the kill;
    # answers still queued finish in the same window, before their questions are written below.
    pools = pools_of(app)
    router.on_shutdown.append(lambda: drain_listeners(pools, options.longest_check + 1))
    alerts = AlertWebhooks(settings, services, app.client)
    add_alert_routes(router, alerts, local_store=local_store)
    if settings.slack.escalation.enabled:
        reminders = ReminderLoop(services, app.client).start()
        router.on_shutdown.append(reminders.stop)
    # The question log writes in batches: the last questions before a restart are kept too.
    if services.asked is not None:
        router.on_shutdown.append(lambda: services.asked.flush(2.0))
    return Worker(router, app, services, alerts)
