"""Loading the knowledge folder, and keeping it fresh while the bot runs.

``*.md`` files are FAQ pages (``<page>.<lang>.md`` are editions of one page,
paired by anchor), ``*.yaml`` files are glossaries or reviewed phrasings
(``phrasings:``). The library
notices edited, added and removed files and rebuilds the index without a
restart. A file that fails to parse does not take the bot down: its last
good version keeps serving (nothing is lost) and the error is kept for
``errors`` so the operator is told.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot import metrics
from bot.errors import KnowledgeError
from bot.heap import trim
from bot.knowledge import captured_markdown
from bot.knowledge import phrasings as phrasing_files
from bot.knowledge.captured import CapturedStore
from bot.knowledge.editions import editions, pair, view_of
from bot.knowledge.files import is_regular
from bot.knowledge.glossary import Glossary, glossary_from, merge, read_yaml_file
from bot.knowledge.index import Hit, Index
from bot.knowledge.language import (
    ZH_TW,
    detect,
    normalise,
    rendering_ahead,
    set_zh_tw_rendering,
)
from bot.knowledge.markdown_parser import locale_of, parse_markdown_file
from bot.knowledge.model import Entry, View
from bot.knowledge.phrasings import Phrasings
from bot.knowledge.script import converted_markdown
from bot.knowledge.settings import DEFAULT_DOCS_BASE_URLS, KnowledgeSettings
from bot.knowledge.text import Analyzer
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)
# Per thread, not per context: work a loop thread hands to a pool (lazy listeners copy
# their context) may wait again.
_CANNOT_WAIT = threading.local()
CAPTURED_WAIT = 1.0  # seconds a question waits for a rebuild already under way (ack budget: 3)


@dataclass(frozen=True)
class SearchResult:
    """What the bot would do with a question: answer it, or say it doesn't know."""

    query: str
    hits: tuple[Hit, ...]
    answered: bool
    suggest_threshold: float
    language: str = "en"  # the asker's: every hit's ``view`` is in it, or the nearest edition

    @property
    def answer(self) -> Hit | None:
        return self.hits[0] if self.answered and self.hits else None

    @property
    def suggestions(self) -> tuple[Hit, ...]:
        """ "Did you mean" candidates: close enough to be worth a click."""
        rest = self.hits[1:] if self.answered else self.hits
        return tuple(h for h in rest if h.score >= self.suggest_threshold)[:3]


@dataclass(frozen=True)
class KnowledgeBase:
    """An immutable snapshot: entries, their index, and what failed to load."""

    entries: tuple[Entry, ...]
    index: Index
    errors: tuple[str, ...] = ()
    answer_threshold: float = 0.5
    suggest_threshold: float = 0.2
    _by_key: dict[str, Entry] = field(default_factory=dict, repr=False)
    _views: dict[tuple[int, str], View] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._by_key.setdefault(entry.key, entry)
            for edition in editions(entry):  # a button made before an edition was added
                self._by_key.setdefault(edition.key, entry)
            self._by_key.setdefault(entry.id, entry)

    def ask(self, query: str, limit: int = 5, language: str | None = None) -> SearchResult:
        """Search, and give every hit the view of its entry in the asker's language.

        ``language`` forces one (``en``, ``zh``, ``zh-tw`` …); by default it is
        read from the characters of the query.
        """
        query_text = query[:2000]
        asker = normalise(language) if language else detect(query_text)
        hits = tuple(
            Hit(hit.entry, hit.score, hit.evidence, view=self.view(hit.entry, asker))
            for hit in self.index.search(query_text, limit=limit)
        )
        answered = bool(hits) and hits[0].score >= self.answer_threshold
        return SearchResult(query, hits, answered, self.suggest_threshold, asker)

    def view(self, entry: Entry, language: str) -> View:
        """``view_of``, made once per entry and language (this snapshot never changes)."""
        made = self._views.get((id(entry), language))  # keys may repeat; entries are unique
        if made is None:
            made = self._views.setdefault((id(entry), language), view_of(entry, language))
        return made

    def get(self, key: str) -> Entry | None:
        """Look an entry up by its unique key, or by its anchor when that is unambiguous."""
        return self._by_key.get(key)


