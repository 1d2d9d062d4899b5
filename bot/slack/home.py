"""App Home: gather what one person should see, render it in their language, publish it.

Everyone sees what acrbot does, their recent questions (with the entries
that answered them) and their checks waiting for Confirm; admins
(``slack.admins``) also get the figures of :func:`bot.knowledge.report.admin_report`.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.feedback import Feedback, FeedbackStore
from bot.knowledge import review
from bot.knowledge.editions import view_of
from bot.knowledge.language import normalise
from bot.knowledge.report import admin_report, grouping_terms, pending_confirms
from bot.services import Services
from bot.slack.capture import is_admin, is_approver
from bot.slack.home_blocks import HomeData, home_view
from bot.storage import StorageUnavailable
from bot.triage.tally import triaged_since

log = logging.getLogger(__name__)
AUDIT_READ = 5000  # newest audit records read for the figures and pending Confirms
CLICKS_READ = 20_000  # newest 👍/👎 and "did you mean" clicks read for the admin figures


def user_language(client: WebClient, user: str) -> str:
    """``en``, ``zh`` or ``zh-tw`` from the person's Slack locale; English when unknown."""
    try:
        locale = client.users_info(user=user, include_locale=True)["user"].get("locale") or "en"
    except (SlackApiError, KeyError, TypeError):
        return "en"
    language = normalise(str(locale))
    return language if language in ("en", "zh", "zh-tw") else "en"


def home_data(services: Services, user: str, language: str) -> HomeData:
    knowledge = services.library.current
    asked = services.asked.all() if services.asked is not None else []
    audit = services.diagnostics.audit.recent(AUDIT_READ)
    titles = {e.id: view_of(e, language).question for e in knowledge.entries}
    mine = [a for a in asked if a.user == user][-8:][::-1]
    questions = [(a, titles.get(a.entry.rpartition("#")[2], a.entry)) for a in mine]
    ttl = services.settings.diagnostics.confirm_ttl_seconds
    data = HomeData(
        user,
        language,
        questions,
        pending_confirms(audit, user, ttl),
        services.settings.knowledge.capture_reaction,
        titles=titles,
    )
    try:
        opened = services.handoffs.list(open_only=True)
    except StorageUnavailable:
        opened = []
    data.handoffs = [
        (h.question, h.channel, h.thread) for h in opened if user in (h.asker, h.requested_by)
    ]
    admin, approver = is_admin(services, user), is_approver(services, user)
    if admin or approver:  # approvers see what waits for them even when they are not admins
        clicks = recent_clicks(services.feedback)
        data.pending = review.pending(services.captured, clicks, knowledge)
    if admin:
        data.open_handoffs = [(h.question, h.channel, h.thread) for h in opened]
        pending = data.pending or []
        triaged = {days: triaged_since(services.store, days) for days in (7, 30)}
        data.report = admin_report(
            asked,
            clicks,
            knowledge.entries,
            pending,
            audit,
            alerts_triaged=triaged,
            terms=grouping_terms(knowledge),
        )
    return data


def recent_clicks(feedback: FeedbackStore, n: int = CLICKS_READ) -> list[Feedback]:
    """The newest ``n`` clicks: a shared stream is read from its end, not from the start."""
    if feedback.stream is None:
        return list(feedback)[-n:]
    found = []
    for record in feedback.stream.recent(n):
        try:
            found.append(Feedback(**record))
        except TypeError:
            continue
    return found


def publish_home(client: WebClient, services: Services, user: str) -> None:
    language = user_language(client, user)
    view = home_view(home_data(services, user, language))
    client.views_publish(user_id=user, view=view)
