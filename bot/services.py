"""The composition root: builds the knowledge base, diagnostics and stores from settings.

Domain packages know nothing of each other; this is where the knowledge base
becomes the diagnostics' FAQ lookup, and where the Slack app and the CLI get
the same objects.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bot.config import Settings
from bot.diagnostics.audit import AuditLog
from bot.diagnostics.confirmation import derive_secret
from bot.diagnostics.report import FaqLink, FaqLookup
from bot.diagnostics.service import Diagnostics
from bot.diagnostics.settings import DiagnosticsSettings
from bot.feedback import FeedbackStore
from bot.knowledge.library import Library
from bot.storage import ProcessFallback, Storage, open_storage

FAQ_LINK_MIN_CONFIDENCE = 0.5
MIN_CONFIRM_SECRET = 16
log = logging.getLogger(__name__)


def faq_lookup_from(library: Library, limit: int = 3) -> FaqLookup:
    """Diagnostics' "which FAQ entries explain this result", answered by search."""

    def lookup(query: str) -> list[FaqLink]:
        hits = library.ask(query, limit=limit).hits
        return [
            FaqLink(h.entry.id, h.entry.question, h.entry.docs_url)
            for h in hits
            if h.score >= FAQ_LINK_MIN_CONFIDENCE
        ]

    return lookup


@dataclass
class Services:
    settings: Settings
    library: Library
    feedback: FeedbackStore
    claims: Storage  # the shared store: claims, limits, record streams
    diagnostics: Diagnostics
    dedupe: ProcessFallback | None = None  # event de-duplication that survives an outage

    def __post_init__(self) -> None:
        if self.dedupe is None:
            self.dedupe = ProcessFallback(self.claims)


def open_shared_storage(settings: Settings) -> Storage:
    """Redis when ``storage.redis_url`` (``REDIS_URL``) is set, else SQLite in ``state_dir``."""
    return open_storage(settings.storage.redis_url, settings.state_dir)


def audit_log(settings: Settings, store: Storage) -> AuditLog:
    """The audit records: a Redis stream with Redis, else the JSON-lines file."""
    path = DiagnosticsSettings.from_app_settings(settings).audit_path
    return AuditLog(path, store.stream("audit", path))


def feedback_store(settings: Settings, store: Storage) -> FeedbackStore:
    """👍/👎 records: a Redis stream with Redis, else the JSON-lines file."""
    path = settings.feedback_path
    return FeedbackStore(path, store.stream("feedback", path) if store.kind == "redis" else None)


def build_services(
    settings: Settings,
    *,
    confirm_secret: str | None = None,
    membership: Callable[[str], Iterable[str]] | None = None,
    env: Mapping[str, str] | None = None,
    background_reload: bool = False,
) -> Services:
    env = os.environ if env is None else env
    library = Library.from_settings(settings.knowledge, background=background_reload)
    claims = open_shared_storage(settings)
    diagnostics_settings = DiagnosticsSettings.from_app_settings(settings)
    master = env.get("ACRBOT_CONFIRM_SECRET") or confirm_secret
    if not env.get("ACRBOT_CONFIRM_SECRET") and (not master or len(master) < MIN_CONFIRM_SECRET):
        if master:
            log.warning(
                "the signing secret is too short to sign Confirm buttons; using a key of this "
                "process only (set ACRBOT_CONFIRM_SECRET when running several workers)"
            )
        master = secrets.token_hex(32)
    diagnostics = Diagnostics(
        diagnostics_settings,
        secret=derive_secret(master),
        claims=claims,
        audit=audit_log(settings, claims),
        faq_lookup=faq_lookup_from(library),
        membership=membership,
        env=env,
    )
    return Services(settings, library, feedback_store(settings, claims), claims, diagnostics)