def render_traditional_ahead(base: KnowledgeBase) -> None:
    """Every entry as a Traditional asker sees it, made now and kept by the snapshot.

    So no question loads OpenCC's s2twp, and each snapshot keeps the wording of
    its own glossary's rendering table (the table is one per process).
    """
    with rendering_ahead("knowledge"):
        for entry in base.entries:
            view = view_of(entry, ZH_TW)
            if view.converted:
                view = replace(view, rendered=view.answer_markdown)
            base._views[(id(entry), ZH_TW)] = view


class Library:
    """Holds the current :class:`KnowledgeBase` and swaps in a new one on change."""

    def __init__(
        self,
        paths: tuple[Path, ...] | list[Path],
        docs_base_url: str,
        answer_threshold: float = 0.5,
        suggest_threshold: float = 0.2,
        reload_interval: float = 2.0,
        background: bool = False,
        docs_base_urls: Mapping[str, str] | None = None,
        captured: CapturedStore | None = None,
    ) -> None:
        self.paths = tuple(Path(p) for p in paths)
        self.docs_base_url = docs_base_url
        # Per-language docs bases; docs_base_url stays the Simplified Chinese (seed) default.
        urls = DEFAULT_DOCS_BASE_URLS if docs_base_urls is None else docs_base_urls
        self.docs_base_urls = {normalise(k): v for k, v in urls.items()}
        self.docs_base_urls.setdefault("zh", docs_base_url)
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.reload_interval = reload_interval
        self.background = background
        self._lock = threading.Lock()
        self._good: dict[Path, tuple[float, list[Entry] | Glossary | Phrasings]] = {}
        self._signature: tuple[tuple[str, float, int], ...] = ()
        self._checked = 0.0
        # Approved captured answers and phrasings from the shared store, re-read when its
        # version moves (checked on every ask: one small read, so an approval on any
        # replica is answered by the next question here).
        self.captured = captured
        self._captured_version = -1
        self._captured_entries: list[Entry] = []
        self._captured_phrasings = Phrasings()
        self._current = self._build()
        self.loaded_at = time.time()  # for /readyz: when the live base was (re)built

    @classmethod
    def from_settings(
        cls,
        settings: KnowledgeSettings,
        *,
        background: bool = False,
        captured: CapturedStore | None = None,
    ) -> Library:
        return cls(
            settings.paths,
            settings.docs_base_url,
            settings.answer_threshold,
            settings.suggest_threshold,
            settings.reload_interval,
            background=background,
            docs_base_urls=getattr(settings, "docs_base_urls", None),
            captured=captured,
        )

    @property
    def loaded(self) -> KnowledgeBase:
        """The base as last built, checking nothing (liveness, on the event loop)."""
        return self._current

    @property
    def current(self) -> KnowledgeBase:
        """The live knowledge base, reloaded if a file changed.

        In the foreground (the CLI, tests) the caller waits for the reload; in
        the background (the server) it gets the current base at once while a
        thread rebuilds, so a large reload never holds up Slack's 3-second ack.
        Captured knowledge is checked on every read (:meth:`refresh_captured`).
        """
        self.refresh_captured()
        due = self._files_due()
        if due and not self.background:
            if not getattr(_CANNOT_WAIT, "on", False):  # else the next caller that may wait
                self.reload_if_changed()
        elif due and self._lock.acquire(blocking=False):
            self._checked = time.monotonic()
            threading.Thread(target=self._reload_in_background, daemon=True).start()
        return self._current

    def _reload_in_background(self) -> None:
        try:
            self._reload_locked()
        except Exception:  # a bug in a rebuild must not kill serving; the old base stays
            metrics.knowledge_reload(ok=False)
            log.exception("knowledge: reload failed; still serving the previous version")
        finally:
            self._lock.release()

    def ask(self, query: str, limit: int = 5, language: str | None = None) -> SearchResult:
        current = self.current
        started = time.perf_counter()
        result = current.ask(query, limit, language)
        metrics.search_seconds(time.perf_counter() - started)
        return result

    @property
    def phrasings_path(self) -> Path:
        """Where approved phrasings go: ``phrasings.yaml`` in the first knowledge folder."""
        first = self.paths[0] if self.paths else Path("knowledge")
        folder = first if first.is_dir() or not first.suffix else first.parent
        return folder / phrasing_files.FILE_NAME

    def _files_due(self) -> bool:
        """Whether the knowledge files are due a look for changes."""
        return time.monotonic() - self._checked >= self.reload_interval

    def is_current(self) -> bool:
        """Whether asking now starts no rebuild in the asking thread.

        The server answers ``/acr ask`` on its event loop only then; a
        question that must first take in a newly approved answer (or, in the
        foreground, a changed file) is asked from a thread that may wait.
        """
        if not self.background and self._files_due():
            return False
        if self.captured is None:
            return True
        try:
            return self.captured.version() == self._captured_version
        except StorageUnavailable:
            return True  # asking keeps the entries last read: nothing to wait for

    async def is_current_async(self) -> bool:
        """:meth:`is_current` for a caller on an event loop, with a store across hosts.

        The captured version is awaited, so a question can be answered on the
        loop without a thread to wait on Redis; False whenever that cannot be
        said at once (the store is down or slow: the thread's way reports it).
        """
        if not self.background and self._files_due():
            return False
        if self.captured is None:
            return True
        return await self.captured.version_async() == self._captured_version

    @staticmethod
    @contextmanager
    def answering_without_waiting() -> Iterator[None]:
        """Questions asked inside are answered from the base there is: no rebuild, no wait.

        For a caller that must not wait (the server's event loop). It asks
        :meth:`is_current` first and sends a question that needs a rebuild
        elsewhere; this covers an approval landing between that check and the
        question, which is then answered from the base before it (the next
        question takes it in).
        """
        before = getattr(_CANNOT_WAIT, "on", False)
        _CANNOT_WAIT.on = True
        try:
            yield
        finally:
            _CANNOT_WAIT.on = before

    def refresh_captured(self) -> bool:
        """Rebuild now if the shared store's captured knowledge changed; True if it did.

        The rebuild runs in the asking thread (an approval is rare, and the
        next question must already see it); a question arriving while another
        rebuild runs waits up to :data:`CAPTURED_WAIT` seconds for it, then is
        answered from the base there is. A store that is down keeps the
        entries last read. A thread that must not wait
        (:meth:`answering_without_waiting`) never rebuilds.
        """
        if self.captured is None or getattr(_CANNOT_WAIT, "on", False):
            return False  # (the loop asked is_current() just before: no second read)
        try:
            version = self.captured.version()
        except StorageUnavailable:
            return False
        if version == self._captured_version:
            return False
        if not self._lock.acquire(timeout=CAPTURED_WAIT):
            return False  # a long rebuild is under way; this question keeps the current base
        try:
            if version == self._captured_version:
                return False
            self._current = self._build()
            self.loaded_at = time.time()
            metrics.knowledge_reload(ok=not self._current.errors)
        finally:
            self._lock.release()
        return True

    def _read_captured(self) -> None:
        if self.captured is None:
            return
        try:
            version = self.captured.version()
            approved = self.captured.entries("approved")
            phrasings = self.captured.phrasings()
        except StorageUnavailable:
            log.warning("knowledge: shared store down; captured answers as last read")
            return
        self._captured_entries = captured_markdown.entries(approved)
        table: dict[str, list[str]] = {}
        for phrasing in phrasings:
            table.setdefault(phrasing.anchor, []).append(phrasing.query)
        self._captured_phrasings = Phrasings({a: tuple(q) for a, q in table.items()})
        self._captured_version = version

    def reload_if_changed(self) -> bool:
        with self._lock:
            return self._reload_locked()

    def _reload_locked(self) -> bool:
        self._checked = time.monotonic()
        if self._files_signature() == self._signature:
            return False
        self._current = self._build()
        self.loaded_at = time.time()
        metrics.knowledge_reload(ok=not self._current.errors)
        return True

    def _files(self) -> list[Path]:
        found: list[Path] = []
        for path in self.paths:
            if path.is_dir():
                found += sorted(p for p in path.rglob("*") if p.suffix in (".md", ".yaml", ".yml"))
            elif path.is_file():
                found.append(path)
        # FIFOs, sockets and devices named *.md would block or never end: skip them.
        found = [p for p in found if is_regular(p)]
        return [p for p in found if not p.name.startswith(".") and p.name.lower() != "readme.md"]

    def _files_signature(self) -> tuple[tuple[str, float, int], ...]:
        signature = []
        for path in self._files():
            try:
                stat = path.stat()
            except OSError:
                continue
            signature.append((str(path), stat.st_mtime, stat.st_size))
        return tuple(signature)

    def _build(self) -> KnowledgeBase:
        self._signature = self._files_signature()
        entries: list[Entry] = []
        glossaries: list[Glossary] = []
        phrasings: list[Phrasings] = []
        errors: list[str] = []
        if not self._signature:
            errors.append(f"no knowledge files found in {', '.join(map(str, self.paths))}")
        for name, mtime, _size in self._signature:
            loaded = self._load(Path(name), mtime, errors)
            if isinstance(loaded, Glossary):
                glossaries.append(loaded)
            elif isinstance(loaded, Phrasings):
                phrasings.append(loaded)
            elif loaded:
                entries.extend(loaded)
        self._read_captured()
        phrasings.append(self._captured_phrasings)
        entries = pair(entries, self.docs_base_urls)
        in_files = {e.id for e in entries}  # an export committed to the folder wins over the store
        entries += [e for e in self._captured_entries if e.id not in in_files]
        entries = self._with_alternates(entries, phrasings, errors)
        for error in errors:
            log.error("knowledge: %s", error)
        glossary = merge(glossaries)
        set_zh_tw_rendering(glossary.zh_tw_rendering)
        converted_markdown.cache_clear()  # answers already converted with an older table
        analyzer = Analyzer.from_glossary(glossary)
        base = KnowledgeBase(
            entries=tuple(entries),
            index=Index(entries, analyzer),
            errors=tuple(errors),
            answer_threshold=self.answer_threshold,
            suggest_threshold=self.suggest_threshold,
        )
        render_traditional_ahead(base)
        trim()  # the word lists and tables read to build the index are gone: give them back
        return base

    @staticmethod
    def _with_alternates(
        entries: list[Entry], found: list[Phrasings], errors: list[str]
    ) -> list[Entry]:
        """Attach approved phrasings to their entries (by anchor); name anchors that match none."""
        table = phrasing_files.merge(found)
        if not table:
            return entries
        known = {e.id for e in entries}
        for anchor in sorted(set(table) - known):
            errors.append(
                f"phrasings: no entry has the anchor {anchor!r}; its phrasings are unused"
            )
        return [replace(e, alternates=table[e.id]) if e.id in table else e for e in entries]

    def _load(
        self, path: Path, mtime: float, errors: list[str]
    ) -> list[Entry] | Glossary | Phrasings | None:
        """Parse one file; on failure fall back to its last good version."""
        cached = self._good.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            loaded: list[Entry] | Glossary | Phrasings
            if path.suffix == ".md":
                language = normalise(locale_of(path.name))
                base = self.docs_base_urls.get(language, self.docs_base_url)
                loaded = parse_markdown_file(path, base)
            else:
                data = read_yaml_file(path)
                if phrasing_files.is_phrasings(data):
                    loaded = phrasing_files.phrasings_from(data, path.name)
                else:
                    loaded = glossary_from(data, path.name)
        except KnowledgeError as exc:
            kept = " (still serving its last good version)" if cached else ""
            errors.append(f"{exc}{kept}")
            return cached[1] if cached else None
        self._good[path] = (mtime, loaded)
        return loaded
