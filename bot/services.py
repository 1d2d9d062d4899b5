"""The composition root: the one place that builds the knowledge base, diagnostics and stores.

The domain packages meet here and nowhere else, with one exception that
goes the other way round: triage reads registry names and image references
with diagnostics' rules (one set of rules for what a registry or an image is
called). Which cluster an alert names is diagnostics' answer too, handed to
triage from here (:func:`cluster_lookup_from`), so triage reads no settings. This is where
the knowledge base becomes the diagnostics' and triage's FAQ links, and
where the CLI and the server (:mod:`bot.web.app`, which hands the services
to the Slack app and the routes) get the same objects. The chat layer
passes what only it knows (who belongs to which Slack user group) as
arguments, so nothing is patched in afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from bot.diagnostics.access import Membership
from bot.diagnostics.audit import AuditLog
from bot.diagnostics.clusters import known_cluster
from bot.diagnostics.service import Diagnostics
from bot.diagnostics.settings import AzureSettings
from bot.faq_links import FaqLink, FaqSearch
from bot.feedback import FeedbackStore
from bot.helpdesk.handoffs import HandoffBook
from bot.helpdesk.threads import ThreadBook
from bot.helpdesk.unanswered import UnansweredLog
from bot.knowledge.asked import QuestionLog
from bot.knowledge.captured import CapturedStore
from bot.knowledge.library import Library
from bot.secret_policy import confirm_key
from bot.state_dir import check_state_dir
from bot.storage import ProcessFallback, SqliteStorage, Storage, existing_storage, open_storage
from bot.triage.model import KnownCluster
from bot.triage.triager import ClusterLookup, Triager


def faq_search_from(library: Library, language: str = "en") -> FaqSearch:
    """Which FAQ entries explain an alert or a result: diagnostics (in English, as the
    reports are) and triage (in ``alerts.language``) each get one and keep the hits
    they are sure of.

    Titles and links are the editions in ``language`` (``Library.ask`` gives
    every hit its view in the language asked for).
    """

    def search(query: str, limit: int) -> list[FaqLink]:
        hits = library.ask(query, limit, language=language).hits
        return [FaqLink(h.entry.id, h.view.question, h.view.docs_url, h.score) for h in hits]

    return search


@dataclass
class Services:
    """Everything a listener or a command needs, built once per process."""

    settings: Settings
    library: Library
    feedback: FeedbackStore
    store: Storage  # the shared store: claims, counters, records, queues, tables
    diagnostics: Diagnostics
    triager: Triager
    dedupe: ProcessFallback | None = None  # event de-duplication that survives an outage
    # Built from the store in __post_init__ unless given: never None once constructed.
    threads: ThreadBook = None  # type: ignore[assignment]  # one answer per thread, follow-ups
    handoffs: HandoffBook = None  # type: ignore[assignment]  # "Still need help?" hand-offs
    unanswered: UnansweredLog = None  # type: ignore[assignment]  # questions left to people
    membership: Membership | None = None  # which Slack user groups a user is in (Slack only)
    captured: CapturedStore | None = None  # captured answers and approved phrasings (shared)
    asked: QuestionLog | None = None  # the bounded record of questions asked (shared)

    def __post_init__(self) -> None:
        if self.dedupe is None:
            self.dedupe = ProcessFallback(self.store)
        if self.threads is None:
            self.threads = thread_book(self.settings, self.store)
        if self.handoffs is None:
            self.handoffs = handoff_book(self.settings, self.store)
        if self.unanswered is None:
            self.unanswered = unanswered_log(self.settings, self.store)

    def __deepcopy__(self, memo: dict[int, Any]) -> Services:
        # Bolt deep-copies its context for lazy listeners; services are shared, never copied.
        return self


def library_from(
    settings: Settings, *, background: bool = False, captured: CapturedStore | None = None
) -> Library:
    """The knowledge base as ``knowledge:`` describes it: the server and every command open it here.

    ``background`` reloads changed files in a thread (the server); the
    terminal waits for a reload instead, so a command sees the files as they are.
    ``captured`` adds the approved answers and phrasings of the shared store.
    """
    return Library.from_settings(settings.knowledge, background=background, captured=captured)


def captured_store(settings: Settings) -> CapturedStore:
    """Captured answers where every replica sees them: the shared store."""
    return CapturedStore(open_shared_storage(settings))


def existing_captured_store(settings: Settings) -> CapturedStore | None:
    """Captured answers for a command that only reads them; None where there can be none."""
    storage = existing_storage(settings.storage.redis_url, settings.state_dir)
    return CapturedStore(storage) if storage is not None else None


def cluster_lookup_from(azure: AzureSettings) -> ClusterLookup:
    """Which configured cluster an alert names: diagnostics' own rules, without a call to Azure.

    The pull check is then asked with the configured name, or with the
    resource ID of a cluster found by ID in ``azure.subscriptions``.
    """

    def lookup(text: str) -> KnownCluster | None:
        target = known_cluster(text, azure)
        if target is None:
            return None
        ref = target.name if target.source == "config" else target.resource_id
        return KnownCluster(target.name, ref)

    return lookup


def triager_from(settings: Settings, library: Library) -> Triager:
    """Alert triage in ``alerts.language``, with FAQ links and the configured clusters."""
    language = settings.alerts.language
    return Triager(
        faq_search_from(library, language),
        language=language,
        clusters=cluster_lookup_from(settings.diagnostics.azure),
    )


def open_shared_storage(settings: Settings) -> Storage:
    """Redis when ``storage.redis_url`` (``REDIS_URL``) is set, else SQLite in ``state_dir``."""
    return open_storage(settings.storage.redis_url, settings.state_dir)


def audit_log(settings: Settings, store: Storage) -> AuditLog:
    """The audit records: a Redis stream with Redis, else the JSON-lines file."""
    path = settings.diagnostics.audit_path
    return AuditLog(path, store.stream("audit", path) if store.kind == "redis" else None)


def feedback_store(settings: Settings, store: Storage) -> FeedbackStore:
    """👍/👎 records: a Redis stream with Redis, else the JSON-lines file."""
    path = settings.feedback_path
    return FeedbackStore(path, store.stream("feedback", path) if store.kind == "redis" else None)


def thread_book(settings: Settings, store: Storage) -> ThreadBook:
    followups = settings.slack.followups
    return ThreadBook(
        store, max_followups=followups.max_count, idle_seconds=followups.idle_minutes * 60
    )


def handoff_book(settings: Settings, store: Storage) -> HandoffBook:
    """Hand-offs: a Redis stream with Redis, else ``handoffs.jsonl`` in the state folder."""
    path = settings.state_dir / "handoffs.jsonl" if settings.state_dir is not None else None
    return HandoffBook(store, store.stream("handoffs", path))


def unanswered_log(settings: Settings, store: Storage) -> UnansweredLog:
    """Unanswered questions: a Redis stream with Redis, else ``unanswered.jsonl``."""
    path = settings.state_dir / "unanswered.jsonl" if settings.state_dir is not None else None
    return UnansweredLog(store.stream("unanswered", path))


def build_services(
    settings: Settings,
    *,
    membership: Membership | None = None,
    background_reload: bool = False,
    persistent_claims: bool = True,
) -> Services:
    """Build every service from ``settings``.

    ``membership`` answers which Slack user groups a user is in (the Slack app
    passes one; the terminal has none). ``persistent_claims=False`` keeps
    claims in memory (terminal runs: nothing to share with a server); audit and
    feedback records still go where the server's go (Redis or the JSONL files).
    """
    check_state_dir(settings.state_dir)
    shared = open_shared_storage(settings)
    captured = CapturedStore(shared)
    library = library_from(settings, background=background_reload, captured=captured)
    store = shared if persistent_claims else SqliteStorage(None)
    diagnostics = Diagnostics(
        settings.diagnostics,
        secret=confirm_key(settings.confirm_secret, settings.credentials.signing_secret),
        claims=store,
        audit=audit_log(settings, shared),
        faq_search=faq_search_from(library, "en"),
        membership=membership,
    )
    triager = triager_from(settings, library)
    return Services(
        settings,
        library,
        feedback_store(settings, shared),
        store,
        diagnostics,
        triager,
        membership=membership,
        captured=captured,
        asked=QuestionLog(shared),
    )
